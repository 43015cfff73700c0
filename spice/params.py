"""Every number of the SOT-MTJ sampling circuit, each with its source, in one frozen dataclass.

Sources are marked in the attribute list:

* **[paper]** Xu et al., *Newton* 2, 100520 (2026): stack W(3)/CoFeB(1.4)/MgO(1.5)/...,
  TMR 110 %, critical current ≈ 0.5 mA (2.8e7 A/cm²) at 1 ms, aspect ratio ≈ 2:1,
  energy barrier ≥ 40 k_BT.
* **[Pai12]** C.-F. Pai et al., *Appl. Phys. Lett.* 101, 122404 (2012): resistivity of
  β-W ≈ 260 µΩ·cm, spin Hall angle ≈ 0.30.
* **[design]** a choice of this circuit (the paper's Note S5 circuit is not public); the
  attribute's comment gives the reasoning.  Change these freely; the energy follows.

Derived quantities (channel width and resistance, R_AP) are properties, never stored twice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pgaf.golden.errors import UserError

__all__ = ["CircuitParams"]


@dataclass(frozen=True)
class CircuitParams:
    """Parameters of one reset → write → read sampling cycle of a 3-terminal SOT-MTJ.

    Attributes
    ----------
    w_thickness_nm : float
        Heavy-metal W channel thickness, 3 nm [paper].
    jc_a_per_cm2 : float
        Critical current density at 1 ms, 2.8e7 A/cm² [paper].
    ic_ua : float
        Critical current at 1 ms, 500 µA [paper]; with ``jc`` and the thickness it fixes
        the channel width (:attr:`channel_width_nm`, ≈ 595 nm).
    w_resistivity_uohm_cm : float
        β-W resistivity, 260 µΩ·cm [Pai12].
    channel_length_nm : float
        Length of the W channel between its two write terminals, 1000 nm [design]: the
        paper gives no length; about twice the width leaves room for the elliptical MTJ
        (short axis along the current) and the contacts.
    tmr : float
        Tunnel magnetoresistance ratio (R_AP − R_P)/R_P = 1.10 [paper].
    r_p_ohm : float
        Parallel-state resistance, 2 kΩ [design]: the paper gives TMR but not RA or area;
        2 kΩ keeps the read divider in the kΩ range of the channel and sense amp.
    vdd_v : float
        Supply of the write/reset driver and the sense amplifier, 1.2 V [design]: enough
        headroom for the reset current through the channel (≈ 0.9 V) plus a current source.
    reset_ua : float
        Reset current (opposite sign to the write), 600 µA [design]: 117 µA above the
        golden model's 50 % point, where the fitted sigmoid leaves < 1e-4 of resets undone.
    r_switch_ohm : float
        On-resistance of each H-bridge / read-enable switch, 100 Ω [design] (a wide NMOS).
    g_off_s : float
        Off-conductance of every switch, 1 pS [design]: the order of an off NMOS's leakage, and
        a DC path for ngspice.  Leakage energy grows with the cycle time (long pulses).
    edge_ns : float
        Rise and fall time of every pulse, 0.05 ns [design].
    gap_ns : float
        Idle time before, between and after the phases, 1 ns [design].
    read_v : float
        Read bias across the MTJ divider, 0.1 V [design]: low enough not to disturb the
        free layer or collapse the TMR.
    read_ns : float
        Read (and sense) window, 2 ns [design].
    sense_bias_ua : float
        Static current of the sense amplifier's preamplifier while enabled, 10 µA [design].
    sense_load_ff : float
        Capacitance of the sense amplifier's output node (the latch and the wire to the
        digital side), 2 fF [design].
    r_sense_out_ohm : float
        On-resistance of the sense amplifier's output pull-up/pull-down, 1 kΩ [design].
    """

    w_thickness_nm: float = 3.0
    jc_a_per_cm2: float = 2.8e7
    ic_ua: float = 500.0
    w_resistivity_uohm_cm: float = 260.0
    channel_length_nm: float = 1000.0
    tmr: float = 1.10
    r_p_ohm: float = 2000.0
    vdd_v: float = 1.2
    reset_ua: float = 600.0
    r_switch_ohm: float = 100.0
    g_off_s: float = 1e-12
    edge_ns: float = 0.05
    gap_ns: float = 1.0
    read_v: float = 0.1
    read_ns: float = 2.0
    sense_bias_ua: float = 10.0
    sense_load_ff: float = 2.0
    r_sense_out_ohm: float = 1000.0

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if not (isinstance(v, (int, float)) and v > 0):
                raise UserError(f"circuit parameter {f.name}={v!r} must be a positive number")
        if self.reset_ua * (self.channel_ohm + 2 * self.r_switch_ohm) * 1e-6 >= self.vdd_v:
            raise UserError(f"reset current {self.reset_ua} µA needs more than vdd_v={self.vdd_v} V "
                            f"through the {self.channel_ohm:.0f} Ω channel; raise vdd_v or lower reset_ua")

    @property
    def channel_width_nm(self) -> float:
        """W channel width that carries ``ic_ua`` at ``jc``: I_c / (J_c · t)."""
        return self.ic_ua * 1e-6 / (self.jc_a_per_cm2 * 1e4 * self.w_thickness_nm * 1e-9) * 1e9

    @property
    def channel_ohm(self) -> float:
        """Resistance of the W channel: ρ L / (w t)."""
        rho = self.w_resistivity_uohm_cm * 1e-8  # Ω·m
        return rho * self.channel_length_nm / (self.channel_width_nm * self.w_thickness_nm * 1e-9)

    @property
    def r_ap_ohm(self) -> float:
        """Antiparallel-state resistance R_P (1 + TMR)."""
        return self.r_p_ohm * (1.0 + self.tmr)

    def replace(self, **changes) -> "CircuitParams":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.update(channel_width_nm=self.channel_width_nm, channel_ohm=self.channel_ohm,
                 r_ap_ohm=self.r_ap_ohm)
        return d
