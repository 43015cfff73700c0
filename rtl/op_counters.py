"""Op counters of the gradient computation: ``mul``, ``add``, ``sample``, ``skipped``.

They count exactly what ``docs/fixed-point.md`` counts (steps 3-5: one ``mul`` per
multiplier use, one ``add`` per adder/subtractor use, one ``sample`` per MTJ draw, one
``skipped`` per hidden neuron with gate 0), so after every step they equal the golden
:class:`~pgaf.golden.fixed_net.StepOps`.  Counters saturate at their maximum; they never wrap.
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["OpCounters", "COUNTERS"]

COUNTERS = ("mul", "add", "sample", "skipped")


class OpCounters(wiring.Component):
    """Four saturating event counters, cleared at the start of each step.

    Parameters
    ----------
    inc_max : int
        Largest increment of one cycle (sets the width of the ``*_inc`` inputs).
    width : int
        Width of each counter (default 32).
    registered : bool
        Register the increments (and ``clear``) first, so the logic that computes them and
        the wide saturating adders never share a cycle; the counts then lag one more cycle.

    Members
    -------
    clear : ``In(1)``
        Zero every counter (takes priority over this cycle's increments).
    mul_inc, add_inc, sample_inc, skipped_inc : ``In(range(inc_max + 1))``
        Events of this cycle.
    mul, add, sample, skipped : ``Out(width)``
        The counts so far; readable at any time.

    Latency: an increment shows in the count the next cycle (two cycles with ``registered``;
    a ``clear`` also drops the increments of its own cycle, as without the register).
    """

    def __init__(self, *, inc_max: int, width: int = 32, registered: bool = False):
        self.inc_max = inc_max
        self.width = width
        self.registered = bool(registered)
        members = {}
        for name in COUNTERS:
            members[f"{name}_inc"] = In(range(inc_max + 1))
        members["clear"] = In(1)
        for name in COUNTERS:
            members[name] = Out(width)
        super().__init__(members)

    def elaborate(self, platform):
        m = Module()
        top = (1 << self.width) - 1
        clear = self.clear
        if self.registered:
            clear = Signal(name="clear_q")
            m.d.sync += clear.eq(self.clear)
        for name in COUNTERS:
            cnt, inc = getattr(self, name), getattr(self, f"{name}_inc")
            if self.registered:
                inc_q = Signal.like(inc, name=f"{name}_inc_q")
                m.d.sync += inc_q.eq(Mux(self.clear, 0, inc))
                inc = inc_q
            total = cnt + inc
            with m.If(clear):
                m.d.sync += cnt.eq(0)
            with m.Else():
                m.d.sync += cnt.eq(Mux(total > top, top, total))
        return m
