"""xoshiro128++ 1.0 (Blackman & Vigna, 2019): the generator that emulates the MTJ in hardware.

A 128-bit state of four 32-bit words; each step yields one 32-bit output:

    result = rotl(s0 + s3, 7) + s0
    t = s1 << 9
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)

(all arithmetic modulo 2**32).  The state is seeded from a 64-bit seed with
splitmix64, as the authors recommend.  The two streams of an MTJ pair are the
same seed's state and that state advanced by :meth:`Xoshiro128pp.jump`
(2**64 steps), so they never overlap within any feasible run and the two
samples of a pair are never correlated.

The RTL receives the initial states (computed here, on the host) as reset
values; it never seeds or jumps by itself.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Xoshiro128pp", "splitmix64", "stream_states"]

M32 = 0xFFFF_FFFF
M64 = 0xFFFF_FFFF_FFFF_FFFF
_JUMP = (0x8764000B, 0xF542D2D3, 0x6FA035C3, 0x77F2DB5B)


def splitmix64(x: int):
    """Yield the splitmix64 sequence from a 64-bit state ``x``."""
    while True:
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)


class Xoshiro128pp:
    """The xoshiro128++ generator on Python integers (bit-exact reference).

    Parameters
    ----------
    state : sequence of 4 int
        The 128-bit state as four 32-bit words ``(s0, s1, s2, s3)``; not all zero.
    """

    __slots__ = ("s",)

    def __init__(self, state):
        s = [int(v) & M32 for v in state]
        if len(s) != 4:
            raise ValueError("xoshiro128++ state must be four 32-bit words")
        if not any(s):
            raise ValueError("xoshiro128++ state must not be all zero")
        self.s = s

    @classmethod
    def from_seed(cls, seed: int) -> "Xoshiro128pp":
        g = splitmix64(int(seed) & M64)
        a, b = next(g), next(g)
        state = [a & M32, a >> 32, b & M32, b >> 32]
        if not any(state):  # splitmix64 cannot give two zero outputs in a row, but be explicit
            state[0] = 1
        return cls(state)

    @property
    def state(self) -> tuple:
        return tuple(self.s)

    def next(self) -> int:
        s0, s1, s2, s3 = self.s
        r = (s0 + s3) & M32
        result = ((((r << 7) | (r >> 25)) & M32) + s0) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 11) | (s3 >> 21)) & M32
        self.s = [s0, s1, s2, s3]
        return result

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` outputs as a ``uint32`` array."""
        s0, s1, s2, s3 = self.s
        out = [0] * n
        for i in range(n):
            r = (s0 + s3) & M32
            out[i] = ((((r << 7) | (r >> 25)) & M32) + s0) & M32
            t = (s1 << 9) & M32
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = ((s3 << 11) | (s3 >> 21)) & M32
        self.s = [s0, s1, s2, s3]
        return np.array(out, dtype=np.uint32)

    def jump(self) -> "Xoshiro128pp":
        """Advance the state by 2**64 steps (in place) and return self."""
        acc = [0, 0, 0, 0]
        for word in _JUMP:
            for b in range(32):
                if word & (1 << b):
                    acc = [x ^ y for x, y in zip(acc, self.s)]
                self.next()
        self.s = acc
        return self


def stream_states(seed: int) -> tuple[tuple, tuple]:
    """Initial states of the two independent streams (first and second sample of a pair)."""
    a = Xoshiro128pp.from_seed(seed)
    b = Xoshiro128pp(a.state).jump()
    return a.state, b.state
