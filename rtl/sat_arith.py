"""Saturating fixed-point arithmetic as Amaranth expressions, mirroring :mod:`pgaf.golden.fixed`.

Amaranth arithmetic widens every result, so an expression built from these helpers holds
the exact integer until :func:`saturate` clamps it; nothing in the datapath ever wraps.
Each helper returns a value whose shape is exactly the target format, so the synthesized
adders and multipliers are no wider than the format needs.
"""

from __future__ import annotations

from amaranth.hdl import Const, Mux, Value, signed, unsigned

__all__ = ["round_shift", "saturate", "sat_add", "lane", "lanes_of", "popcount", "divmod_const",
           "pack", "unpack"]


def round_shift(v, s: int):
    """``rs(v, s)``: add half an LSB then shift right arithmetically; ``s <= 0`` shifts left exactly."""
    v = Value.cast(v)
    if s <= 0:
        return v << (-s)
    return (v + (1 << (s - 1))) >> s


def saturate(v, lo: int, hi: int):
    """Clamp ``v`` to ``[lo, hi]``; the result has the narrowest shape that holds the range."""
    v = Value.cast(v)
    shape = signed(max((-lo - 1).bit_length(), hi.bit_length()) + 1) if lo < 0 else unsigned(max(1, hi.bit_length()))
    vs, w = v.shape(), shape.width
    if vs.signed and vs.width > w and lo == -(1 << (w - 1)) and hi == (1 << (w - 1)) - 1:
        # The full two's complement range: overflow iff the bits above the sign differ from
        # it, a few LUTs instead of two wide comparators.
        top = v[w - 1:]
        over = top.any() & ~top.all()
        return Mux(over, Mux(v[-1], lo, hi), v[:w])[:w].as_signed()
    if vs.width > w and lo == 0 and hi == (1 << w) - 1:
        neg = v[-1] if vs.signed else 0
        over = v[w:len(v) - 1 if vs.signed else len(v)].any() if len(v) - int(vs.signed) > w else 0
        return Mux(neg, 0, Mux(over, hi, v[:w]))[:w]
    clamped = Mux(v < lo, lo, Mux(v > hi, hi, v))
    narrow = clamped[:shape.width]
    return narrow.as_signed() if shape.signed else narrow


def sat_add(acc, term, lo: int, hi: int):
    """One saturating accumulation ``sat(acc + term)``."""
    return saturate(Value.cast(acc) + term, lo, hi)


def lane(word, i: int, width: int, *, signed_: bool = False):
    """Lane ``i`` (``width`` bits) of a packed word, as a signed or unsigned value."""
    v = Value.cast(word)[i * width:(i + 1) * width]
    return v.as_signed() if signed_ else v


def lanes_of(word, n: int, width: int, *, signed_: bool = False):
    """All ``n`` lanes of a packed word."""
    return [lane(word, i, width, signed_=signed_) for i in range(n)]


def popcount(bits):
    """Number of set bits of ``bits`` (a Value), as an unsigned sum."""
    bits = Value.cast(bits)
    total = Const(0, 1)
    for i in range(len(bits)):
        total = total + bits[i]
    return total


def divmod_const(v, d: int):
    """``(v // d, v % d)`` for a constant ``d``: slices when ``d`` is a power of two."""
    v = Value.cast(v)
    if d == 1:
        return v, Const(0, 1)
    if d & (d - 1) == 0:
        k = d.bit_length() - 1
        return v[k:], v[:k]
    return v // d, v % d


def pack(codes, width: int) -> int:
    """Pack integer codes (two's complement, ``width`` bits each) into one word, lane 0 lowest."""
    word = 0
    for i, c in enumerate(codes):
        word |= (int(c) & ((1 << width) - 1)) << (i * width)
    return word


def unpack(word: int, n: int, width: int, *, signed_: bool = False) -> list:
    """Inverse of :func:`pack`."""
    out = []
    for i in range(n):
        c = (int(word) >> (i * width)) & ((1 << width) - 1)
        if signed_ and c >> (width - 1):
            c -= 1 << width
        out.append(c)
    return out
