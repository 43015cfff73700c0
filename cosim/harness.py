"""Clock and reset shared by every testbench (cocotb side).

All testbenches run the clock with the simulator's own clock driver (no Python per
cycle) and act in the low half of the clock: drive at the falling edge, sample in
``ReadOnly`` (see :mod:`pgaf.cosim.stream`).
"""

from __future__ import annotations

from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge

from .build import CLOCK_NS

__all__ = ["start_clock", "reset"]


def start_clock(dut) -> Clock:
    """Start ``dut.clk`` at :data:`~pgaf.cosim.build.CLOCK_NS` with the GPI (C++) clock.

    Reset is asserted first and the clock starts low: an edge that sees ``rst`` undriven
    would load X into Icarus's registers (Verilator has no X and would not notice),
    and registers without reset would keep it.
    """
    dut.rst.value = 1
    clock = Clock(dut.clk, CLOCK_NS, unit="ns", impl="gpi")
    clock.start(start_high=False)
    return clock


async def reset(dut, cycles: int = 2) -> None:
    """Hold ``dut.rst`` for ``cycles`` rising edges; return at a falling edge with reset low."""
    dut.rst.value = 1
    await ClockCycles(dut.clk, cycles)
    await FallingEdge(dut.clk)
    dut.rst.value = 0
