"""A test top that places the trainer's small blocks side by side, unconnected.

Each block keeps its own ports, exported under its name (``latch__sample``,
``mac_fwd__acc``, ...), so one Verilator build serves the tests of all of them
(each C++ build costs tens of seconds) while every block is still driven and
checked alone.  The widths come from the :class:`~pgaf.golden.config.NetConfig`:

========== ===================================================================
``latch``  :class:`~pgaf.rtl.pair_latch.PairLatch`
``detect`` :class:`~pgaf.rtl.pair_detector.PairDetector`
``mac_fwd`` :class:`~pgaf.rtl.gated_mac.GatedMAC`, ``chain=True``: ``signed(w_bits)`` x
           ``unsigned(a_frac)``, one accumulator (the forward pass)
``mac_bwd`` :class:`~pgaf.rtl.gated_mac.GatedMAC`, ``chain=False``: ``signed(w_bits)`` x
           ``signed(e_bits)``, one accumulator per lane (the backward pass)
``ops``    :class:`~pgaf.rtl.op_counters.OpCounters` with ``inc_max=lanes``
========== ===================================================================
"""

from __future__ import annotations

from amaranth.hdl import Module, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import Out

__all__ = ["BlocksTop"]


class BlocksTop(wiring.Component):
    """The trainer's blocks for a config, each exposed unchanged.

    Parameters
    ----------
    cfg : NetConfig
        Formats and ``lanes``.
    counter_width : int
        Width of the op counters (small, so that saturation is reached in a short test).
    """

    def __init__(self, cfg, *, counter_width: int = 32):
        from pgaf.rtl.gated_mac import GatedMAC
        from pgaf.rtl.op_counters import OpCounters
        from pgaf.rtl.pair_detector import PairDetector
        from pgaf.rtl.pair_latch import PairLatch

        f = cfg.fixed
        self._blocks = {
            "latch": PairLatch(),
            "detect": PairDetector(),
            "mac_fwd": GatedMAC(lanes=cfg.lanes, a_shape=signed(f.w_bits), b_shape=unsigned(f.a_frac),
                                acc_bits=f.acc_bits, chain=True),
            "mac_bwd": GatedMAC(lanes=cfg.lanes, a_shape=signed(f.w_bits), b_shape=signed(f.e_bits),
                                acc_bits=f.acc_bits, chain=False),
            "ops": OpCounters(inc_max=cfg.lanes, width=counter_width),
        }
        super().__init__({name: Out(block.signature) for name, block in self._blocks.items()})

    def elaborate(self, platform):
        m = Module()
        for name, block in self._blocks.items():
            m.submodules[name] = block
            wiring.connect(m, wiring.flipped(getattr(self, name)), block)
        return m
