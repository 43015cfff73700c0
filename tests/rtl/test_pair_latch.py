"""The pair-sample latch against a plain Python model over a random sample stream."""

import numpy as np
from amaranth.sim import Simulator

from pgaf.rtl.pair_latch import PairLatch


def model(events):
    """Pairs the latch must emit for ``(sample, valid, clear)`` per cycle."""
    out, first = [], None
    for bit, valid, clear in events:
        if clear:
            first = None
        elif valid:
            if first is None:
                first = bit
            else:
                out.append((first, bit))
                first = None
    return out


def test_pairs_match_model():
    rng = np.random.default_rng(2)
    events = [(int(rng.integers(2)), int(rng.random() < 0.7), int(rng.random() < 0.05))
              for _ in range(2000)]
    dut = PairLatch()
    got = []

    async def bench(ctx):
        for bit, valid, clear in events:
            ctx.set(dut.sample, bit)
            ctx.set(dut.sample_valid, valid)
            ctx.set(dut.clear, clear)
            await ctx.tick()
            if ctx.get(dut.pair_valid):
                got.append((ctx.get(dut.b1), ctx.get(dut.b2)))
        ctx.set(dut.sample_valid, 0)
        await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    want = model(events)
    assert len(want) > 500
    assert got == want
