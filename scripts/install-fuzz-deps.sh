#!/bin/sh
# Installs what the fuzz targets need beyond scripts/install-deps.sh, from
# Debian 12's packages: clang 14, libFuzzer and the sanitizers' runtimes
# (libclang-rt-14-dev), and llvm-symbolizer (llvm) for readable stack traces.
# Idempotent: when everything is present it only checks. Uses sudo only when
# not run as root. scripts/run-fuzzers.sh and tests/fuzz/README.md use them.
set -eu

PACKAGES="clang libclang-rt-14-dev llvm"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=""
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
else
    echo "all fuzzing dependencies are installed" >&2
fi
