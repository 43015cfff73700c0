"""``pgaf experiments``: the long runs behind the README's tables (XOR, MNIST nets, samples, widths).

Each run's result is cached as JSON under ``OUT/<experiment>/`` (a rerun skips runs already
there, so experiments can be split over processes with ``--nets`` and resumed); the
experiment's table is then written as ``OUT/<experiment>.md`` from every cached run.
"""

from __future__ import annotations

import os

NAME = "experiments"
HELP = ("the paper's experiments: xor (Fig. 4), mnist (Fig. 5), samples (Fig. S11), width (Fig. S12), "
        "seeds (mnist over several seeds)")

PAPER_3HL = {"bp": {"mul": 2.94e10, "add": 3.80e9, "sample": 0},
             "pgaf": {"mul": 6.08e9, "add": 9.74e8, "sample": 1.73e8}}
MNIST_NETS = ("784-64-10", "784-64-64-10", "784-64-64-64-10")
#: Settings of the 5-epoch samples (Fig. S11) and width (Fig. S12) runs.
SHORT_RUN = dict(epochs=5, lr=0.01, hidden_lr=None, lr_end=0.1, schedule="cosine", init_scale=1.0, center=True,
                 shift=0)


def add_arguments(parser):
    parser.add_argument("experiment", choices=("xor", "mnist", "samples", "width", "seeds"))
    parser.add_argument("--data-dir", metavar="DIR", help="MNIST folder (mnist, samples, width, seeds)")
    parser.add_argument("--out", default="results", metavar="DIR", help="output folder (default results/)")
    parser.add_argument("--nets", metavar="S1,S2", help="mnist, seeds: comma-separated shapes (default the three)")
    parser.add_argument("--widths", default="16,32,64,128,256", help="width: hidden widths (default 16..256)")
    parser.add_argument("--epochs", type=int, help="epochs per run (default: mnist's default; "
                                                   "samples and width: 5)")
    parser.add_argument("--seeds", default="1-10", help="xor, seeds: seed range or list (default 1-10)")
    parser.add_argument("--seed", type=int, default=1, help="mnist/samples/width: seed (default 1)")
    parser.add_argument("--table-only", action="store_true", help="only rebuild the table from cached runs")


def _cached_run(path, make):
    import json
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    r = make()
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(r, f)
    os.replace(tmp, path)
    return r


def _seeds(text):
    from pgaf.golden.errors import UserError
    try:
        if "-" in text:
            a, b = text.split("-")
            return list(range(int(a), int(b) + 1))
        return [int(s) for s in text.split(",")]
    except ValueError:
        raise UserError(f"--seeds {text!r}: write a range like 1-10 or a list like 1,2,3") from None


def _write_table(out, name, lines):
    """Write an experiment's markdown table as OUT/<name>.md."""
    with open(os.path.join(out, f"{name}.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def _shift_words(st):
    """How the runs' training images were shifted (runs cached before ``shift`` existed had none)."""
    s = st.get("shift", 0)
    return f"training images shifted by up to {s} px each way every epoch" if s else "no image shifts"


def _fmt(v):
    return "—" if v is None else f"{v:.2e}"


def run_xor(args, out):
    import json

    import numpy as np

    from pgaf.golden.config import NetConfig
    from pgaf.golden.trainer import DEFAULTS, load_dataset, train_float
    ds = load_dataset("xor")
    seeds = _seeds(args.seeds)
    runs = {}
    for algo in ("bp", "pgaf"):
        runs[algo] = [train_float(NetConfig(shape="2-2-1", loss="mse", seed=s), ds, algo) for s in seeds]
    st = DEFAULTS["xor"]
    lines = [f"XOR 2-2-1, sigmoid hidden and output, squared error, {st['epochs']} cycles (one cycle = "
             f"one SGD step on each of the 4 patterns, in a fresh random order), lr {st['lr']} "
             f"(output layer), hidden lr {st['hidden_lr'] or st['lr']}, init_scale {st['init_scale']}, "
             f"hidden biases ±{st.get('bias_offset', 0.0)}, "
             f"inputs {'centred to ±0.5' if st['center'] else '0/1'}, "
             f"seeds {args.seeds}: `pgaf experiments xor`", "",
             "| algorithm | seeds solved (all 4 outputs on the right side of 0.5) | median final loss "
             "| mul | add | samples |", "|---|---:|---:|---:|---:|---:|"]
    for algo, name in (("bp", "BP"), ("pgaf", "p-GAF")):
        rs = runs[algo]
        solved = sum(r["solved"] for r in rs)
        loss = float(np.median([r["loss_history"][-1][1] for r in rs]))
        o = rs[0]["ops"]
        lines.append(f"| {name} | {solved} / {len(rs)} | {loss:.4f} | {o['mul']:.3e} | {o['add']:.3e} | "
                     f"{o['sample']:.3e} |")
    lines.append("")
    lines.append("(ops of seed " + str(seeds[0]) + "'s whole run)")
    slim = {a: [dict(r, loss_history=r["loss_history"][::10] + r["loss_history"][-1:],
                     history=r["history"][::10] + r["history"][-1:]) for r in rs]
            for a, rs in runs.items()}          # every 10th cycle is plenty for the JSON
    with open(os.path.join(out, "xor.json"), "w") as f:
        json.dump(slim, f)
    _write_table(out, "xor", lines)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for algo, name, c in (("bp", "BP", "tab:blue"), ("pgaf", "p-GAF", "tab:red")):
        curves = np.array([[v for _, v in r["loss_history"]] for r in runs[algo]])
        x = np.arange(1, curves.shape[1] + 1)
        for cv in curves:
            ax.plot(x, cv, color=c, alpha=0.15, lw=0.7)
        ax.plot(x, np.median(curves, axis=0), color=c, lw=2, label=f"{name} (median of {len(curves)} seeds)")
    ax.set_xlabel("training cycle")
    ax.set_ylabel("loss  Σ|Y − Y_ideal|² / 4")
    ax.set_yscale("log")
    ax.set_title("XOR 2-2-1: BP vs p-GAF (cf. paper Fig. 4B)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "xor_loss.png"), dpi=120)
    print("\n".join(lines))


def run_mnist_like(args, out, exp):
    """Run (or read from the cache) an MNIST experiment's runs and write its table as OUT/<exp>.md."""
    lines = _mnist_table(mnist_like_runs(args, out, exp), exp)
    _write_table(out, exp, lines)
    print("\n".join(lines))


def run_seeds(args, out):
    """``mnist``'s runs for every seed of ``--seeds`` (cached in OUT/mnist/), summarised per net and algorithm."""
    import argparse
    import statistics
    seeds = _seeds(args.seeds)
    acc = {}                                  # (net, algo) -> {seed: accuracy}
    saved = {}                                # net -> {seed: multiplications saved over the run}
    st = None                                 # the runs' settings, as recorded by the trainer
    for seed in seeds:
        runs = mnist_like_runs(argparse.Namespace(**dict(vars(args), seed=seed)), out, "mnist")
        by = {(net, algo): r for net, algo, _, r in runs}
        st = st or next((r["settings"] for r in by.values()), None)
        for (net, algo), r in by.items():
            acc.setdefault((net, algo), {})[seed] = r["final_test_accuracy"] * 100
            if algo == "pgaf" and (net, "bp") in by:
                saved.setdefault(net, {})[seed] = 100 * (1 - r["ops"]["mul"] / by[(net, "bp")]["ops"]["mul"])
    if not acc:
        lines = ["(no runs cached yet)"]
    else:
        lines = [f"MNIST test accuracy over seeds ({args.seeds}; `pgaf experiments seeds`), the `mnist` "
                 f"experiment's settings: {st['epochs']} epochs, lr {st['lr']} → {st['lr'] * st['lr_end']:.3g} "
                 f"({st['schedule']}), batch 1, {_shift_words(st)}. sd is the sample standard deviation over seeds.", "",
                 "| net | algorithm | seeds | mean | sd | min | max | ≥ 97.0 % | − BP, paired (mean) "
                 "| × saved (mean) | per seed |",
                 "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for (net, algo), per in acc.items():
            v = list(per.values())
            sd = f"{statistics.stdev(v):.2f}" if len(v) > 1 else "—"
            sv = saved.get(net, {}) if algo == "pgaf" else {}
            ms = f"{statistics.mean(sv.values()):.1f} %" if sv else "—"
            bp = acc.get((net, "bp"), {}) if algo == "pgaf" else {}
            diff = [a - bp[s] for s, a in per.items() if s in bp]
            md = f"{statistics.mean(diff):+.2f} pt" if diff else "—"
            each = ", ".join(f"{s}: {a:.2f}" for s, a in per.items())
            lines.append(f"| {net} | {'BP' if algo == 'bp' else 'p-GAF'} | {len(v)} | {statistics.mean(v):.2f} % "
                         f"| {sd} | {min(v):.2f} % | {max(v):.2f} % | {sum(a >= 97.0 for a in v)} / {len(v)} "
                         f"| {md} | {ms} | {each} |")
    _write_table(out, "seeds", lines)
    print("\n".join(lines))


def mnist_like_runs(args, out, exp):
    """mnist: three nets x {bp, pgaf}; samples: 784-64-10 with N = 2, 20, 200; width: 3 hidden layers.

    Returns ``(net, algo, samples, result)`` for every run, each trained once and cached as
    OUT/<exp>/<tag>.json (with ``--table-only``, only the runs already cached).
    """
    from pgaf.golden.config import NetConfig
    from pgaf.golden.errors import UserError
    from pgaf.golden.trainer import DEFAULTS, load_dataset, train_float

    os.makedirs(os.path.join(out, exp), exist_ok=True)
    if exp == "mnist":
        nets = args.nets.split(",") if args.nets else list(MNIST_NETS)
        plan = [(n, a, 2) for n in nets for a in ("bp", "pgaf")]
        epochs = args.epochs
    elif exp == "samples":
        nets = [args.nets or "784-64-10"]
        plan = [(nets[0], "bp", 0)] + [(nets[0], "pgaf", n) for n in (2, 20, 200)]
        epochs = args.epochs
    else:
        widths = [int(w) for w in args.widths.split(",")]
        plan = [(f"784-{w}-{w}-{w}-10", a, 2) for w in widths for a in ("bp", "pgaf")]
        epochs = args.epochs
    # mnist follows the trainer's defaults; samples and width keep the short-run settings their
    # tables were measured with (5 epochs, lr 0.01 cosine to 0.001), whatever the defaults become.
    st = dict(DEFAULTS["mnist"]) if exp == "mnist" else dict(SHORT_RUN)
    ds = None
    results = []
    for net, algo, n in plan:
        ep = epochs or st["epochs"]
        tag = f"{net}_{algo}{n if algo == 'pgaf' else ''}_e{ep}_lr{st['lr']}_s{args.seed}"
        if (st["schedule"], st["lr_end"]) != ("cosine", 0.1):      # older runs' tags lack these
            tag += f"_{st['schedule']}{st['lr_end']}"
        if st["init_scale"] != 1.0:
            tag += f"_init{st['init_scale']}"
        if st["hidden_lr"] is not None:
            tag += f"_hlr{st['hidden_lr']}"
        if st.get("shift"):
            tag += f"_shift{st['shift']}"
        path = os.path.join(out, exp, tag + ".json")
        if args.table_only:
            if not os.path.exists(path):
                continue
        elif ds is None and not os.path.exists(path):
            if not args.data_dir:
                raise UserError(f"experiments {exp} needs --data-dir (the MNIST folder)")
            ds = load_dataset("mnist", args.data_dir)

        def make(net=net, algo=algo, n=n):
            cfg = NetConfig(shape=net, loss="softmax-ce", seed=args.seed)
            r = train_float(cfg, ds, algo, samples=max(n, 2), progress=True, **dict(st, epochs=ep))
            print(f"{exp}: {net} {algo} N={n}: {r['final_test_accuracy'] * 100:.2f} % in {r['wall_s']:.0f} s",
                  flush=True)
            return r
        results.append((net, algo, n, _cached_run(path, make)))
    return results


def _mnist_table(results, exp):
    from pgaf.golden.energy import gradient_energy_pj
    by = {(net, algo, n): r for net, algo, n, r in results}
    lines = []
    if not results:
        return ["(no runs cached yet)"]
    st = results[0][3]["settings"]
    lines.append(f"MNIST (60000 train / 10000 test), sigmoid hidden layers, softmax + cross-entropy, batch 1, "
                 f"{st['epochs']} epochs, lr {st['lr']} → {st['lr'] * st['lr_end']:.3g} ({st['schedule']}), "
                 f"hidden lr {st['hidden_lr'] or st['lr']}, {st['init_scale']:g} × Glorot init, inputs centred, "
                 f"{_shift_words(st)}, seed {results[0][3]['seed']}; "
                 f"ops and energy (fp32, sample 1.09 pJ) of the gradient computation.")
    lines.append("")
    lines.append("| net | algorithm | test acc. | × total | ± total | samples total | × to 90 % | ± to 90 % "
                 "| samples to 90 % | energy to 90 % |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    nets = []
    for net, algo, n, r in results:
        if net not in nets:
            nets.append(net)
    for net, algo, n, r in results:
        o, o9 = r["ops"], r["ops_to_90"]
        name = "BP" if algo == "bp" else (f"p-GAF N={n}" if exp == "samples" else "p-GAF")
        e9 = None if o9 is None else gradient_energy_pj(o9) / 1e6
        lines.append(f"| {net} | {name} | {r['final_test_accuracy'] * 100:.2f} % | {o['mul']:.2e} | "
                     f"{o['add']:.2e} | {o['sample']:.2e} | {_fmt(o9 and o9['mul'])} | {_fmt(o9 and o9['add'])} | "
                     f"{_fmt(o9 and o9['sample'])} | {'—' if e9 is None else f'{e9:.1f} µJ'} |")
    if exp == "mnist":
        lines.append(f"| 784-64-64-64-10 (paper) | BP | > 97 % | | | | {PAPER_3HL['bp']['mul']:.2e} | "
                     f"{PAPER_3HL['bp']['add']:.2e} | — | {gradient_energy_pj(PAPER_3HL['bp']) / 1e6:.1f} µJ |")
        lines.append(f"| 784-64-64-64-10 (paper) | p-GAF | > 97 % | | | | {PAPER_3HL['pgaf']['mul']:.2e} | "
                     f"{PAPER_3HL['pgaf']['add']:.2e} | {PAPER_3HL['pgaf']['sample']:.2e} | "
                     f"{gradient_energy_pj(PAPER_3HL['pgaf']) / 1e6:.1f} µJ |")
    lines.append("")
    lines.append("| net | p-GAF vs BP | × saved (whole run) | ± saved | energy saved (whole run) "
                 "| × saved to 90 % | energy saved to 90 % |")
    lines.append("|---|---|---:|---:|---:|---:|---:|")
    for net in nets:
        bp = next((r for (nn, a, n), r in by.items() if nn == net and a == "bp"), None)
        if bp is None:
            continue
        for (nn, a, n), r in by.items():
            if nn != net or a != "pgaf":
                continue
            s = lambda k: 1 - r["ops"][k] / bp["ops"][k]
            eb, ep = gradient_energy_pj(bp["ops"]), gradient_energy_pj(r["ops"])
            if bp["ops_to_90"] and r["ops_to_90"]:
                m9 = f"{(1 - r['ops_to_90']['mul'] / bp['ops_to_90']['mul']) * 100:.1f} %"
                e9 = f"{(1 - gradient_energy_pj(r['ops_to_90']) / gradient_energy_pj(bp['ops_to_90'])) * 100:.1f} %"
            else:
                m9 = e9 = "—"
            name = f"N={n}" if exp == "samples" else "p-GAF"
            lines.append(f"| {net} | {name} | {s('mul') * 100:.1f} % | {s('add') * 100:.1f} % | "
                         f"{(1 - ep / eb) * 100:.1f} % | {m9} | {e9} |")
    if exp == "mnist":
        p = PAPER_3HL
        lines.append(f"| 784-64-64-64-10 (paper) | p-GAF | | | | {(1 - p['pgaf']['mul'] / p['bp']['mul']) * 100:.1f} % | "
                     f"{(1 - gradient_energy_pj(p['pgaf']) / gradient_energy_pj(p['bp'])) * 100:.1f} % (paper: ~79 %) |")
    return lines


def run(args) -> int:
    os.makedirs(args.out, exist_ok=True)
    if args.experiment == "xor":
        run_xor(args, args.out)
    elif args.experiment == "seeds":
        run_seeds(args, args.out)
    else:
        run_mnist_like(args, args.out, args.experiment)
    return 0
