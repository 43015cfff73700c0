"""Calibration counts against the golden emulator, and the drift-correction loop on a drifted device."""

import numpy as np
import pytest
from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.sim import Simulator

from pgaf.golden.device import A_UA, MTJArray
from pgaf.golden.mtj_emulator import MTJEmulator as GoldenEmulator
from pgaf.rtl.calibration import Calibration, dac_correction
from pgaf.rtl.device_port import DevicePort
from pgaf.rtl.mtj_emulator import MTJEmulator

from mtj_frontend_model import FrontEnd


class Bench(wiring.Component):
    """A calibration counter wired to an MTJ provider."""

    def __init__(self, provider, **kwargs):
        self.provider = provider
        self.cal = Calibration(a_frac=provider.a_frac, **kwargs)
        super().__init__({})

    def elaborate(self, platform):
        m = Module()
        m.submodules.provider = self.provider
        m.submodules.cal = self.cal
        wiring.connect(m, self.provider.mtj, self.cal.mtj)
        return m


def calibrate(ctx, cal, code, pairs):
    """Testbench coroutine: one calibration run; returns (ones, cycles from start to done)."""
    async def go():
        ctx.set(cal.code, code)
        ctx.set(cal.pairs, pairs)
        ctx.set(cal.start, 1)
        await ctx.tick()
        ctx.set(cal.start, 0)
        n = 1
        while not ctx.get(cal.done):
            await ctx.tick()
            n += 1
        return ctx.get(cal.ones), n
    return go()


@pytest.mark.parametrize("seed", [1, 77])
def test_counts_match_golden_emulator(seed):
    rng = np.random.default_rng(seed)
    runs = [(int(rng.integers(1, 256)), int(rng.integers(1, 600))) for _ in range(4)] + [(100, 0)]
    bench = Bench(MTJEmulator(seed=seed), max_pairs=1024)
    got = []

    async def tb(ctx):
        for code, pairs in runs:
            got.append(await calibrate(ctx, bench.cal, code, pairs))

    sim = Simulator(bench)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()

    gold = GoldenEmulator(seed)       # one emulator: the runs continue the same streams
    want = [sum(sum(gold.sample_pair(code)) for _ in range(pairs)) for code, pairs in runs]
    assert [g[0] for g in got] == want
    # one pair per cycle over the emulator: done N + 2 cycles after start (at once for N = 0)
    assert [g[1] for g in got] == [pairs + 2 if pairs else 1 for _, pairs in runs]


def test_drift_is_seen_and_corrected():
    """A device whose 50 % current sits 6 uA high reads P ~ 0.38 at code 128 (P = 1/2).

    One calibration of 400 pairs detects it (far beyond 4 binomial sigmas); the offset from
    :func:`dac_correction` brings the next calibration back within 4 sigmas of 1/2.
    """
    shift_ua, pairs = 6.0, 400
    port = DevicePort()
    bench = Bench(port, max_pairs=pairs)
    fe = FrontEnd(port, MTJArray(1, a=A_UA + shift_ua, seed=21), latency=0)
    res = {}

    async def tb(ctx):
        for name in ("reset_width", "write_width"):
            ctx.set(getattr(port, name), 1)
        ctx.set(port.settle, 0)
        ones, _ = await calibrate(ctx, bench.cal, 128, pairs)
        res["before"] = ones
        offset = dac_correction(ones, pairs, 128, 8, port.dac)
        res["offset"] = offset
        ctx.set(port.dac_offset, offset)
        res["after"] = (await calibrate(ctx, bench.cal, 128, pairs))[0]

    sim = Simulator(bench)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.add_testbench(fe.run, background=True)
    sim.run()

    n = 2 * pairs
    sigma = np.sqrt(0.25 / n)
    assert res["before"] / n < 0.5 - 4 * sigma
    # the correction points the right way and has the right size (6 uA = 30 LSBs, +/- noise)
    assert 15 <= res["offset"] <= 45
    assert abs(res["after"] / n - 0.5) < 4 * sigma
