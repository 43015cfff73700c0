"""The MTJ emulator: two xoshiro128++ streams compared with a probability code.

Bit-identical to :class:`pgaf.golden.mtj_emulator.MTJEmulator` for the same seed: a
request at code ``p`` takes one 32-bit draw ``r`` from stream A and one from stream B;
each sample is ``(r >> (32 - a_frac)) < p``.  The streams' initial states come from
:func:`pgaf.golden.xoshiro.stream_states` (computed on the host, used as reset values);
the hardware never seeds or jumps.

Timing: the top ``a_frac`` bits of each stream's *next* output are kept in a register
(refreshed whenever the state advances), so the path from request to response is one
comparator, and the xoshiro adders sit between two registers of their own.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Signal
from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out

from pgaf.golden.xoshiro import M32, Xoshiro128pp, stream_states

from .mtj_interface import MTJSignature

__all__ = ["Fault", "MTJEmulator"]


class Fault(enum.Enum, shape=2):
    """Stuck-at fault of the emulated device: the streams still advance, the bits are forced."""

    NONE = 0
    STUCK_0 = 1
    STUCK_1 = 2


def _rotl(v, k):
    return Cat(v[32 - k:], v[:32 - k])


def _output(s):
    """xoshiro128++ output of state ``s`` (four 32-bit values): ``rotl(s0 + s3, 7) + s0``."""
    return (_rotl((s[0] + s[3])[:32], 7) + s[0])[:32]


def _advance(s):
    """The xoshiro128++ state after one step, as four 32-bit expressions."""
    s0, s1, s2, s3 = s
    t = Cat(Const(0, 9), s1[:23])
    s2 = s2 ^ s0
    s3 = s3 ^ s1
    s1 = s1 ^ s2
    s0 = s0 ^ s3
    s2 = s2 ^ t
    s3 = _rotl(s3, 11)
    return [s0, s1, s2, s3]


class _Stream:
    """One xoshiro128++ stream: its state and the top bits of its pending output."""

    def __init__(self, m, name, state, a_frac):
        g = Xoshiro128pp(state)
        first = Xoshiro128pp(state).next()
        self.s = [Signal(32, name=f"{name}_s{i}", init=v) for i, v in enumerate(g.state)]
        self.top = Signal(a_frac, name=f"{name}_top", init=(first & M32) >> (32 - a_frac))
        self.a_frac = a_frac
        self.m = m

    def step(self, domain):
        nxt = _advance(self.s)
        domain += [s.eq(n) for s, n in zip(self.s, nxt)]
        domain += self.top.eq(_output(nxt)[32 - self.a_frac:])


class MTJEmulator(wiring.Component):
    """Emulated SOT-MTJ pair sampler (the FPGA/simulation implementation of the MTJ-TRNG).

    Parameters
    ----------
    seed : int
        Seed of both streams (``NetConfig.seed``), as in the golden emulator.
    a_frac : int
        Width of the probability code (``NetConfig.fixed.a_frac``).

    Members
    -------
    mtj : ``Out(MTJSignature(a_frac))``
        ``mtj.req`` takes a code ``p``; ``mtj.rsp`` returns ``b1`` (stream A) and ``b2``
        (stream B), each 1 with probability exactly ``p / 2**a_frac``.
    fault : ``In(Fault)``
        ``STUCK_0`` / ``STUCK_1`` force both bits of every response; the streams advance
        as usual, so the golden sequence resumes unchanged once the fault is cleared.

    Latency and throughput: the response is valid the cycle after the request is accepted;
    one pair per cycle when ``mtj.rsp.ready`` is held high (a one-entry output register:
    ``mtj.req.ready = ~mtj.rsp.valid | mtj.rsp.ready``).  The fault is sampled in the cycle
    the request is accepted.
    """

    def __init__(self, *, seed: int, a_frac: int = 8):
        self.seed = int(seed)
        self.a_frac = int(a_frac)
        self.states = stream_states(self.seed)
        super().__init__({
            "mtj": Out(MTJSignature(self.a_frac)),
            "fault": In(Fault),
        })

    @classmethod
    def from_config(cls, cfg) -> "MTJEmulator":
        """The emulator of a :class:`~pgaf.golden.config.NetConfig` (its seed and ``a_frac``)."""
        return cls(seed=cfg.seed, a_frac=cfg.fixed.a_frac)

    def elaborate(self, platform):
        m = Module()
        req, rsp = self.mtj.req, self.mtj.rsp
        a = _Stream(m, "a", self.states[0], self.a_frac)
        b = _Stream(m, "b", self.states[1], self.a_frac)

        def sample(top):
            return ((top < req.payload) | (self.fault == Fault.STUCK_1)) & (self.fault != Fault.STUCK_0)

        m.d.comb += req.ready.eq(~rsp.valid | rsp.ready)
        with m.If(req.valid & req.ready):
            a.step(m.d.sync)
            b.step(m.d.sync)
            m.d.sync += [
                rsp.payload.b1.eq(sample(a.top)),
                rsp.payload.b2.eq(sample(b.top)),
                rsp.valid.eq(1),
            ]
        with m.Elif(rsp.ready):
            m.d.sync += rsp.valid.eq(0)
        return m
