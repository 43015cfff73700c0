"""The (1,0) detector: the p-GAF gate of a neuron from its pair of MTJ samples.

``gate = b1 & ~b2`` is 1 with probability ``σ(1-σ)``, the sigmoid's derivative, when both
samples are drawn at probability ``σ``.  In bp mode the detector is bypassed: every
neuron is active and the exact derivative is computed instead.
"""

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["PairDetector"]


class PairDetector(wiring.Component):
    """Combinational (1,0) detector.

    Members
    -------
    b1, b2 : ``In(1)``
        First and second sample of a pair.
    valid : ``In(1)``
        The pair is present this cycle.
    gate : ``Out(1)``
        ``b1 & ~b2``: the neuron back-propagates (1) or is skipped (0).
    skip : ``Out(1)``
        ``valid & ~gate``: a skipped neuron this cycle (feeds the ``skipped`` counter).

    Latency: combinational.
    """

    b1: In(1)
    b2: In(1)
    valid: In(1)
    gate: Out(1)
    skip: Out(1)

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [
            self.gate.eq(self.b1 & ~self.b2),
            self.skip.eq(self.valid & ~self.gate),
        ]
        return m
