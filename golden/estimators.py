"""Sampling estimators of an activation's derivative: the p-GAF of each neuron.

Counting estimators (Fig. 3A)
-----------------------------
From ``N`` samples ``b[0..N-1]`` of one device at one current, :func:`p1` is
``N1 / N`` (unbiased for P(1)) and :func:`p10` is ``2 N10 / N``, where ``N10``
counts the (1, 0) pairs among the NON-overlapping pairs (b[0], b[1]), (b[2], b[3]), …:
the fraction of pairs that are (1, 0), unbiased for ``P(1)(1 − P(1))`` because the two
samples of a pair are independent.  (An odd trailing sample belongs to no pair and is
ignored, so ``p10`` uses ``N // 2`` pairs.)

Per-neuron estimates (what the trainer calls)
---------------------------------------------
Neurons are addressed by their pre-activation ``x``; the device is written at the
current :func:`~pgaf.golden.device.current_for` that makes P = σ(x) (ideal devices:
the non-idealities live in :class:`~pgaf.golden.device.MTJArray`).

- **sigmoid**: pairs drawn at ``p = σ(x)``; the estimate is ``2 N10 / N`` over ``N/2``
  pairs, with mean σ(x)(1 − σ(x)) = σ'(x).  For ``N = 2`` it is the 0/1 gate of
  :func:`pair_gate` (two uniforms per element).  For ``N > 2``, ``N10`` is drawn directly
  as ``Binomial(N/2, p(1 − p))``: the count of (1, 0) pairs among ``N/2`` independent pairs
  has exactly that distribution, so this is the same estimator without materialising
  the bits.
- **tanh**: ``4 ×`` the sigmoid estimate at ``σ(2x)`` (device pulsed at ``2I − a``, see
  :mod:`pgaf.golden.device`): mean ``4σ(2x)(1 − σ(2x)) = 1 − tanh²(x) = tanh'(x)``.
- **leaky-relu** (slope α = :data:`LEAKY_SLOPE` for x ≤ 0): see below.

Leaky-ReLU rule (derived here; the paper's Note S1 is not available)
--------------------------------------------------------------------
``f(x) = x`` for x > 0, ``αx`` for x ≤ 0, so ``f'(x) = 1`` for x > 0 and ``α`` for x < 0.
The rule:

    x > 0:  estimate = 1, no sample drawn (the sign bit of the accumulator passes the error);
    x ≤ 0:  estimate = 2 N10 / N from pairs written at the CONSTANT current I_α where
            P(I_α)(1 − P(I_α)) = α, i.e. P(I_α) = p_α = (1 − √(1 − 4α)) / 2.

Derivation: a pair at probability ``p`` is (1, 0) with probability ``p(1 − p)``, which
takes every value in ``[0, 1/4]``; solving ``p(1 − p) = α`` (needs α ≤ 1/4) gives the two
roots ``p_α`` and ``1 − p_α``; the lower one is taken because it needs the lower write
current, ``I_α = a + logit(p_α) / k`` (for α = 0.01: p_α ≈ 0.01010, about 57 µA below a).
Hence ``E[estimate] = 1`` for x > 0 and ``p_α(1 − p_α) = α`` for x ≤ 0: unbiased for every x.
It uses the same pair latch, the same (1, 0) detector and the same ``2 N10 / N`` counter
as the sigmoid neuron; only the write current changes (a constant instead of a function
of x).  For ``N = 2`` the estimate is a 0/1 gate, so, like the sigmoid p-GAF, passing the
error costs no multiplication and a neuron with x ≤ 0 is skipped with probability 1 − α.

At ``x = 0``, where f has no derivative, the rule takes the left branch: ``f'(0) := α``
(any value in ``[α, 1]`` is a subgradient; α is what PyTorch's LeakyReLU backward uses).
For plain ReLU (α = 0), ``p_α = 0``: the estimate is the exact ``[x > 0]`` and nothing is
sampled — ReLU's derivative is already multiplication-free, so p-GAF adds nothing there.
"""

from __future__ import annotations

import numpy as np

from .device import sigmoid
from .errors import UserError

__all__ = ["LEAKY_SLOPE", "ACTIVATIONS", "p1", "p10", "pair_gate", "leaky_pair_probability",
           "derivative_estimate", "derivative"]

LEAKY_SLOPE = 0.01  # alpha used by the leaky-relu activation and its rule
ACTIVATIONS = ("sigmoid", "tanh", "leaky-relu")


def p1(bits, axis: int = -1) -> np.ndarray:
    """``N1 / N``: the fraction of ones along ``axis`` (unbiased estimate of P(1))."""
    b = np.asarray(bits)
    if b.shape[axis] == 0:
        raise UserError("p1 needs at least one sample")
    return np.mean(b != 0, axis=axis)


def p10(bits, axis: int = -1) -> np.ndarray:
    """``2 N10 / N`` over the non-overlapping pairs (b0, b1), (b2, b3), … along ``axis``.

    Unbiased for ``P(1)(1 − P(1))``.  A trailing unpaired sample (odd N) is ignored.
    """
    b = np.moveaxis(np.asarray(bits) != 0, axis, -1)
    pairs = b.shape[-1] // 2
    if pairs == 0:
        raise UserError("p10 needs at least two samples (one pair)")
    first, second = b[..., 0:2 * pairs:2], b[..., 1:2 * pairs:2]
    return np.mean(first & ~second, axis=-1)


def pair_gate(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 array, 1 where the pair (b1, b2) drawn at probability p is (1, 0)."""
    p = np.asarray(p, dtype=np.float64)
    b1 = rng.random(p.shape) < p
    b2 = rng.random(p.shape) < p
    return (b1 & ~b2).astype(np.uint8)


def leaky_pair_probability(slope: float = LEAKY_SLOPE) -> float:
    """``p_α = (1 − √(1 − 4α)) / 2``: the lower probability whose pair gives (1, 0) with probability α."""
    if not 0.0 <= slope <= 0.25:
        raise UserError(f"leaky-ReLU slope {slope} cannot be sampled by a pair; use 0..0.25")
    return 0.5 * (1.0 - np.sqrt(1.0 - 4.0 * slope))


def _pair_fraction(p: np.ndarray, rng: np.random.Generator, n_samples: int) -> np.ndarray:
    """``2 N10 / N`` over ``N/2`` pairs drawn at ``p`` (float, shaped like p)."""
    if n_samples == 2:
        return pair_gate(p, rng).astype(np.float64)
    pairs = n_samples // 2
    return rng.binomial(pairs, p * (1.0 - p)) / pairs


def derivative_estimate(act: str, x: np.ndarray, rng: np.random.Generator, n_samples: int = 2) -> np.ndarray:
    """Unbiased estimate of f'(x) from ``n_samples`` MTJ samples per element.

    For sigmoid and ``n_samples=2`` it is the 0/1 gate.  For N samples it is
    ``2 N10 / N`` over N/2 pairs at σ(x); tanh is 4 × that at σ(2x); leaky-relu is the
    rule of the module docstring (1 for x > 0, pairs at the constant p_α otherwise).

    Parameters
    ----------
    act : {"sigmoid", "tanh", "leaky-relu"}
        Hidden activation.
    x : numpy.ndarray
        Pre-activations.
    rng : numpy.random.Generator
        Source of the samples.
    n_samples : int
        MTJ samples per element (``n_samples // 2`` pairs).  For ``N > 2`` the pair count
        ``N10`` is drawn as ``Binomial(N/2, p(1 − p))``, the same distribution as counting
        ``N/2`` independent pairs.  leaky-relu draws (and counts) samples for every element
        although hardware samples only the neurons with x ≤ 0.

    Returns
    -------
    numpy.ndarray
        float64, shaped like ``x``; mean ``f'(x)`` (``f'(0) = α`` for leaky-relu).

    Raises
    ------
    UserError
        Unknown activation, or ``n_samples`` odd or below 2.
    """
    if act not in ACTIVATIONS:
        raise UserError(f"unknown activation {act!r} for the derivative estimate; "
                        f"use one of {', '.join(ACTIVATIONS)}")
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 2 or n_samples % 2:
        raise UserError(f"n_samples={n_samples!r} must be an even integer >= 2 "
                        f"(samples come in pairs)")
    n_samples = int(n_samples)
    x = np.asarray(x, dtype=np.float64)
    if act == "sigmoid":
        return _pair_fraction(sigmoid(x), rng, n_samples)
    if act == "tanh":
        return 4.0 * _pair_fraction(sigmoid(2.0 * x), rng, n_samples)
    negative = _pair_fraction(np.full(x.shape, leaky_pair_probability(LEAKY_SLOPE)), rng, n_samples)
    return np.where(x > 0, 1.0, negative)


def derivative(act: str, x) -> np.ndarray:
    """The exact ``f'(x)`` the estimates are unbiased for (``f'(0) = α`` for leaky-relu)."""
    x = np.asarray(x, dtype=np.float64)
    if act == "sigmoid":
        s = sigmoid(x)
        return s * (1.0 - s)
    if act == "tanh":
        return 1.0 - np.tanh(x) ** 2
    if act == "leaky-relu":
        return np.where(x > 0, 1.0, LEAKY_SLOPE)
    raise UserError(f"unknown activation {act!r}; use one of {', '.join(ACTIVATIONS)}")
