#!/bin/sh
# Builds the fuzz preset (clang, libFuzzer, ASan and UBSan) and runs each
# fuzz target of tests/fuzz for SECONDS (default 60), one after another on
# one core, from the seeds tests/fuzz/make_seeds.sh assembles. Fails, after
# running them all, if any target found a crash, a sanitizer report, a hang
# (an input taking over 10 s) or an input needing over 2 GiB. What a target
# found is kept in build/fuzz/artifacts/TARGET/; the inputs that reached new
# code, in build/fuzz/corpus/TARGET/, which later runs start from.
#
#   scripts/run-fuzzers.sh [SECONDS] [TARGET...]
#
# scripts/install-fuzz-deps.sh installs clang. See tests/fuzz/README.md.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_plan fuzz_expression fuzz_scenario fuzz_unit_csv}
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
tests/fuzz/make_seeds.sh build/fuzz/seeds

root=$(pwd)/build/fuzz
mkdir -p "$root/tmp" "$root/logs"
failed=""
for t in $targets; do
    # Without -max_len, libFuzzer makes nothing longer than the longest
    # seed: a few hundred bytes, too short to reach the expression parser's
    # nesting limit (200 levels) or a scenario's longer lists.
    case "$t" in
        fuzz_plan) dict=tests/fuzz/yaml.dict max_len=32768 ;;
        fuzz_scenario) dict=tests/fuzz/yaml.dict max_len=8192 ;;
        fuzz_expression) dict=tests/fuzz/expression.dict max_len=4096 ;;
        *) dict="" max_len=8192 ;;
    esac
    mkdir -p "$root/corpus/$t" "$root/artifacts/$t"
    log="$root/logs/$t.log"
    echo "== $t: $seconds s" >&2
    status=0
    # TMPDIR: the targets' scratch folders stay in the build tree.
    TMPDIR="$root/tmp" nice "$root/tests/fuzz/$t" \
        -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        ${dict:+-dict="$dict"} -artifact_prefix="$root/artifacts/$t/" \
        "$root/corpus/$t" "$root/seeds/$t" >"$log" 2>&1 || status=$?
    rm -rf "$root/tmp"/plansim-fuzz-*
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        echo "== $t FAILED (exit $status) after ${runs:-?} runs; input in build/fuzz/artifacts/$t/, log in $log" >&2
        failed="$failed $t"
    else
        echo "== $t: ${runs:-?} runs in $seconds s without a failure ($(ls "$root/corpus/$t" | wc -l) inputs in its corpus)" >&2
    fi
done
if [ -n "$failed" ]; then
    echo "fuzzing failed:$failed" >&2
    exit 1
fi
