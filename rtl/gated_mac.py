"""Gated multiply-accumulate: ``lanes`` multipliers feeding saturating accumulators.

Two arrangements, both exact against the document's sequential order:

* ``chain=True`` (forward pass): the lanes hold consecutive inputs ``j`` of one neuron;
  their products are added into ONE accumulator one after the other, saturating after
  every addition, lane 0 first, so the result equals the scalar loop
  ``acc = sat(acc + W[k, j] * y[j])`` for ``j`` ascending.
* ``chain=False`` (backward pass): each lane is a different neuron ``j`` with its own
  accumulator, all multiplied by the same broadcast operand (``δ[k]``).

The gate ``mask`` zeroes a lane's product and leaves it out of the op count: a gated-off
lane costs no multiply and no add.  (Whole gated-off rows are never visited at all; that
is the trainer's sequencer, see :mod:`pgaf.rtl.trainer`.)
"""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Shape, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .sat_arith import lane, popcount, sat_add

__all__ = ["GatedMAC"]


class GatedMAC(wiring.Component):
    """``lanes`` gated multipliers and saturating accumulators.

    Parameters
    ----------
    lanes : int
        Number of multipliers.
    a_shape, b_shape : Shape
        Operand shapes (e.g. ``signed(w_bits)`` and ``unsigned(a_frac)``).
    acc_bits : int
        Width of the signed saturating accumulator(s).
    chain : bool
        One accumulator fed by all lanes in order (``True``) or one per lane (``False``).
    pipelined : bool
        Register the gated products (with ``en``, ``first`` and ``init``) before the
        saturating adders, so a multiplier and an adder never share a cycle.

    Members
    -------
    en : ``In(1)``
        Accumulate this cycle.
    first : ``In(1)``
        Start from ``init`` instead of the current accumulator(s).
    init : ``In(signed(acc_bits))``
        Start value (the bias term in the forward pass, 0 in the backward pass).
    a, b : ``In(lanes * width)``
        Packed operands, lane 0 in the lowest bits.
    mask : ``In(lanes)``
        Gate of each lane; a 0 lane contributes nothing and is not counted.
    acc : ``Out(n_acc * acc_bits)``
        The accumulator(s), packed (``n_acc`` is 1 with ``chain``, else ``lanes``).
    mul_inc, add_inc : ``Out(range(lanes + 1))``
        Multiplier and adder uses this cycle (``popcount(mask)`` when ``en``).

    Latency: one cycle (two with ``pipelined``) from the operands to ``acc``; a new operand
    set every cycle.  ``mul_inc`` / ``add_inc`` count in the cycle the operands are presented.
    """

    def __init__(self, *, lanes: int, a_shape, b_shape, acc_bits: int, chain: bool,
                 pipelined: bool = False):
        if not (isinstance(lanes, int) and lanes >= 1):
            raise ValueError(f"lanes must be a positive integer, not {lanes!r}")
        self.lanes = lanes
        self.a_shape = Shape.cast(a_shape)
        self.b_shape = Shape.cast(b_shape)
        self.acc_bits = acc_bits
        self.chain = chain
        self.pipelined = bool(pipelined)
        self.acc_min = -(1 << (acc_bits - 1))
        self.acc_max = (1 << (acc_bits - 1)) - 1
        n_acc = 1 if chain else lanes
        super().__init__({
            "en": In(1),
            "first": In(1),
            "init": In(signed(acc_bits)),
            "a": In(lanes * self.a_shape.width),
            "b": In(lanes * self.b_shape.width),
            "mask": In(lanes),
            "acc": Out(n_acc * acc_bits),
            "mul_inc": Out(range(lanes + 1)),
            "add_inc": Out(range(lanes + 1)),
        })

    def acc_lane(self, i: int):
        """Accumulator ``i`` as a signed value."""
        return lane(self.acc, i, self.acc_bits, signed_=True)

    def elaborate(self, platform):
        m = Module()
        aw, bw = self.a_shape.width, self.b_shape.width
        prods = []
        for i in range(self.lanes):
            a = lane(self.a, i, aw, signed_=self.a_shape.signed)
            b = lane(self.b, i, bw, signed_=self.b_shape.signed)
            prods.append(Mux(self.mask[i], a * b, 0))
        en, first, init = self.en, self.first, self.init
        if self.pipelined:
            regs = [Signal(p.shape(), name=f"prod_{i}") for i, p in enumerate(prods)]
            en, first = Signal(name="en_q"), Signal(name="first_q")
            init = Signal.like(self.init, name="init_q")
            m.d.sync += [r.eq(p) for r, p in zip(regs, prods)]
            m.d.sync += [en.eq(self.en), first.eq(self.first), init.eq(self.init)]
            prods = regs

        if self.chain:
            acc = Mux(first, init, self.acc_lane(0))
            for p in prods:
                acc = sat_add(acc, p, self.acc_min, self.acc_max)
            nxt = [acc]
        else:
            nxt = [sat_add(Mux(first, init, self.acc_lane(i)), p, self.acc_min, self.acc_max)
                   for i, p in enumerate(prods)]
        with m.If(en):
            for i, v in enumerate(nxt):
                m.d.sync += self.acc[i * self.acc_bits:(i + 1) * self.acc_bits].eq(v)

        used = Mux(self.en, popcount(self.mask), 0)
        m.d.comb += [self.mul_inc.eq(used), self.add_inc.eq(used)]
        return m
