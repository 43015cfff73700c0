"""The MTJ emulator's draws in NumPy blocks: bit-identical to :class:`~pgaf.golden.mtj_emulator.MTJEmulator`, faster.

xoshiro128++'s state update is linear over GF(2): one step is a 128x128 bit matrix
``T``.  To produce ``n = lanes * k`` consecutive outputs at once, the starting states
``s_0, s_k, s_2k, ...`` of ``lanes`` chunks are computed with the jump matrix ``T**k``
(by doubling), then all lanes are stepped ``k`` times side by side with NumPy ``uint32``
arithmetic; the chunks, laid end to end, are exactly the stream.  This only speeds up
the golden trainer's long runs; :class:`~pgaf.golden.mtj_emulator.MTJEmulator` stays the
specification, and ``tests/golden/test_train_fixed.py`` checks the two agree bit for bit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .mtj_emulator import MTJEmulator

__all__ = ["xoshiro_block", "FastMTJEmulator"]


def _step_words(s0, s1, s2, s3):
    """One xoshiro128++ state update on uint32 arrays (or Python ints masked by the caller)."""
    t = s1 << np.uint32(9)
    s2 = s2 ^ s0
    s3 = s3 ^ s1
    s1 = s1 ^ s2
    s0 = s0 ^ s3
    s2 = s2 ^ t
    s3 = (s3 << np.uint32(11)) | (s3 >> np.uint32(21))
    return s0, s1, s2, s3


def _to_bits(words) -> np.ndarray:
    """(4, m) uint32 words -> (128, m) bits; bit ``32*w + b`` is bit ``b`` of word ``w``."""
    words = np.asarray(words, dtype=np.uint32).reshape(4, -1)
    shifts = np.arange(32, dtype=np.uint32)[None, :, None]
    return ((words[:, None, :] >> shifts) & np.uint32(1)).reshape(128, -1).astype(np.int64)


def _to_words(bits: np.ndarray) -> np.ndarray:
    """(128, m) bits -> (4, m) uint32 words."""
    b = bits.reshape(4, 32, -1).astype(np.uint64)
    return (b << np.arange(32, dtype=np.uint64)[None, :, None]).sum(axis=1).astype(np.uint32)


@lru_cache(maxsize=None)
def _step_matrix() -> np.ndarray:
    eye = np.eye(128, dtype=np.int64)
    words = _to_words(eye)                       # column i is the basis state e_i
    return _to_bits(np.stack(_step_words(*words)))


def _gf2_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Integer matmul (no BLAS threads, which crawl on a loaded machine).
    return (a @ b) & 1


@lru_cache(maxsize=None)
def _jump_matrix(k: int) -> np.ndarray:
    """``T**k`` over GF(2)."""
    if k > 1 and k % 2 == 0:
        half = _jump_matrix(k // 2)
        return _gf2_matmul(half, half)
    result, base = np.eye(128, dtype=np.int64), _step_matrix()
    while k:
        if k & 1:
            result = _gf2_matmul(base, result)
        base = _gf2_matmul(base, base)
        k >>= 1
    return result


_POW64 = np.uint64(1) << np.arange(64, dtype=np.uint64)


def _pack(bits: np.ndarray) -> np.ndarray:
    """(128, m) bits -> (m, 2) uint64: bits 0..63 and 64..127."""
    b = bits.astype(np.uint64)
    return np.stack([(b[:64].T * _POW64).sum(axis=1), (b[64:].T * _POW64).sum(axis=1)], axis=1)


def _unpack(packed: np.ndarray) -> np.ndarray:
    """(m, 2) uint64 -> (128, m) bits."""
    sh = np.arange(64, dtype=np.uint64)
    return np.concatenate([(packed[None, :, 0] >> sh[:, None]) & np.uint64(1),
                           (packed[None, :, 1] >> sh[:, None]) & np.uint64(1)]).astype(np.int64)


@lru_cache(maxsize=None)
def _jump_rows(k: int) -> np.ndarray:
    """Rows of ``T**k`` packed as (128, 2) uint64."""
    return _pack(_jump_matrix(k).T)


def _apply(rows: np.ndarray, states: np.ndarray) -> np.ndarray:
    """GF(2) product of a packed matrix with packed states: parity of row AND state."""
    x = (rows[:, None, 0] & states[None, :, 0]) ^ (rows[:, None, 1] & states[None, :, 1])
    for sh in (32, 16, 8, 4, 2, 1):
        x ^= x >> np.uint64(sh)
    return _pack(x & np.uint64(1))


def xoshiro_block(state, lanes: int, k: int):
    """The next ``lanes * k`` xoshiro128++ outputs from ``state``, and the state after them.

    Parameters
    ----------
    state : sequence of 4 int
        ``(s0, s1, s2, s3)`` as in :class:`~pgaf.golden.xoshiro.Xoshiro128pp`.
    lanes, k : int
        Chunks computed side by side and outputs per chunk; ``lanes`` a power of two.

    Returns
    -------
    out : numpy.ndarray of uint32, shape ``(lanes * k,)``
    new_state : tuple of 4 int
    """
    if lanes < 1 or lanes & (lanes - 1):
        raise ValueError("lanes must be a power of two")
    starts = np.zeros((lanes, 2), dtype=np.uint64)
    starts[:1] = _pack(_to_bits(np.array(state, dtype=np.uint32)))
    m = 1
    while m < lanes:  # doubling: lanes m..2m-1 are lanes 0..m-1 advanced by m*k steps
        starts[m:2 * m] = _apply(_jump_rows(m * k), starts[:m])
        m *= 2
    starts = _unpack(starts)
    s0, s1, s2, s3 = _to_words(starts)
    out = np.empty((lanes, k), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for t in range(k):
            r = s0 + s3
            out[:, t] = ((r << np.uint32(7)) | (r >> np.uint32(25))) + s0
            s0, s1, s2, s3 = _step_words(s0, s1, s2, s3)
    return out.reshape(-1), (int(s0[-1]), int(s1[-1]), int(s2[-1]), int(s3[-1]))


class _BlockStream:
    """Consecutive outputs of one stream, drawn ahead in blocks."""

    def __init__(self, state, lanes: int, k: int):
        self.state, self.lanes, self.k = tuple(state), lanes, k
        self.buf = np.empty(0, dtype=np.uint32)
        self.pos = 0

    def next(self) -> int:
        return int(self.take(1)[0])

    def take(self, n: int) -> np.ndarray:
        if self.pos + n > self.buf.size:
            rest = self.buf[self.pos:]
            blocks = [rest]
            have = rest.size
            while have < n:
                out, self.state = xoshiro_block(self.state, self.lanes, self.k)
                blocks.append(out)
                have += out.size
            self.buf, self.pos = np.concatenate(blocks), 0
        r = self.buf[self.pos:self.pos + n]
        self.pos += n
        return r


class FastMTJEmulator(MTJEmulator):
    """:class:`~pgaf.golden.mtj_emulator.MTJEmulator` with its two streams drawn ahead in blocks.

    Same bits, same methods: only the streams differ (:class:`_BlockStream` instead of
    :class:`~pgaf.golden.xoshiro.Xoshiro128pp`).

    Parameters
    ----------
    seed, a_frac, fault
        As for :class:`~pgaf.golden.mtj_emulator.MTJEmulator`.
    lanes, k : int
        Block shape: ``lanes * k`` draws per stream are computed at a time.
    """

    def __init__(self, seed: int, a_frac: int = 8, fault: str | None = None,
                 lanes: int = 1024, k: int = 64):
        super().__init__(seed, a_frac, fault)
        self.a = _BlockStream(self.a.state, lanes, k)
        self.b = _BlockStream(self.b.state, lanes, k)
