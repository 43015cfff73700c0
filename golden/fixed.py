"""Bit-exact integer primitives of the fixed-point mode: the RTL implements exactly these.

Every value is a Python/NumPy integer code; a format's meaning is fixed by
:class:`~pgaf.golden.config.FixedFormat`.  Narrowing always rounds half up
(``(v + 2**(s-1)) >> s`` with an arithmetic shift) and then saturates; nothing
ever wraps around.
"""

from __future__ import annotations

import numpy as np

from .config import FixedFormat

__all__ = ["saturate", "round_shift", "sigmoid_lut", "z_index", "sigmoid_code"]


def saturate(v, lo: int, hi: int):
    """Clamp integer code(s) ``v`` to ``[lo, hi]``."""
    if isinstance(v, np.ndarray):
        return np.clip(v, lo, hi)
    return lo if v < lo else hi if v > hi else v


def round_shift(v, s: int):
    """Divide by ``2**s`` rounding half up (towards +inf); ``s <= 0`` shifts left exactly."""
    if s <= 0:
        return v << (-s) if not isinstance(v, np.ndarray) else np.left_shift(v, -s)
    half = 1 << (s - 1)
    if isinstance(v, np.ndarray):
        return np.right_shift(v + half, s)
    return (v + half) >> s


def sigmoid_lut(fmt: FixedFormat) -> np.ndarray:
    """The sigmoid table: entry ``i`` is ``σ(z)`` for the address ``i`` in two's complement.

    Address ``i`` in ``0 .. 2**z_bits - 1`` is read as a signed ``z_bits``-wide code
    ``c``; ``z = c / 2**z_frac``; the entry is ``round(σ(z) * 2**a_frac)`` clipped to
    ``[0, 2**a_frac - 1]`` (an unsigned activation code).
    """
    n = 1 << fmt.z_bits
    codes = np.arange(n, dtype=np.int64)
    codes = np.where(codes >= n // 2, codes - n, codes)
    z = codes / float(1 << fmt.z_frac)
    y = 1.0 / (1.0 + np.exp(-z))
    return np.clip(np.floor(y * (1 << fmt.a_frac) + 0.5), 0, fmt.a_max).astype(np.int64)


def z_index(acc, fmt: FixedFormat):
    """Table address from a forward accumulator (fraction bits ``w_frac + a_frac``).

    Rounds to ``z_frac`` fraction bits, saturates to signed ``z_bits`` and returns the
    two's-complement address ``0 .. 2**z_bits - 1``.
    """
    z = saturate(round_shift(acc, fmt.w_frac + fmt.a_frac - fmt.z_frac), fmt.z_min, fmt.z_max)
    return z & ((1 << fmt.z_bits) - 1)


def sigmoid_code(acc, fmt: FixedFormat, lut: np.ndarray | None = None):
    """Activation code of a forward accumulator: ``lut[z_index(acc)]``."""
    lut = sigmoid_lut(fmt) if lut is None else lut
    return lut[z_index(acc, fmt)]
