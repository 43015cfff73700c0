"""Primitive netlist elements shared by the circuit builders: smooth switches and pulse shapes.

A switch is a behavioral conductance ``G(V_ctrl) = g_on σ((V_ctrl − 0.5 V) / 25 mV) + g_off``
between two nodes (an ngspice B-source current ``V(a, b) · G``): it is smooth, so ngspice's
step control never meets a discontinuity, and its control node draws no current, so a
control waveform costs no energy (gate-drive energy is not modelled).
"""

from __future__ import annotations

__all__ = ["add_switch", "trapezoid", "ctrl_window"]


def add_switch(circuit, name: str, a: str, b: str, ctrl: str, r_on: float, g_off: float):
    """Add a voltage-controlled switch from node ``a`` to node ``b``, on while ``V(ctrl) > 0.5 V``."""
    circuit.B(name, a, b,
              i=f"V({a},{b})*({1.0 / r_on:.9g}/(1+exp(-(V({ctrl})-0.5)/0.025))+{g_off:.9g})")


def trapezoid(t_start: float, width: float, edge: float, level: float) -> list:
    """PWL corner points of a pulse rising at ``t_start``, flat for ``width``, edges ``edge`` long."""
    return [(0.0, 0.0), (t_start, 0.0), (t_start + edge, level),
            (t_start + edge + width, level), (t_start + 2 * edge + width, 0.0)]


def ctrl_window(t_on: float, t_off: float, edge: float) -> list:
    """PWL of a 1 V control level covering ``[t_on, t_off]`` (edges just outside the window)."""
    return [(0.0, 0.0), (t_on - edge, 0.0), (t_on, 1.0), (t_off, 1.0), (t_off + edge, 0.0)]
