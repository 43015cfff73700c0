"""SOT write path: a current driver on its own supply, an H-bridge, and the W channel.

::

    VDDW ──Ireset──► B        VDDW ──Iwrite──► A
    A ──Rch/2── C ──Rch/2── B          (C: the MTJ's bottom contact, under the free layer)
    A ──SA──► 0 (on in reset)          B ──SB──► 0 (on in write and read)

The write current enters at A and leaves through B; the reset current of opposite sign
enters at B and leaves through A.  Each driver is a controlled current source fed by the
supply ``VDDW``, so the supply delivers ``VDDW · I`` for the whole pulse: the part not
dissipated in the channel is dropped across the driver, as in a real current-mode
write driver.  :func:`check_headroom` refuses a current the supply cannot push.
"""

from __future__ import annotations

import numpy as np

from .elements import add_switch, ctrl_window, trapezoid
from .ngspice import SpiceError

__all__ = ["add_write_path", "check_headroom", "HEADROOM_V"]

#: Smallest voltage a current-source driver needs across itself (one saturated transistor).
HEADROOM_V = 0.1


def add_write_path(circuit, p, tl, current_ua: float):
    """Add the write/reset driver, H-bridge and W channel to ``circuit``.

    Parameters
    ----------
    circuit : PySpice Circuit
    p : CircuitParams
    tl : Timeline
        Phase times of the cycle.
    current_ua : float
        Write current in µA (the reset current is ``p.reset_ua``).
    """
    e = tl.edge
    circuit.V("ddw", "vddw", circuit.gnd, p.vdd_v)
    circuit.PieceWiseLinearCurrentSource(
        "reset", "vddw", "b", values=trapezoid(tl.reset_on, tl.pulse, e, p.reset_ua * 1e-6))
    circuit.PieceWiseLinearCurrentSource(
        "write", "vddw", "a", values=trapezoid(tl.write_on, tl.pulse, e, current_ua * 1e-6))
    circuit.R("ch1", "a", "c", p.channel_ohm / 2)
    circuit.R("ch2", "c", "b", p.channel_ohm / 2)
    circuit.PieceWiseLinearVoltageSource("sa", "ctrl_sa", circuit.gnd,
                                         values=ctrl_window(tl.reset_on, tl.reset_off, e))
    sb = ctrl_window(tl.write_on, tl.write_off, e) + ctrl_window(tl.read_on, tl.read_off, e)[1:]
    circuit.PieceWiseLinearVoltageSource("sb", "ctrl_sb", circuit.gnd, values=sb)
    add_switch(circuit, "swa", "a", circuit.gnd, "ctrl_sa", p.r_switch_ohm, p.g_off_s)
    add_switch(circuit, "swb", "b", circuit.gnd, "ctrl_sb", p.r_switch_ohm, p.g_off_s)


def check_headroom(p, tl, wave: dict, current_ua: float):
    """Raise if a driver would need more than ``vdd − HEADROOM_V`` at its output node.

    Raises
    ------
    SpiceError
        The write or reset current is too large for ``vdd_v`` through the channel.
    """
    t = wave["time"]
    for node, (t0, t1), amps in (("a", (tl.write_on, tl.write_off), current_ua),
                                 ("b", (tl.reset_on, tl.reset_off), p.reset_ua)):
        sel = (t >= t0) & (t <= t1)
        need = float(np.max(wave[node][sel])) if sel.any() else 0.0
        if need > p.vdd_v - HEADROOM_V:
            raise SpiceError(f"the SOT write path cannot drive {amps:g} µA: the channel needs "
                             f"{need:.3f} V, above vdd_v - {HEADROOM_V} V = {p.vdd_v - HEADROOM_V:.3f} V; "
                             f"lower the current or raise vdd_v")
