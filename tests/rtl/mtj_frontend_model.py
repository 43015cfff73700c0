"""Testbench model of an external SOT-MTJ front end, for the device port's tests.

Not a test module: imported by ``test_device_port.py`` and ``test_calibration.py``.
"""

from __future__ import annotations

import numpy as np

from pgaf.golden.device import MTJArray


class FrontEnd:
    """A simulated SOT-MTJ and comparator driven by a :class:`~pgaf.rtl.device_port.DevicePort`.

    Watches the port every cycle: measures the reset and write strobe widths and the gap
    from the end of the write to the read request, reads the DAC code during the write,
    switches the device with ``P(I)`` of the golden device model at the end of the write,
    and answers a read ``latency`` cycles after ``sense.ready`` rises (never, if
    ``latency`` is None).

    Attributes
    ----------
    reset_widths, write_widths, settle_gaps : list of int
        Measured per sample, in cycles.
    dac_codes : list of int
        DAC code seen at each write (asserted constant over the pulse).
    bits : list of int
        Bits the device produced, in order.
    """

    def __init__(self, port, device: MTJArray, *, latency=0, rng=None):
        self.port = port
        self.device = device
        self.latency = latency
        self.rng = rng
        self.reset_widths, self.write_widths, self.settle_gaps = [], [], []
        self.dac_codes, self.bits = [], []

    def _latency(self):
        if self.latency is None or self.rng is None:
            return self.latency
        return int(self.rng.integers(0, self.latency + 1))

    async def run(self, ctx):
        p = self.port
        run_reset = run_write = 0
        since_write = None
        wait = None
        state = 0
        while True:
            await ctx.tick()
            rp, wp, ready, dac = (ctx.get(p.reset_pulse), ctx.get(p.write_pulse),
                                  ctx.get(p.sense.ready), ctx.get(p.dac_code))
            if rp:
                run_reset += 1
                state = 0                      # the reset pulse parks the free layer in 0
            elif run_reset:
                self.reset_widths.append(run_reset)
                run_reset = 0
            if wp:
                if run_write == 0:
                    self.dac_codes.append(dac)
                assert dac == self.dac_codes[-1], "DAC code changed during the write pulse"
                run_write += 1
            elif run_write:
                self.write_widths.append(run_write)
                run_write = 0
                current = self.device_current(self.dac_codes[-1])
                state = int(self.device.sample(current, 1)[0, 0])
                self.bits.append(state)
                since_write = 0
            if ready:
                if since_write is not None:
                    self.settle_gaps.append(since_write)
                    since_write = None
                if wait is None:
                    wait = self._latency()
                if wait == 0:
                    ctx.set(p.sense.payload, state)
                    ctx.set(p.sense.valid, 1)
                else:
                    ctx.set(p.sense.valid, 0)
                    if wait is not None:
                        wait -= 1
            else:
                ctx.set(p.sense.valid, 0)
                wait = None
                if since_write is not None:
                    since_write += 1

    def device_current(self, code):
        return float(self.port.dac.current(code))
