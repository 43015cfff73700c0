"""Pair-sample latch: two successive single-bit MTJ samples of one neuron become one pair.

A device read-out delivers one bit per write/read cycle; p-GAF needs the two samples
``b1`` (first) and ``b2`` (second) taken at the same current side by side.  The latch
holds the first bit until the second arrives and then presents the pair for one cycle.
"""

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["PairLatch"]


class PairLatch(wiring.Component):
    """Collects two successive samples into a pair ``(b1, b2)``.

    Members
    -------
    sample : ``In(1)``
        The sample bit, taken when ``sample_valid`` is high.
    sample_valid : ``In(1)``
        Strobe: one sample per cycle at most.
    clear : ``In(1)``
        Forget a half-collected pair (e.g. at the start of a new neuron).
    b1, b2 : ``Out(1)``
        The pair; valid while ``pair_valid`` is high.
    pair_valid : ``Out(1)``
        High for the one cycle after the second sample was taken.

    Latency: the pair is presented the cycle after its second sample; one pair every two
    samples, back to back.
    """

    sample: In(1)
    sample_valid: In(1)
    clear: In(1)
    b1: Out(1)
    b2: Out(1)
    pair_valid: Out(1)

    def elaborate(self, platform):
        m = Module()
        have_first = Signal()
        first = Signal()
        m.d.sync += self.pair_valid.eq(0)
        with m.If(self.clear):
            m.d.sync += have_first.eq(0)
        with m.Elif(self.sample_valid):
            with m.If(have_first):
                m.d.sync += [self.b1.eq(first), self.b2.eq(self.sample),
                             self.pair_valid.eq(1), have_first.eq(0)]
            with m.Else():
                m.d.sync += [first.eq(self.sample), have_first.eq(1)]
        return m
