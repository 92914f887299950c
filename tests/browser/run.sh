#!/bin/sh
# The browser test of the HTML report (CTest: browser.report_renders).
#
#   run.sh RENDER_BINARY SOURCE_DIR OUT_DIR [NODE]
#
# For each bundled example (with all its scenarios), RENDER_BINARY
# (plansim_render_report) writes the HTML report and the run's JSON into
# OUT_DIR; render_report.mjs then opens the report in headless Chromium
# (/usr/bin/chromium, driven by the pinned playwright-core), checks that it
# loads with no console or page errors and no request outside the file,
# and that every target's label is visible, and writes OUT_DIR/NAME.png.
#
# Exits 77 (CTest: skipped) with the reason when Chromium, Node.js or the
# node modules are missing; scripts/install-browser-deps.sh installs them.
set -eu

if [ $# -lt 3 ]; then
    echo "usage: run.sh RENDER_BINARY SOURCE_DIR OUT_DIR [NODE]" >&2
    exit 2
fi
render=$1
src=$2
out=$3
node=${4:-}
[ -n "$node" ] || node=$(command -v node 2>/dev/null || true)
hint="install with scripts/install-browser-deps.sh"

skip() {
    echo "SKIPPED: $1; $hint"
    exit 77
}
[ -x /usr/bin/chromium ] || skip "/usr/bin/chromium is not installed"
[ -n "$node" ] && [ -x "$node" ] || skip "Node.js (node) is not installed"
[ -d "$src/tests/browser/node_modules/playwright-core" ] ||
    skip "tests/browser/node_modules/playwright-core is not installed"

mkdir -p "$out"
status=0
for example in cps-area probation-trust; do
    dir="$src/examples/$example"
    # shellcheck disable=SC2046
    if ! "$render" "$dir/plan.yaml" "$out/$example.html" "$out/$example.json" $(ls "$dir"/scenarios/*.yaml 2>/dev/null); then
        echo "FAIL: plansim_render_report could not write the report of $example"
        status=1
        continue
    fi
    "$node" "$src/tests/browser/render_report.mjs" --report "$out/$example.html" --json "$out/$example.json" \
        --png "$out/$example.png" --chromium /usr/bin/chromium || status=1
done
exit $status
