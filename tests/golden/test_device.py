"""The MTJ device model: the Fig. 2E fit, the current mapping, the sampler and its non-idealities.

Statistical checks use exact binomial tails at the 5 sigma level (``P(Z > 5)`` per tail);
with about 120 comparisons in this file (Bonferroni) a correct sampler fails one with
probability below 1e-4 under any seed.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import binom, norm

from pgaf.golden.device import (A_UA, FIG2E_CURRENTS_UA, FIG2E_PROBABILITIES, K_PER_UA, MTJArray,
                                bipolar, bipolar_mean, current_for, fit_switching_curve, sigmoid,
                                switching_probability, tanh_current)
from pgaf.golden.errors import UserError
from pgaf.golden.estimators import p1, p10

TAIL = norm.sf(5.0)
CURRENTS = np.linspace(440.0, 530.0, 13)  # the measured range of Fig. 2E and a margin


def binomial_consistent(count, trials, q) -> bool:
    return min(binom.cdf(count, trials, q), binom.sf(count - 1, trials, q)) > TAIL


def test_fit_reproduces_fig2e_within_one_point():
    p = switching_probability(FIG2E_CURRENTS_UA)
    assert np.abs(p - np.array(FIG2E_PROBABILITIES)).max() < 0.01, p
    assert 470 < A_UA < 495 and 0.02 < K_PER_UA < 0.3


def test_logit_least_squares_agrees_with_the_likelihood_fit():
    a, k = fit_switching_curve(FIG2E_CURRENTS_UA, FIG2E_PROBABILITIES, method="logit")
    assert abs(a - A_UA) < 0.5 and abs(k / K_PER_UA - 1) < 0.01


@pytest.mark.parametrize("method", ["mle", "logit"])
def test_fit_recovers_an_exact_curve(method):
    i = np.array([450.0, 470.0, 490.0, 510.0])
    a, k = fit_switching_curve(i, sigmoid(0.1 * (i - 480.0)), method=method)
    assert_allclose([a, k], [480.0, 0.1], rtol=1e-9)


@pytest.mark.parametrize("probs", [(0.0, 0.5, 0.9), (0.2, 0.5, 1.0), (0.8, 0.5, 0.2)])
def test_fit_rejects_impossible_points(probs):
    with pytest.raises(UserError):
        fit_switching_curve(FIG2E_CURRENTS_UA, probs)


def test_current_mapping_gives_sigmoid_and_tanh():
    x = np.linspace(-8, 8, 33)
    assert_allclose(switching_probability(current_for(x)), sigmoid(x), rtol=1e-12, atol=1e-15)
    assert_allclose(tanh_current(x), 2 * current_for(x) - A_UA)
    # Bipolar mean at I is tanh(k(I - a)/2); at 2I - a it is the paper's tanh(k(I - a)) = tanh(x).
    assert_allclose(bipolar_mean(current_for(x)), np.tanh(x / 2), atol=1e-12)
    assert_allclose(bipolar_mean(tanh_current(x)), np.tanh(x), atol=1e-12)
    assert_allclose(2 * switching_probability(CURRENTS) - 1, bipolar_mean(CURRENTS), atol=1e-12)


def test_sampler_p1_and_p10_match_p_and_p_one_minus_p():
    n = 100_000
    dev = MTJArray(CURRENTS.size, seed=11)
    bits = dev.sample(CURRENTS, n)
    assert bits.dtype == np.uint8 and bits.shape == (CURRENTS.size, n)
    p = switching_probability(CURRENTS)
    for i, q in enumerate(p):
        assert binomial_consistent(round(p1(bits[i]) * n), n, q), (CURRENTS[i], p1(bits[i]), q)
        assert binomial_consistent(round(p10(bits[i]) * n / 2), n // 2, q * (1 - q)), (
            CURRENTS[i], p10(bits[i]), q * (1 - q))


def test_tanh_neuron_value_and_derivative_from_samples_at_2i_minus_a():
    n = 100_000
    x = np.linspace(-3, 3, 13)
    bits = MTJArray(x.size, seed=12).sample(tanh_current(x), n)
    s = bipolar(bits)
    assert s.dtype == np.int8 and set(np.unique(s)) <= {-1, 1}
    for i, xv in enumerate(x):
        ones = int(bits[i].sum())
        assert binomial_consistent(ones, n, (1 + np.tanh(xv)) / 2)  # E[2b - 1] = tanh(x)
        assert binomial_consistent(round(p10(bits[i]) * n / 2), n // 2, (1 - np.tanh(xv) ** 2) / 4)


def test_same_seed_same_bits_and_different_seed_different_bits():
    kw = dict(a_spread=0.02, k_spread=0.05, drift=0.01, stuck_at_0=0.1, stuck_at_1=0.1)
    a = MTJArray(20, seed=5, **kw).sample(A_UA, 500)
    b = MTJArray(20, seed=5, **kw).sample(A_UA, 500)
    c = MTJArray(20, seed=6, **kw).sample(A_UA, 500)
    assert_array_equal(a, b)
    assert (a != c).any()


def test_stream_does_not_depend_on_chunking():
    one = MTJArray(7, drift=0.05, seed=3)
    two = MTJArray(7, drift=0.05, seed=3)
    assert_array_equal(one.sample(480.0, 300),
                       np.concatenate([two.sample(480.0, 100), two.sample(480.0, 200)], axis=1))
    assert one.samples_drawn == two.samples_drawn == 300


def test_stuck_at_faults():
    codes = np.array([-1, 0, 1, -1, 1, 0], dtype=np.int8)
    faulty = MTJArray(6, stuck=codes, seed=4)
    healthy = MTJArray(6, seed=4)
    bf = faulty.sample(np.full(6, 600.0), 1000)   # far above a: a healthy device reads ~all 1
    bh = healthy.sample(np.full(6, 600.0), 1000)
    assert not bf[codes == 0].any()
    assert bf[codes == 1].all()
    assert_array_equal(bf[codes == -1], bh[codes == -1])  # faults leave healthy streams alone
    assert not faulty.sample(300.0, 100)[codes == -1].any()  # far below a: ~all 0 ...
    assert faulty.sample(300.0, 100)[codes == 1].all()       # ... but stuck-at-1 still reads 1


def test_fault_fractions_are_exact_and_disjoint():
    dev = MTJArray(1000, stuck_at_0=0.05, stuck_at_1=0.02, seed=8)
    assert (dev.stuck == 0).sum() == 50 and (dev.stuck == 1).sum() == 20
    bits = dev.sample(A_UA, 64)
    assert not bits[dev.stuck == 0].any() and bits[dev.stuck == 1].all()
    # The fault map comes from its own seed stream: spread does not move it.
    assert_array_equal(MTJArray(1000, stuck_at_0=0.05, stuck_at_1=0.02, a_spread=0.1, seed=8).stuck,
                       dev.stuck)


def test_device_spread_statistics():
    n = 20_000
    dev = MTJArray(n, a_spread=0.02, k_spread=0.1, seed=9)
    ra, rk = dev.a / A_UA - 1, dev.k / K_PER_UA - 1
    # Standard error of a sample standard deviation is sigma / sqrt(2n); 5 of them.
    assert abs(ra.std() - 0.02) < 5 * 0.02 / np.sqrt(2 * n)
    assert abs(rk.std() - 0.1) < 5 * 0.1 / np.sqrt(2 * n)
    assert abs(ra.mean()) < 5 * 0.02 / np.sqrt(n)
    assert (MTJArray(n, k_spread=0.5, seed=10).k > 0).all()  # truncated at k > 0


def test_each_device_samples_its_own_curve():
    n = 20_000
    dev = MTJArray(64, a_spread=0.02, k_spread=0.1, seed=13)
    p = dev.probability(A_UA)
    assert p.std() > 0.05  # the spread really moves P at the nominal 50 % current
    ones = dev.sample(A_UA, n).sum(axis=1)
    for c, q in zip(ones, p):
        assert binomial_consistent(int(c), n, q)


def test_linear_drift_moves_the_curve():
    devices, n, drift = 4000, 200, 0.1   # 20 µA of drift over the run
    dev = MTJArray(devices, drift=drift, seed=14)
    bits = dev.sample(A_UA, n)
    t = np.arange(n)
    p = dev.probability(A_UA, t)
    assert_allclose(p[0], switching_probability(A_UA - drift * t))
    for window in (slice(0, 10), slice(190, 200)):
        # Identical devices, independent samples: the window's count has mean sum(p) and
        # variance sum(p(1-p)) (Poisson binomial); 5 sigma, normal approximation (counts > 1000).
        pw = p[:, window]
        count = bits[:, window].sum()
        assert abs(count - pw.sum()) < 5 * np.sqrt((pw * (1 - pw)).sum()), (window, count, pw.sum())
    assert bits[:, :10].mean() - bits[:, -10:].mean() > 0.3


@pytest.mark.parametrize("kwargs", [dict(n_devices=0), dict(a_spread=-0.1), dict(k_spread=0.9),
                                    dict(stuck_at_0=0.7, stuck_at_1=0.5), dict(k=0.0),
                                    dict(n_devices=3, stuck=[0, 1]),
                                    dict(n_devices=2, stuck=[0, 2]),
                                    dict(n_devices=2, stuck=[0, 1], stuck_at_0=0.5)])
def test_bad_device_options_are_one_line_user_errors(kwargs):
    with pytest.raises(UserError) as e:
        MTJArray(**kwargs)
    assert "\n" not in str(e.value)


def test_wrong_current_shape_is_a_user_error():
    with pytest.raises(UserError, match="3 devices"):
        MTJArray(3).sample(np.ones(4) * 480, 10)
