#!/bin/sh
# Assembles the fuzz targets' seed corpora from the examples and the
# bad-input catalogue (tests/bad_inputs), and the hand-written seeds in
# tests/fuzz/seeds, into OUT/<target>/ (default build/fuzz/seeds). Rebuilt
# from scratch each time; nothing here is committed twice.
#
#   fuzz_plan        every plan.yaml (templates with @GENERATED@ as "1")
#   fuzz_scenario    the examples' scenario files and the catalogue's other YAML
#   fuzz_expression  tests/fuzz/seeds/expression, and every expression-looking
#                    value (value:, available:, delivery:, ... or anything
#                    with a parenthesis) in the plans and scenarios above
#   fuzz_unit_csv    tests/fuzz/seeds/unit_csv and every CSV above
set -eu
cd "$(dirname "$0")/../.."
OUT=${1:-build/fuzz/seeds}
rm -rf "$OUT"
for t in fuzz_plan fuzz_scenario fuzz_expression fuzz_unit_csv; do mkdir -p "$OUT/$t"; done

# copy FILE TARGET: into the target's folder under a name unique to its path.
copy() {
    name=$(printf '%s' "$1" | tr '/' '_')
    case "$1" in
        *.in) sed 's/@GENERATED@/1/' "$1" >"$OUT/$2/${name%.in}" ;;
        *) cp "$1" "$OUT/$2/$name" ;;
    esac
}

for f in examples/*/plan.yaml tests/bad_inputs/*/plan.yaml tests/bad_inputs/*/plan.yaml.in; do
    [ -f "$f" ] && copy "$f" fuzz_plan
done
for f in examples/*/scenarios/*.yaml tests/bad_inputs/*/*.yaml; do
    [ -f "$f" ] || continue
    case "$f" in */plan.yaml) continue ;; esac
    copy "$f" fuzz_scenario
done
for f in examples/*/*.csv tests/bad_inputs/*/*.csv tests/bad_inputs/*/*.csv.in tests/fuzz/seeds/unit_csv/*; do
    [ -f "$f" ] && copy "$f" fuzz_unit_csv
done
for f in tests/fuzz/seeds/expression/*; do
    [ -f "$f" ] && copy "$f" fuzz_expression
done
# One seed per distinct expression: the value of a known expression key, or
# any value with a parenthesis (prose keys aside), without a trailing
# comment or quotes.
cat "$OUT"/fuzz_plan/* "$OUT"/fuzz_scenario/* |
    grep -a -v -E '^[ -]*(label|owner|plan|scenario|notes):' |
    sed -n -E \
        -e 's/^[ -]*(value|available|delivery|impact|baseline|when|at_most|at_least|likelihood|add|scale): *//p' \
        -e 's/^[ -]*[a-z_0-9]+: *([^{[ ].*\(.*)$/\1/p' |
    sed -E -e 's/ +#.*$//' -e 's/^"(.*)"$/\1/' -e "s/^'(.*)'\$/\\1/" |
    grep -a -v '^$' | sort -u |
    while IFS= read -r expr; do
        sum=$(printf '%s' "$expr" | cksum | cut -d' ' -f1)
        printf '%s' "$expr" >"$OUT/fuzz_expression/extracted_$sum"
    done
for t in fuzz_plan fuzz_scenario fuzz_expression fuzz_unit_csv; do
    echo "$t: $(ls "$OUT/$t" | wc -l) seeds in $OUT/$t" >&2
done
