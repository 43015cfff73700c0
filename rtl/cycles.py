"""Cycles per training example of the RTL trainer, p-GAF vs bp mode, measured in simulation.

The same :class:`~pgaf.rtl.trainer.Trainer` (one elaboration per mode, same initial
weights) trains on the same examples in p-GAF mode and in bp mode; its own cycle counters
(``cyc_fwd``, ``cyc_bwd``) give the forward and the backward + update cycles of every step.
Every step's op counters are checked against the golden ``FixedNet.train_step`` on the
way, so the cycles measured are those of a bit-exact run.

Run::

    python -m pgaf.rtl.cycles                      # 64-16-10 (8x8 digits) and 784-64-10
    python -m pgaf.rtl.cycles --nets 64-16-10 --examples 20 --lanes 1,4

Inputs: the embedded 8x8 digits for a 64-input net; for a 784-input net the same digits
upscaled 3x (24x24) and padded to 28x28 (MNIST's layout), unless ``--mnist DIR`` points
at the MNIST IDX files.  ``--trained-epochs E`` first trains the golden net for E epochs
with p-GAF (gates thin out as activations saturate) and measures from those weights.
Amaranth's simulator runs a few thousand cycles/s, so 784-64-10 is measured on a few examples.

``--over-training E`` instead averages over a whole golden p-GAF training run of E epochs
(the fixed-point experiments' learning-rate schedule): every step's cycles come from
:func:`expected_cycles` with that step's gates -- the cycle model that
``tests/rtl/test_trainer.py`` checks against the RTL's own cycle counters on every step.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

__all__ = ["expected_cycles", "measure", "inputs_for", "main"]


def expected_cycles(cfg, gates=None, *, train: bool = True):
    """Cycles the trainer's sequencer takes for one step: ``(forward, backward + update)``.

    The model of :class:`~pgaf.rtl.trainer.Trainer`'s schedule: one cycle per visited
    memory word, plus each phase's pipeline drain (a phase with nothing to visit costs one
    cycle).  Skipped neurons cost no cycle at all.

    Parameters
    ----------
    cfg : NetConfig
    gates : list of array_like or None
        Gates of each hidden layer (p-GAF step, e.g. ``FixedNet.last_gates``); ``None`` for bp.
    train : bool
        ``False`` for an inference (forward only, no MTJ draws).
    """
    import math

    n, lanes, L = cfg.shape, cfg.lanes, len(cfg.shape) - 1
    chunks = [0] + [math.ceil(n[l - 1] / lanes) for l in range(1, L + 1)]
    pgaf = train and gates is not None
    # Drains: forward 7 (address, memory, memory register, products, accumulate, sigmoid ROM,
    # y), +1 for a hidden layer's MTJ pair, +2 for the mse output delta's two multiplies;
    # backward 7 (p-GAF) or 8 (bp: the y(1-y) multiply); update 5.
    fwd = sum(n[l] * chunks[l] + 7 for l in range(1, L + 1)) + (L - 1 if pgaf else 0)
    if not train:
        return fwd, 0
    if cfg.loss == "mse":
        fwd += 2
    active = [None] + [np.flatnonzero(gates[l - 1]) if pgaf and l < L else np.arange(n[l])
                       for l in range(1, L + 1)]
    bwd = 0
    for l in range(1, L):
        visited = len(set((active[l] // lanes).tolist()))
        bwd += visited * max(len(active[l + 1]), 1) + (7 if pgaf else 8) if visited else 1
    for l in range(1, L + 1):
        bwd += len(active[l]) * chunks[l] + 5 if len(active[l]) else 1
    return fwd, bwd


def inputs_for(n_in: int, n: int, seed: int, mnist_dir=None):
    """``n`` (float inputs in [0, 1], labels) for a net with ``n_in`` inputs."""
    from pgaf.golden.data import load
    from pgaf.golden.errors import UserError

    if n_in == 784 and mnist_dir:
        ds = load("mnist", mnist_dir)
        x, y = ds.x_train, ds.y_train
    else:
        ds = load("digits")
        x, y = ds.x_train, ds.y_train
        if n_in == 784:
            img = np.kron(x.reshape(-1, 8, 8), np.ones((3, 3), dtype=x.dtype))
            x = np.pad(img, ((0, 0), (2, 2), (2, 2))).reshape(-1, 784)
        elif n_in != 64:
            raise UserError(f"no built-in inputs for {n_in} features; use a 64- or 784-input net")
    idx = np.random.default_rng(seed).permutation(len(x))[:n]
    return x[idx], y[idx]


def measure(cfg, x_codes, labels, *, bp: bool, weights=None, biases=None):
    """Train the RTL on the examples in one mode; return ``(cyc_fwd, cyc_bwd)`` arrays.

    Raises AssertionError if any step's op counters differ from the golden model's.
    """
    from amaranth.sim import Simulator

    from pgaf.golden.fixed_net import FixedNet, quantize_targets
    from pgaf.golden.mtj_emulator import MTJEmulator

    from .trainer import Trainer
    from .trainer_host import TrainerHost

    gold = FixedNet.from_config(cfg) if weights is None else FixedNet(cfg, weights, biases)
    em = MTJEmulator(cfg.seed, cfg.fixed.a_frac)
    dut = Trainer(cfg, weights=gold.weights, biases=gold.biases)
    host = TrainerHost(dut)
    fwd, bwd = [], []

    async def bench(ctx):
        for x, lab in zip(x_codes, labels):
            t = quantize_targets(int(lab), cfg.shape[-1], cfg.fixed)
            want = gold.train_step(x, t, None if bp else em).as_dict()
            r = await host.step(ctx, x, bp=bp, target=int(lab))
            assert r.ops == want, f"op counters {r.ops} differ from golden {want}"
            fwd.append(r.cyc_fwd)
            bwd.append(r.cyc_bwd)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return np.array(fwd), np.array(bwd)


def _trained(cfg, epochs: int, x_float, labels):
    from pgaf.golden.fixed_net import FixedNet, quantize_inputs, quantize_targets
    from pgaf.golden.mtj_emulator import MTJEmulator

    net = FixedNet.from_config(cfg)
    em = MTJEmulator(cfg.seed + 1, cfg.fixed.a_frac)
    xq = quantize_inputs(x_float, cfg.fixed)
    tq = quantize_targets(labels, cfg.shape[-1], cfg.fixed)
    rng = np.random.default_rng(cfg.seed)
    for _ in range(epochs):
        for i in rng.permutation(len(xq)):
            net.train_step(xq[i], tq[i], em)
    return net.weights, net.biases


def over_training(cfg, dataset: str, epochs: int, data_dir=None):
    """Mean (forward, backward + update) cycles per step of a p-GAF run, and bp's per step.

    Trains the golden :class:`~pgaf.golden.fixed_net.FixedNet` with p-GAF for ``epochs``
    epochs (order of :func:`~pgaf.golden.train_fixed.training_order`, learning-rate shifts of
    :data:`pgaf.golden.experiments_fixed.DEFAULTS`) and sums :func:`expected_cycles` of every
    step's gates.  bp's cycles do not depend on the data.
    """
    from pgaf.golden.data import load
    from pgaf.golden.experiments_fixed import DEFAULTS
    from pgaf.golden.fixed_net import FixedNet, quantize_inputs, quantize_targets
    from pgaf.golden.mtj_emulator import MTJEmulator
    from pgaf.golden.train_fixed import training_order

    ds = load(dataset, data_dir)
    lr_shifts = DEFAULTS[dataset][4]
    net = FixedNet.from_config(cfg)
    em = MTJEmulator(cfg.seed, cfg.fixed.a_frac)
    xq = quantize_inputs(ds.x_train, cfg.fixed)
    tq = quantize_targets(ds.y_train, cfg.shape[-1], cfg.fixed)
    fwd = bwd = steps = 0
    for epoch, order in enumerate(training_order(cfg, len(xq), epochs)):
        if lr_shifts:
            net.lr_shift = lr_shifts[min(epoch, len(lr_shifts) - 1)]
        for i in order:
            net.train_step(xq[i], tq[i], em)
            f, b = expected_cycles(cfg, net.last_gates)
            fwd, bwd, steps = fwd + f, bwd + b, steps + 1
    return fwd / steps, bwd / steps, expected_cycles(cfg, None), steps


def main(argv=None) -> int:
    from pgaf.golden.config import NetConfig
    from pgaf.golden.fixed_net import quantize_inputs

    p = argparse.ArgumentParser(prog="python -m pgaf.rtl.cycles", description=__doc__.split("\n")[0])
    p.add_argument("--nets", default="64-16-10,784-64-10", help="comma-separated shapes")
    p.add_argument("--examples", default="16,3", help="examples per net (comma-separated, one per net)")
    p.add_argument("--lanes", default="1", help="comma-separated MAC lane counts")
    p.add_argument("--trained-epochs", type=int, default=0,
                   help="train the golden net this many epochs (p-GAF) on the digits first")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mnist", default=None, help="folder of the MNIST IDX files (784-input nets)")
    p.add_argument("--over-training", type=int, default=0, metavar="E",
                   help="average over a whole E-epoch golden p-GAF run by the RTL's cycle model")
    args = p.parse_args(argv)
    if args.over_training:
        for shape in args.nets.split(","):
            for lanes in [int(v) for v in args.lanes.split(",")]:
                cfg = NetConfig(shape=shape, lanes=lanes, loss="sigmoid-ce", seed=args.seed)
                dataset = "mnist" if cfg.shape[0] == 784 else "digits"
                t0 = time.time()
                f_pg, b_pg, (f_bp, b_bp), steps = over_training(
                    cfg, dataset, args.over_training, args.mnist)
                print(f"{shape} lanes {lanes}, {dataset}, {args.over_training} epochs ({steps} steps): "
                      f"forward bp {f_bp} / p-GAF {f_pg:.0f}; backward+update bp {b_bp} / "
                      f"p-GAF {b_pg:.0f} = {b_bp / b_pg:.2f}x fewer; whole step "
                      f"{(f_bp + b_bp) / (f_pg + b_pg):.2f}x  ({time.time() - t0:.0f} s)", flush=True)
        return 0

    nets = args.nets.split(",")
    counts = [int(v) for v in args.examples.split(",")]
    counts += [counts[-1]] * (len(nets) - len(counts))
    lanes_list = [int(v) for v in args.lanes.split(",")]
    print(f"{'net':>10} {'lanes':>5} {'ex':>3} | {'fwd bp':>7} {'fwd pgaf':>8} {'bwd+upd bp':>10} {'bwd+upd pgaf':>12} "
          f"{'ratio':>6} | {'total bp':>9} {'total pgaf':>10} {'ratio':>6} | {'sim s':>6}")
    for shape, n_ex in zip(nets, counts):
        for lanes in lanes_list:
            cfg = NetConfig(shape=shape, lanes=lanes, loss="sigmoid-ce", seed=args.seed)
            x, y = inputs_for(cfg.shape[0], n_ex, args.seed, args.mnist)
            xq = quantize_inputs(x, cfg.fixed)
            w = b = None
            if args.trained_epochs:
                xt, yt = inputs_for(cfg.shape[0], 10**9, args.seed + 1, args.mnist)
                w, b = _trained(cfg, args.trained_epochs, xt, yt)
            t0 = time.time()
            f_bp, b_bp = measure(cfg, xq, y, bp=True, weights=w, biases=b)
            f_pg, b_pg = measure(cfg, xq, y, bp=False, weights=w, biases=b)
            dt = time.time() - t0
            fw_b, fw_p = float(np.median(f_bp)), float(np.median(f_pg))
            mb, mp = float(np.median(b_bp)), float(np.median(b_pg))
            tb, tp = float(np.median(f_bp + b_bp)), float(np.median(f_pg + b_pg))
            print(f"{shape:>10} {lanes:>5} {n_ex:>3} | {fw_b:>7.0f} {fw_p:>8.0f} {mb:>10.0f} {mp:>12.0f} "
                  f"{mb / mp:>6.2f} | {tb:>9.0f} {tp:>10.0f} {tb / tp:>6.2f} | {dt:>6.1f}", flush=True)
    print("medians over the examples; op counters of every step equal the golden model's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
