"""Every adder and multiplier of the datapath at its limits: narrow formats, weights and inputs on
their rails, so accumulators, deltas, weight updates and sigmoid addresses all saturate; the RTL
must still equal the golden FixedNet bit for bit, and the arithmetic helpers the golden primitives."""

import numpy as np
import pytest
from amaranth.hdl import Module, Signal, signed
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.golden.config import FixedFormat, NetConfig
from pgaf.golden.fixed import round_shift as g_round_shift, saturate as g_saturate
from pgaf.rtl.sat_arith import round_shift, saturate

from rtl_trainer_bench import random_plan, run_side_by_side

FORMATS = {
    # All positive shifts, 12-bit accumulator: forward and backward sums overflow at once.
    "narrow": FixedFormat(w_bits=6, w_frac=4, a_frac=4, e_bits=6, e_frac=5, acc_bits=12,
                          z_bits=5, z_frac=2, lr_shift=0),
    # e_frac = 0: the weight update (shift -1) and the bias update (shift -7) shift LEFT.
    "left-shifts": FixedFormat(w_bits=8, w_frac=7, a_frac=6, e_bits=6, e_frac=0, acc_bits=15,
                               z_bits=6, z_frac=3, lr_shift=0),
    # e_frac > e_bits: the output delta is a left shift by 6 and saturates almost always.
    "wide-e-frac": FixedFormat(w_bits=6, w_frac=3, a_frac=3, e_bits=5, e_frac=9, acc_bits=11,
                               z_bits=4, z_frac=1, lr_shift=2),
}


def test_round_shift_and_saturate_match_golden_exhaustively():
    v = Signal(signed(9))
    shifts = (-3, 0, 1, 2, 5)
    outs = {s: Signal(signed(16), name=f"rs_{s + 3}") for s in shifts}
    # Full signed range, full unsigned range (from a signed and an unsigned value), and an
    # asymmetric range: the fast overflow tests and the general comparators alike.
    ranges = [(-32, 31), (0, 63), (-20, 40)]
    sats = [Signal(signed(8), name=f"sat_{i}") for i in range(len(ranges))]
    sat_u = Signal(6)
    m = Module()
    m.d.comb += [outs[s].eq(round_shift(v, s)) for s in shifts]
    m.d.comb += [o.eq(saturate(v, lo, hi)) for o, (lo, hi) in zip(sats, ranges)]
    m.d.comb += sat_u.eq(saturate(v.as_unsigned(), 0, 63))
    rows = []

    async def bench(ctx):
        for x in range(-256, 256):
            ctx.set(v, x)
            rows.append([ctx.get(outs[s]) for s in shifts] + [ctx.get(o) for o in sats] + [ctx.get(sat_u)])

    sim = Simulator(m)
    sim.add_testbench(bench)
    sim.run()
    want = [[g_round_shift(x, s) for s in shifts] + [g_saturate(x, lo, hi) for lo, hi in ranges]
            + [g_saturate(x % 512, 0, 63)] for x in range(-256, 256)]
    assert_array_equal(np.array(rows), np.array(want))


def rail_params(cfg, rng):
    """Initial weights and biases mostly on their rails, one rail per row (so the sums pile up)."""
    f = cfg.fixed
    weights, biases = [], []
    for n_in, n_out in zip(cfg.shape[:-1], cfg.shape[1:]):
        w = rng.integers(f.w_min, f.w_max + 1, (n_out, n_in))
        rails = np.repeat(rng.choice([f.w_min, f.w_max], (n_out, 1)), n_in, axis=1)
        weights.append(np.where(rng.random((n_out, n_in)) < 0.6, rails, w))
        biases.append(rng.choice([f.w_min, f.w_max, 0], n_out))
    return weights, biases


@pytest.mark.parametrize("fmt_name", list(FORMATS))
@pytest.mark.parametrize("shape,lanes,loss", [("6-4-3", 2, "sigmoid-ce"), ("8-3-1", 1, "mse")])
def test_trainer_saturates_like_golden(fmt_name, shape, lanes, loss):
    cfg = NetConfig(shape=shape, lanes=lanes, loss=loss, fixed=FORMATS[fmt_name], seed=13)
    f = cfg.fixed
    rng = np.random.default_rng(len(shape) + lanes)
    weights, biases = rail_params(cfg, rng)
    plan = random_plan(cfg, rng, 8)
    for st in plan:   # inputs on their rails too
        st["x"] = np.where(rng.random(st["x"].shape) < 0.7, rng.choice([0, f.a_max], st["x"].shape), st["x"])
    plan[0]["x"] = plan[3]["x"] = np.full(cfg.shape[0], f.a_max)   # every input at full scale
    # The plan really drives the first layer's accumulator past its range (else this test is moot).
    pre = [(biases[0] << f.a_frac) + np.cumsum(weights[0] * st["x"][None, :], axis=1).T for st in plan]
    assert any((p > f.acc_max).any() or (p < f.acc_min).any() for p in pre)
    run_side_by_side(cfg, plan, weights=weights, biases=biases)
