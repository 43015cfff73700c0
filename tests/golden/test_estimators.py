"""Unbiasedness of the p-GAF estimators, by exact binomial tail tests on the pair counts.

Every estimate here is ``scale * N10 / (N/2)`` with ``N10`` a count of (1, 0) pairs, so the
total count over ``n`` estimates is exactly ``Binomial(n * N/2, q)`` with ``q = f'(x) / scale``
if (and only if, for the mean) the estimator is unbiased.  Each point is accepted when
neither binomial tail of the observed count is below ``TAIL = P(Z > 5)`` (a 5 sigma bound,
exact even where q is tiny and the normal approximation fails, e.g. tanh' at |x| = 6).
Bonferroni: 99 such comparisons in this file, so a correct estimator fails one of
them, under any seed, with probability below 99 * 2 * 2.9e-7 < 1e-4.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.stats import binom, norm

from pgaf.golden.device import sigmoid
from pgaf.golden.errors import UserError
from pgaf.golden.estimators import (ACTIVATIONS, LEAKY_SLOPE, derivative, derivative_estimate,
                                    leaky_pair_probability, p1, p10, pair_gate)

TAIL = norm.sf(5.0)
GRID = np.linspace(-6.0, 6.0, 13)  # includes x = 0
N_EST = 100_000  # estimates per grid point
SCALE = {"sigmoid": 1.0, "tanh": 4.0, "leaky-relu": 1.0}


def binomial_consistent(count, trials, q) -> bool:
    """True when neither tail of Binomial(trials, q) at ``count`` is below TAIL."""
    return min(binom.cdf(count, trials, q), binom.sf(count - 1, trials, q)) > TAIL


def pair_counts(est, scale, pairs):
    """Recover the per-column total N10 from estimates, checking they lie on the count lattice."""
    k = est / scale * pairs
    assert np.abs(k - np.round(k)).max() < 1e-9  # float rounding of j / pairs only
    return np.round(k).sum(axis=0).astype(np.int64)


@pytest.mark.parametrize("n_samples", [2, 8, 200])
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_derivative_estimate_is_unbiased(act, n_samples):
    rng = np.random.default_rng(2026 + n_samples)
    x = np.broadcast_to(GRID, (N_EST, GRID.size))
    est = derivative_estimate(act, x, rng, n_samples)
    assert est.shape == x.shape and est.dtype == np.float64
    pairs = n_samples // 2
    target = derivative(act, GRID)
    if act == "leaky-relu":
        positive = GRID > 0
        assert_array_equal(est[:, positive], 1.0)  # no sampling for x > 0
        assert target[GRID == 0] == LEAKY_SLOPE    # the rule's convention at x = 0
        counts = pair_counts(est[:, ~positive], 1.0, pairs)
        targets = target[~positive]
    else:
        counts = pair_counts(est, SCALE[act], pairs)
        targets = target / SCALE[act]
    for xv, c, q in zip(GRID, counts, targets):
        assert binomial_consistent(c, N_EST * pairs, q), (
            f"{act} N={n_samples} x={xv}: mean {c / (N_EST * pairs) * SCALE[act]:.6f} "
            f"vs f'(x) {q * SCALE[act]:.6f}")


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("n_samples", [2, 8])
def test_estimate_variance_is_that_of_n_over_2_pairs(act, n_samples):
    # Var = scale^2 q(1-q) / (N/2): catches an estimator with the right mean but the wrong
    # number of independent pairs (e.g. one pair rescaled).  The sample variance's relative
    # standard error here is < 1 %, so 10 % is a loose bound that still rejects factors of 2.
    rng = np.random.default_rng(7)
    x = np.full((N_EST, 3), [-1.0, -0.3, 0.5])
    est = derivative_estimate(act, x, rng, n_samples)
    q = derivative(act, x[0]) / SCALE[act]
    if act == "leaky-relu":
        q = np.where(x[0] > 0, 0.0, LEAKY_SLOPE)
    expected = SCALE[act] ** 2 * q * (1 - q) / (n_samples // 2)
    np.testing.assert_allclose(est.var(axis=0), expected, rtol=0.10)


def test_the_binomial_check_has_power():
    # The sigmoid gate is not an estimate of tanh'/4: the check must say so.
    rng = np.random.default_rng(3)
    est = derivative_estimate("sigmoid", np.broadcast_to(GRID, (N_EST, GRID.size)), rng)
    counts = pair_counts(est, 1.0, 1)
    wrong = derivative("tanh", GRID) / 4
    assert sum(not binomial_consistent(c, N_EST, q) for c, q in zip(counts, wrong)) >= 10


def test_sigmoid_two_samples_is_the_zero_one_gate():
    x = np.linspace(-3, 3, 1001)
    a = derivative_estimate("sigmoid", x, np.random.default_rng(5), 2)
    g = pair_gate(sigmoid(x), np.random.default_rng(5))
    assert g.dtype == np.uint8
    assert_array_equal(a, g.astype(np.float64))
    assert set(np.unique(a)) <= {0.0, 1.0}


def test_pair_gate_is_b1_and_not_b2():
    # Probability 1 gives (1, 1) and 0 gives (0, 0): never a (1, 0) pair.
    rng = np.random.default_rng(0)
    assert not pair_gate(np.ones(1000), rng).any()
    assert not pair_gate(np.zeros(1000), rng).any()


def test_same_seed_same_estimates():
    x = np.random.default_rng(1).normal(size=(64, 32))
    for act in ACTIVATIONS:
        a = derivative_estimate(act, x, np.random.default_rng(9), 4)
        b = derivative_estimate(act, x, np.random.default_rng(9), 4)
        assert_array_equal(a, b)


def test_leaky_pair_probability_solves_p_one_minus_p():
    p = leaky_pair_probability(LEAKY_SLOPE)
    assert p < 0.5
    np.testing.assert_allclose(p * (1 - p), LEAKY_SLOPE, rtol=1e-12)
    assert leaky_pair_probability(0.0) == 0.0
    with pytest.raises(UserError):
        leaky_pair_probability(0.3)


def test_p1_p10_count_as_fig3a():
    # Fig. 3A's reading: non-overlapping pairs only; (1,0) counts, (0,1) and (1,1) do not.
    bits = np.array([1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1], dtype=np.uint8)  # trailing 1 is unpaired
    assert p1(bits) == pytest.approx(6 / 11)
    assert p10(bits) == pytest.approx(2 / 5)
    # Overlapping pairs would find (1, 0) at (b1, b2) and (b3, b4); non-overlapping ones find none.
    assert p10(np.array([0, 1, 0, 1, 0, 1], dtype=np.uint8)) == 0.0
    assert_array_equal(p10(np.array([[1, 0], [0, 1]]), axis=1), [1.0, 0.0])


@pytest.mark.parametrize("bad", [0, 1, 3, 7, -2, 2.5, True])
def test_bad_sample_counts_are_one_line_user_errors(bad):
    with pytest.raises(UserError) as e:
        derivative_estimate("sigmoid", np.zeros(3), np.random.default_rng(0), bad)
    assert "\n" not in str(e.value) and "even" in str(e.value)


def test_unknown_activation_is_a_one_line_user_error():
    with pytest.raises(UserError, match="relu6") as e:
        derivative_estimate("relu6", np.zeros(3), np.random.default_rng(0))
    assert "\n" not in str(e.value)
