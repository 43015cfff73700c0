"""Host bridge: a byte-command protocol from a UART to the trainer's flat host ports.

Every command is one ASCII byte and fixed-size little-endian arguments; every command is
answered, so a host can run it lock-step over a serial port (``pgaf.rtl.host_bridge.encode``
builds the bytes, :data:`REPLY_BYTES` says how many to read back):

=======  ==================================  =====================================================
command  arguments                           reply
=======  ==================================  =====================================================
``X``    input index (2), code (A)           ``K``: input ``index`` now holds ``code``
``S``    flags (1: bit 0 train, bit 1 bp),   predicted class (2), once the step is done
         target class (2)
``O``    --                                  ``ops_mul, ops_add, ops_sample, ops_skipped,
                                             cyc_fwd, cyc_bwd`` (4 each)
``W``    layer (1), row (2), column (2)      weight code, or bias if column == n_in (W bytes,
                                             two's complement)
``L``    layer (1), row (2), column (2),     ``K``: weight (or bias) now holds ``code`` (loads
         code (W)                            a trained net)
``Y``    output index (2)                    output activation code (A)
other    --                                  ``?``
=======  ==================================  =====================================================

``A = ceil(a_frac / 8)`` and ``W = ceil(w_bits / 8)`` bytes.  An unknown command byte is
answered at once with ``?``; the bridge cannot know its length, so a host that gets ``?``
should drain the line and resynchronise.
"""

from __future__ import annotations

import struct

from amaranth.hdl import Cat, Module, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["HostBridge", "encode", "reply_size"]


def _nbytes(bits: int) -> int:
    return (bits + 7) // 8


def _arg_sizes(fmt, writable: bool = True) -> dict:
    a = _nbytes(fmt.a_frac)
    sizes = {b"X": 2 + a, b"S": 3, b"O": 0, b"W": 5, b"Y": 2}
    if writable:
        sizes[b"L"] = 5 + _nbytes(fmt.w_bits)
    return sizes


def reply_size(cmd: bytes, fmt) -> int:
    """Bytes of the reply to ``cmd`` (one of ``b"XSOWY"``, anything else gives 1)."""
    return {b"X": 1, b"S": 2, b"O": 24, b"W": _nbytes(fmt.w_bits), b"L": 1,
            b"Y": _nbytes(fmt.a_frac)}.get(cmd, 1)


def encode(cmd: str, fmt, *args) -> bytes:
    """The bytes of one command: ``encode("W", cfg.fixed, layer, row, col)`` etc.

    Layers are 0-based as in the golden weight lists; ``col == n_in`` names the bias.
    """
    a = _nbytes(fmt.a_frac)
    if cmd == "X":
        index, code = args
        return b"X" + struct.pack("<H", index) + int(code).to_bytes(a, "little")
    if cmd == "S":
        flags, target = args
        return b"S" + bytes([flags]) + struct.pack("<H", target)
    if cmd == "O":
        return b"O"
    if cmd == "W":
        layer, row, col = args
        return b"W" + bytes([layer]) + struct.pack("<HH", row, col)
    if cmd == "L":
        layer, row, col, code = args
        return (b"L" + bytes([layer]) + struct.pack("<HH", row, col)
                + (int(code) % (1 << (8 * _nbytes(fmt.w_bits)))).to_bytes(_nbytes(fmt.w_bits), "little"))
    if cmd == "Y":
        (index,) = args
        return b"Y" + struct.pack("<H", index)
    raise ValueError(f"unknown host command {cmd!r}")


class HostBridge(wiring.Component):
    """Runs host commands on a :class:`~pgaf.rtl.trainer.Trainer` (see the module doc).

    Parameters
    ----------
    trainer : Trainer
        The trainer whose flat ports this bridge drives (it becomes the bridge's submodule).
        ``L`` is understood only if the trainer has the ``w_we``/``w_wdata`` ports
        (``Trainer(cfg, writable=True)``); otherwise it answers ``?``.

    Members
    -------
    rx : ``In(stream.Signature(8, always_ready=True))``
        Command bytes (from :class:`~pgaf.rtl.uart.UARTRx`).
    tx : ``Out(stream.Signature(8))``
        Reply bytes (to :class:`~pgaf.rtl.uart.UARTTx`).
    """

    def __init__(self, trainer):
        self.trainer = trainer
        self.fmt = trainer.cfg.fixed
        self.writable = "w_we" in trainer.signature.members
        super().__init__({"rx": In(stream.Signature(8, always_ready=True)),
                          "tx": Out(stream.Signature(8))})

    def elaborate(self, platform):
        m = Module()
        t, f = self.trainer, self.fmt
        m.submodules.trainer = t
        a_bytes, w_bytes = _nbytes(f.a_frac), _nbytes(f.w_bits)
        sizes = _arg_sizes(f, self.writable)
        max_args = max(sizes.values())

        cmd = Signal(8)
        args = Signal(8 * max_args)
        need = Signal(range(max_args + 1))
        reply = Signal(8 * 24)
        reply_len = Signal(range(25))

        def arg(offset, nbytes):
            return args[8 * offset:8 * (offset + nbytes)]

        # Held trainer inputs: the bridge is their only driver.
        x_addr, x_data = Signal.like(t.x_addr), Signal.like(t.x_data)
        target, flags = Signal.like(t.target), Signal(2)
        w_layer, w_row, w_col = Signal.like(t.w_layer), Signal.like(t.w_row), Signal.like(t.w_col)
        y_addr = Signal.like(t.y_addr)
        w_wdata = Signal(signed(f.w_bits))
        if self.writable:
            m.d.comb += t.w_wdata.eq(w_wdata)
        m.d.comb += [t.x_addr.eq(x_addr), t.x_data.eq(x_data), t.target.eq(target),
                     t.train.eq(flags[0]), t.bp.eq(flags[1]),
                     t.w_layer.eq(w_layer), t.w_row.eq(w_row), t.w_col.eq(w_col),
                     t.y_addr.eq(y_addr)]

        def answer(value, nbytes):
            m.d.sync += [reply.eq(value), reply_len.eq(nbytes)]
            m.next = "Send"

        with m.FSM(name="bridge"):
            with m.State("Command"):
                with m.If(self.rx.valid):
                    m.d.sync += cmd.eq(self.rx.payload)
                    for key, n in sizes.items():
                        with m.If(self.rx.payload == key[0]):
                            m.d.sync += need.eq(n)
                    known = Signal()
                    m.d.comb += known.eq(sum(self.rx.payload == k[0] for k in sizes) != 0)
                    with m.If(~known):
                        answer(ord("?"), 1)
                    with m.Else():
                        m.next = "Arguments"
            with m.State("Arguments"):
                with m.If(need == 0):
                    m.next = "Execute"
                with m.Elif(self.rx.valid):
                    # shift in from the top: after the last byte, byte 0 sits at the bottom
                    m.d.sync += [need.eq(need - 1)]
                    for key, n in sizes.items():
                        if n:
                            with m.If(cmd == key[0]):
                                m.d.sync += args.eq(Cat(args[8:8 * n], self.rx.payload,
                                                        args[8 * n:]))
            with m.State("Execute"):
                with m.Switch(cmd):
                    with m.Case(ord("X")):
                        m.d.sync += [x_addr.eq(arg(0, 2)), x_data.eq(arg(2, a_bytes))]
                        m.next = "Write-Input"
                    with m.Case(ord("S")):
                        m.d.sync += [flags.eq(arg(0, 1)), target.eq(arg(1, 2))]
                        m.next = "Start"
                    with m.Case(ord("O")):
                        answer(Cat(t.ops_mul, t.ops_add, t.ops_sample, t.ops_skipped,
                                   t.cyc_fwd, t.cyc_bwd), 24)
                    with m.Case(ord("W")):
                        m.d.sync += [w_layer.eq(arg(0, 1)), w_row.eq(arg(1, 2)), w_col.eq(arg(3, 2))]
                        m.next = "Read-Weight"
                    with m.Case(ord("L")):
                        m.d.sync += [w_layer.eq(arg(0, 1)), w_row.eq(arg(1, 2)), w_col.eq(arg(3, 2)),
                                     w_wdata.eq(arg(5, w_bytes))]
                        m.next = "Write-Weight"
                    with m.Case(ord("Y")):
                        m.d.sync += y_addr.eq(arg(0, 2))
                        m.next = "Read-Output"
            with m.State("Write-Input"):
                m.d.comb += t.x_we.eq(1)
                answer(ord("K"), 1)
            with m.State("Write-Weight"):
                if self.writable:
                    m.d.comb += t.w_we.eq(1)
                answer(ord("K"), 1)
            with m.State("Start"):
                m.d.comb += t.start.eq(1)
                m.next = "Wait-Done"
            with m.State("Wait-Done"):
                with m.If(~t.busy & t.done):
                    answer(t.pred, 2)
            with m.State("Read-Weight"):       # the read port answers the cycle after
                m.next = "Weight-Data"
            with m.State("Weight-Data"):
                answer(t.w_data.as_signed(), w_bytes)
            with m.State("Read-Output"):
                m.next = "Output-Data"
            with m.State("Output-Data"):
                answer(t.y_data, a_bytes)
            with m.State("Send"):
                m.d.comb += [self.tx.payload.eq(reply[:8]), self.tx.valid.eq(1)]
                with m.If(self.tx.ready):
                    m.d.sync += [reply.eq(reply >> 8), reply_len.eq(reply_len - 1)]
                    with m.If(reply_len == 1):
                        m.next = "Command"
        return m
