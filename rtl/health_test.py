"""Online health test of an MTJ sample stream: SP 800-90B repetition-count and adaptive-proportion tests.

The cut-offs are derived at elaboration by :func:`pgaf.golden.health.health_cutoffs` for the
commanded probability (see that module for the derivation and the false-alarm rates);
:func:`pgaf.golden.health.health_flags` is the bit-exact reference of this block.
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from pgaf.golden.health import APT_WINDOW, health_cutoffs

__all__ = ["HealthTest"]


class HealthTest(wiring.Component):
    """Sticky RCT/APT alarms on a Bernoulli sample stream commanded at a fixed probability.

    Parameters
    ----------
    p_code : int
        Commanded probability code; P = ``p_code / 2**a_frac``, strictly between 0 and 1.
    a_frac : int
        Width of the probability code.
    alpha : float
        False-positive rate the cut-offs are derived for (default ``2**-20``).
    window : int
        APT window (default 1024, SP 800-90B's window for binary sources).
    width : int
        Samples per beat: 1, or 2 to take a whole pair (``data[0]`` = b1 first, then ``data[1]``).

    Members
    -------
    sample : ``In(stream.Signature(width, always_ready=True))``
        Samples, tested whenever ``valid`` is high.
    clear : ``In(1)``
        Synchronous clear of both alarms and of the tests' state (start a fresh test).
    rct_alarm, apt_alarm : ``Out(1)``
        Sticky alarms, set in the cycle after the offending beat.
    alarm : ``Out(1)``
        ``rct_alarm | apt_alarm``.

    Attributes
    ----------
    cutoffs : :class:`pgaf.golden.health.HealthCutoffs`
        The constants this block was elaborated with.
    """

    def __init__(self, *, p_code: int, a_frac: int = 8, alpha: float = 2.0 ** -20,
                 window: int = APT_WINDOW, width: int = 1):
        if width not in (1, 2):
            raise ValueError(f"width must be 1 or 2 samples per beat, not {width!r}")
        self.cutoffs = health_cutoffs(p_code, a_frac, alpha, window)
        self.width = width
        super().__init__({
            "sample": In(stream.Signature(width, always_ready=True)),
            "clear": In(1),
            "rct_alarm": Out(1),
            "apt_alarm": Out(1),
            "alarm": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        cut = self.cutoffs
        run_val = Signal(1)
        run_len = Signal(range(cut.rct + 1))
        ref = Signal(1)
        count = Signal(range(cut.window + 1))
        idx = Signal(range(cut.window))

        # Apply the tests to each sample of the beat in order, as a chain of combinational steps.
        state = (run_val, run_len, ref, count, idx)
        rct_hit = apt_hit = Const(0)
        for i in range(self.width):
            b = self.sample.payload[i]
            rv, rl, rf, ct, ix = state
            same = (rl != 0) & (b == rv)
            rl = Mux(same, Mux(rl == cut.rct, rl, rl + 1), 1)
            rv = Mux(same, rv, b)
            first = ix == 0
            ct = Mux(first, 1, ct + (b == rf))
            rf = Mux(first, b, rf)
            ix = Mux(ix == cut.window - 1, 0, ix + 1)
            rct_hit = rct_hit | (rl >= cut.rct)
            apt_hit = apt_hit | (ct >= Mux(rf, cut.apt1, cut.apt0))
            state = (rv, rl, rf, ct, ix)

        with m.If(self.clear):
            m.d.sync += [s.eq(0) for s in (run_val, run_len, ref, count, idx,
                                            self.rct_alarm, self.apt_alarm)]
        with m.Elif(self.sample.valid):
            m.d.sync += [s.eq(v) for s, v in zip((run_val, run_len, ref, count, idx), state)]
            with m.If(rct_hit):
                m.d.sync += self.rct_alarm.eq(1)
            with m.If(apt_hit):
                m.d.sync += self.apt_alarm.eq(1)
        m.d.comb += self.alarm.eq(self.rct_alarm | self.apt_alarm)
        return m
