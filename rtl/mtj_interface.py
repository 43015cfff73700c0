"""The MTJ-TRNG interface: one signature shared by the emulator and the device port.

A consumer (the trainer, the calibration counter) asks for one *pair* of samples at a
probability code and receives the two bits.  The interface is two streams
(``amaranth.lib.stream``), seen from the side that *provides* samples:

========  =========================================  ===========================================
member    direction (provider's view)                meaning
========  =========================================  ===========================================
``req``   ``In(stream.Signature(unsigned(a_frac)))``  payload: probability code ``p``;
                                                     P(1) = ``p / 2**a_frac`` (emulator) or the
                                                     DAC code mapped from ``p`` (device port)
``rsp``   ``Out(stream.Signature(PairLayout))``       payload: ``b1`` (first sample, stream A),
                                                     ``b2`` (second sample, stream B)
========  =========================================  ===========================================

Each accepted request yields exactly one response, in order.  A provider exposes the
interface as its member ``mtj: Out(MTJSignature(a_frac))``; a consumer declares
``mtj: In(MTJSignature(a_frac))`` (the flipped signature); join them with
``wiring.connect(m, provider.mtj, consumer.mtj)``.

Implementations
---------------
:class:`~pgaf.rtl.mtj_emulator.MTJEmulator`
    Two xoshiro128++ streams, bit-identical to :class:`pgaf.golden.mtj_emulator.MTJEmulator`
    for the same seed; latency 1 cycle, one pair per cycle.
:class:`~pgaf.rtl.device_port.DevicePort`
    An external SOT-MTJ front end (DAC code, reset/write strobes, comparator);
    latency depends on the programmed pulse widths.

Example (consumer side, inside ``elaborate``)::

    m.d.comb += [self.mtj.req.payload.eq(p_code), self.mtj.req.valid.eq(want)]
    with m.If(self.mtj.rsp.valid):
        m.d.comb += self.mtj.rsp.ready.eq(1)
        m.d.sync += gate.eq(self.mtj.rsp.payload.b1 & ~self.mtj.rsp.payload.b2)
"""

from __future__ import annotations

from amaranth.hdl import unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["PairLayout", "MTJSignature"]


class PairLayout(data.StructLayout):
    """Payload of a response: the two samples of a pair, ``b1`` then ``b2``."""

    def __init__(self):
        super().__init__({"b1": 1, "b2": 1})


class MTJSignature(wiring.Signature):
    """Request/response signature of an MTJ true random number generator.

    Parameters
    ----------
    a_frac : int
        Width of the probability code (``NetConfig.fixed.a_frac``).

    Members
    -------
    req : ``In(stream.Signature(unsigned(a_frac)))``
        Request of one pair at probability code ``payload``.
    rsp : ``Out(stream.Signature(PairLayout()))``
        The pair, ``payload.b1`` and ``payload.b2``; one response per request, in order.
    """

    def __init__(self, a_frac: int):
        if not (isinstance(a_frac, int) and 1 <= a_frac <= 16):
            raise ValueError(f"a_frac must be an integer 1..16, not {a_frac!r}")
        self.a_frac = a_frac
        super().__init__({
            "req": In(stream.Signature(unsigned(a_frac))),
            "rsp": Out(stream.Signature(PairLayout())),
        })

    def __eq__(self, other):
        return isinstance(other, MTJSignature) and other.a_frac == self.a_frac

    def __hash__(self):
        return hash((MTJSignature, self.a_frac))

    def __repr__(self):
        return f"MTJSignature({self.a_frac})"
