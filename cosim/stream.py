"""Driver and monitor for ``amaranth.lib.stream`` ports, with seeded idle and backpressure.

An exported stream port ``i`` appears in Verilog as ``i__payload``, ``i__valid``
and ``i__ready`` (Amaranth flattens a signature with double underscores).  A
:class:`StreamDriver` offers queued payloads on such a port, inserting random
idle cycles; a :class:`StreamMonitor` collects payloads from an output port,
randomly holding ``ready`` low.  Both draw their pauses from
``numpy.random.default_rng(seed)``, so a run is reproducible.

Timing: the testbench drives and samples in the low half of the clock.  At each
falling edge it writes ``valid``/``payload`` (or ``ready``), then samples the
settled handshake in ``ReadOnly``; a cycle whose sample shows ``valid & ready``
transfers at the next rising edge.  Both classes sleep (no Python per cycle)
while they have nothing to do, so long stretches of autonomous hardware
activity run at the simulator's full speed.
"""

from __future__ import annotations

from collections import deque

import cocotb
import numpy as np
from cocotb.triggers import Event, FallingEdge, ReadOnly, RisingEdge

__all__ = ["StreamDriver", "StreamMonitor", "port"]


def port(dut, name: str, field: str):
    """The handle of ``<name>__<field>`` (an exported stream member)."""
    return getattr(dut, f"{name}__{field}")


class StreamDriver:
    """Source of payloads on the input stream ``name`` of ``dut``.

    Parameters
    ----------
    dut, clk
        The design handle and its clock.
    name : str
        Stream port name in the Amaranth signature (``"i"`` → ``i__payload`` ...).
    seed : int
        Seeds the idle pattern.
    idle : float
        Probability that a cycle with data to send is left idle (``valid`` low).
    """

    def __init__(self, dut, clk, name: str, *, seed: int = 0, idle: float = 0.0):
        self.payload = port(dut, name, "payload")
        self.valid = port(dut, name, "valid")
        self.ready = port(dut, name, "ready")
        self.clk = clk
        self.mask = (1 << len(self.payload)) - 1
        self.rng = np.random.default_rng(seed)
        self.idle = float(idle)
        self.sent = 0
        self.queue: deque[int] = deque()
        self._wake = Event()
        self._empty = Event()
        self._empty.set()
        self.valid.value = 0
        self._task = cocotb.start_soon(self._run())

    def send_nowait(self, payload: int) -> None:
        """Queue ``payload`` (a signed or unsigned int; it is masked to the port width)."""
        self.queue.append(int(payload) & self.mask)
        self._empty.clear()
        self._wake.set()

    async def send(self, payload: int) -> None:
        """Queue ``payload`` and wait until everything queued has been taken."""
        self.send_nowait(payload)
        await self.drain()

    async def drain(self) -> None:
        """Wait until every queued payload has been taken by the design."""
        if self.queue:
            await self._empty.wait()

    async def _run(self) -> None:
        while True:
            await FallingEdge(self.clk)
            if not self.queue:
                self.valid.value = 0
                self._empty.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            if self.idle and self.rng.random() < self.idle:
                self.valid.value = 0
                continue
            self.payload.value = self.queue[0]
            self.valid.value = 1
            await ReadOnly()
            if int(self.ready.value):
                self.queue.popleft()
                self.sent += 1


class StreamMonitor:
    """Sink of payloads from the output stream ``name`` of ``dut``, with random backpressure.

    Parameters
    ----------
    dut, clk
        The design handle and its clock.
    name : str
        Stream port name (``"o"`` → ``o__payload`` ...).
    seed : int
        Seeds the backpressure pattern.
    stall : float
        Probability that ``ready`` is low in a cycle while ``valid`` is high.
    callback : callable, optional
        Called with each payload (unsigned int) as it is taken.
    """

    def __init__(self, dut, clk, name: str, *, seed: int = 0, stall: float = 0.0, callback=None):
        self.payload = port(dut, name, "payload")
        self.valid = port(dut, name, "valid")
        self.ready = port(dut, name, "ready")
        self.clk = clk
        self.rng = np.random.default_rng(seed)
        self.stall = float(stall)
        self.callback = callback
        self.received: deque[int] = deque()
        self.count = 0
        self._got = Event()
        self.ready.value = 0
        self._task = cocotb.start_soon(self._run())

    async def recv(self) -> int:
        """The next payload taken from the design (unsigned int)."""
        while not self.received:
            self._got.clear()
            await self._got.wait()
        return self.received.popleft()

    async def _run(self) -> None:
        while True:
            await FallingEdge(self.clk)
            rdy = int(not (self.stall and self.rng.random() < self.stall))
            self.ready.value = rdy
            await ReadOnly()
            if not int(self.valid.value):
                # Sleep until the design offers data; ready may stay as it is, since
                # nothing transfers while valid is low.
                await RisingEdge(self.valid)
                continue
            if rdy:
                value = int(self.payload.value)
                self.count += 1
                self.received.append(value)
                if self.callback is not None:
                    self.callback(value)
                self._got.set()
