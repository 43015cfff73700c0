"""The analytic check: a resistor driven by a voltage pulse from its supply, E = V²/R · t.

With linear edges of length ``τ`` the exact energy is ``V²/R · (w + 2τ/3)`` (the power
``V(t)²/R`` integrates to a third of its peak over each ramp).  This is also the
literature anchor's circuit: an SOT write of 0.75 ns at 0.9 V into a 776 Ω channel
dissipates 0.9²/776 · 0.75 ns ≈ 0.78 pJ.
"""

from __future__ import annotations

from .elements import trapezoid
from .ngspice import run_transient
from .supply_energy import delivered_energy

__all__ = ["build_pulse_resistor", "simulate_pulse_resistor", "pulse_resistor_energy_exact"]


def build_pulse_resistor(v: float, r_ohm: float, pulse_ns: float, edge_ns: float = 0.05):
    """Netlist: PWL supply ``vdrv`` (``v`` volts, flat for ``pulse_ns``) across ``r_ohm``."""
    from PySpice.Spice.Netlist import Circuit

    c = Circuit("pulse into resistor")
    c.PieceWiseLinearVoltageSource("drv", "a", c.gnd,
                                   values=trapezoid(edge_ns * 1e-9, pulse_ns * 1e-9, edge_ns * 1e-9, v))
    c.R("load", "a", c.gnd, r_ohm)
    return c


def pulse_resistor_energy_exact(v: float, r_ohm: float, pulse_ns: float, edge_ns: float = 0.05) -> float:
    """Exact energy (J): ``V²/R · (w + 2τ/3)``."""
    return v * v / r_ohm * (pulse_ns + 2 * edge_ns / 3) * 1e-9


def simulate_pulse_resistor(v: float, r_ohm: float, pulse_ns: float, edge_ns: float = 0.05) -> float:
    """Energy (J) the pulse supply delivers, integrated from ngspice's waveform."""
    stop = (pulse_ns + 4 * edge_ns) * 1e-9
    wave = run_transient(build_pulse_resistor(v, r_ohm, pulse_ns, edge_ns),
                         max(edge_ns * 1e-9 / 5, stop / 4000), stop, what="pulse-into-resistor")
    return delivered_energy(wave["time"], wave["a"], wave["vdrv#branch"])
