"""The RTL MTJ emulator against the golden sampler, bit for bit."""

import numpy as np
import pytest
from amaranth.hdl import Fragment
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.golden.config import NetConfig
from pgaf.golden.mtj_emulator import MTJEmulator as GoldenEmulator
from pgaf.rtl.mtj_emulator import Fault, MTJEmulator
from pgaf.rtl.mtj_interface import MTJSignature

_FAULT_NAMES = {Fault.NONE: None, Fault.STUCK_0: "stuck-0", Fault.STUCK_1: "stuck-1"}


def run_emulator(dut, codes, faults, *, stall_rng=None):
    """Request a pair for each code (with the given fault); return the (n, 2) bits.

    With ``stall_rng`` the request valid and response ready are toggled at random to
    exercise back-pressure; the sequence of pairs must not change.
    """
    out = []

    async def producer(ctx):
        for p, f in zip(codes, faults):
            while stall_rng is not None and stall_rng.random() < 0.3:
                ctx.set(dut.mtj.req.valid, 0)
                await ctx.tick()
            ctx.set(dut.mtj.req.payload, int(p))
            ctx.set(dut.fault, f)
            ctx.set(dut.mtj.req.valid, 1)
            await ctx.tick().until(dut.mtj.req.ready)
        ctx.set(dut.mtj.req.valid, 0)

    async def consumer(ctx):
        while len(out) < len(codes):
            ready = stall_rng is None or stall_rng.random() >= 0.3
            ctx.set(dut.mtj.rsp.ready, ready)
            _, _, valid, b1, b2 = await ctx.tick().sample(
                dut.mtj.rsp.valid, dut.mtj.rsp.payload.b1, dut.mtj.rsp.payload.b2)
            if valid and ready:
                out.append((b1, b2))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def golden_pairs(seed, a_frac, codes, faults):
    em = GoldenEmulator(seed, a_frac)
    out = []
    for p, f in zip(codes, faults):
        em.fault = _FAULT_NAMES[f]
        out.append(em.sample_pair(int(p)))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


@pytest.mark.parametrize("seed,a_frac", [(1, 8), (20261204, 8), (7, 12)])
def test_bits_match_golden_at_random_codes(seed, a_frac):
    rng = np.random.default_rng(seed)
    n = 3000
    codes = rng.integers(0, 1 << a_frac, n)
    faults = [Fault.NONE] * n
    got = run_emulator(MTJEmulator(seed=seed, a_frac=a_frac), codes, faults)
    want = golden_pairs(seed, a_frac, codes, faults)
    assert_array_equal(got, want)
    # not a degenerate stream: both values occur in both samples
    assert 0 < got.sum() < 2 * n


def test_faults_force_bits_while_streams_advance():
    seed, a_frac, n = 5, 8, 2000
    rng = np.random.default_rng(99)
    codes = rng.integers(0, 256, n)
    # blocks of NONE / STUCK_0 / STUCK_1 in random order, so the streams must keep advancing
    kinds = [Fault.NONE, Fault.STUCK_0, Fault.STUCK_1]
    faults = [kinds[k] for k in np.repeat(rng.integers(0, 3, n // 50), 50)]
    got = run_emulator(MTJEmulator(seed=seed, a_frac=a_frac), codes, faults)
    want = golden_pairs(seed, a_frac, codes, faults)
    assert_array_equal(got, want)
    stuck1 = np.array([f == Fault.STUCK_1 for f in faults])
    stuck0 = np.array([f == Fault.STUCK_0 for f in faults])
    assert stuck1.any() and stuck0.any()
    assert (got[stuck1] == 1).all() and (got[stuck0] == 0).all()


def test_backpressure_does_not_change_the_sequence():
    seed, n = 3, 500
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 256, n)
    faults = [Fault.NONE] * n
    got = run_emulator(MTJEmulator(seed=seed), codes, faults, stall_rng=np.random.default_rng(8))
    assert_array_equal(got, golden_pairs(seed, 8, codes, faults))


def test_latency_is_one_cycle():
    dut = MTJEmulator(seed=1)
    seen = {}

    async def tb(ctx):
        ctx.set(dut.mtj.rsp.ready, 1)
        ctx.set(dut.mtj.req.payload, 128)
        ctx.set(dut.mtj.req.valid, 1)
        assert ctx.get(dut.mtj.req.ready)
        await ctx.tick()
        ctx.set(dut.mtj.req.valid, 0)
        seen["valid_after_1"] = ctx.get(dut.mtj.rsp.valid)
        await ctx.tick()
        seen["valid_after_2"] = ctx.get(dut.mtj.rsp.valid)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    assert seen == {"valid_after_1": 1, "valid_after_2": 0}


def test_from_config_and_signature():
    cfg = NetConfig(shape="2-2-1", seed=42)
    dut = MTJEmulator.from_config(cfg)
    assert dut.seed == 42 and dut.a_frac == cfg.fixed.a_frac
    assert dut.signature.members["mtj"].signature == MTJSignature(cfg.fixed.a_frac)
    Fragment.get(dut, None)  # elaborates without a platform
