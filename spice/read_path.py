"""MTJ read path: a read bias on its own supply, a reference divider, and a latching comparator.

::

    VREAD ──RE──Rload── T ─MTJ─ C ─Rch/2─ B ─SB─ 0      (sense divider)
    VREAD ──RE──Rload── REF ─Rref─ 0                    (reference divider)

``Rload`` is the geometric mean of the two sense-path resistances (the largest voltage
swing between the P and AP states) and ``Rref`` puts ``V(REF)`` exactly halfway between
the two sense voltages.  After the dividers settle (the first half of the read window)
the sense amplifier is enabled on its own supply ``VDDSA``: a preamplifier drawing
``sense_bias_ua``, and an output stage that charges (bit 1: AP, high resistance) or
discharges (bit 0) the ``sense_load_ff`` output node, which then holds the bit.
"""

from __future__ import annotations

import math

from .elements import add_switch, ctrl_window, trapezoid

__all__ = ["add_read_path", "read_divider"]


def read_divider(p) -> tuple[float, float]:
    """``(Rload, Rref)`` in Ω of the sense and reference dividers."""
    path_p = p.r_p_ohm + p.channel_ohm / 2 + p.r_switch_ohm
    path_ap = p.r_ap_ohm + p.channel_ohm / 2 + p.r_switch_ohm
    r_load = math.sqrt(path_p * path_ap)
    top = p.r_switch_ohm + r_load
    v_mid = 0.5 * (path_p / (top + path_p) + path_ap / (top + path_ap))
    return r_load, v_mid * top / (1.0 - v_mid)


def add_read_path(circuit, p, tl):
    """Add the read bias, both dividers and the sense amplifier; the bit ends on node ``out``."""
    e = tl.edge
    r_load, r_ref = read_divider(p)
    circuit.V("read", "vrd", circuit.gnd, p.read_v)
    circuit.PieceWiseLinearVoltageSource("re", "ctrl_re", circuit.gnd,
                                         values=ctrl_window(tl.read_on, tl.read_off, e))
    add_switch(circuit, "res", "vrd", "rs", "ctrl_re", p.r_switch_ohm, p.g_off_s)
    add_switch(circuit, "rer", "vrd", "rr", "ctrl_re", p.r_switch_ohm, p.g_off_s)
    circuit.R("loads", "rs", "t", r_load)
    circuit.R("loadr", "rr", "ref", r_load)
    circuit.R("ref", "ref", circuit.gnd, r_ref)

    circuit.V("ddsa", "vddsa", circuit.gnd, p.vdd_v)
    circuit.PieceWiseLinearVoltageSource("sen", "ctrl_sen", circuit.gnd,
                                         values=ctrl_window(tl.sense_on, tl.read_off, e))
    circuit.PieceWiseLinearCurrentSource(
        "bias", "vddsa", circuit.gnd,
        values=trapezoid(tl.sense_on - e, tl.read_off - tl.sense_on, e, p.sense_bias_ua * 1e-6))
    # decision (1 mV wide) gated by the enable; its complement drives the pull-down
    circuit.B("cmp", "cmp", circuit.gnd, v="V(ctrl_sen)*0.5*(1+tanh((V(t)-V(ref))/1e-3))")
    circuit.B("ncmp", "ncmp", circuit.gnd, v="V(ctrl_sen)-V(cmp)")
    add_switch(circuit, "pu", "vddsa", "out", "cmp", p.r_sense_out_ohm, p.g_off_s)
    add_switch(circuit, "pd", "out", circuit.gnd, "ncmp", p.r_sense_out_ohm, p.g_off_s)
    circuit.C("out", "out", circuit.gnd, p.sense_load_ff * 1e-15)
