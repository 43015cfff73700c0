"""The RTL health test against its golden reference, and its behaviour on good and bad sources."""

import math

import numpy as np
import pytest
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.golden.errors import UserError
from pgaf.golden.health import apt_cutoffs, health_cutoffs, health_flags, rct_cutoff
from pgaf.golden.mtj_emulator import MTJEmulator
from pgaf.rtl.health_test import HealthTest


def run_health(dut, bits, *, gaps_rng=None):
    """Feed ``bits`` (``dut.width`` per beat); return the alarms after each sample."""
    w = dut.width
    beats = np.asarray(bits).reshape(-1, w)
    rct, apt = [], []

    async def tb(ctx):
        ctx.set(dut.clear, 1)
        await ctx.tick()
        ctx.set(dut.clear, 0)
        for beat in beats:
            while gaps_rng is not None and gaps_rng.random() < 0.2:
                ctx.set(dut.sample.valid, 0)
                await ctx.tick()
            ctx.set(dut.sample.payload, int(beat[0]) | (int(beat[-1]) << 1 if w == 2 else 0))
            ctx.set(dut.sample.valid, 1)
            await ctx.tick()
            r, a = ctx.get(dut.rct_alarm), ctx.get(dut.apt_alarm)
            rct.extend([r] * w)
            apt.extend([a] * w)
        ctx.set(dut.sample.valid, 0)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    return np.array(rct, np.uint8), np.array(apt, np.uint8)


def golden_per_beat(bits, cut, w):
    """Golden alarms, seen per beat: the state after the beat's last sample."""
    r, a = health_flags(bits, cut)
    return np.repeat(r[w - 1::w], w), np.repeat(a[w - 1::w], w)


def emulator_bits(seed, code, n):
    em = MTJEmulator(seed)
    return np.array([em.sample_pair(code) for _ in range(n // 2)]).ravel()


def test_cutoffs_follow_the_derivation():
    # P = 1/2: H = 1 bit, so C = 1 + 20 for alpha = 2**-20 (SP 800-90B's binary-source example)
    assert rct_cutoff(0.5) == 21
    assert rct_cutoff(0.75) == 1 + math.ceil(20 / -math.log2(0.75))
    c0, c1 = apt_cutoffs(0.5)
    assert c0 == c1
    # SP 800-90B's own formula, C = 1 + CRITBINOM(W, 2**-H, 1 - alpha), in exact integer
    # arithmetic: for H = 1, W = 1024 it gives 589 (the standard's Table 2).  Our count
    # B = 1 + Binomial(1023, 1/2) is one draw fewer than the standard's Binomial(1024, 1/2),
    # so our cut-off sits within one of it.
    tail = lambda c: sum(math.comb(1024, i) for i in range(c, 1025)) / 2 ** 1024
    standard = 1 + next(k for k in range(1025) if tail(k + 1) <= 2.0 ** -20)
    assert standard == 589
    assert abs(c1 - standard) <= 1
    cut = health_cutoffs(64, 8)
    assert cut.apt1 < cut.apt0  # ones are rare at P = 1/4: fewer of them are needed to alarm
    assert cut.apt_false_alarm_per_window <= 2.0 ** -20
    assert cut.rct_false_alarm_per_sample <= 2.0 ** -20
    with pytest.raises(UserError):
        health_cutoffs(0, 8)


@pytest.mark.parametrize("width", [1, 2])
def test_bit_exact_with_golden_on_mixed_streams(width):
    """Small window so that many windows, resets of the run and both alarms are exercised."""
    rng = np.random.default_rng(width)
    cut_kw = dict(p_code=96, a_frac=8, window=64, width=width)
    for trial in range(3):
        n = 2400
        # healthy stretch, then a biased stretch, then a stuck stretch, lengths random
        a, b = sorted(rng.integers(200, n - 200, 2))
        bits = np.concatenate([rng.random(a) < 96 / 256, rng.random(b - a) < 0.8,
                               np.full(n - b, trial % 2)]).astype(np.int64)
        dut = HealthTest(**cut_kw)
        got = run_health(dut, bits, gaps_rng=np.random.default_rng(trial))
        want = golden_per_beat(bits, dut.cutoffs, width)
        assert_array_equal(got[0], want[0])
        assert_array_equal(got[1], want[1])
        assert want[0][-1] == 1 or want[1][-1] == 1  # the stretch at the end must have been caught


@pytest.mark.parametrize("code", [128, 64])
def test_quiet_on_a_healthy_stream(code):
    """20,480 emulator samples at the commanded P stay silent.

    False alarm probability of this check: RCT <= 20480 * 2**-20 ~ 2 %, APT <= 20 * 2**-20;
    the stream is seeded, so the outcome is fixed, and it must agree with the golden flags.
    """
    bits = emulator_bits(2026, code, 20480)
    dut = HealthTest(p_code=code, a_frac=8, width=2)
    rct, apt = run_health(dut, bits)
    want = golden_per_beat(bits, dut.cutoffs, 2)
    assert_array_equal(rct, want[0])
    assert_array_equal(apt, want[1])
    assert not rct.any() and not apt.any()


@pytest.mark.parametrize("stuck", [0, 1])
def test_fires_on_stuck_at(stuck):
    dut = HealthTest(p_code=128, a_frac=8, width=2)
    bits = np.concatenate([emulator_bits(1, 128, 300), np.full(100, stuck)])
    rct, _ = run_health(dut, bits)
    assert not rct[:300].any()
    # stuck from sample 300: the run reaches C = 21 within 21 samples (plus one beat of latency)
    assert rct[300 + dut.cutoffs.rct + 1:].all()


@pytest.mark.parametrize("true_code", [96, 160])
def test_apt_fires_when_p_strays(true_code):
    """Commanded P = 1/2, the device delivers 3/8 or 5/8: caught within a few windows, RCT silent."""
    dut = HealthTest(p_code=128, a_frac=8, width=2)
    bits = emulator_bits(11, true_code, 8192)
    rct, apt = run_health(dut, bits)
    assert apt[-1] == 1
    assert_array_equal(apt, golden_per_beat(bits, dut.cutoffs, 2)[1])
