"""The op counters: random increments and clears against a Python tally; saturation, no wrap."""

import numpy as np
import pytest
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.rtl.op_counters import COUNTERS, OpCounters


@pytest.mark.parametrize("registered", [False, True], ids=["direct", "registered"])
def test_counts_clears_and_saturates(registered):
    rng = np.random.default_rng(4)
    width, inc_max = 10, 6
    dut = OpCounters(inc_max=inc_max, width=width, registered=registered)
    top = (1 << width) - 1
    cycles = [(rng.integers(0, inc_max + 1, 4), int(rng.random() < 0.002)) for _ in range(1500)]
    want, got = [], []
    tally = np.zeros(4, dtype=np.int64)
    for inc, clear in cycles:
        tally = np.zeros(4, dtype=np.int64) if clear else np.minimum(tally + inc, top)
        want.append(tally.copy())

    async def bench(ctx):
        for inc, clear in cycles:
            for name, v in zip(COUNTERS, inc):
                ctx.set(getattr(dut, f"{name}_inc"), int(v))
            ctx.set(dut.clear, clear)
            await ctx.tick()
            got.append([ctx.get(getattr(dut, name)) for name in COUNTERS])
        for name in COUNTERS:
            ctx.set(getattr(dut, f"{name}_inc"), 0)
        ctx.set(dut.clear, 0)
        for _ in range(registered):   # the last increments, still in their register
            await ctx.tick()
            got.append([ctx.get(getattr(dut, name)) for name in COUNTERS])

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    # Registered: the same counts, one cycle later.
    assert_array_equal(np.array(got[int(registered):]), np.array(want))
    assert (np.array(want) == top).any(), "no counter reached saturation"
