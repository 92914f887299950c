#!/bin/sh
# Installs what the browser test of the HTML report needs: Debian's Chromium
# and, in tests/browser, the pinned playwright-core from package-lock.json
# (npm ci). Idempotent: when everything is present it only checks. Uses sudo
# only when not run as root. Node.js and npm must already be installed.
set -eu
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
    echo "chromium is installed" >&2
else
    echo "installing: chromium" >&2
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is not installed (install Node.js 20 or later, with npm)" >&2
    exit 1
fi

# npm ci removes node_modules and installs exactly the lock file's versions;
# skip it when the installed tree already matches the lock file.
if [ -f tests/browser/node_modules/.package-lock.json ] &&
   cmp -s tests/browser/node_modules/.plansim-lock tests/browser/package-lock.json 2>/dev/null; then
    echo "tests/browser/node_modules matches package-lock.json" >&2
else
    echo "installing: tests/browser node modules (npm ci)" >&2
    (cd tests/browser && npm ci --no-audit --no-fund)
    cp tests/browser/package-lock.json tests/browser/node_modules/.plansim-lock
fi
