"""Online health tests of an MTJ sample stream, after NIST SP 800-90B section 4.4.

Two tests watch a Bernoulli stream whose commanded probability of a one is ``P``
(``p_code / 2**a_frac``); each raises a sticky alarm.  Their cut-offs are derived here, in
Python, and become constants of the RTL (:class:`pgaf.rtl.health_test.HealthTest`).
:func:`health_flags` is the bit-exact reference of that block.

Repetition-count test (RCT, SP 800-90B 4.4.1)
    Count the length of the current run of identical samples; alarm when a run reaches
    ``C``.  With min-entropy ``H = -log2(max(P, 1 - P))`` per sample, a run of ``C`` equal
    samples starting at a given sample has probability at most ``2**(-H (C - 1))``;
    ``C = 1 + ceil(-log2(alpha) / H)`` makes that at most ``alpha``.  It catches a device
    stuck at 0 or 1 within ``C`` samples.

Adaptive-proportion test (APT, SP 800-90B 4.4.2)
    Split the stream into windows of ``W = 1024`` samples (the standard's window for binary
    sources).  The window's first sample is the reference ``A``; ``B`` counts the samples
    of the window equal to ``A`` (the first included); alarm as soon as ``B >= C_A``.  The
    standard uses one cut-off from ``2**-H``; since our source's ``P`` is known, we derive
    one cut-off per reference value from the exact distribution of ``B``, which is
    ``1 + Binomial(W - 1, q_A)`` with ``q_1 = P`` and ``q_0 = 1 - P``:
    ``C_A`` is the smallest ``c`` with ``Pr(B >= c) <= alpha``.  A device whose
    probability strays far from ``P`` in *either* direction then trips the test (an
    excess of ones shows up when the reference is 1, an excess of zeros when it is 0),
    while a healthy device raises a false alarm with probability at most ``alpha`` per
    window (:func:`apt_false_alarm` gives the exact value).

``alpha = 2**-20`` is the standard's recommended lower end of false-positive rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import UserError

__all__ = ["HealthCutoffs", "rct_cutoff", "apt_cutoffs", "apt_false_alarm", "health_cutoffs",
           "health_flags", "APT_WINDOW"]

APT_WINDOW = 1024


def _check(p: float, alpha: float):
    if not 0.0 < p < 1.0:
        raise UserError(f"health test: commanded probability P={p} must lie strictly between 0 "
                        f"and 1 (a code of 0 or full scale gives a constant stream); pick another code")
    if not 0.0 < alpha < 1.0:
        raise UserError(f"health test: alpha={alpha} must lie in (0, 1); use e.g. 2**-20")


def _binom_tail(n: int, q: float) -> np.ndarray:
    """``tail[c] = Pr(Binomial(n, q) >= c)`` for ``c = 0 .. n + 1``, computed in log space."""
    k = np.arange(n + 1)
    logpmf = (np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
              + k * math.log(q) + (n - k) * math.log1p(-q))
    pmf = np.exp(logpmf)
    tail = np.concatenate([np.cumsum(pmf[::-1])[::-1], [0.0]])
    return np.minimum(tail, 1.0)


def rct_cutoff(p: float, alpha: float = 2.0 ** -20) -> int:
    """Repetition-count cut-off ``C = 1 + ceil(-log2(alpha) / H)``, ``H = -log2(max(P, 1-P))``."""
    _check(p, alpha)
    h = -math.log2(max(p, 1.0 - p))
    return 1 + math.ceil(-math.log2(alpha) / h - 1e-12)


def apt_cutoffs(p: float, alpha: float = 2.0 ** -20, window: int = APT_WINDOW) -> tuple[int, int]:
    """Adaptive-proportion cut-offs ``(C_0, C_1)`` for reference values 0 and 1.

    ``C_A`` is the smallest ``c`` with ``Pr(1 + Binomial(W - 1, q_A) >= c) <= alpha``; a
    value of ``W + 1`` means the count can never reach it (that reference never alarms).
    """
    _check(p, alpha)
    out = []
    for q in (1.0 - p, p):
        tail = _binom_tail(window - 1, q)   # Pr(Binomial >= c - 1) for B >= c
        c = next((c for c in range(1, window + 1) if tail[c - 1] <= alpha), window + 1)
        out.append(c)
    return tuple(out)


def apt_false_alarm(p: float, cutoffs: tuple[int, int], window: int = APT_WINDOW) -> float:
    """Probability that one window of a healthy source at ``P`` raises the APT alarm."""
    total = 0.0
    for prob_ref, q, c in ((1.0 - p, 1.0 - p, cutoffs[0]), (p, p, cutoffs[1])):
        tail = _binom_tail(window - 1, q)
        total += prob_ref * (tail[c - 1] if c <= window else 0.0)
    return float(total)


@dataclass(frozen=True)
class HealthCutoffs:
    """The constants of one health test: commanded ``p``, RCT cut-off, APT window and cut-offs."""

    p: float
    alpha: float
    rct: int
    window: int
    apt0: int
    apt1: int

    @property
    def rct_false_alarm_per_sample(self) -> float:
        """Bound on the chance that a run of length ``rct`` starts at a given sample."""
        return max(self.p, 1 - self.p) ** (self.rct - 1)

    @property
    def apt_false_alarm_per_window(self) -> float:
        return apt_false_alarm(self.p, (self.apt0, self.apt1), self.window)


def health_cutoffs(p_code: int, a_frac: int, alpha: float = 2.0 ** -20,
                   window: int = APT_WINDOW) -> HealthCutoffs:
    """Both tests' cut-offs for a stream commanded at code ``p_code`` (P = code / 2**a_frac)."""
    if not (isinstance(window, int) and window >= 2):
        raise UserError(f"health test: APT window={window!r} must be an integer >= 2; use 1024")
    p = p_code / float(1 << a_frac)
    c0, c1 = apt_cutoffs(p, alpha, window)
    return HealthCutoffs(p=p, alpha=alpha, rct=rct_cutoff(p, alpha), window=window, apt0=c0, apt1=c1)


def health_flags(bits, cut: HealthCutoffs) -> tuple[np.ndarray, np.ndarray]:
    """Sticky RCT and APT alarms after each sample of ``bits`` (the RTL's reference).

    Returns two ``uint8`` arrays of ``len(bits)``: entry ``i`` is the alarm's state once
    sample ``i`` has been seen.
    """
    bits = np.asarray(bits, dtype=np.int64).ravel()
    rct = np.zeros(len(bits), np.uint8)
    apt = np.zeros(len(bits), np.uint8)
    run_val, run_len = 0, 0
    ref, count, idx = 0, 0, 0
    rct_alarm = apt_alarm = 0
    for i, b in enumerate(bits):
        b = int(b)
        if run_len and b == run_val:
            run_len = min(run_len + 1, cut.rct)
        else:
            run_val, run_len = b, 1
        rct_alarm |= run_len >= cut.rct
        if idx == 0:
            ref, count = b, 1
        else:
            count += b == ref
        idx = 0 if idx + 1 == cut.window else idx + 1
        apt_alarm |= count >= (cut.apt1 if ref else cut.apt0)
        rct[i], apt[i] = rct_alarm, apt_alarm
    return rct, apt
