#!/bin/sh
# Installs what plansim needs to build and test, from Debian 12's packages.
# Idempotent: when everything is present it only checks. Uses sudo only when
# not run as root.
set -eu

PACKAGES="
  build-essential cmake ninja-build ccache pkg-config
  libboost-graph-dev libeigen3-dev libyaml-cpp-dev libtbb-dev librandom123-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  libsqlite3-dev libssl-dev
"

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
    echo "all build dependencies are installed" >&2
fi
