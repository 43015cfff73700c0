"""The SOT-MTJ as a tunable Bernoulli source: P(I) = σ(k(I − a)), fitted to the paper.

Switching probability
---------------------
A current pulse ``I`` (µA) raises the free layer near the top of its energy barrier;
it relaxes to the high-resistance state (bit 1) with probability

    P(I) = σ(k (I − a)),    σ(z) = 1 / (1 + exp(−z)).

``a`` (µA) is the 50 % current and ``k`` (1/µA) the steepness.  :data:`A_UA` and
:data:`K_PER_UA` are fitted at import by :func:`fit_switching_curve` to the three
points of the paper's Fig. 2E (466 µA → 20.5 %, 482 µA → 47 %, 500 µA → 80 %) by
**binomial maximum likelihood** with the same (unknown) number of attempts at each
current, which then cancels out of the likelihood equations; the fit is solved by
Newton's method (iteratively reweighted least squares) started from the least-squares
line through the logits.  Result: a ≈ 483.10 µA, k ≈ 0.0807 /µA; the fitted curve
gives 20.1 %, 47.8 % and 79.6 % at the three currents.  (Out of sample, it gives
59.8 % at 488 µA where Fig. 3A counts 54 % in 200 trials, 1.7 binomial standard
errors away.)

Neuron pre-activation to write current
--------------------------------------
A neuron with pre-activation ``x`` is written with ``I = a + x / k``
(:func:`current_for`), so that ``P(I) = σ(x)``: one sample is a Bernoulli(σ(x))
draw, a pair drawn at ``I`` is (1, 0) with probability σ(x)(1 − σ(x)) = σ'(x).

Bipolar (tanh) representation
-----------------------------
Reading a sample ``b`` as ``s = 2b − 1 ∈ {−1, +1}`` (:func:`bipolar`) gives the mean

    E[s] = 2 P(I) − 1 = 2σ(k(I − a)) − 1 = tanh(k (I − a) / 2),

so at its own current the device's bipolar mean is a tanh of **half** the slope
(a tanh fit of Fig. 3D has slope k/2).  The paper's tanh activation
``tanh(k(I − a))`` is therefore the bipolar mean of the device pulsed at
``2I − a``, because ``tanh(k(I − a)) = 2σ(2k(I − a)) − 1 = 2P(2I − a) − 1``, and at
that same current a pair (1, −1) has probability ``P(2I − a)(1 − P(2I − a))``, with

    tanh'(k(I − a)) = k (1 − tanh²) = 4k σ(2k(I − a)) (1 − σ(2k(I − a))) = 4k P(1, −1)@(2I − a)

(the paper's Fig. 3E relation).  In pre-activation units: tanh(x) is the bipolar
mean at ``σ(2x)``, i.e. at the current :func:`tanh_current` ``= a + 2x / k``, and
``tanh'(x) = 4 P_pair(1, 0)`` there.

Non-idealities (all seeded)
---------------------------
:class:`MTJArray` models a row of devices written with currents computed from the
*nominal* ``a`` and ``k`` (the write circuit does not know each device):

- device-to-device spread: ``a_i = a (1 + a_spread ε)``, ``k_i = k (1 + k_spread ε')``
  with ε, ε' standard normal (``k_i`` is redrawn until positive: a truncated Gaussian);
- drift: the 50 % current moves **linearly** with the device's own sample count ``t``
  (samples it has drawn since construction), ``a_i(t) = a_i + drift · t`` µA.  A linear
  ramp is the worst case of the slow, monotonic threshold drift seen in MTJ-TRNGs
  (thermal and ageing), and its effect on P is deterministic, hence testable;
- stuck-at faults: a fixed set of devices always reads 0 (stuck-at-0, e.g. a shorted
  write path) or 1 (stuck-at-1, a pinned free layer), chosen by the seed.
"""

from __future__ import annotations

import numpy as np

from .errors import UserError

__all__ = ["FIG2E_CURRENTS_UA", "FIG2E_PROBABILITIES", "A_UA", "K_PER_UA",
           "sigmoid", "fit_switching_curve", "switching_probability", "current_for",
           "tanh_current", "bipolar", "bipolar_mean", "MTJArray"]

#: Write currents (µA) and measured switching probabilities of the paper's Fig. 2E.
FIG2E_CURRENTS_UA = (466.0, 482.0, 500.0)
FIG2E_PROBABILITIES = (0.205, 0.47, 0.80)


def sigmoid(z):
    """Logistic function, evaluated without overflow for large ``|z|``."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def fit_switching_curve(currents, probabilities, method: str = "mle") -> tuple[float, float]:
    """Fit ``P(I) = σ(k(I − a))`` to measured switching probabilities.

    Parameters
    ----------
    currents : array_like
        Write currents in µA.
    probabilities : array_like
        Measured probabilities of bit 1, each strictly between 0 and 1.
    method : {"mle", "logit"}
        ``"mle"``: binomial maximum likelihood with equal attempts per current
        (Newton's method on the log-likelihood).  ``"logit"``: ordinary least squares
        of ``logit(P)`` on ``I`` (the Newton start point).

    Returns
    -------
    a, k : float
        50 % current (µA) and slope (1/µA).

    Raises
    ------
    UserError
        Fewer than two points, a probability outside (0, 1), or a fit that does not converge.
    """
    x = np.asarray(currents, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    if x.shape != p.shape or x.ndim != 1 or x.size < 2:
        raise UserError("switching-curve fit needs two or more (current, probability) pairs "
                        "of equal length")
    if np.any(p <= 0) or np.any(p >= 1):
        raise UserError("switching-curve fit needs probabilities strictly between 0 and 1")
    if method not in ("mle", "logit"):
        raise UserError(f"unknown fit method {method!r}; use 'mle' or 'logit'")
    design = np.column_stack([x, np.ones_like(x)])
    theta = np.linalg.lstsq(design, np.log(p / (1 - p)), rcond=None)[0]
    if method == "mle":
        for _ in range(100):
            q = sigmoid(design @ theta)
            hess = design.T @ (design * (q * (1 - q))[:, None])
            step = np.linalg.solve(hess, design.T @ (p - q))
            theta = theta + step
            if np.max(np.abs(step / theta)) < 1e-13:
                break
        else:
            raise UserError("switching-curve fit did not converge; check the measured points")
    k = float(theta[0])
    if k <= 0:
        raise UserError("switching-curve fit gives a non-increasing P(I); check the measured points")
    return -float(theta[1]) / k, k


A_UA, K_PER_UA = fit_switching_curve(FIG2E_CURRENTS_UA, FIG2E_PROBABILITIES)


def switching_probability(current, a: float = A_UA, k: float = K_PER_UA):
    """``P(I) = σ(k(I − a))`` for a current ``I`` in µA."""
    return sigmoid(k * (np.asarray(current, dtype=np.float64) - a))


def current_for(x, a: float = A_UA, k: float = K_PER_UA):
    """Write current (µA) whose switching probability is ``σ(x)``: ``a + x / k``."""
    return a + np.asarray(x, dtype=np.float64) / k


def tanh_current(x, a: float = A_UA, k: float = K_PER_UA):
    """Write current for the tanh neuron: ``2 I − a = a + 2x / k``, where ``P = σ(2x)``.

    The bipolar mean there is ``tanh(x)`` and the (1, −1) pair probability is ``tanh'(x) / 4``.
    """
    return 2.0 * current_for(x, a, k) - a


def bipolar(bits) -> np.ndarray:
    """Bipolar reading ``2b − 1`` (int8, ±1) of a bit stream."""
    return 2 * np.asarray(bits).astype(np.int8) - 1


def bipolar_mean(current, a: float = A_UA, k: float = K_PER_UA):
    """Mean of the bipolar reading at current ``I``: ``2P(I) − 1 = tanh(k(I − a)/2)``."""
    return np.tanh(0.5 * k * (np.asarray(current, dtype=np.float64) - a))


class MTJArray:
    """A row of SOT-MTJs sampled as Bernoulli bit streams, with optional non-idealities.

    Parameters
    ----------
    n_devices : int
        Number of devices (>= 1).
    a, k : float
        Nominal 50 % current (µA) and slope (1/µA); default the Fig. 2E fit.
    a_spread, k_spread : float
        Relative standard deviation of the device-to-device spread of ``a`` and ``k``
        (Gaussian; 0 = identical devices), each in ``[0, 0.5]``.
    drift : float
        Linear drift of every device's ``a`` in µA per sample drawn by that device.
    stuck_at_0, stuck_at_1 : float
        Fractions of devices stuck at 0 / at 1 (exactly ``round(f * n_devices)`` each,
        disjoint, chosen by the seed).
    stuck : array_like of int, optional
        Explicit per-device faults instead of fractions: -1 healthy, 0 stuck-at-0,
        1 stuck-at-1.
    seed : int
        Seeds the spread, the fault map and the samples through independent child
        streams of ``numpy.random.SeedSequence(seed)``, so turning the spread on or off
        leaves the fault map and the sample stream unchanged.

    Attributes
    ----------
    a, k : numpy.ndarray
        Per-device parameters, shape ``(n_devices,)``.
    stuck : numpy.ndarray
        Per-device fault code (int8): -1 healthy, 0 or 1 stuck.
    samples_drawn : int
        Samples each device has drawn so far (the drift clock).

    Notes
    -----
    The uniform variates are drawn time-major, so two calls ``sample(I, m)`` and
    ``sample(I, n)`` give exactly the bits of one call ``sample(I, m + n)`` (at a
    constant current): the stream does not depend on how it is chunked.
    """

    def __init__(self, n_devices: int = 1, *, a: float = A_UA, k: float = K_PER_UA,
                 a_spread: float = 0.0, k_spread: float = 0.0, drift: float = 0.0,
                 stuck_at_0: float = 0.0, stuck_at_1: float = 0.0, stuck=None, seed: int = 0):
        n = int(n_devices)
        if n < 1:
            raise UserError(f"MTJArray needs n_devices >= 1, got {n_devices}")
        if not k > 0:
            raise UserError(f"MTJ slope k={k} must be positive (1/µA)")
        for name, v in (("a_spread", a_spread), ("k_spread", k_spread)):
            if not 0.0 <= v <= 0.5:
                raise UserError(f"MTJ {name}={v} is out of range; use a relative sigma in 0..0.5")
        for name, v in (("stuck_at_0", stuck_at_0), ("stuck_at_1", stuck_at_1)):
            if not 0.0 <= v <= 1.0:
                raise UserError(f"MTJ {name}={v} is out of range; use a fraction in 0..1")
        if stuck_at_0 + stuck_at_1 > 1.0:
            raise UserError("MTJ stuck_at_0 + stuck_at_1 exceeds 1; lower the fault fractions")
        ss_spread, ss_fault, ss_sample = np.random.SeedSequence(int(seed)).spawn(3)

        spread_rng = np.random.default_rng(ss_spread)
        self.a = float(a) * (1.0 + a_spread * spread_rng.standard_normal(n))
        rel_k = 1.0 + k_spread * spread_rng.standard_normal(n)
        while np.any(rel_k <= 0):  # truncate the Gaussian at k > 0 by redrawing
            bad = rel_k <= 0
            rel_k[bad] = 1.0 + k_spread * spread_rng.standard_normal(int(bad.sum()))
        self.k = float(k) * rel_k

        if stuck is not None:
            if stuck_at_0 or stuck_at_1:
                raise UserError("give MTJ faults either as stuck= codes or as stuck_at_0/1 "
                                "fractions, not both")
            codes = np.asarray(stuck)
            if codes.shape != (n,) or not np.isin(codes, (-1, 0, 1)).all():
                raise UserError(f"MTJ stuck= must hold {n} codes, each -1 (healthy), 0 or 1")
            self.stuck = codes.astype(np.int8)
        else:
            self.stuck = np.full(n, -1, dtype=np.int8)
            n0, n1 = round(stuck_at_0 * n), round(stuck_at_1 * n)
            order = np.random.default_rng(ss_fault).permutation(n)
            self.stuck[order[:n0]] = 0
            self.stuck[order[n0:n0 + n1]] = 1

        self.n_devices = n
        self.drift = float(drift)
        self.samples_drawn = 0
        self._rng = np.random.default_rng(ss_sample)

    def probability(self, current, t=0):
        """Per-device probability of bit 1 at ``current`` (µA) when the drift clock reads ``t``.

        Ignores stuck faults (see :meth:`sample`).  ``current`` is one value or one per
        device; ``t`` a scalar (result shape ``(n_devices,)``) or a 1-D array of clock
        values (result shape ``(n_devices, len(t))``).
        """
        i = self._currents(current)
        t = np.asarray(t, dtype=np.float64)
        if t.ndim == 0:
            return sigmoid(self.k * (i - self.a - self.drift * t))
        return sigmoid(self.k[:, None] * (i[:, None] - self.a[:, None] - self.drift * t[None, :]))

    def _currents(self, current) -> np.ndarray:
        try:
            return np.broadcast_to(np.asarray(current, dtype=np.float64), (self.n_devices,))
        except ValueError:
            raise UserError(f"MTJ write current of shape {np.shape(current)} does not match "
                            f"{self.n_devices} devices; give one current or one per device") from None

    def sample(self, current, n: int) -> np.ndarray:
        """Pulse every device ``n`` times and read the bits.

        Parameters
        ----------
        current : float or array_like
            Write current in µA, one for all devices or one per device (shape ``(n_devices,)``).
        n : int
            Samples per device (>= 0).

        Returns
        -------
        numpy.ndarray
            ``uint8`` array of shape ``(n_devices, n)``: bit ``[i, j]`` is device ``i``'s
            ``j``-th sample of this call.
        """
        n = int(n)
        if n < 0:
            raise UserError(f"cannot draw {n} MTJ samples; use n >= 0")
        i = self._currents(current)
        u = self._rng.random((n, self.n_devices)).T  # time-major: chunking-independent
        if self.drift:
            p = self.probability(i, self.samples_drawn + np.arange(n))
        else:
            p = self.probability(i)[:, None]
        bits = (u < p).astype(np.uint8)
        bits[self.stuck == 0] = 0
        bits[self.stuck == 1] = 1
        self.samples_drawn += n
        return bits
