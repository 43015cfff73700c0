"""``pgaf regress``: the cocotb regression (RTL vs golden, bit for bit) and its speed table.

Runs the co-simulation tests (``tests/cosim``, marker ``sim``) through pytest in the
``full`` length profile (``--quick``: the short smoke profile), on one simulator or both,
and prints one row per cocotb test: simulated cycles, wall time, cycles per second and the
verdict; then, for every test run on both simulators, the Verilator/Icarus speed ratio.
The exit status is non-zero if anything failed.  ``WAVES=1`` in the environment writes a
waveform per test (``build/cosim/<sim>/run/<test id>/<test id>.fst|.vcd``).
"""

from __future__ import annotations

import os

NAME = "regress"
HELP = "run the cocotb regression (RTL vs golden model, bit for bit) and print a speed table"


def add_arguments(parser):
    parser.add_argument("--sim", choices=("icarus", "verilator"),
                        help="run on this simulator only (default: both)")
    parser.add_argument("--quick", action="store_true",
                        help="short smoke profile instead of the full lengths")
    parser.add_argument("-k", dest="keyword", metavar="EXPR",
                        help="only tests matching this pytest -k expression")
    parser.add_argument("--log", metavar="FILE",
                        help="keep the per-test JSON lines here (default: a temporary file)")


def _tests_dir():
    from pathlib import Path

    import pgaf.cosim
    from pgaf.golden.errors import UserError
    d = Path(pgaf.cosim.__file__).resolve().parent.parent / "tests" / "cosim"
    if not d.is_dir():
        raise UserError(f"the regression runs the tests of a source checkout, and {d} does not exist; "
                        f"run `pgaf regress` from a git clone installed with `pip install -e .`")
    return d


def _rows(log_path):
    import json
    rows = []
    try:
        with open(log_path) as f:
            for line in f:
                if line.strip():
                    rows.append(json.loads(line))
    except FileNotFoundError:
        pass
    return rows


def _table(rows) -> str:
    head = ("test", "simulator", "cycles", "wall s", "cycles/s", "result")
    body = []
    for r in rows:
        name = r["test_id"] if r["name"] in ("(no results)",) else f"{r['test_id']} :: {r['name']}"
        cps = r["cycles"] / r["wall_s"] if r["wall_s"] > 0 else float("nan")
        body.append((name, r["sim"], f"{r['cycles']:,}", f"{r['wall_s']:.2f}", f"{cps:,.0f}",
                     "pass" if r["passed"] else "FAIL"))
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    fmt = lambda row: "  ".join(c.ljust(w) if i < 2 else c.rjust(w)  # noqa: E731
                                for i, (c, w) in enumerate(zip(row, widths)))
    lines = [fmt(head), "  ".join("-" * w for w in widths)] + [fmt(b) for b in body]
    return "\n".join(lines)


def _speed_ratios(rows) -> list[str]:
    """Verilator vs Icarus cycles/s for every test that ran on both."""
    by = {}
    for r in rows:
        key = (r["test_id"].replace("icarus", "*").replace("verilator", "*"), r["name"])
        by.setdefault(key, {})[r["sim"]] = r
    out = []
    for (tid, name), sims in sorted(by.items()):
        if {"icarus", "verilator"} <= set(sims) and all(s["wall_s"] > 0 for s in sims.values()):
            ic, vl = sims["icarus"], sims["verilator"]
            ci, cv = ic["cycles"] / ic["wall_s"], vl["cycles"] / vl["wall_s"]
            out.append(f"{tid} :: {name}: {ci:,.0f} cycles/s on Icarus, {cv:,.0f} on Verilator, "
                       f"{cv / ci:.1f}x")
    return out


def run(args) -> int:
    import subprocess
    import sys
    import tempfile
    import time

    from pgaf.cosim.build import check_simulator

    for sim in [args.sim] if args.sim else ["icarus", "verilator"]:
        check_simulator(sim)          # a missing simulator is one clear error, before anything runs
    tests = _tests_dir()
    log = args.log or tempfile.NamedTemporaryFile(prefix="pgaf-regress-", suffix=".jsonl",
                                                  delete=False).name
    open(log, "w").close()
    env = dict(os.environ, PGAF_COSIM_PROFILE="quick" if args.quick else "full", PGAF_REGRESS_LOG=log)
    keys = [k for k in (args.sim, args.keyword) if k]
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "sim", "-p", "no:cacheprovider", str(tests)]
    if keys:
        cmd += ["-k", " and ".join(f"({k})" for k in keys)]
    print(f"pgaf regress: {'quick' if args.quick else 'full'} profile, "
          f"{args.sim or 'icarus and verilator'}; {' '.join(cmd[2:])}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=tests.parent.parent)
    wall = time.perf_counter() - t0
    rows = _rows(log)
    print()
    print(_table(rows) if rows else "no cocotb test reported a result")
    ratios = _speed_ratios(rows)
    if ratios:
        print("\nsimulation speed, same test on both simulators:")
        for line in ratios:
            print("  " + line)
    failed = sum(not r["passed"] for r in rows)
    sim_cycles = sum(r["cycles"] for r in rows)
    print(f"\n{len(rows)} cocotb tests, {failed} failed, {sim_cycles:,} simulated cycles; "
          f"pytest exit status {proc.returncode}; regression wall time {wall:.0f} s")
    if not args.log:
        os.unlink(log)
    return 1 if (proc.returncode != 0 or failed or not rows) else 0
