"""A tiny stream block used only to prove the export -> simulator -> cocotb path."""

from amaranth.hdl import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out


class RunningSum(wiring.Component):
    """Emits the running sum (mod 2**16) of the bytes it takes; one register stage.

    Members
    -------
    i : In(stream.Signature(8))
    o : Out(stream.Signature(16))
    """

    i: In(stream.Signature(8))
    o: Out(stream.Signature(16))

    def elaborate(self, platform):
        m = Module()
        total = Signal(16)
        m.d.comb += self.i.ready.eq(self.o.ready | ~self.o.valid)
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += [total.eq(total + self.i.payload),
                         self.o.payload.eq(total + self.i.payload),
                         self.o.valid.eq(1)]
        with m.Elif(self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        return m
