"""Calibration: count the ones an MTJ gives over N pairs at a set code, to catch and correct drift.

A device whose 50 % current ``a`` drifts gives ``P != p / 2**a_frac`` at every code, which
would silently bias training.  The :class:`Calibration` block issues ``pairs`` requests at
``code`` through any MTJ-TRNG provider and counts the ones among the ``2 * pairs``
samples; a controller (host software, :func:`dac_correction`) turns that count into the
:class:`~pgaf.rtl.device_port.DevicePort`'s ``dac_offset``.
"""

from __future__ import annotations

import math

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .mtj_interface import MTJSignature

__all__ = ["Calibration", "dac_correction"]


class Calibration(wiring.Component):
    """Ones counter over N pairs at a fixed code (an MTJ-TRNG consumer).

    Parameters
    ----------
    a_frac : int
        Width of the probability code.
    max_pairs : int
        Largest ``pairs`` the counter must hold.

    Members
    -------
    mtj : ``In(MTJSignature(a_frac))``
        To the provider under test (emulator or device port).
    start : ``In(1)``
        Pulse to begin (ignored while ``busy``); ``code`` and ``pairs`` are latched then.
    code : ``In(a_frac)``
        Probability code to calibrate at.
    pairs : ``In(range(max_pairs + 1))``
        Number of pairs, N (``2N`` samples).
    busy, done : ``Out(1)``
        ``done`` rises when the count is final and stays until the next ``start``.
    ones : ``Out(range(2 * max_pairs + 1))``
        Ones among the ``2N`` samples so far.

    At most one request is outstanding; the next leaves in the cycle the previous response
    arrives, so over the emulator (latency 1) ``done`` rises ``N + 2`` cycles after ``start``
    (one cycle after it for ``N = 0``).
    """

    def __init__(self, *, a_frac: int = 8, max_pairs: int = 4096):
        if not (isinstance(max_pairs, int) and max_pairs >= 1):
            raise ValueError(f"max_pairs must be a positive integer, not {max_pairs!r}")
        self.a_frac = a_frac
        self.max_pairs = max_pairs
        super().__init__({
            "mtj": In(MTJSignature(a_frac)),
            "start": In(1),
            "code": In(a_frac),
            "pairs": In(range(max_pairs + 1)),
            "busy": Out(1),
            "done": Out(1),
            "ones": Out(range(2 * max_pairs + 1)),
        })

    def elaborate(self, platform):
        m = Module()
        req, rsp = self.mtj.req, self.mtj.rsp
        code = Signal(self.a_frac)
        to_issue = Signal(range(self.max_pairs + 1))
        to_receive = Signal(range(self.max_pairs + 1))
        outstanding = Signal()

        m.d.comb += [
            req.payload.eq(code),
            req.valid.eq(self.busy & (to_issue != 0) & (~outstanding | rsp.valid)),
            rsp.ready.eq(self.busy),
        ]
        with m.If(~self.busy & self.start):
            m.d.sync += [code.eq(self.code), to_issue.eq(self.pairs), to_receive.eq(self.pairs),
                         self.ones.eq(0), self.done.eq(self.pairs == 0),
                         self.busy.eq(self.pairs != 0), outstanding.eq(0)]
        with m.If(self.busy):
            with m.If(rsp.valid):
                m.d.sync += [self.ones.eq(self.ones + rsp.payload.b1 + rsp.payload.b2),
                             to_receive.eq(to_receive - 1), outstanding.eq(0)]
                with m.If(to_receive == 1):
                    m.d.sync += [self.busy.eq(0), self.done.eq(1)]
            # a new request may leave in the cycle the previous response arrives
            with m.If(req.valid & req.ready):
                m.d.sync += [to_issue.eq(to_issue - 1), outstanding.eq(1)]
        return m


def dac_correction(ones: int, pairs: int, code: int, a_frac: int, dac) -> int:
    """DAC offset (in LSBs) that undoes the drift seen by one calibration run.

    The device answered ``ones`` out of ``2 * pairs`` at code ``code``, whose commanded
    probability is ``y = code / 2**a_frac``.  With ``P(I) = σ(k (I - a))``, the measured
    probability ``q`` means the device's 50 % current sits ``(logit(y) - logit(q)) / k`` µA
    above the nominal one; the offset adds that current back.  ``q`` is clamped to half a
    count from 0 and from 1 so a saturated run still gives a finite step.

    Parameters
    ----------
    dac : :class:`~pgaf.rtl.device_port.DacMapping`
        The port's DAC (its slope ``k_per_ua`` and LSB ``i_lsb_ua``).
    """
    n = 2 * pairs
    q = min(max(ones, 0.5), n - 0.5) / n
    y = code / float(1 << a_frac)
    shift_ua = (math.log(y / (1 - y)) - math.log(q / (1 - q))) / dac.k_per_ua
    return round(shift_ua / dac.i_lsb_ua)
