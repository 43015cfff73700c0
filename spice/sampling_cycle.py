"""One MTJ sample as one transient: reset → write → read, its digital bit, and its supply energy.

:func:`build_sampling_cycle` composes the write path (:mod:`.write_path`), the behavioral
MTJ (:mod:`.mtj_element`) and the read path (:mod:`.read_path`) into one PySpice
``Circuit``; :func:`simulate_sampling_cycle` runs it in ngspice and returns the
waveforms, the bit latched by the sense amplifier, and the energy of every supply,
integrated from the simulated waveforms and split into the four parts

* ``reset``: the write/reset supply ``VDDW`` up to the middle of the reset→write gap,
* ``write``: ``VDDW`` from there to the end,
* ``read``: the read-bias supply ``VREAD`` (both dividers),
* ``sensing``: the sense-amplifier supply ``VDDSA``.

The control waveforms (switch gates, MTJ state) are voltage sources that drive no
current; their energy is integrated too and reported as ``control`` (it is zero to
rounding, since gate drive is not modelled).  The parts sum to the total by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .mtj_element import add_mtj, draw_switch
from .ngspice import run_transient
from .params import CircuitParams
from .read_path import add_read_path
from .supply_energy import delivered_energy
from .write_path import add_write_path, check_headroom

__all__ = ["Timeline", "CycleResult", "build_sampling_cycle", "simulate_sampling_cycle",
           "PARTS", "SUPPLIES"]

PARTS = ("reset", "write", "read", "sensing")
#: supply voltage source name -> what it powers
SUPPLIES = {"vddw": "write/reset driver", "vread": "read bias", "vddsa": "sense amplifier"}
_CONTROLS = ("vsa", "vsb", "vre", "vsen", "vstate")


@dataclass(frozen=True)
class Timeline:
    """Phase times (s) of one cycle for a write/reset pulse of ``pulse`` s (flat top)."""

    pulse: float
    edge: float
    gap: float
    read: float

    @classmethod
    def of(cls, p: CircuitParams, pulse_ns: float) -> "Timeline":
        return cls(pulse_ns * 1e-9, p.edge_ns * 1e-9, p.gap_ns * 1e-9, p.read_ns * 1e-9)

    @property
    def reset_on(self): return self.gap
    @property
    def reset_off(self): return self.reset_on + 2 * self.edge + self.pulse
    @property
    def write_on(self): return self.reset_off + self.gap
    @property
    def write_off(self): return self.write_on + 2 * self.edge + self.pulse
    @property
    def read_on(self): return self.write_off + self.gap
    @property
    def read_off(self): return self.read_on + self.read
    @property
    def sense_on(self): return self.read_on + self.read / 2
    @property
    def stop(self): return self.read_off + self.gap
    @property
    def split(self):
        """Time that separates the reset part of ``VDDW``'s energy from the write part."""
        return self.reset_off + self.gap / 2

    @property
    def step(self):
        """Largest ngspice time step: resolves the edges of short pulses; long flat tops
        are crossed in ~4000 steps (ngspice still lands on every PWL corner)."""
        return max(self.edge / 2, self.stop / 4000)


@dataclass
class CycleResult:
    """Outcome of one simulated sampling cycle.

    Attributes
    ----------
    current_ua, pulse_ns : float
        Write current and flat-top pulse width.
    switched : bool
        The Python draw: did the write pulse switch the MTJ to AP?
    bit : int
        The sense amplifier's latched output at the end of the cycle (1 = AP).
    energy_j : dict
        Energy in J of each part in :data:`PARTS`, plus ``control`` and ``total``.
    supply_j : dict
        Energy in J delivered by each supply source over the whole cycle.
    channel_j : dict
        Energy in J dissipated in the W channel during the ``reset`` and ``write`` parts
        (the rest of ``VDDW``'s energy drops across the current-source driver).
    wave : dict of numpy.ndarray
        The simulator's vectors (``time``, node voltages, branch currents).
    timeline : Timeline
    """

    current_ua: float
    pulse_ns: float
    switched: bool
    bit: int
    energy_j: dict
    supply_j: dict
    channel_j: dict
    wave: dict = field(repr=False)
    timeline: Timeline = field(repr=False)

    @property
    def energy_pj(self) -> dict:
        return {k: v * 1e12 for k, v in self.energy_j.items()}


def build_sampling_cycle(p: CircuitParams, current_ua: float, pulse_ns: float,
                         switched: bool, initial_state: int = 1):
    """Netlist of one reset → write → read cycle.

    Parameters
    ----------
    p : CircuitParams
    current_ua : float
        Write current (µA).
    pulse_ns : float
        Flat-top width of the write and reset pulses (ns).
    switched : bool
        Outcome of the write (decided in Python, see :func:`.mtj_element.draw_switch`).
    initial_state : int
        MTJ state before the reset (1 = AP: the reset has something to undo).

    Returns
    -------
    (PySpice.Spice.Netlist.Circuit, Timeline)
    """
    from PySpice.Spice.Netlist import Circuit

    tl = Timeline.of(p, pulse_ns)
    c = Circuit("sot-mtj sampling cycle")
    add_write_path(c, p, tl, current_ua)
    add_mtj(c, p, tl, switched, initial_state)
    add_read_path(c, p, tl)
    return c, tl


def _check_args(current_ua, pulse_ns, p):
    from .ngspice import SpiceError
    if not (np.isfinite(current_ua) and 0 < current_ua):
        raise SpiceError(f"write current {current_ua!r} µA must be a positive number")
    if not (np.isfinite(pulse_ns) and 10 * p.edge_ns <= pulse_ns <= 1e7):
        raise SpiceError(f"pulse width {pulse_ns!r} ns is out of range; use "
                         f"{10 * p.edge_ns:g} ns (10 edge times) to 1e7 ns")


def simulate_sampling_cycle(p: CircuitParams | None = None, current_ua: float | None = None,
                            pulse_ns: float = 1.0, *, switched: bool | None = None, rng=None,
                            initial_state: int = 1) -> CycleResult:
    """Simulate one sampling cycle and integrate the energy of every supply.

    Parameters
    ----------
    p : CircuitParams, optional
        Circuit parameters (default :class:`CircuitParams`).
    current_ua : float, optional
        Write current in µA; default the golden device model's 50 % current.
    pulse_ns : float
        Write and reset pulse width (flat top) in ns.
    switched : bool, optional
        Force the write outcome; by default it is drawn with ``P(current_ua)`` from ``rng``.
    rng : numpy.random.Generator, optional
        Source of the draw (default ``np.random.default_rng(0)``).
    initial_state : int
        MTJ state before the reset.

    Returns
    -------
    CycleResult

    Raises
    ------
    SpiceError
        ngspice missing, no convergence, or a current the write driver cannot supply.
    """
    from pgaf.golden.device import A_UA

    p = CircuitParams() if p is None else p
    current_ua = float(A_UA if current_ua is None else current_ua)
    pulse_ns = float(pulse_ns)
    _check_args(current_ua, pulse_ns, p)
    if switched is None:
        switched = draw_switch(np.random.default_rng(0) if rng is None else rng, current_ua)
    circuit, tl = build_sampling_cycle(p, current_ua, pulse_ns, switched, initial_state)
    wave = run_transient(circuit, tl.step, tl.stop, what="SOT-MTJ sampling cycle")
    check_headroom(p, tl, wave, current_ua)

    t = wave["time"]
    src = {"vddw": "vddw", "vread": "vrd", "vddsa": "vddsa",
           "vsa": "ctrl_sa", "vsb": "ctrl_sb", "vre": "ctrl_re", "vsen": "ctrl_sen",
           "vstate": "state"}

    def energy(name, t0=None, t1=None):
        return delivered_energy(t, wave[src[name]], wave[f"{name}#branch"], t0, t1)

    e = {"reset": energy("vddw", None, tl.split), "write": energy("vddw", tl.split, None),
         "read": energy("vread"), "sensing": energy("vddsa"),
         "control": sum(energy(n) for n in _CONTROLS)}
    e["total"] = sum(e[k] for k in (*PARTS, "control"))
    supplies = {n: energy(n) for n in SUPPLIES}
    # channel dissipation: a resistor's V·I through the same integrator (sign: V = -(V(x)-V(y)))
    v_ch = -np.concatenate([(wave["a"] - wave["c"])[None], (wave["c"] - wave["b"])[None]])
    i_ch = np.concatenate([wave["@rch1[i]"][None], wave["@rch2[i]"][None]])
    channel = {"reset": sum(delivered_energy(t, v_ch[k], i_ch[k], None, tl.split) for k in range(2)),
               "write": sum(delivered_energy(t, v_ch[k], i_ch[k], tl.split, None) for k in range(2))}
    bit = int(wave["out"][-1] > p.vdd_v / 2)
    return CycleResult(current_ua, pulse_ns, bool(switched), bit, e, supplies, channel, wave, tl)
