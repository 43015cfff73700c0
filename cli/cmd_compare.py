"""``pgaf compare``: the main job. BP and p-GAF trained side by side, accuracy, op counts and energy."""

from __future__ import annotations

from .cmd_train import add_common, check_common, make_config

NAME = "compare"
HELP = "train BP and p-GAF side by side (default: embedded 8x8 digits) and tabulate accuracy, ops and energy"


def add_arguments(parser):
    add_common(parser, dataset_default="digits")
    parser.add_argument("--json", metavar="FILE", help="write both results as JSON to FILE")


def table(results, precision="fp32", sample_pj=None) -> str:
    """Markdown table of BP vs p-GAF results (dicts from ``train_float``) and p-GAF's savings."""
    from pgaf.golden.energy import gradient_energy_pj
    bp, pg = results["bp"], results["pgaf"]
    lines = ["| algorithm | test accuracy | × (mul) | ± (add) | samples | gradient energy "
             f"({precision}) |", "|---|---:|---:|---:|---:|---:|"]
    e = {}
    for name, r in (("BP", bp), ("p-GAF", pg)):
        o = r["ops"]
        e[name] = gradient_energy_pj(o, precision, sample_pj)
        lines.append(f"| {name} | {r['final_test_accuracy'] * 100:.2f} % | {o['mul']:.3e} | {o['add']:.3e} | "
                     f"{o['sample']:.3e} | {e[name] / 1e6:.2f} µJ |")
    saved = lambda k: 1 - pg["ops"][k] / bp["ops"][k]
    lines.append(f"| p-GAF saves | {(pg['final_test_accuracy'] - bp['final_test_accuracy']) * 100:+.2f} pt | "
                 f"{saved('mul') * 100:.1f} % | {saved('add') * 100:.1f} % | — | "
                 f"{(1 - e['p-GAF'] / e['BP']) * 100:.1f} % |")
    return "\n".join(lines)


def run(args) -> int:
    from pgaf.golden.trainer import load_dataset, train_float

    check_common(args)
    cfg = make_config(args)
    ds = load_dataset(args.dataset, args.data_dir)
    results = {}
    for algo in ("bp", "pgaf"):
        results[algo] = train_float(cfg, ds, algo, epochs=args.epochs, lr=args.lr,
                                    samples=args.samples, progress=True,
                                    center_hidden=args.center_hidden, shift=args.shift)
    r = results["pgaf"]
    st = r["settings"]
    act = cfg.act + (" (centred)" if st["center_hidden"] else "")
    print(f"pgaf compare: {cfg.shape_str} {act} on {args.dataset} ({len(ds.x_train)} train / "
          f"{len(ds.x_test)} test), {st['epochs']} epochs, batch 1, lr {st['lr']} ({st['schedule']}), "
          f"{'images shifted by up to ' + str(st['shift']) + ' px, ' if st['shift'] else ''}"
          f"seed {cfg.seed}; ops of the gradient computation over the whole run\n")
    print(table(results, args.precision, args.sample_pj))
    skipped = r["ops"]["skipped"] / max(1, r["examples_seen"] * cfg.n_hidden)
    print(f"\np-GAF skipped {skipped * 100:.1f} % of hidden neurons (no error, no update); "
          f"wall {results['bp']['wall_s']:.1f} s BP, {r['wall_s']:.1f} s p-GAF")
    if args.json:
        from pgaf.golden.jsonfile import write_json
        write_json(args.json, results)
    return 0
