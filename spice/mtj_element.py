"""Behavioral SOT-MTJ: a two-state resistor whose state is decided in Python, one draw per write.

The junction sits between its top contact ``T`` and the channel node ``C``.  Its state is
a control waveform ``V(state)`` (0 = parallel, R_P, bit 0; 1 = antiparallel, R_AP, bit 1):

* it starts in ``initial_state`` (the previous sample's outcome),
* the reset pulse leaves it parallel (deterministically: see ``CircuitParams.reset_ua``),
* at the end of the write pulse it switches to antiparallel iff the Python draw said so.

The draw ``u < P(I)`` is made by :func:`draw_switch` from a seeded NumPy generator with
``P(I)`` from the golden device model (:func:`pgaf.golden.device.switching_probability`),
so a seed fixes every outcome, and enters the netlist only as that waveform's last level.
"""

from __future__ import annotations

from pgaf.golden.device import switching_probability

__all__ = ["add_mtj", "draw_switch"]


def draw_switch(rng, current_ua: float) -> bool:
    """One Bernoulli draw: does a write pulse of ``current_ua`` µA switch the junction to AP?"""
    return bool(rng.random() < float(switching_probability(current_ua)))


def add_mtj(circuit, p, tl, switched: bool, initial_state: int = 1):
    """Add the MTJ between nodes ``t`` and ``c`` and the state waveform that drives it."""
    e = tl.edge
    s0, s1 = float(bool(initial_state)), float(bool(switched))
    circuit.PieceWiseLinearVoltageSource(
        "state", "state", circuit.gnd,
        values=[(0.0, s0), (tl.reset_off, s0), (tl.reset_off + e, 0.0),
                (tl.write_off, 0.0), (tl.write_off + e, s1)])
    circuit.B("mtj", "t", "c",
              i=f"V(t,c)/({p.r_p_ohm:.9g}+{p.r_ap_ohm - p.r_p_ohm:.9g}*V(state))")
