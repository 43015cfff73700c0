"""cocotb testbench: the RTL MTJ emulator against the golden emulator, pair by pair.

Random probability codes (the extremes 0 and ``2**a_frac - 1`` included) go in through
``mtj.req`` with seeded idle cycles; pairs come back through ``mtj.rsp`` with seeded
backpressure.  Each pair is compared with :class:`pgaf.golden.mtj_emulator.MTJEmulator`
of the same seed.  The run is split in three segments: no fault, the parametrized fault,
no fault again, so a stuck-at must force the bits while the streams keep advancing.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge

from pgaf.golden.mtj_emulator import MTJEmulator as GoldenEmulator

from .build import load_config, load_params
from .harness import reset, start_clock
from .scoreboard import Scoreboard
from .stream import StreamDriver, StreamMonitor

FAULT_CODES = {"none": 0, "stuck-0": 1, "stuck-1": 2}


class EmulatorModel:
    """The golden emulator, answering requests in the order the driver sends them."""

    def __init__(self, cfg):
        self.emu = GoldenEmulator(cfg.seed, cfg.fixed.a_frac)

    def pair(self, p: int, fault) -> int:
        self.emu.fault = None if fault == "none" else fault
        b1, b2 = self.emu.sample_pair(int(p))
        return b1 | (b2 << 1)  # PairLayout: b1 is bit 0, b2 bit 1


@cocotb.test()
@cocotb.parametrize(fault=["none", "stuck-0", "stuck-1"], traffic=["steady", "bursty"])
async def pairs_match_golden(dut, fault, traffic):
    cfg = load_config()
    n = int(load_params().get("pairs", 300))
    idle, stall = (0.0, 0.0) if traffic == "steady" else (0.3, 0.3)
    start_clock(dut)
    dut.fault.value = 0
    drv = StreamDriver(dut, dut.clk, "mtj__req", seed=cfg.seed + 1, idle=idle)
    mon = StreamMonitor(dut, dut.clk, "mtj__rsp", seed=cfg.seed + 2, stall=stall)
    await reset(dut)

    model = EmulatorModel(cfg)
    board = Scoreboard(dut._log)
    rng = np.random.default_rng(cfg.seed)
    top = (1 << cfg.fixed.a_frac) - 1
    for segment, seg_fault in enumerate(["none", fault, "none"]):
        codes = rng.integers(0, top + 1, n)
        codes[:2] = (0, top)
        await drv.drain()          # the fault is sampled at acceptance: change it between segments
        await FallingEdge(dut.clk)  # leave ReadOnly; the last request was taken at the edge before
        dut.fault.value = FAULT_CODES[seg_fault]
        for p in codes:
            drv.send_nowait(int(p))
        got = [await mon.recv() for _ in range(n)]
        expected = [model.pair(p, seg_fault) for p in codes]
        board.compare(f"segment {segment} (fault {seg_fault}) pairs", got, expected)
    assert board.values == 3 * n
