#!/usr/bin/env python3
"""Write reference model R(n) as a plansim plan: DIR/reference-N.yaml + DIR/areas-N.csv.

R(n) is the benchmark workload of ../shared/bench/reference-model.md: one
national target rolled up from n local areas, each with a budget under a cut,
a caseload that may grow, four actions whose delivery depends on funded
capacity and four risks.  This script expresses it exactly in the plan format
(../shared/spec/plan-format.md, sections 1-9):

  * the per-area constants go into the units table, one row per area,
    columns base, target, budget (B_i), cost (D_i) and weight (w_i);
  * cut, caseload and pay are plan-wide assumptions (per: plan, one draw per
    sample, shared by every area);
  * capacity, the actions a0..a3, the risks r0..r3, the measure rate and the
    local target hit are `local` nodes, one copy per area;
  * national, share_hit and national_target are the plan-wide roll-up.

With one period, a risk occurs in it with probability `likelihood`
(1 - (1 - q)^(1/1) = q) and then has its value `impact`, drawn once per
sample; an action is delivered with probability `delivery` and its value in
its due period (the only one) is 1 if delivered, else 0.  So each area's rate
is exactly the reference model's rate_i.

Usage:
    python3 make_plan.py --areas 42 --out /tmp/r42 [--samples 1000000] [--seed 1]

Only the Python standard library is used.  Numbers in the table are written
with repr(), so they read back as the same doubles.
"""
import argparse
import math
import os
import sys

# Actions k = 0..3 and risks j = 0..3 of the reference model.
P_DELIVER = (0.9, 0.8, 0.7, 0.6)
EFFECT = (0.05, 0.04, 0.03, 0.02)
Q_RISK = (0.5, 0.3, 0.2, 0.1)

# Sample counts of the reference sizes (reference-model.md, "Sizes").
REFERENCE_SAMPLES = {1: 1_000_000, 42: 1_000_000, 420: 100_000, 4200: 10_000}
OTHER_SAMPLES = 100_000

COLUMNS = ("base", "target", "budget", "cost", "weight")


def default_samples(n):
    """The reference sample count for n areas (100,000 for a size not in the spec)."""
    return REFERENCE_SAMPLES.get(n, OTHER_SAMPLES)


def unit_id(i, n):
    """Id of area i (0-based, the model's i), zero padded to at least 3 digits."""
    width = max(3, len(str(n - 1)))
    return "area_%0*d" % (width, i)


def area_row(i):
    """(base, target, budget, cost, weight) of area i, as the model defines them."""
    u = math.fmod(0.6180339887 * (i + 1), 1.0)
    base = 0.55 + 0.20 * u
    target = base - 0.12
    budget = 1000.0 * (1.0 + u)
    cost = 0.97 * budget
    weight = 1.0 + 2.0 * u
    return base, target, budget, cost, weight


def table_rows(n):
    """[(id, base, target, budget, cost, weight)] for areas 0 .. n-1."""
    return [(unit_id(i, n),) + area_row(i) for i in range(n)]


def national_target_threshold(n):
    """sum_i w_i target_i / sum_i w_i + 0.02, the national target's threshold."""
    rows = [area_row(i) for i in range(n)]
    return math.fsum(r[4] * r[1] for r in rows) / math.fsum(r[4] for r in rows) + 0.02


def csv_text(n):
    lines = [",".join(("area",) + COLUMNS)]
    for row in table_rows(n):
        lines.append(",".join([row[0]] + [repr(x) for x in row[1:]]))
    return "\n".join(lines) + "\n"


def plan_text(n, samples, seed, table):
    """The plan's YAML text; `table` is the CSV's path relative to the plan."""
    actions = "\n".join(
        "    a%d:\n"
        "      label: Planned action %d of the area (delivery %r x capacity)\n"
        "      delivery: \"%r * capacity\"" % (k, k, P_DELIVER[k], P_DELIVER[k])
        for k in range(4))
    risks = "\n".join(
        "    r%d:\n"
        "      label: Risk %d of the area's register\n"
        "      likelihood: %r\n"
        "      impact: \"lognormal(log(0.02), 0.5)\"" % (j, j, Q_RISK[j])
        for j in range(4))
    action_sum = " + ".join("%r * a%d" % (EFFECT[k], k) for k in range(4))
    risk_sum = " + ".join("r%d" % j for j in range(4))
    rate = ("base + 0.5 * caseload - (%s) + %s + normal(0, 0.02)"
            % (action_sum, risk_sum))
    national_threshold = national_target_threshold(n)
    return f"""\
# Reference model R({n}) (shared/bench/reference-model.md) in plansim's plan
# format, written by bench/reference/make_plan.py.  Do not edit: regenerate.
# The per-area constants are in {table}.
plan: "Reference model R({n}): a national target rolled up from {n} areas"
horizon: {{start: 2026-04, periods: 1, step: year}}
settings:
  samples: {samples}
  seed: {seed}

units:
  name: area
  table: {table}

# Global planning assumptions: one draw per sample (per: plan), shared by all areas.
assumptions:
  cut:
    label: Budget cut, fraction
    value: "triangular(0, 0.05, 0.10)"
  caseload:
    label: Caseload growth, fraction
    value: "normal(0.03, 0.02)"
  pay:
    label: Pay award, fraction
    value: "triangular(0.01, 0.02, 0.04)"

local:
  measures:
    capacity:
      label: Share of the planned work the area's budget pays for
      # = min(1, budget (1 - cut) / (1 + pay) / (cost (1 + caseload))), with
      # the national part computed once in the plan-wide measure real_funding.
      value: "min(1, budget / cost * real_funding)"
    rate:
      label: Area rate (e.g. cracked and ineffective trials)
      unit: share
      value: "{rate}"
      range: [0, 1]
  actions:
{actions}
  risks:
{risks}
  targets:
    hit:
      label: Area target, 12 points below its baseline
      measure: rate
      at_most: target

measures:
  real_funding:
    label: Real funding per unit of planned work (after the cut, the pay award and caseload growth)
    value: "(1 - cut) / ((1 + pay) * (1 + caseload))"
  national:
    label: National rate, areas weighted by weight
    unit: share
    value: "weighted(rate, weight)"
  share_hit:
    label: Share of areas hitting their target
    unit: share
    value: "share(rate <= target)"

targets:
  national_target:
    label: National rate within 2 points of the weighted local targets
    measure: national
    # = {national_threshold!r} for these {n} areas
    at_most: "weighted(target, weight) + 0.02"
"""


def plan_name(n):
    return "reference-%d.yaml" % n


def table_name(n):
    return "areas-%d.csv" % n


def write(n, out_dir, samples=None, seed=1):
    """Write the plan and its table into out_dir; return the plan's path."""
    if n < 1:
        raise ValueError("--areas must be at least 1")
    if samples is None:
        samples = default_samples(n)
    os.makedirs(out_dir, exist_ok=True)
    plan_path = os.path.join(out_dir, plan_name(n))
    csv_path = os.path.join(out_dir, table_name(n))
    with open(csv_path, "w", encoding="utf-8", newline="") as f:
        f.write(csv_text(n))
    with open(plan_path, "w", encoding="utf-8") as f:
        f.write(plan_text(n, samples, seed, table_name(n)))
    return plan_path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", type=int, required=True, metavar="N",
                    help="number of areas n (1, 42, 420, 4200 are the reference sizes)")
    ap.add_argument("--out", required=True, metavar="DIR",
                    help="folder to write reference-N.yaml and areas-N.csv into")
    ap.add_argument("--samples", type=int, default=None, metavar="S",
                    help="settings.samples (default: the reference size's count, "
                         "1e6 for n = 1 and 42, 1e5 for 420, 1e4 for 4200, else 1e5)")
    ap.add_argument("--seed", type=int, default=1, metavar="K", help="settings.seed (default 1)")
    args = ap.parse_args(argv)
    if args.areas < 1:
        ap.error("--areas must be at least 1")
    if args.samples is not None and args.samples < 1:
        ap.error("--samples must be at least 1")
    path = write(args.areas, args.out, args.samples, args.seed)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
