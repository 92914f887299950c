#!/usr/bin/env python3
"""Variance reduction of Latin hypercube sampling, measured: runs
`plansim run PLAN --samples N --seed S --method mc|lhs --json` for seeds
1..40 and prints, per target P(hit) and per measure mean (last period), the
standard deviation across seeds of each method and their variance ratio.

    python3 bench/lhs_variance.py examples/cps-area/plan.yaml 10000
"""
import json, os, statistics, subprocess, sys, tempfile
plan = sys.argv[1]; n = int(sys.argv[2]); seeds = range(1, 41)
out = os.path.join(tempfile.mkdtemp(), "run.json")
res = {}
for method in ("mc", "lhs"):
    vals = {}
    for s in seeds:
        subprocess.run(["build/release/apps/plansim/plansim", "run", plan, "--quiet", "--no-history", "--samples", str(n),
                        "--seed", str(s), "--method", method, "--json", out], check=True)
        j = json.load(open(out))
        for t in j["scenarios"][0]["targets"]:
            vals.setdefault(("target", t["id"]), []).append(t["p_hit"])
        for m in j["scenarios"][0]["measures"]:
            vals.setdefault(("mean", m["id"]), []).append(m["periods"][-1]["mean"])
    res[method] = {k: statistics.variance(v) for k, v in vals.items()}
for k in res["mc"]:
    mc, lhs = res["mc"][k], res["lhs"][k]
    print(f"{k[0]:6} {k[1]:28} sd mc {mc**0.5:.5f}  sd lhs {lhs**0.5:.5f}  variance ratio {lhs/mc if mc else float('nan'):.2f}")
