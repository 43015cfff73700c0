"""The (1,0) detector: gate = b1 & ~b2 for every input, and its skip strobe."""

import itertools

from amaranth.sim import Simulator

from pgaf.golden.mtj_emulator import MTJEmulator
from pgaf.rtl.pair_detector import PairDetector


def test_truth_table_and_golden_gate():
    dut = PairDetector()
    seen = []

    async def bench(ctx):
        for b1, b2, valid in itertools.product((0, 1), repeat=3):
            ctx.set(dut.b1, b1)
            ctx.set(dut.b2, b2)
            ctx.set(dut.valid, valid)
            seen.append((b1, b2, valid, ctx.get(dut.gate), ctx.get(dut.skip)))

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    for b1, b2, valid, gate, skip in seen:
        assert gate == (1 if (b1, b2) == (1, 0) else 0)
        assert skip == (valid and not gate)
    # The golden emulator's gate is the same function of its pair.
    em = MTJEmulator(seed=5, a_frac=8)
    for p in range(0, 256, 7):
        ref = MTJEmulator(seed=5, a_frac=8)
        ref.a.s, ref.b.s = list(em.a.s), list(em.b.s)
        b1, b2 = ref.sample_pair(p)
        assert em.gate(p) == (b1 & (1 - b2))
