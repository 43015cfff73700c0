"""The board UART: bytes survive transmitter -> line -> receiver, bit timing as specified."""

import numpy as np
import pytest
from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.sim import Simulator

from pgaf.rtl.uart import UARTRx, UARTTx, divisor_for


class Loop(wiring.Component):
    def __init__(self, divisor):
        self.tx, self.rx = UARTTx(divisor=divisor), UARTRx(divisor=divisor)
        super().__init__({})

    def elaborate(self, platform):
        m = Module()
        m.submodules.tx, m.submodules.rx = self.tx, self.rx
        m.d.comb += self.rx.rx.eq(self.tx.tx)
        return m


@pytest.mark.parametrize("divisor", [5, 8, 13])
def test_loopback(divisor):
    data = np.random.default_rng(divisor).integers(0, 256, 40).tolist() + [0x00, 0xFF, 0x55]
    dut = Loop(divisor)
    got, widths = [], []

    async def send(ctx):
        for byte in data:
            ctx.set(dut.tx.data.payload, byte)
            ctx.set(dut.tx.data.valid, 1)
            await ctx.tick().until(dut.tx.data.ready)
        ctx.set(dut.tx.data.valid, 0)

    async def receive(ctx):
        while len(got) < len(data):
            _, _, valid, byte = await ctx.tick().sample(dut.rx.data.valid, dut.rx.data.payload)
            if valid:
                got.append(byte)

    async def measure(ctx):
        # the start bit of the first byte is low for exactly `divisor` cycles
        while ctx.get(dut.tx.tx) == 1:
            await ctx.tick()
        n = 0
        while ctx.get(dut.tx.tx) == 0:
            n += 1
            await ctx.tick()
        widths.append(n)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(send)
    sim.add_testbench(receive)
    sim.add_testbench(measure, background=True)
    sim.run()
    assert got == data
    # first byte's LSB follows the start bit: if it is 1 the low run is exactly one bit
    if data[0] & 1:
        assert widths == [divisor]


def test_receiver_drops_a_glitch_and_a_bad_stop_bit():
    div = 8
    dut = UARTRx(divisor=div)
    got = []

    def frame(byte, stop=1):
        return [0] + [(byte >> i) & 1 for i in range(8)] + [stop]

    async def drive(ctx):
        line = [1] * 3 * div
        line += [0] * 2 + [1] * 3 * div                 # a 2-cycle glitch, not a start bit
        for b in frame(0xA5, stop=0):                     # framing error: dropped
            line += [b] * div
        line += [1] * 2 * div
        for b in frame(0x3C):
            line += [b] * div
        line += [1] * 3 * div
        for v in line:
            ctx.set(dut.rx, v)
            await ctx.tick()
            if ctx.get(dut.data.valid):
                got.append(ctx.get(dut.data.payload))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(drive)
    sim.run()
    assert got == [0x3C]


def test_divisor():
    assert divisor_for(12e6) == 104 and divisor_for(25e6) == 217
    with pytest.raises(ValueError):
        divisor_for(200e3)
