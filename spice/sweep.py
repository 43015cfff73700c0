"""Energy per sample swept over the write pulse width and the write current.

Every point is one full simulated cycle (:func:`.sampling_cycle.simulate_sampling_cycle`)
with the write outcome drawn from one seeded generator, so a sweep is reproducible
bit for bit.
"""

from __future__ import annotations

import numpy as np

from .params import CircuitParams
from .sampling_cycle import PARTS, simulate_sampling_cycle

__all__ = ["PULSES_NS", "current_offsets_ua", "sweep_pulse_width", "sweep_current"]

#: From practical SOT writes (ns) to the paper's 1 ms measurement pulse.
PULSES_NS = (1.0, 3.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6)


def current_offsets_ua() -> tuple:
    """Write currents around the 50 % point: P from about 8 % to 92 % (±30 µA)."""
    return (-30.0, -15.0, 0.0, 15.0, 30.0)


def _row(r) -> dict:
    e = r.energy_pj
    return {"current_ua": r.current_ua, "pulse_ns": r.pulse_ns, "bit": r.bit,
            "total_pj": e["total"], **{f"{k}_pj": e[k] for k in PARTS}}


def sweep_pulse_width(p: CircuitParams, current_ua: float, pulses_ns=PULSES_NS, seed: int = 0) -> list:
    """One simulated cycle per pulse width at ``current_ua``; a list of rows (dicts, pJ)."""
    rng = np.random.default_rng(seed)
    return [_row(simulate_sampling_cycle(p, current_ua, w, rng=rng)) for w in pulses_ns]


def sweep_current(p: CircuitParams, currents_ua, pulse_ns: float, seed: int = 0) -> list:
    """One simulated cycle per write current at ``pulse_ns``; a list of rows (dicts, pJ)."""
    rng = np.random.default_rng(seed)
    return [_row(simulate_sampling_cycle(p, i, pulse_ns, rng=rng)) for i in currents_ua]
