"""Board tops: the trainer (or the MTJ emulator alone) on an iCEBreaker or a ULX3S.

A top must give synthesis a reason to keep the whole datapath; each of these makes every
result reach a pin.

:class:`TrainerTop`, ``host="uart"`` (the default)
    The trainer behind a UART host link (115200 baud 8N1 on the board's USB serial port):
    :class:`~pgaf.rtl.host_bridge.HostBridge` turns byte commands into the trainer's
    ports: write inputs, run a step (train or infer, p-GAF or bp), read the op and cycle
    counters, read and load every weight and bias, read the outputs.  LED 0 shows
    ``busy``, LED 1 ``done``.
:class:`TrainerTop`, ``host="exerciser"``
    No host: an xorshift32 generator writes random input codes, the sequencer strobes
    ``start`` (train, random target; bp mode while the button is held), waits for ``done``
    and repeats.  A free-running counter walks the weight and output read ports, and every
    cycle folds ``w_data``, ``y_data``, ``pred``, the op counters and the cycle counters
    into one XOR-parity register on LED 0; LED 1 toggles once per finished step.
:class:`EmulatorTop`
    The MTJ emulator asked for a pair every cycle at P = 1/2, with the online health test
    on its pairs: LED 0 is the parity of all samples, LED 1 the sticky health alarm; the
    button forces a stuck-at-1 fault (LED 1 lights within 21 samples).
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Elaboratable, Module, Mux, Signal
from amaranth.lib import io, wiring

from pgaf.golden.config import NetConfig

__all__ = ["BoardSpec", "BOARDS", "TrainerTop", "EmulatorTop", "CORES"]


@dataclass(frozen=True)
class BoardSpec:
    """A supported board: FPGA family, amaranth-boards platform and the Fmax target."""

    name: str
    family: str
    platform_path: str
    target_mhz: float

    def platform(self):
        import importlib
        modname, cls = self.platform_path.rsplit(".", 1)
        return getattr(importlib.import_module(modname), cls)()


BOARDS = {
    "icebreaker": BoardSpec("icebreaker", "ice40", "amaranth_boards.icebreaker.ICEBreakerPlatform", 24.0),
    "ulx3s-25f": BoardSpec("ulx3s-25f", "ecp5", "amaranth_boards.ulx3s.ULX3S_25F_Platform", 50.0),
}


class _XorShift32:
    """Marsaglia's xorshift32: a cheap stream of test data (not the MTJ's generator)."""

    def __init__(self, m, seed):
        self.state = Signal(32, init=(seed & 0xFFFF_FFFF) or 1)
        s = self.state
        x1 = s ^ (s << 13)[:32]
        x2 = x1 ^ (x1 >> 17)
        self.next = x2 ^ (x2 << 5)[:32]
        self.m = m

    def advance(self):
        self.m.d.sync += self.state.eq(self.next)


def _pins(m, platform):
    """Buffers of LEDs 0 and 1 and button 0: the two outputs and the input of every top."""
    leds = []
    for i in range(2):
        m.submodules[f"led{i}"] = buf = io.Buffer("o", platform.request("led", i, dir="-"))
        leds.append(buf.o)
    m.submodules.button = btn = io.Buffer("i", platform.request("button", 0, dir="-"))
    return leds, btn.i


def _parity(values):
    p = 0
    for v in values:
        p = p ^ v.xor()
    return p


class TrainerTop(Elaboratable):
    """The p-GAF :class:`~pgaf.rtl.trainer.Trainer` on a board (see the module doc).

    Parameters
    ----------
    cfg : NetConfig
        The net the trainer is built for.
    host : {"uart", "exerciser"}
        UART host link (default) or the self-running exerciser.
    baud : int
        UART speed.
    """

    HOSTS = ("uart", "exerciser")

    def __init__(self, cfg: NetConfig, *, host: str = "uart", baud: int = 115200):
        from .trainer import Trainer   # the trainer's module is large; load it only when used
        if host not in self.HOSTS:
            raise ValueError(f"host must be one of {self.HOSTS}, not {host!r}")
        self.cfg = cfg
        self.host = host
        self.baud = baud
        if host == "uart":
            try:
                self.trainer = Trainer(cfg, writable=True)
            except TypeError:          # a trainer without the weight-load ports
                self.trainer = Trainer(cfg)
        else:
            self.trainer = Trainer(cfg)

    def elaborate(self, platform):
        if self.host == "uart":
            return self._elaborate_uart(platform)
        return self._elaborate_exerciser(platform)

    def _elaborate_uart(self, platform):
        from .host_bridge import HostBridge
        from .uart import UARTRx, UARTTx, divisor_for
        m = Module()
        leds, _ = _pins(m, platform)
        uart = platform.request("uart", 0, dir="-")
        m.submodules.uart_rx_buf = rx_buf = io.Buffer("i", uart.rx)
        m.submodules.uart_tx_buf = tx_buf = io.Buffer("o", uart.tx)
        divisor = divisor_for(platform.default_clk_frequency, self.baud)
        m.submodules.rx = rx = UARTRx(divisor=divisor)
        m.submodules.tx = tx = UARTTx(divisor=divisor)
        m.submodules.bridge = bridge = HostBridge(self.trainer)
        m.d.comb += [rx.rx.eq(rx_buf.i), tx_buf.o.eq(tx.tx)]
        wiring.connect(m, rx.data, bridge.rx)
        wiring.connect(m, bridge.tx, tx.data)
        m.d.comb += [leds[0].eq(self.trainer.busy), leds[1].eq(self.trainer.done)]
        return m

    def _elaborate_exerciser(self, platform):
        m = Module()
        m.submodules.trainer = t = self.trainer
        n = self.cfg.shape
        rng = _XorShift32(m, self.cfg.seed ^ 0x5EED)
        leds, button = _pins(m, platform)

        x_addr = Signal(range(n[0]))
        n_cls = max(2, n[-1])
        target = Signal(range(n_cls))
        with m.FSM(name="exerciser"):
            with m.State("Load-Inputs"):
                rng.advance()
                m.d.comb += [t.x_we.eq(1), t.x_addr.eq(x_addr), t.x_data.eq(rng.state)]
                m.d.sync += x_addr.eq(x_addr + 1)
                with m.If(x_addr == n[0] - 1):
                    m.d.sync += x_addr.eq(0)
                    m.next = "Start"
            with m.State("Start"):
                m.d.comb += [t.start.eq(1), t.train.eq(1), t.bp.eq(button), t.target.eq(target)]
                m.next = "Run"
            with m.State("Run"):
                m.d.comb += [t.target.eq(target), t.bp.eq(button)]
                with m.If(~t.busy & t.done):
                    m.d.sync += [target.eq(Mux(target == n_cls - 1, 0, target + 1)),
                                 leds[1].eq(~leds[1])]
                    m.next = "Load-Inputs"

        # Walk the read ports with a free-running counter; fold everything into one parity bit.
        walk = Signal(32)
        m.d.sync += walk.eq(walk + 1)
        m.d.comb += [
            t.w_col.eq(walk[:len(t.w_col)]),
            t.w_row.eq(walk[len(t.w_col):len(t.w_col) + len(t.w_row)]),
            t.w_layer.eq(walk[-len(t.w_layer):]),
            t.y_addr.eq(walk[:len(t.y_addr)]),
        ]
        observed = [t.w_data, t.y_data, t.pred, t.ops_mul, t.ops_add, t.ops_sample,
                    t.ops_skipped, t.cyc_fwd, t.cyc_bwd]
        m.d.sync += leds[0].eq(leds[0] ^ _parity(observed))
        return m


class EmulatorTop(Elaboratable):
    """The MTJ emulator and its health test on a board (see module doc).

    Parameters
    ----------
    cfg : NetConfig
        Gives the emulator's seed and code width.
    """

    def __init__(self, cfg: NetConfig):
        from .health_test import HealthTest
        from .mtj_emulator import MTJEmulator
        self.cfg = cfg
        self.emulator = MTJEmulator.from_config(cfg)
        half = 1 << (cfg.fixed.a_frac - 1)
        self.health = HealthTest(p_code=half, a_frac=cfg.fixed.a_frac, width=2)

    def elaborate(self, platform):
        from .mtj_emulator import Fault
        m = Module()
        m.submodules.emulator = e = self.emulator
        m.submodules.health = h = self.health
        leds, button = _pins(m, platform)
        rsp = e.mtj.rsp
        m.d.comb += [
            e.mtj.req.payload.eq(1 << (self.cfg.fixed.a_frac - 1)),
            e.mtj.req.valid.eq(1),
            rsp.ready.eq(1),
            e.fault.eq(Fault.NONE),
            h.sample.valid.eq(rsp.valid),
            h.sample.payload.eq(rsp.payload.as_value()),
        ]
        with m.If(button):
            m.d.comb += e.fault.eq(Fault.STUCK_1)
        with m.If(rsp.valid):
            m.d.sync += leds[0].eq(leds[0] ^ rsp.payload.b1 ^ rsp.payload.b2)
        m.d.comb += leds[1].eq(h.alarm)
        return m


#: core name -> board top class
CORES = {"trainer": TrainerTop, "emulator": EmulatorTop}
