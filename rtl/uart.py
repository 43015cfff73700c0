"""A minimal 8N1 UART: receiver and transmitter as byte streams, for the boards' host link.

Both take the clock cycles per bit (``divisor = round(f_clk / baud)``).  The receiver
synchronises the line with two flip-flops, waits for a start bit, checks it again half a
bit later and samples each data bit in the middle of its cell; a byte whose stop bit is
low is dropped.  Bytes are LSB first.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

__all__ = ["UARTRx", "UARTTx", "divisor_for"]


def divisor_for(clk_hz: float, baud: int = 115200) -> int:
    """Clock cycles per bit; the baud error stays under 2 % for any clock >= 3 MHz at 115200."""
    d = round(clk_hz / baud)
    if d < 4:
        raise ValueError(f"a {clk_hz / 1e6:g} MHz clock is too slow for {baud} baud")
    return d


class UARTRx(wiring.Component):
    """UART receiver.

    Parameters
    ----------
    divisor : int
        Clock cycles per bit (>= 4).

    Members
    -------
    rx : ``In(1, init=1)``
        The serial line (idle high).
    data : ``Out(stream.Signature(8, always_ready=True))``
        One beat per received byte, in the cycle after its stop bit has been sampled.
    """

    def __init__(self, *, divisor: int):
        if divisor < 4:
            raise ValueError(f"divisor must be >= 4, not {divisor}")
        self.divisor = divisor
        super().__init__({"rx": In(1, init=1), "data": Out(stream.Signature(8, always_ready=True))})

    def elaborate(self, platform):
        m = Module()
        line = Signal(init=1)
        m.submodules.sync = FFSynchronizer(self.rx, line, init=1)
        timer = Signal(range(self.divisor))
        bits = Signal(9)
        count = Signal(range(10))
        m.d.sync += self.data.valid.eq(0)
        with m.FSM(name="rx"):
            with m.State("Idle"):
                with m.If(~line):
                    m.d.sync += timer.eq(self.divisor // 2 - 1)
                    m.next = "Start"
            with m.State("Start"):
                m.d.sync += timer.eq(timer - 1)
                with m.If(timer == 0):
                    with m.If(line):                    # a glitch, not a start bit
                        m.next = "Idle"
                    with m.Else():
                        m.d.sync += [timer.eq(self.divisor - 1), count.eq(0)]
                        m.next = "Bits"
            with m.State("Bits"):
                m.d.sync += timer.eq(timer - 1)
                with m.If(timer == 0):
                    m.d.sync += [timer.eq(self.divisor - 1), bits.eq(Cat(bits[1:], line)),
                                 count.eq(count + 1)]
                    with m.If(count == 8):              # eight data bits and the stop bit
                        m.next = "Done"
            with m.State("Done"):
                with m.If(bits[8]):
                    m.d.sync += [self.data.payload.eq(bits[:8]), self.data.valid.eq(1)]
                m.next = "Idle"
        return m


class UARTTx(wiring.Component):
    """UART transmitter.

    Parameters
    ----------
    divisor : int
        Clock cycles per bit (>= 4).

    Members
    -------
    data : ``In(stream.Signature(8))``
        Bytes to send; ``ready`` while the transmitter is idle.
    tx : ``Out(1, init=1)``
        The serial line.
    """

    def __init__(self, *, divisor: int):
        if divisor < 4:
            raise ValueError(f"divisor must be >= 4, not {divisor}")
        self.divisor = divisor
        super().__init__({"data": In(stream.Signature(8)), "tx": Out(1, init=1)})

    def elaborate(self, platform):
        m = Module()
        timer = Signal(range(self.divisor))
        shreg = Signal(10, init=0x3FF)
        count = Signal(range(11))
        m.d.comb += [self.tx.eq(shreg[0]), self.data.ready.eq(count == 0)]
        with m.If(count == 0):
            with m.If(self.data.valid):
                m.d.sync += [shreg.eq(Cat(0, self.data.payload, 1)), count.eq(10),
                             timer.eq(self.divisor - 1)]
        with m.Else():
            m.d.sync += timer.eq(timer - 1)
            with m.If(timer == 0):
                m.d.sync += [shreg.eq(Cat(shreg[1:], 1)), count.eq(count - 1),
                             timer.eq(self.divisor - 1)]
        return m
