"""The gated MAC against the document's sequential saturating sums, over random operands."""

import numpy as np
import pytest
from amaranth.hdl import signed, unsigned
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.golden.fixed import saturate
from pgaf.rtl.gated_mac import GatedMAC
from pgaf.rtl.sat_arith import pack, unpack


def golden_mac(ops, lanes, chain, lo, hi):
    """Accumulators after each cycle, summed one term at a time in lane order."""
    accs = [0] * (1 if chain else lanes)
    hist, counts = [], []
    for en, first, init, a, b, mask in ops:
        if en:
            if chain:
                acc = init if first else accs[0]
                for i in range(lanes):
                    acc = saturate(acc + (a[i] * b[i] if mask >> i & 1 else 0), lo, hi)
                accs = [acc]
            else:
                accs = [saturate((init if first else accs[i]) + (a[i] * b[i] if mask >> i & 1 else 0), lo, hi)
                        for i in range(lanes)]
        counts.append(bin(mask).count("1") if en else 0)
        hist.append(list(accs))
    return hist, counts


@pytest.mark.parametrize("pipelined", [False, True], ids=["1-cycle", "pipelined"])
@pytest.mark.parametrize("chain", [True, False], ids=["chain", "per-lane"])
@pytest.mark.parametrize("lanes,acc_bits", [(1, 40), (3, 40), (4, 14)])
def test_matches_sequential_saturating_sum(chain, lanes, acc_bits, pipelined):
    rng = np.random.default_rng(lanes * 10 + acc_bits + chain)
    wa, wb = 8, 6
    dut = GatedMAC(lanes=lanes, a_shape=signed(wa), b_shape=signed(wb) if not chain else unsigned(wb),
                   acc_bits=acc_bits, chain=chain, pipelined=pipelined)
    lo, hi = -(1 << (acc_bits - 1)), (1 << (acc_bits - 1)) - 1
    b_lo, b_hi = (0, (1 << wb) - 1) if chain else (-(1 << (wb - 1)), (1 << (wb - 1)) - 1)
    ops = []
    for _ in range(400):
        a = [int(v) for v in rng.integers(-(1 << (wa - 1)), 1 << (wa - 1), lanes)]
        # Bias the operands to their rails now and then, so the narrow accumulator saturates.
        if rng.random() < 0.3:
            a = [int(rng.choice([-(1 << (wa - 1)), (1 << (wa - 1)) - 1]))] * lanes
        b = [int(v) for v in rng.integers(b_lo, b_hi + 1, lanes)]
        init = int(rng.integers(lo // 4, hi // 4))
        ops.append((int(rng.random() < 0.9), int(rng.random() < 0.1), init, a, b,
                    int(rng.integers(0, 1 << lanes))))
    want, want_counts = golden_mac(ops, lanes, chain, lo, hi)
    got, got_counts = [], []

    async def bench(ctx):
        for en, first, init, a, b, mask in ops:
            ctx.set(dut.en, en)
            ctx.set(dut.first, first)
            ctx.set(dut.init, init)
            ctx.set(dut.a, pack(a, wa))
            ctx.set(dut.b, pack(b, wb))
            ctx.set(dut.mask, mask)
            got_counts.append((ctx.get(dut.mul_inc), ctx.get(dut.add_inc)))
            await ctx.tick()
            got.append(unpack(ctx.get(dut.acc), 1 if chain else lanes, acc_bits, signed_=True))
        ctx.set(dut.en, 0)
        for _ in range(pipelined):   # the products still in their register reach the accumulator
            await ctx.tick()
            got.append(unpack(ctx.get(dut.acc), 1 if chain else lanes, acc_bits, signed_=True))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    # With ``pipelined`` the accumulators lag the operands by one more cycle (and start at 0).
    if pipelined:
        assert not np.any(got[0])
    assert_array_equal(np.array(got[int(pipelined):]), np.array(want))
    assert_array_equal(np.array(got_counts), np.array([(c, c) for c in want_counts]))
    if acc_bits == 14:
        flat = np.array(want).ravel()
        assert (flat == lo).any() or (flat == hi).any(), "the narrow accumulator never saturated"
