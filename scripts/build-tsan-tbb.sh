#!/bin/sh
# Builds oneTBB's libtbb with ThreadSanitizer into build/tsan-tbb/install,
# for the `tsan` preset (which finds it there through TBB_DIR).
#
# Why: ThreadSanitizer sees only the synchronisation of code it instrumented.
# Debian's libtbb is not instrumented, so every hand-over of work between
# TBB's threads (a task spawned, a parallel_for joined) is invisible to it
# and it reports the memory handed over as a data race, in plansim's engine
# as much as in TBB's headers. Suppressing those reports would hide
# plansim's own races too. Instead the tsan build links a libtbb built, with
# -fsanitize=thread, from the same Debian source package as the installed
# libtbb-dev (Debian's patches applied), and needs no suppressions.
#
# The source comes through `apt-get source`, with a private list of Debian
# 12's source repositories under build/tsan-tbb/apt: the system's apt
# configuration is not touched and no root is needed. Idempotent: does
# nothing when the library for the installed libtbb-dev is already built.
# Needs the network once, dpkg-dev (build-essential) and CMake.
set -eu
cd "$(dirname "$0")/.."
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(pwd)/build/tsan-tbb
install="$root/install"

# The source package and version of the libtbb-dev the other builds use.
source_of=$(dpkg-query -W -f='${source:Package} ${source:Version}' libtbb-dev)
package=${source_of% *}
version=${source_of#* }
if [ -f "$install/built-from" ] && [ "$(cat "$install/built-from")" = "$source_of" ]; then
    echo "libtbb with ThreadSanitizer ($source_of) is built in $install" >&2
    exit 0
fi
rm -rf "$root"
mkdir -p "$root/apt/lists/partial" "$root/apt/cache/archives/partial" "$root/download"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for suite in bookworm bookworm-updates; do
    echo "deb-src [signed-by=$keyring] $mirror $suite main"
done >"$root/apt/sources.list"
set -- -q -o Dir::Etc::SourceList="$root/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$root/apt/lists" -o Dir::Cache="$root/apt/cache"
# As root, apt would drop to the _apt user, who cannot write here.
if [ "$(id -u)" -eq 0 ]; then set -- "$@" -o APT::Sandbox::User=root; fi
apt-get "$@" update >&2
(cd "$root/download" && apt-get "$@" source --download-only "$package=$version" >&2)
# apt checked the files against the signed index; dpkg-source applies Debian's patches.
dpkg-source --no-check -x "$root/download/${package}_${version#*:}.dsc" "$root/src" >/dev/null

launcher=""
if command -v ccache >/dev/null; then launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"; fi
cmake -S "$root/src" -B "$root/build" -G Ninja $launcher \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$install" -DTBB_SANITIZE=thread \
    -DTBB_TEST=OFF -DTBB_STRICT=OFF -DTBB_ENABLE_IPO=OFF -DTBBMALLOC_BUILD=OFF \
    -DTBB_DISABLE_HWLOC_AUTOMATIC_SEARCH=ON >"$root/configure.log"
cmake --build "$root/build" >"$root/build.log" || { tail -n 40 "$root/build.log" >&2; exit 1; }
cmake --install "$root/build" >"$root/install.log"
echo "$source_of" >"$install/built-from"
echo "built libtbb with ThreadSanitizer ($source_of) in $install" >&2
