"""cocotb test of RunningSum: random bytes in with idle cycles, sums out with backpressure."""

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles

from pgaf.cosim.build import CLOCK_NS, load_params
from pgaf.cosim.stream import StreamDriver, StreamMonitor


@cocotb.test()
@cocotb.parametrize(idle=[0.0, 0.4], stall=[0.0, 0.4])
async def running_sum(dut, idle, stall):
    n = load_params().get("n", 200)
    Clock(dut.clk, CLOCK_NS, unit="ns").start()
    dut.rst.value = 1
    drv = StreamDriver(dut, dut.clk, "i", seed=1, idle=idle)
    mon = StreamMonitor(dut, dut.clk, "o", seed=2, stall=stall)
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    data = np.random.default_rng(3).integers(0, 256, n)
    for v in data:
        drv.send_nowait(int(v))
    got = [await mon.recv() for _ in range(n)]
    expect = (np.cumsum(data) & 0xFFFF).tolist()
    assert got == expect, f"first mismatch at {next(i for i, (a, b) in enumerate(zip(got, expect)) if a != b)}"
    await drv.drain()
    assert drv.sent == n and mon.count == n
