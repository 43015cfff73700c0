"""The hardware MTJ emulator: two xoshiro128++ streams compared with a probability code.

This is the bit-exact specification of ``rtl``'s MTJ-TRNG emulator.  One sample
at probability code ``p`` (an unsigned ``a_frac``-bit activation code, P = p / 2**a_frac)
consumes one 32-bit output ``r`` of its stream and is ``1`` iff
``r >> (32 - a_frac) < p``; so P(1) is exactly ``p / 2**a_frac``.  The first
sample of a pair comes from stream A, the second from stream B (A jumped by 2**64,
see :func:`~pgaf.golden.xoshiro.stream_states`).  The gate of a pair is
``b1 & ~b2`` (the paper's (1,0) pair).

A stuck-at fault forces every sample to 0 or 1 while the streams still advance,
as the RTL's fault input does.
"""

from __future__ import annotations

import numpy as np

from .xoshiro import Xoshiro128pp, stream_states

__all__ = ["MTJEmulator", "FAULTS"]

FAULTS = (None, "stuck-0", "stuck-1")


class MTJEmulator:
    """Pair sampler that emulates an SOT-MTJ, bit-identical to the RTL emulator.

    Parameters
    ----------
    seed : int
        Seeds both streams (see :func:`~pgaf.golden.xoshiro.stream_states`).
    a_frac : int
        Bits of the probability code (the activation format's fraction bits).
    fault : None, "stuck-0" or "stuck-1"
        Stuck-at fault of the emulated device.
    """

    def __init__(self, seed: int, a_frac: int = 8, fault: str | None = None):
        if fault not in FAULTS:
            raise ValueError(f"unknown MTJ fault {fault!r}; use one of {FAULTS}")
        sa, sb = stream_states(seed)
        self.a = Xoshiro128pp(sa)
        self.b = Xoshiro128pp(sb)
        self.shift = 32 - a_frac
        self.fault = fault
        self.samples = 0

    def _bit(self, r: int, p: int) -> int:
        if self.fault == "stuck-0":
            return 0
        if self.fault == "stuck-1":
            return 1
        return int((r >> self.shift) < p)

    def sample_pair(self, p: int) -> tuple[int, int]:
        """Draw (b1, b2) at probability code ``p``."""
        b1 = self._bit(self.a.next(), p)
        b2 = self._bit(self.b.next(), p)
        self.samples += 2
        return b1, b2

    def gate(self, p: int) -> int:
        """The p-GAF gate at code ``p``: 1 iff the pair is (1, 0)."""
        b1, b2 = self.sample_pair(p)
        return b1 & (1 - b2)

    def gates(self, ps) -> list[int]:
        """Gates for a sequence of codes, drawn in order (neuron 0 first).

        Bit-identical to calling :meth:`gate` for each code in turn (one draw of
        stream A and one of stream B per code); the comparisons are vectorized.
        """
        ps = np.asarray(ps, dtype=np.int64)
        n = ps.size
        ra = self.a.take(n)
        rb = self.b.take(n)
        self.samples += 2 * n
        if self.fault is not None:
            return [0] * n  # a stuck device never yields the pair (1, 0)
        b1 = (ra >> self.shift).astype(np.int64) < ps
        b2 = (rb >> self.shift).astype(np.int64) < ps
        return (b1 & ~b2).astype(np.int64).tolist()
