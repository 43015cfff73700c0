"""The device port driving a simulated SOT-MTJ front end (the golden device model)."""

import numpy as np
import pytest
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.golden.device import A_UA, MTJArray
from pgaf.rtl.device_port import DacMapping, DevicePort

from mtj_frontend_model import FrontEnd


def run_port(port, frontend, codes, *, widths=None, offset=0):
    """Request a pair per code; return the pairs, the cycles from accept to response, the error flag."""
    pairs, latencies, errors = [], [], []

    async def consumer(ctx):
        if widths is not None:
            for name, v in widths.items():
                ctx.set(getattr(port, name), v)
        ctx.set(port.dac_offset, offset)
        ctx.set(port.mtj.rsp.ready, 1)
        for p in codes:
            ctx.set(port.mtj.req.payload, int(p))
            ctx.set(port.mtj.req.valid, 1)
            await ctx.tick().until(port.mtj.req.ready)
            ctx.set(port.mtj.req.valid, 0)
            n = 0
            while True:
                _, _, valid, b1, b2 = await ctx.tick().sample(
                    port.mtj.rsp.valid, port.mtj.rsp.payload.b1, port.mtj.rsp.payload.b2)
                n += 1
                if valid:
                    break
            pairs.append((b1, b2))
            latencies.append(n)
            errors.append(ctx.get(port.error))

    sim = Simulator(port)
    sim.add_clock(1e-6)
    sim.add_testbench(consumer)
    sim.add_testbench(frontend.run, background=True)
    sim.run()
    return np.array(pairs).reshape(-1, 2), np.array(latencies), np.array(errors)


def expected_bits(dac, seed, codes, a_frac=8, offset=0, a=A_UA):
    """Bits of the same device model written at the currents the port should have used."""
    dev = MTJArray(1, a=a, seed=seed)
    table = dac.table(a_frac)
    out = []
    for p in codes:
        code = int(np.clip(table[int(p)] + offset, 0, dac.max_code))
        out.append([int(dev.sample(dac.current(code), 1)[0, 0]) for _ in range(2)])
    return np.array(out).reshape(-1, 2)


def test_dac_table_realises_the_device_curve():
    dac = DacMapping()
    t = dac.table(8)
    assert (np.diff(t) >= 0).all() and t[0] >= 0 and t[-1] <= dac.max_code
    # inside the DAC range, P(I(code)) lands within half an LSB of current of the commanded y
    y = np.arange(1, 256) / 256
    p = 1 / (1 + np.exp(-dac.k_per_ua * (dac.current(t[1:]) - dac.a_ua)))
    inside = (t[1:] > 0) & (t[1:] < dac.max_code)
    slope = dac.k_per_ua * y * (1 - y) * dac.i_lsb_ua / 2   # dP for half an LSB of current
    assert inside.sum() > 200
    assert (np.abs(p - y)[inside] <= slope[inside] + 1e-12).all()


@pytest.mark.parametrize("widths,latency", [
    (dict(reset_width=3, write_width=5, settle=2), 0),
    (dict(reset_width=1, write_width=1, settle=0), 2),
    (dict(reset_width=7, write_width=2, settle=4), 3),
])
def test_pulse_widths_and_bits(widths, latency):
    rng = np.random.default_rng(latency)
    codes = rng.integers(0, 256, 25)
    port = DevicePort()
    fe = FrontEnd(port, MTJArray(1, seed=7), latency=latency)
    pairs, lat, err = run_port(port, fe, codes, widths=widths)
    n = 2 * len(codes)
    assert fe.reset_widths == [widths["reset_width"]] * n
    assert fe.write_widths == [widths["write_width"]] * n
    assert fe.settle_gaps == [widths["settle"]] * n
    assert_array_equal(fe.dac_codes, np.repeat(port.dac.table(8)[codes], 2))
    assert_array_equal(pairs, np.array(fe.bits).reshape(-1, 2))
    assert_array_equal(pairs, expected_bits(port.dac, 7, codes))
    # documented latency: 2 * (reset + write + settle + R + 1) + 1, R = latency + 1
    r = latency + 1
    want = 2 * (widths["reset_width"] + widths["write_width"] + widths["settle"] + r + 1) + 1
    assert (lat == want).all()
    assert not err.any()


def test_switching_probability_follows_the_code():
    """500 pairs at code 64 (P = 1/4) and at 192 (P = 3/4): within 4.5 binomial sigmas."""
    for code, seed in ((64, 1), (192, 2)):
        port = DevicePort()
        fe = FrontEnd(port, MTJArray(1, seed=seed), latency=1, rng=np.random.default_rng(seed))
        codes = np.full(500, code)
        pairs, _, _ = run_port(port, fe, codes, widths=dict(reset_width=1, write_width=1, settle=0))
        n, y = pairs.size, code / 256
        assert abs(pairs.mean() - y) < 4.5 * np.sqrt(y * (1 - y) / n)


def test_timeout_raises_error_instead_of_hanging():
    port = DevicePort()
    fe = FrontEnd(port, MTJArray(1, seed=3), latency=None)   # the comparator never answers
    pairs, lat, err = run_port(port, fe, [200, 10], widths=dict(reset_width=2, write_width=2,
                                                                settle=1, timeout=10))
    assert_array_equal(pairs, [[0, 0], [0, 0]])
    assert err.all()
    # each read gave up after exactly `timeout` cycles
    assert (lat == 2 * (2 + 2 + 1 + 10 + 1) + 1).all()


def test_error_is_sticky_until_cleared():
    port = DevicePort()
    seen = {}

    async def tb(ctx):
        ctx.set(port.timeout, 3)
        ctx.set(port.mtj.rsp.ready, 1)
        ctx.set(port.mtj.req.valid, 1)
        await ctx.tick().until(port.mtj.rsp.valid)
        ctx.set(port.mtj.req.valid, 0)
        await ctx.tick().repeat(5)
        seen["held"] = ctx.get(port.error)
        ctx.set(port.clear_error, 1)
        await ctx.tick()
        ctx.set(port.clear_error, 0)
        seen["cleared"] = ctx.get(port.error)

    sim = Simulator(port)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    assert seen == {"held": 1, "cleared": 0}


@pytest.mark.parametrize("offset", [-1024, 37, 1023])
def test_dac_offset_adds_and_saturates(offset):
    port = DevicePort()
    codes = [0, 128, 255]
    fe = FrontEnd(port, MTJArray(1, seed=5), latency=0)
    run_port(port, fe, codes, offset=offset, widths=dict(reset_width=1, write_width=1, settle=0))
    want = np.clip(port.dac.table(8)[codes] + offset, 0, port.dac.max_code)
    assert_array_equal(fe.dac_codes, np.repeat(want, 2))
