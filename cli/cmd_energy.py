"""``pgaf energy``: SPICE energy per MTJ sample, and BP vs p-GAF gradient energy with it."""

from __future__ import annotations

NAME = "energy"
HELP = ("simulate the SOT-MTJ reset-write-read cycle in ngspice: energy per sample and its "
        "breakdown, sweeps over pulse width and current, BP vs p-GAF gradient energy")

#: literature anchors (pJ) printed beside the result
ANCHOR_WRITE_PJ = 0.9 ** 2 / 776 * 0.75e-9 * 1e12  # 0.75 ns SOT write, 0.9 V, 776 Ω channel


def add_arguments(p):
    p.add_argument("--pulse-ns", type=float, default=1.0, metavar="W",
                   help="write/reset pulse width in ns (default 1; the paper measured at 1e6)")
    p.add_argument("--current-ua", type=float, default=None, metavar="I",
                   help="write current in µA (default: the device model's 50 %% current)")
    p.add_argument("--precision", default="fp32", choices=("fp32", "int32", "int8"),
                   help="arithmetic energy row (Horowitz 45 nm) for the gradient energy")
    p.add_argument("--seed", type=int, default=0, help="seed of the MTJ draws (default 0)")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    p.add_argument("--plot", metavar="FILE", help="save energy vs pulse width (and vs current) as PNG")
    p.add_argument("--wave-plot", metavar="FILE",
                   help="save the waveforms of one switched cycle (reset, write, read, latched bit)")
    p.add_argument("--llg", action="store_true",
                   help="also run the cmtj stochastic-LLG check of P(I) (about a minute)")
    p.add_argument("--llg-trials", type=int, default=200, metavar="N",
                   help="LLG trials per current (default 200)")
    p.add_argument("--llg-pulse-ns", type=float, default=5.0, metavar="W",
                   help="pulse width of the LLG check in ns (default 5)")
    p.add_argument("--llg-plot", metavar="FILE", help="save the LLG P(I) next to the paper's points")


def _gradient_rows(sample_pj, precision):
    from pgaf.golden.energy import energy_breakdown
    from pgaf.spice.op_counts import find_mnist_ops

    rows = []
    for ops in find_mnist_ops():
        bp = energy_breakdown(ops["bp"], precision, sample_pj)
        pg = energy_breakdown(ops["pgaf"], precision, sample_pj)
        # the sample energy at which p-GAF's gradient energy equals BP's
        n = ops["pgaf"]["sample"] - ops["bp"]["sample"]
        even = (bp["mul"] + bp["add"] - pg["mul"] - pg["add"]) / n if n > 0 else None
        rows.append({"source": ops["source"], "shape": ops["shape"], "ops": {"bp": ops["bp"], "pgaf": ops["pgaf"]},
                     "bp_pj": bp, "pgaf_pj": pg, "reduction": 1.0 - pg["total"] / bp["total"],
                     "break_even_sample_pj": even})
    return rows


def _plot(path, width_rows, current_rows, paper_pj):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from pgaf.spice.sampling_cycle import PARTS

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4))
    w = np.array([r["pulse_ns"] for r in width_rows])
    ax.loglog(w, [r["total_pj"] for r in width_rows], "k-o", label="total (ngspice)")
    for part in PARTS:
        ax.loglog(w, [max(r[f"{part}_pj"], 1e-6) for r in width_rows], "--", label=part)
    ax.plot([0.75], [ANCHOR_WRITE_PJ], "r*", ms=12, label="0.78 pJ: 0.75 ns, 0.9 V, 776 Ω write")
    ax.axhline(paper_pj, color="g", lw=0.8, label=f"{paper_pj} pJ implied by the paper's 79 %")
    ax.set_xlabel("write/reset pulse width (ns)")
    ax.set_ylabel("energy per sample (pJ)")
    ax.set_title(f"I = {width_rows[0]['current_ua']:.1f} µA")
    ax.legend(fontsize=7)
    i = [r["current_ua"] for r in current_rows]
    bx.plot(i, [r["total_pj"] for r in current_rows], "k-o", label="total")
    bx.plot(i, [r["write_pj"] for r in current_rows], "--", label="write")
    bx.set_xlabel("write current (µA)")
    bx.set_ylabel("energy per sample (pJ)")
    bx.set_title(f"pulse {current_rows[0]['pulse_ns']:g} ns")
    bx.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _wave_plot(path, r, p):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w, t = r.wave, r.wave["time"] * 1e9
    fig, ax = plt.subplots(4, 1, figsize=(7, 7), sharex=True)
    ax[0].plot(t, w["@rch1[i]"] * 1e6, "k")
    ax[0].set_ylabel("channel I (µA)")
    ax[0].set_title(f"one sampling cycle: write {r.current_ua:.1f} µA, {r.pulse_ns:g} ns; "
                    f"drawn {'switched' if r.switched else 'not switched'}, bit {r.bit}")
    ax[1].plot(t, p.r_p_ohm + (p.r_ap_ohm - p.r_p_ohm) * w["state"], "m")
    ax[1].set_ylabel("R_MTJ (Ω)")
    ax[2].plot(t, w["t"] * 1e3, label="sense node")
    ax[2].plot(t, w["ref"] * 1e3, "--", label="reference")
    ax[2].set_ylabel("read (mV)")
    ax[2].legend(fontsize=7)
    ax[3].plot(t, w["out"], "g", label="latched bit")
    ax[3].plot(t, w["ctrl_sen"], ":", label="sense enable")
    ax[3].set_ylabel("SA out (V)")
    ax[3].set_xlabel("time (ns)")
    ax[3].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(args) -> int:
    from pgaf.golden.device import A_UA, switching_probability
    from pgaf.golden.energy import SAMPLE_PJ_PAPER
    from pgaf.golden.errors import UserError
    from pgaf.golden.jsonfile import write_json
    from pgaf.spice.params import CircuitParams
    from pgaf.spice.sampling_cycle import PARTS, SUPPLIES, simulate_sampling_cycle
    from pgaf.spice.sweep import PULSES_NS, current_offsets_ua, sweep_current, sweep_pulse_width

    import numpy as np

    p = CircuitParams()
    current = float(A_UA if args.current_ua is None else args.current_ua)
    r = simulate_sampling_cycle(p, current, args.pulse_ns, rng=np.random.default_rng(args.seed))
    e = r.energy_pj
    prob = float(switching_probability(current))
    print(f"SOT-MTJ sampling cycle (ngspice): write {current:.1f} µA for {args.pulse_ns:g} ns "
          f"(P = {prob:.3f}), reset {p.reset_ua:g} µA, W channel {p.channel_ohm:.0f} Ω "
          f"({p.channel_width_nm:.0f} nm x {p.channel_length_nm:.0f} nm x {p.w_thickness_nm:g} nm), "
          f"R_P/R_AP {p.r_p_ohm:.0f}/{p.r_ap_ohm:.0f} Ω, VDD {p.vdd_v:g} V")
    print(f"  drawn: {'switched' if r.switched else 'not switched'}; sense amplifier bit: {r.bit}")
    print(f"energy per sample: {e['total']:.4f} pJ")
    for part in PARTS:
        print(f"  {part:8s} {e[part]:10.4f} pJ  ({100 * e[part] / e['total']:5.1f} %)")
    print(f"  (control waveforms {e['control']:.2e} pJ; supplies: "
          + ", ".join(f"{n} {r.supply_j[n] * 1e12:.4f} pJ" for n in SUPPLIES) + ")")
    print(f"  (dissipated in the W channel: reset {r.channel_j['reset'] * 1e12:.4f} pJ, write "
          f"{r.channel_j['write'] * 1e12:.4f} pJ; the rest of VDDW's energy drops across the driver)")
    print(f"anchors: {ANCHOR_WRITE_PJ:.2f} pJ for a 0.75 ns SOT write at 0.9 V into 776 Ω; "
          f"{SAMPLE_PJ_PAPER} pJ per sample implied by the paper's 79 % reduction")

    width_rows = sweep_pulse_width(p, current, PULSES_NS, seed=args.seed)
    print(f"\nenergy per sample vs pulse width at {current:.1f} µA:")
    print(f"  {'pulse ns':>9s} {'total pJ':>12s} " + " ".join(f"{k + ' pJ':>12s}" for k in PARTS))
    for row in width_rows:
        print(f"  {row['pulse_ns']:9.3g} {row['total_pj']:12.5g} "
              + " ".join(f"{row[k + '_pj']:12.5g}" for k in PARTS))
    currents = [current + d for d in current_offsets_ua()]
    try:
        current_rows = sweep_current(p, currents, args.pulse_ns, seed=args.seed)
    except UserError as err:
        raise UserError(f"current sweep around {current:.1f} µA: {err}") from None
    print(f"\nenergy per sample vs write current at {args.pulse_ns:g} ns:")
    for row in current_rows:
        print(f"  {row['current_ua']:7.1f} µA  P={float(switching_probability(row['current_ua'])):.3f}  "
              f"total {row['total_pj']:.4f} pJ  write {row['write_pj']:.4f} pJ")

    grads = _gradient_rows(e["total"], args.precision)
    print(f"\ngradient-computation energy ({args.precision}, Horowitz 45 nm; {e['total']:.3f} pJ/sample):")
    for g in grads:
        print(f"  {g['shape']} [{g['source']}]: BP {g['bp_pj']['total'] * 1e-6:.4g} µJ, "
              f"p-GAF {g['pgaf_pj']['total'] * 1e-6:.4g} µJ (samples {g['pgaf_pj']['sample'] * 1e-6:.4g} µJ), "
              f"reduction {100 * g['reduction']:.1f} %")
        if g["break_even_sample_pj"]:
            w = np.interp(g["break_even_sample_pj"], [r["total_pj"] for r in width_rows],
                          [r["pulse_ns"] for r in width_rows])
            g["break_even_pulse_ns"] = float(w)
            print(f"    p-GAF stops saving energy at {g['break_even_sample_pj']:.0f} pJ per sample: "
                  f"a {w:.0f} ns pulse in this circuit")

    llg = None
    if args.llg:
        from pgaf.spice.llg_check import run_llg_check
        llg = run_llg_check(pulse_ns=args.llg_pulse_ns, trials=args.llg_trials, seed=args.seed,
                            plot=args.llg_plot)
        print(f"\n{llg['summary']}")

    if args.wave_plot:
        shown = simulate_sampling_cycle(p, current, args.pulse_ns, switched=True)
        _wave_plot(args.wave_plot, shown, p)
        print(f"\nwaveforms: {args.wave_plot}")
    if args.plot:
        _plot(args.plot, width_rows, current_rows, SAMPLE_PJ_PAPER)
        print(f"\nplot: {args.plot}")
    if args.json:
        out = {"current_ua": current, "pulse_ns": args.pulse_ns, "probability": prob,
               "energy_per_sample_pj": e["total"], "breakdown_pj": {k: e[k] for k in PARTS},
               "control_pj": e["control"], "supplies_pj": {n: v * 1e12 for n, v in r.supply_j.items()},
               "channel_dissipation_pj": {k: v * 1e12 for k, v in r.channel_j.items()},
               "anchors_pj": {"sot_write_0.75ns_0.9V_776ohm": ANCHOR_WRITE_PJ,
                              "paper_implied": SAMPLE_PJ_PAPER},
               "params": p.to_dict(), "sweep_pulse_width": width_rows, "sweep_current": current_rows,
               "gradient_energy": grads, "precision": args.precision, "seed": args.seed}
        if llg is not None:
            out["llg"] = {k: v for k, v in llg.items() if k != "summary"}
        write_json(args.json, out)
        print(f"json: {args.json}")
    return 0
