"""Energy delivered by a supply: the integral of V·I over the simulator's own time points.

ngspice reports a voltage source's branch current positive *into* its + terminal, so
the power it delivers is ``-V · I_branch``.  The integral is the trapezoid rule over
ngspice's (non-uniform, breakpoint-aligned) time points; no waveform is resampled or
replaced by a formula.
"""

from __future__ import annotations

import numpy as np

__all__ = ["delivered_energy", "cumulative_energy"]


def cumulative_energy(time, voltage, branch_current) -> np.ndarray:
    """Running energy (J) delivered by a source, one value per time point (starts at 0).

    Parameters
    ----------
    time, voltage, branch_current : array_like
        The source's + node voltage (its − node grounded), and its SPICE branch current.
    """
    t = np.asarray(time, dtype=np.float64)
    p = -np.asarray(voltage, dtype=np.float64) * np.asarray(branch_current, dtype=np.float64)
    return np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * np.diff(t))])


def delivered_energy(time, voltage, branch_current, t_from=None, t_to=None) -> float:
    """Energy (J) a source delivers between ``t_from`` and ``t_to`` (default: the whole run).

    The bounds are taken at the nearest simulated time point at or after each bound,
    so splitting one run at a time ``t`` gives two parts that sum exactly to the whole.
    """
    t = np.asarray(time, dtype=np.float64)
    e = cumulative_energy(t, voltage, branch_current)
    i0 = 0 if t_from is None else int(np.searchsorted(t, t_from))
    i1 = len(t) - 1 if t_to is None else int(min(np.searchsorted(t, t_to), len(t) - 1))
    return float(e[i1] - e[i0])
