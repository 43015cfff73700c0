"""The device port: the MTJ-TRNG signature served by a real, external SOT-MTJ front end.

One request at probability code ``p`` runs two sample cycles on the device, each

    reset pulse (``reset_width`` cycles) -> write pulse at the DAC current (``write_width``)
    -> settle (``settle`` cycles, may be 0) -> read (wait for the comparator, at most ``timeout``)

and then answers with ``(b1, b2)``.  Every width is a register input, in clock cycles.

Write current
-------------
The DAC code for ``p`` comes from a table computed at elaboration from the golden device
model (:mod:`pgaf.golden.device`): a neuron of activation ``y = p / 2**a_frac`` has
pre-activation ``x = logit(y)`` and is written with ``I = a + x / k`` so that
``P(I) = σ(k (I - a)) = y``; the DAC code is ``round((I - i_min) / i_lsb)``, clipped to the
DAC's range (codes 0 and full scale use ``y = 1/2 LSB`` and ``1 - 1/2 LSB``).  A signed
``dac_offset`` register is added (with saturation) to every code: this is where a
controller corrects a drift of ``a`` found by :mod:`pgaf.rtl.calibration` (a drift of
``+Δ`` µA is undone by ``dac_offset = round(Δ / i_lsb)``).

Failure
-------
If the comparator has not answered ``timeout`` cycles after the port asked (``sense.ready``),
the port sets the sticky ``error`` flag, takes the bit as 0 and carries on, so a consumer
never hangs; a controller must treat pairs delivered while ``error`` is high as invalid
and clear the flag with ``clear_error`` once the front end is mended.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from pgaf.golden.device import A_UA, K_PER_UA

from .mtj_interface import MTJSignature

__all__ = ["DacMapping", "DevicePort"]


@dataclass(frozen=True)
class DacMapping:
    """Linear write-current DAC and the device curve it is set up for.

    Parameters
    ----------
    bits : int
        DAC resolution.
    i_min_ua, i_lsb_ua : float
        Current of code 0 and of one LSB, in µA.
    a_ua, k_per_ua : float
        The device's nominal 50 % current and slope (default: the golden Fig. 2E fit).
    """

    bits: int = 10
    i_min_ua: float = 380.0
    i_lsb_ua: float = 0.2
    a_ua: float = A_UA
    k_per_ua: float = K_PER_UA

    def __post_init__(self):
        if not (isinstance(self.bits, int) and 2 <= self.bits <= 16):
            raise ValueError(f"DAC bits={self.bits!r} must be an integer 2..16")
        if not (self.i_lsb_ua > 0 and self.k_per_ua > 0):
            raise ValueError("DAC LSB and device slope must be positive")

    @property
    def max_code(self) -> int:
        return (1 << self.bits) - 1

    def current(self, code):
        """Write current (µA) of DAC code(s) ``code``."""
        return self.i_min_ua + np.asarray(code, dtype=np.float64) * self.i_lsb_ua

    def table(self, a_frac: int) -> np.ndarray:
        """DAC code for every probability code ``0 .. 2**a_frac - 1``."""
        n = 1 << a_frac
        y = np.clip(np.arange(n, dtype=np.float64), 0.5, n - 0.5) / n
        i = self.a_ua + np.log(y / (1.0 - y)) / self.k_per_ua
        return np.clip(np.rint((i - self.i_min_ua) / self.i_lsb_ua), 0, self.max_code).astype(np.int64)


class DevicePort(wiring.Component):
    """MTJ-TRNG provider driving an external SOT-MTJ front end.

    Parameters
    ----------
    a_frac : int
        Width of the probability code.
    dac : DacMapping
        DAC and device curve the code table is computed for.
    width_bits : int
        Width of the pulse, settle and timeout registers.

    Members
    -------
    mtj : ``Out(MTJSignature(a_frac))``
        Requests in, pairs out.  From the cycle a request is accepted to the cycle the
        response is valid takes ``2 * (reset_width + write_width + settle + R + 1) + 1``
        cycles, where ``R`` is the cycles the port waits in each read (1 if the
        comparator answers in the cycle ``sense.ready`` rises).
    dac_code : ``Out(dac.bits)``
        Write-current DAC code, valid while ``write_pulse`` is high (held in between).
    reset_pulse, write_pulse : ``Out(1)``
        Strobes, high for exactly ``reset_width`` / ``write_width`` cycles.
    sense : ``In(stream.Signature(1))``
        The comparator: the port raises ``ready`` to ask for a read; the front end answers
        with ``valid`` and the bit as ``payload``.
    reset_width, write_width, settle, timeout : ``In(width_bits)``
        Programmable widths in cycles (a width of 0 counts as 1, except ``settle``).
    dac_offset : ``In(signed(dac.bits + 1))``
        Drift correction added to every DAC code (saturating).
    error : ``Out(1)``
        Sticky: the comparator missed a deadline.
    clear_error : ``In(1)``
        Clears ``error``.
    busy : ``Out(1)``
        A request is in progress.
    """

    def __init__(self, *, a_frac: int = 8, dac: DacMapping = DacMapping(), width_bits: int = 16):
        self.a_frac = a_frac
        self.dac = dac
        self.width_bits = width_bits
        super().__init__({
            "mtj": Out(MTJSignature(a_frac)),
            "dac_code": Out(dac.bits),
            "reset_pulse": Out(1),
            "write_pulse": Out(1),
            "sense": In(stream.Signature(1)),
            "reset_width": In(width_bits, init=4),
            "write_width": In(width_bits, init=4),
            "settle": In(width_bits, init=2),
            "timeout": In(width_bits, init=64),
            "dac_offset": In(signed(dac.bits + 1)),
            "error": Out(1),
            "clear_error": In(1),
            "busy": Out(1),
        })

    @classmethod
    def from_config(cls, cfg, **kwargs) -> "DevicePort":
        return cls(a_frac=cfg.fixed.a_frac, **kwargs)

    def elaborate(self, platform):
        m = Module()
        req, rsp = self.mtj.req, self.mtj.rsp
        table = self.dac.table(self.a_frac)
        m.submodules.table = rom = Memory(shape=self.dac.bits, depth=len(table), init=table.tolist())
        rd = rom.read_port(domain="comb")

        code = Signal(self.a_frac)          # the request's probability code
        dac = Signal(signed(self.dac.bits + 2))
        cnt = Signal(self.width_bits)
        second = Signal()                   # working on b2
        b1 = Signal()
        got = Signal()                      # the bit just read (0 on timeout)

        m.d.comb += [
            rd.addr.eq(code),
            dac.eq(rd.data + self.dac_offset),
            self.dac_code.eq(Mux(dac < 0, 0, Mux(dac > self.dac.max_code, self.dac.max_code, dac))),
        ]
        with m.If(self.clear_error):
            m.d.sync += self.error.eq(0)

        def wait(width):
            """True in the last cycle of a phase of ``width`` cycles (at least one)."""
            return (cnt + 1 >= width)

        with m.FSM(name="port"):
            with m.State("Idle"):
                m.d.comb += req.ready.eq(1)
                with m.If(req.valid):
                    m.d.sync += [code.eq(req.payload), second.eq(0), cnt.eq(0)]
                    m.next = "Reset"
            with m.State("Reset"):
                m.d.comb += [self.reset_pulse.eq(1), self.busy.eq(1)]
                m.d.sync += cnt.eq(cnt + 1)
                with m.If(wait(self.reset_width)):
                    m.d.sync += cnt.eq(0)
                    m.next = "Write"
            with m.State("Write"):
                m.d.comb += [self.write_pulse.eq(1), self.busy.eq(1)]
                m.d.sync += cnt.eq(cnt + 1)
                with m.If(wait(self.write_width)):
                    m.d.sync += cnt.eq(0)
                    with m.If(self.settle == 0):
                        m.next = "Read"
                    with m.Else():
                        m.next = "Settle"
            with m.State("Settle"):
                m.d.comb += self.busy.eq(1)
                m.d.sync += cnt.eq(cnt + 1)
                with m.If(wait(self.settle)):
                    m.d.sync += cnt.eq(0)
                    m.next = "Read"
            with m.State("Read"):
                m.d.comb += [self.sense.ready.eq(1), self.busy.eq(1)]
                m.d.sync += cnt.eq(cnt + 1)
                with m.If(self.sense.valid):
                    m.d.sync += [got.eq(self.sense.payload), cnt.eq(0)]
                    m.next = "Next"
                with m.Elif(wait(self.timeout)):
                    m.d.sync += [got.eq(0), cnt.eq(0), self.error.eq(1)]
                    m.next = "Next"
            with m.State("Next"):
                m.d.comb += self.busy.eq(1)
                with m.If(second):
                    m.d.sync += [rsp.payload.b1.eq(b1), rsp.payload.b2.eq(got), rsp.valid.eq(1)]
                    m.next = "Respond"
                with m.Else():
                    m.d.sync += [b1.eq(got), second.eq(1)]
                    m.next = "Reset"
            with m.State("Respond"):
                m.d.comb += self.busy.eq(1)
                with m.If(rsp.ready):
                    m.d.sync += rsp.valid.eq(0)
                    m.next = "Idle"
        return m
