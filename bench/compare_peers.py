#!/usr/bin/env python3
"""Time plansim against the peer implementations of reference model R(n), and check that they agree.

For every case (R-small, R-42, R-420, R-4200 of ../shared/bench/reference-model.md)
this script

  1. writes the case's plan and areas table with bench/reference/make_plan.py;
  2. runs plansim as a whole process, `plansim run PLAN --samples S --seed 1
     --threads T --json OUT --no-history --quiet`, under `/usr/bin/time -v`,
     --repeats times, and keeps the median wall time and the largest peak RSS;
  3. runs each peer found in the peers folder (default <project>/../shared/peers)
     the same way: numpy_model.py and openturns_model.py under /usr/bin/python3,
     squiggle_model.mjs under node.  A peer whose library is missing is skipped
     with a note.  Squiggle needs minutes at full size, so it runs on
     --squiggle-samples samples and its throughput is that run's, marked in
     the table;
  4. checks that every probability (each area's P(hit), P(hit_national) and
     E[share_hit]) agrees between plansim and each peer within 4 standard
     errors of the difference of two independent estimates;
  5. prints a table of wall time, area-samples per second, peak RSS and
     plansim's speed ratio over each peer (and, with --markdown, writes it as
     markdown with the command line and the machine).

Throughput is area-samples per second: n x samples / wall time of the whole
process (start-up and loading included), as the reference model defines it.

Exit status: 0 all agree; 1 some probability differs by more than 4 standard
errors; 2 bad command line or setup (plansim not built, unknown case or peer);
3 a run failed (and nothing disagreed).

Only the Python standard library is used.
"""
import argparse
import datetime
import json
import math
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "reference"))
sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
import make_plan  # noqa: E402  (bench/reference/make_plan.py)

DEFAULT_PLANSIM = os.path.join("build", "release", "apps", "plansim", "plansim")
BUILD_COMMAND = "cmake --preset release && cmake --build --preset release"
GNU_TIME = "/usr/bin/time"
Z_LIMIT = 4.0

# name on the command line -> (label, areas, samples)
CASES = {
    "small": ("R-small", 1, 1_000_000),
    "42": ("R-42", 42, 1_000_000),
    "420": ("R-420", 420, 100_000),
    "4200": ("R-4200", 4200, 10_000),
}
PEERS = ("numpy", "openturns", "squiggle")
PEER_SCRIPTS = {
    "numpy": "numpy_model.py",
    "openturns": "openturns_model.py",
    "squiggle": "squiggle_model.mjs",
}


class SetupError(Exception):
    """Something the run cannot go on without (exit status 2)."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Cases and peers

def parse_cases(text):
    """'small,42' -> [(label, n, samples)]; 'N:S' is a custom case of N areas, S samples."""
    cases = []
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        if item in CASES:
            cases.append(CASES[item])
        elif item.lower().startswith("r-") and item[2:] in CASES:
            cases.append(CASES[item[2:]])
        elif ":" in item:
            n, s = item.split(":", 1)
            try:
                n, s = int(n), int(s)
            except ValueError:
                raise SetupError("case %r: expected N:S with two integers" % item)
            if n < 1 or s < 1:
                raise SetupError("case %r: areas and samples must be at least 1" % item)
            cases.append(("R-%d" % n, n, s))
        else:
            raise SetupError("unknown case %r (known: %s, or N:S for N areas and S samples)"
                             % (item, ", ".join(CASES)))
    if not cases:
        raise SetupError("--cases names no case")
    return cases


def parse_peers(text):
    names = [x.strip() for x in text.split(",") if x.strip()]
    for name in names:
        if name not in PEERS:
            raise SetupError("unknown peer %r (known: %s)" % (name, ", ".join(PEERS)))
    return names


def peer_command(name, args):
    """(command prefix, why it cannot run or None) for one peer."""
    script = os.path.join(args.peers_dir, PEER_SCRIPTS[name])
    if not os.path.isfile(script):
        return None, "%s not found" % script
    if name in ("numpy", "openturns"):
        if not os.access(args.python, os.X_OK):
            return None, "%s not found (the Python peers run under the system interpreter)" % args.python
        probe = subprocess.run([args.python, "-c", "import %s" % name],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if probe.returncode != 0:
            return None, ("`%s -c 'import %s'` fails (install python3-%s, see %s/setup.sh)"
                          % (args.python, name, name, args.peers_dir))
        return [args.python, script], None
    node = shutil.which(args.node)
    if node is None:
        return None, "node not found (%s)" % args.node
    lib = os.path.join(args.peers_dir, "node_modules", "@quri", "squiggle-lang", "package.json")
    if not os.path.isfile(lib):
        return None, ("%s/node_modules has no @quri/squiggle-lang (run `npm ci` there, see setup.sh)"
                      % args.peers_dir)
    return [node, script], None


# ---------------------------------------------------------------------------
# Timing with GNU time

def parse_time_report(text):
    """(wall seconds, peak RSS kB) from a `/usr/bin/time -v` report."""
    wall = rss = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            value = line.rsplit(": ", 1)[1].strip()
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60.0 + float(part)
            wall = seconds
        elif line.startswith("Maximum resident set size"):
            rss = int(line.rsplit(":", 1)[1])
    if wall is None or rss is None:
        raise ValueError("no wall clock time or maximum resident set size in:\n" + text)
    return wall, rss


class Run:
    def __init__(self, rc, stdout, stderr, wall, rss_kb):
        self.rc, self.stdout, self.stderr = rc, stdout, stderr
        self.wall, self.rss_kb = wall, rss_kb


def timed_run(cmd, cwd, workdir, timeout):
    fd, report = tempfile.mkstemp(prefix="time-", suffix=".txt", dir=workdir)
    os.close(fd)
    try:
        try:
            proc = subprocess.run([GNU_TIME, "-v", "-o", report] + cmd, cwd=cwd,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Run(124, "", "timed out after %s s" % timeout, None, None)
        with open(report, encoding="utf-8", errors="replace") as f:
            text = f.read()
    finally:
        os.unlink(report)
    try:
        wall, rss = parse_time_report(text)
    except ValueError as e:
        return Run(proc.returncode or 1, proc.stdout, proc.stderr + "\n" + str(e), None, None)
    return Run(proc.returncode, proc.stdout, proc.stderr, wall, rss)


class Timing:
    """Median wall time and largest peak RSS over the repeats; the first run's results."""

    def __init__(self, impl, label, samples, walls, rss_kb, results, areas, note=""):
        self.impl, self.label, self.samples = impl, label, samples
        self.wall = statistics.median(walls)
        self.walls = walls
        self.rss_mb = rss_kb / 1024.0
        self.results = results
        self.throughput = areas * samples / self.wall if self.wall > 0 else float("inf")
        self.note = note


def repeat(what, cmd, cwd, workdir, args, parse):
    """Run cmd --repeats times; return (walls, peak rss kB, results of the first run) or raise RuntimeError."""
    walls, rss, results = [], 0, None
    for r in range(args.repeats):
        run = timed_run(cmd, cwd, workdir, args.timeout)
        if run.rc != 0 or run.wall is None:
            tail = (run.stderr or "").strip()
            if len(tail) > 2000:
                tail = "..." + tail[-2000:]
            raise RuntimeError("failed (exit %s): %s\n  command: %s"
                               % (run.rc, tail or "(no message)", shlex.join(cmd)))
        if results is None:
            results = parse(run)
        walls.append(run.wall)
        rss = max(rss, run.rss_kb)
        log("  %s run %d/%d: %.2f s, %.1f MB" % (what, r + 1, args.repeats, run.wall, run.rss_kb / 1024.0))
    return walls, rss, results


# ---------------------------------------------------------------------------
# Results in the peers' shape

def plansim_results(doc, unit_ids):
    """Map plansim's --json (plansim-run/1) onto the peers' fields."""
    try:
        scenario = doc["scenarios"][0]
        targets, measures = scenario["targets"], scenario["measures"]
    except (KeyError, IndexError, TypeError):
        raise ValueError("no scenarios[0].targets / measures in plansim's JSON")
    index = {uid: i for i, uid in enumerate(unit_ids)}
    p_hit = [None] * len(unit_ids)
    p_national = None
    for t in targets:
        if t.get("id") == "hit" and t.get("unit") is not None:
            i = index.get(t["unit"])
            if i is None:
                raise ValueError("target hit has unknown unit %r" % t["unit"])
            p_hit[i] = float(t["p_hit"])
        elif t.get("id") == "national_target" and t.get("unit") is None:
            p_national = float(t["p_hit"])
    missing = [unit_ids[i] for i, p in enumerate(p_hit) if p is None]
    if missing:
        raise ValueError("plansim's JSON has no target hit for %d unit(s), e.g. %s"
                         % (len(missing), missing[0]))
    if p_national is None:
        raise ValueError("plansim's JSON has no plan-wide target national_target")
    by_id = {m.get("id"): m for m in measures if m.get("unit") is None}
    for name in ("share_hit", "national"):
        if name not in by_id or not by_id[name].get("periods"):
            raise ValueError("plansim's JSON has no plan-wide measure %s" % name)
    national = by_id["national"]["periods"][0]
    return {
        "samples": int(doc.get("samples", 0)),
        "p_hit": p_hit,
        "p_hit_national": p_national,
        "e_share_hit": float(by_id["share_hit"]["periods"][0]["mean"]),
        "national_p10": float(national["p10"]),
        "national_p50": float(national["p50"]),
        "national_p90": float(national["p90"]),
    }


def peer_results(stdout, areas):
    lines = [x for x in stdout.splitlines() if x.strip()]
    if not lines:
        raise ValueError("printed nothing on stdout")
    doc = json.loads(lines[-1])
    for key in ("p_hit", "p_hit_national", "e_share_hit", "national_p10", "national_p50", "national_p90"):
        if key not in doc:
            raise ValueError("output has no %r" % key)
    if len(doc["p_hit"]) != areas:
        raise ValueError("p_hit has %d entries, expected %d" % (len(doc["p_hit"]), areas))
    return doc


# ---------------------------------------------------------------------------
# Agreement

def share_hit_variance_mc(n, samples, seed=12345):
    """Var(share_hit) of R(n), from a small independent simulation of the model.

    E[share_hit] is a mean of share_hit over samples, so its standard error
    is sqrt(Var(share_hit) / samples).  share_hit lies in [0, 1], so
    Var <= p(1-p) (the binomial bound), but hits are positively correlated
    only through the shared cut, caseload and pay, so for n > 1 the true
    variance is much smaller; this estimates it.  For n = 1 share_hit is a
    Bernoulli and the binomial variance is exact (the caller uses that).
    """
    rng = random.Random(seed)
    rows = [make_plan.area_row(i) for i in range(n)]
    p_del = make_plan.P_DELIVER
    eff = make_plan.EFFECT
    q = make_plan.Q_RISK
    mu = math.log(0.02)
    shares = []
    for _ in range(samples):
        cut = rng.triangular(0.0, 0.10, 0.05)        # (low, high, mode)
        caseload = rng.gauss(0.03, 0.02)
        pay = rng.triangular(0.01, 0.04, 0.02)
        scale = (1.0 - cut) / (1.0 + pay) / (1.0 + caseload)
        hits = 0
        for base, target, budget, cost, _w in rows:
            cap = min(1.0, budget * scale / cost)
            rate = base + 0.5 * caseload + rng.gauss(0.0, 0.02)
            for k in range(4):
                if rng.random() < p_del[k] * cap:
                    rate -= eff[k]
            for j in range(4):
                if rng.random() < q[j]:
                    rate += rng.lognormvariate(mu, 0.5)
            rate = min(1.0, max(0.0, rate))
            if rate <= target:
                hits += 1
        shares.append(hits / n)
    return statistics.variance(shares)


def false_fail_chance(count, limit):
    """Chance that `count` independent z's of agreeing estimates include one above limit."""
    tail = math.erfc(limit / math.sqrt(2.0))          # P(|N(0,1)| > limit)
    return -math.expm1(count * math.log1p(-tail))


def z_binomial(p1, n1, p2, n2):
    """z of the difference of two independent proportions (pooled p)."""
    p = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return 0.0 if p1 == p2 else float("inf")
    return abs(p1 - p2) / se


def z_mean(m1, n1, m2, n2, var):
    se = math.sqrt(var * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        return 0.0 if m1 == m2 else float("inf")
    return abs(m1 - m2) / se


def compare(ref, ref_n, other, other_n, share_var):
    """[(quantity, z)] for every probability, and the worst (quantity, z)."""
    zs = []
    for i, (a, b) in enumerate(zip(ref["p_hit"], other["p_hit"])):
        zs.append(("p_hit[%d]" % i, z_binomial(a, ref_n, float(b), other_n)))
    zs.append(("p_hit_national", z_binomial(ref["p_hit_national"], ref_n,
                                            float(other["p_hit_national"]), other_n)))
    if share_var is None:   # binomial bound on Var(share_hit)
        p = (ref["e_share_hit"] * ref_n + float(other["e_share_hit"]) * other_n) / (ref_n + other_n)
        share_var = p * (1.0 - p)
    zs.append(("e_share_hit", z_mean(ref["e_share_hit"], ref_n, float(other["e_share_hit"]),
                                     other_n, share_var)))
    worst = max(zs, key=lambda x: x[1])
    return zs, worst


# ---------------------------------------------------------------------------
# Output

def fmt_rate(x):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if x >= div:
            return "%.3g%s" % (x / div, suffix)
    return "%.3g" % x


def timing_rows(timings):
    rows = []
    for case_label, plansim, peers in timings:
        for t in ([plansim] if plansim else []) + peers:
            if t is plansim:
                ratio = "-"
            elif plansim is not None:
                ratio = "%.1fx" % (plansim.throughput / t.throughput)
            else:
                ratio = "n/a"
            rows.append([case_label, t.label + ("*" if t.note else ""), "{:,}".format(t.samples),
                         "%.2f" % t.wall, fmt_rate(t.throughput), "%.1f" % t.rss_mb, ratio])
    return rows


TIMING_HEADER = ["case", "implementation", "samples", "wall s (median)", "area-samples/s",
                 "peak RSS MB", "plansim speed ratio"]
AGREE_HEADER = ["case", "reference", "vs", "probabilities", "worst z", "worst at",
                "P(false fail)", "agree"]


def text_table(header, rows):
    widths = [max(len(str(r[c])) for r in [header] + rows) for c in range(len(header))]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        cells = []
        for c, (v, w) in enumerate(zip(r, widths)):
            cells.append(str(v).ljust(w) if c < 2 else str(v).rjust(w))
        out.append("  ".join(cells))
    return "\n".join(out)


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if c < 2 else "---:" for c in range(len(header))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(v) for v in r) + " |")
    return "\n".join(out)


def machine_description():
    model = cores = None
    sockets = per_socket = None
    try:
        text = subprocess.run(["lscpu"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=dict(os.environ, LC_ALL="C")).stdout
        for line in text.splitlines():
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "Model name" and model is None:
                model = value
            elif key == "CPU(s)":
                cores = value
            elif key == "Socket(s)":
                sockets = value
            elif key == "Core(s) per socket":
                per_socket = value
    except OSError:
        pass
    model = model or platform.processor() or "unknown CPU"
    parts = [model]
    if cores:
        parts.append("%s logical CPUs" % cores)
    if sockets and per_socket and sockets.isdigit() and per_socket.isdigit():
        parts.append("%d physical cores" % (int(sockets) * int(per_socket)))
    parts.append("%d usable by this process" % len(os.sched_getaffinity(0)))
    return ", ".join(parts)


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Exit status: 0 all agree, 1 a probability differs by more than --z-limit "
               "standard errors, 2 bad command line or setup, 3 a run failed.")
    ap.add_argument("--plansim", default=DEFAULT_PLANSIM,
                    help="the plansim executable (default %(default)s, relative to the "
                         "current folder or else the project root)")
    ap.add_argument("--cases", default="small,42,420,4200",
                    help="comma-separated: small, 42, 420, 4200 (the reference sizes), "
                         "or N:S for N areas and S samples (default %(default)s)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per implementation (median; default 3)")
    ap.add_argument("--threads", type=int, default=2, help="plansim --threads (default 2)")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma-separated peers to run (default %(default)s)")
    ap.add_argument("--peers-dir", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "peers")),
                    help="folder with the peer scripts (default <project>/../shared/peers)")
    ap.add_argument("--squiggle-samples", type=int, default=10_000,
                    help="samples for the Squiggle peer, whose throughput is scaled from that "
                         "run (default 10000; it needs minutes at full size)")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="interpreter for the Python peers (default %(default)s)")
    ap.add_argument("--node", default="node", help="Node.js for the Squiggle peer (default %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="seed for every implementation (default 1)")
    ap.add_argument("--share-se", choices=("mc", "binomial"), default="mc",
                    help="standard error of E[share_hit]: mc estimates Var(share_hit) with a "
                         "small independent simulation (default); binomial uses the upper "
                         "bound p(1-p)")
    ap.add_argument("--z-limit", type=float, default=Z_LIMIT,
                    help="largest |z| that counts as agreement (default %(default)g, the "
                         "reference model's rule)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds allowed per run (default none)")
    ap.add_argument("--workdir", default=None,
                    help="keep plans, tables and JSON here instead of a temporary folder")
    ap.add_argument("--markdown", metavar="FILE", default=None,
                    help="also write the tables, the command line and the machine as markdown")
    ap.add_argument("--skip-plansim", action="store_true",
                    help="do not run plansim (testing the peer half; the first peer is then "
                         "the reference for agreement)")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = ap.parse_args(argv)
    args.argv = argv

    if args.repeats < 1 or args.threads < 1 or args.squiggle_samples < 1:
        ap.error("--repeats, --threads and --squiggle-samples must be at least 1")
    try:
        return run_all(args)
    except SetupError as e:
        log("compare_peers: error: %s" % e)
        return 2


def run_all(args):
    cases = parse_cases(args.cases)
    peers = parse_peers(args.peers)
    if not os.access(GNU_TIME, os.X_OK):
        raise SetupError("%s not found: install GNU time (apt-get install time)" % GNU_TIME)

    plansim = None
    if not args.skip_plansim:
        candidates = [args.plansim] if os.path.isabs(args.plansim) else \
            [os.path.abspath(args.plansim), os.path.join(ROOT, args.plansim)]
        candidates = list(dict.fromkeys(os.path.normpath(c) for c in candidates))
        plansim = next((c for c in candidates if os.path.isfile(c) and os.access(c, os.X_OK)), None)
        if plansim is None:
            raise SetupError("plansim not found at %s; build it in %s with:\n    %s"
                             % (" or ".join(candidates), ROOT, BUILD_COMMAND))

    peer_cmds, notes = {}, []
    if peers and not os.path.isdir(args.peers_dir):
        notes.append("peers folder %s not found: no peer ran" % args.peers_dir)
        peers = []
    for name in peers:
        cmd, why = peer_command(name, args)
        if cmd is None:
            notes.append("%s skipped: %s" % (name, why))
            log("note: %s skipped: %s" % (name, why))
        else:
            peer_cmds[name] = cmd

    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        workdir, cleanup = os.path.abspath(args.workdir), None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="plansim-peers-")
        workdir = cleanup.name

    timings, agreements, details = [], [], []
    failed = disagree = False
    try:
        for label, n, samples in cases:
            log("== %s: %d area(s), %s samples" % (label, n, "{:,}".format(samples)))
            case_dir = os.path.join(workdir, label)
            plan = make_plan.write(n, case_dir, samples, args.seed)
            unit_ids = [make_plan.unit_id(i, n) for i in range(n)]

            pl_timing = None
            if plansim is not None:
                out_json = os.path.join(case_dir, "plansim-%d.json" % n)
                cmd = [plansim, "run", plan, "--samples", str(samples), "--seed", str(args.seed),
                       "--threads", str(args.threads), "--json", out_json, "--no-history", "--quiet"]

                def parse_plansim(_run, out_json=out_json, unit_ids=unit_ids):
                    with open(out_json, encoding="utf-8") as f:
                        res = plansim_results(json.load(f), unit_ids)
                    if res["samples"] != samples:
                        raise ValueError("plansim reports %d samples, asked for %d" % (res["samples"], samples))
                    return res
                try:
                    walls, rss, res = repeat("plansim", cmd, case_dir, workdir, args, parse_plansim)
                    pl_timing = Timing("plansim", "plansim (%d threads)" % args.threads, samples,
                                       walls, rss, res, n)
                except (RuntimeError, ValueError, KeyError, TypeError, OSError) as e:
                    failed = True
                    log("error: %s: plansim: %s" % (label, e))
                    notes.append("%s: plansim: %s%s" % (label, str(e).splitlines()[0],
                                               "" if args.workdir else
                                               " (rerun with --workdir DIR to keep the plan)"))

            peer_timings = []
            for name, prefix in peer_cmds.items():
                s = min(samples, args.squiggle_samples) if name == "squiggle" else samples
                note = ""
                if s != samples:
                    note = ("%s ran %s samples instead of %s; its throughput is that run's "
                            "(it grows somewhat costlier per area-sample at full size)"
                            % (name, "{:,}".format(s), "{:,}".format(samples)))
                cmd = prefix + ["--areas", str(n), "--samples", str(s), "--seed", str(args.seed)]
                try:
                    walls, rss, res = repeat(name, cmd, args.peers_dir, workdir, args,
                                             lambda run, n=n: peer_results(run.stdout, n))
                    peer_timings.append(Timing(name, name, s, walls, rss, res, n, note))
                    if note:
                        notes.append("%s: %s" % (label, note))
                except (RuntimeError, ValueError, KeyError, TypeError, OSError) as e:
                    failed = True
                    log("error: %s: %s: %s" % (label, name, e))
                    notes.append("%s: %s: %s" % (label, name, str(e).splitlines()[0]))

            timings.append((label, pl_timing, peer_timings))

            # Agreement: plansim against every peer, or (without plansim) the first peer against the rest.
            ref = pl_timing if pl_timing is not None else (peer_timings[0] if peer_timings else None)
            others = [t for t in peer_timings if t is not ref]
            share_var = None
            if ref is not None and others and args.share_se == "mc" and n > 1:
                m = max(400, min(20_000, 1_000_000 // n))
                log("  estimating Var(share_hit) from %s independent samples" % "{:,}".format(m))
                share_var = share_hit_variance_mc(n, m)
            for t in others:
                sv = share_var
                if sv is None and args.share_se == "mc":   # n = 1: share_hit is Bernoulli, exact
                    p = ref.results["e_share_hit"]
                    sv = p * (1.0 - p)
                zs, (where, z) = compare(ref.results, ref.samples, t.results, t.samples, sv)
                ok = z <= args.z_limit
                disagree = disagree or not ok
                agreements.append([label, ref.label, t.label, str(len(zs)), "%.2f" % z, where,
                                   "%.2g" % false_fail_chance(len(zs), args.z_limit),
                                   "yes" if ok else "NO"])
            for t in ([pl_timing] if pl_timing else []) + peer_timings:
                r = t.results
                details.append([label, t.label, "%.6f" % r["p_hit_national"], "%.6f" % r["e_share_hit"],
                                "%.5f" % r["national_p10"], "%.5f" % r["national_p50"],
                                "%.5f" % r["national_p90"]])
    finally:
        if cleanup is not None:
            cleanup.cleanup()

    share_what = ("E[share_hit]'s standard error uses Var(share_hit) estimated by an independent "
                  "stdlib simulation of the model (exact binomial variance for n = 1)"
                  if args.share_se == "mc" else
                  "E[share_hit]'s standard error uses the binomial upper bound p(1-p) on Var(share_hit)")
    agree_text = ("Agreement: every probability within %g standard errors of the difference of two "
                  "independent estimates (pooled binomial for P(hit)); %s. P(false fail): the "
                  "chance that that many comparisons of agreeing implementations still show "
                  "some z above %g (treating them as independent)."
                  % (args.z_limit, share_what, args.z_limit))
    detail_header = ["case", "implementation", "P(hit_national)", "E[share_hit]",
                     "national p10", "p50", "p90"]
    t_rows = timing_rows(timings)

    print()
    print(text_table(TIMING_HEADER, t_rows) if t_rows else "(nothing was timed)")
    print("throughput = areas x samples / median wall time of the whole process; peak RSS: "
          "the largest over the repeats; speed ratio: plansim's throughput / the peer's.")
    if any(t.note for _, _, ps in timings for t in ps):
        print("* run on fewer samples than the case; throughput scaled from that run.")
    print()
    if agreements:
        print(text_table(AGREE_HEADER, agreements))
        print(agree_text)
        print()
    if details:
        print(text_table(detail_header, details))
        print()
    for note in notes:
        print("note: " + note)

    if args.markdown:
        cmdline = shlex.join(["python3", os.path.relpath(os.path.abspath(__file__))] + args.argv)
        version = "-"
        if plansim:
            try:
                version = subprocess.run([plansim, "--version"], stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True).stdout.strip()
            except OSError:
                pass
        md = ["# plansim against the peers on reference model R(n)", "",
              "- command: `%s`" % cmdline,
              "- machine: %s" % machine_description(),
              "- date: %s" % datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "- plansim: %s" % version,
              "- repeats: %d (median wall time), plansim threads: %d, seed: %d"
              % (args.repeats, args.threads, args.seed), "",
              "## Throughput", "",
              md_table(TIMING_HEADER, t_rows) if t_rows else "(nothing was timed)", "",
              "Throughput is areas x samples / median wall time of the whole process (start-up "
              "and loading included), measured with `/usr/bin/time -v`; peak RSS is the largest "
              "over the repeats; the speed ratio is plansim's throughput over the peer's."]
        if any(t.note for _, _, ps in timings for t in ps):
            md += ["", "\\* run on fewer samples than the case (`--squiggle-samples`); its "
                   "throughput is that run's, so it is scaled, not measured at full size."]
        if agreements:
            md += ["", "## Agreement", "", md_table(AGREE_HEADER, agreements), "", agree_text]
        if details:
            md += ["", "## Results", "", md_table(detail_header, details)]
        if notes:
            md += ["", "## Notes", ""] + ["- " + x for x in notes]
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(md) + "\n")
        log("wrote %s" % args.markdown)

    if disagree:
        log("compare_peers: some probability differs by more than %g standard errors" % args.z_limit)
        return 1
    if failed:
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
