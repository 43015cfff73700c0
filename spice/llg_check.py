"""Physics check: P(I) of the free layer from the stochastic LLG equation (cmtj), beside the paper's points.

A macrospin CoFeB free layer (in-plane easy axis along the ellipse's long axis ``x``)
sits on the W channel; a current pulse along the short axis gives a spin current
polarised along ``-x`` (the paper's type-Y geometry), i.e. an anti-damping torque
collinear with the easy axis, of strength

    H_DL = ħ θ_SH J / (2 e μ0M_s t_F),      J = I / (w_W t_W)

(A/m), with thermal noise at 300 K (cmtj's stochastic Euler-Heun solver).  One trial
starts at ``m = +x`` (parallel), applies the pulse, lets the layer relax with no
current, and counts as switched if it ends with ``m_x < 0``.  ``P(I)`` over a few
currents is fitted with ``σ(k(I − a))`` by maximum likelihood over the individual trials.

Parameters are cited in :class:`MacrospinParams` and were **not** tuned to the paper's
measured points; the comparison is the point of the check.  The channel geometry is
the circuit's (:class:`~pgaf.spice.params.CircuitParams`), so the current density is the
same one the SPICE model drives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pgaf.golden.errors import UserError

from .params import CircuitParams

__all__ = ["MacrospinParams", "damping_like_field", "switch_trials", "fit_sigmoid_trials",
           "run_llg_check", "DEFAULT_CURRENTS_UA"]

HBAR = 1.054571817e-34  # J s
E_CHARGE = 1.602176634e-19  # C
K_B = 1.380649e-23  # J/K

#: Currents (µA) of the default check, bracketing the macrospin's switching at 5 ns.
DEFAULT_CURRENTS_UA = (200.0, 240.0, 270.0, 300.0, 330.0, 370.0, 420.0)


@dataclass(frozen=True)
class MacrospinParams:
    """Free-layer parameters of the LLG check, each with its source.

    Attributes
    ----------
    mu0_ms_t : float
        Effective magnetisation μ0M_eff = 1.07 T of an in-plane CoFeB free layer on a spin
        Hall metal (L. Liu et al., Science 336, 555 (2012), the paper's ref. 27).
    damping : float
        Gilbert damping 0.021 (same source).
    spin_hall_angle : float
        |θ_SH| of β-W, 0.30 (C.-F. Pai et al., Appl. Phys. Lett. 101, 122404 (2012)).
    free_nm : float
        CoFeB free layer thickness 1.4 nm [paper's stack].
    long_nm, short_nm : float
        Ellipse axes 500 nm × 250 nm: aspect ratio 2 [paper]; the long axis fits inside
        the ≈ 595 nm channel width implied by the paper's I_c and J_c.
    barrier_kt : float
        Energy barrier Δ = 40 k_BT [paper: "≥ 40 k_BT"]; sets the uniaxial anisotropy
        K = Δ k_BT / V.
    temperature_k : float
        300 K.
    relax_ns : float
        Current-free time after the pulse before the state is read, 3 ns (≫ the
        ≈ 0.3 ns precession decay time 1/(α γ μ0M_eff)).
    dt_s : float
        Integration step 0.1 ps.
    """

    mu0_ms_t: float = 1.07
    damping: float = 0.021
    spin_hall_angle: float = 0.30
    free_nm: float = 1.4
    long_nm: float = 500.0
    short_nm: float = 250.0
    barrier_kt: float = 40.0
    temperature_k: float = 300.0
    relax_ns: float = 3.0
    dt_s: float = 1e-13

    @property
    def area_m2(self) -> float:
        return math.pi / 4 * self.long_nm * self.short_nm * 1e-18

    @property
    def anisotropy_j_m3(self) -> float:
        """Uniaxial K with K V = Δ k_B T."""
        return self.barrier_kt * K_B * self.temperature_k / (self.area_m2 * self.free_nm * 1e-9)


def damping_like_field(current_ua, mp: MacrospinParams, cp: CircuitParams):
    """H_DL in A/m for a channel current in µA: ħ θ J / (2 e μ0M_s t_F)."""
    j = np.asarray(current_ua, dtype=np.float64) * 1e-6 / (cp.channel_width_nm * cp.w_thickness_nm * 1e-18)
    return HBAR * mp.spin_hall_angle * j / (2 * E_CHARGE * mp.mu0_ms_t * mp.free_nm * 1e-9)


def _cmtj():
    try:
        import cmtj
    except ImportError as e:
        raise UserError(f"the LLG check needs cmtj ({e}); pip install 'cmtj>=1.4'") from None
    return cmtj


def switch_trials(current_ua: float, pulse_ns: float, trials: int, seed: int,
                  mp: MacrospinParams | None = None, cp: CircuitParams | None = None) -> np.ndarray:
    """Run ``trials`` stochastic-LLG write pulses; 1 where the free layer ended antiparallel.

    Each trial's thermal noise is seeded from ``numpy.random.default_rng(seed)``, so the
    same arguments give the same outcomes.
    """
    cmtj = _cmtj()
    mp = MacrospinParams() if mp is None else mp
    cp = CircuitParams() if cp is None else cp
    if not (pulse_ns > 0 and trials >= 1):
        raise UserError(f"LLG check needs a positive pulse width and >= 1 trial "
                        f"(got {pulse_ns} ns, {trials})")
    hdl_per_amp = float(damping_like_field(1e6, mp, cp))
    demag = [cmtj.CVector(0, 0, 0), cmtj.CVector(0, 0, 0), cmtj.CVector(0, 0, 1)]
    seeds = np.random.default_rng(seed).integers(1, 2**31 - 1, size=trials)
    pulse, total = pulse_ns * 1e-9, (pulse_ns + mp.relax_ns) * 1e-9
    out = np.empty(trials, dtype=np.uint8)
    for n, s in enumerate(seeds):
        layer = cmtj.Layer.createSOTLayer("free", cmtj.CVector(1, 0, 0), cmtj.CVector(1, 0, 0),
                                          mp.mu0_ms_t, mp.free_nm * 1e-9, mp.area_m2, demag,
                                          mp.damping, 0.0, hdl_per_amp)
        layer.setReferenceLayer(cmtj.CVector(-1, 0, 0))  # spin polarisation: pushes m to -x
        j = cmtj.Junction([layer])
        j.setLayerAnisotropyDriver("free", cmtj.constantDriver(mp.anisotropy_j_m3))
        j.setLayerTemperatureDriver("free", cmtj.constantDriver(mp.temperature_k))
        j.setLayerCurrentDriver("free", cmtj.stepDriver(0.0, current_ua * 1e-6, 0.0, pulse))
        j.setLayerSeed("free", int(s))
        j.runSimulation(total, mp.dt_s, total / 4, solverMode=cmtj.SolverMode.EulerHeun)
        out[n] = j.getLog()["free_mx"][-1] < 0
    return out


def fit_sigmoid_trials(currents_ua, outcomes) -> tuple[float, float]:
    """Maximum-likelihood ``(a, k)`` of ``P(I) = σ(k(I − a))`` from per-trial 0/1 outcomes.

    Parameters
    ----------
    currents_ua : array_like
        One current per trial.
    outcomes : array_like
        0/1 per trial.

    Raises
    ------
    UserError
        All outcomes equal, or the outcomes are perfectly separated by current (no
        overlap: the slope is unbounded and ``k`` cannot be estimated).
    """
    x = np.asarray(currents_ua, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    lo, hi = x[y == 1], x[y == 0]
    if lo.size == 0 or hi.size == 0 or lo.min() >= hi.max():
        raise UserError("LLG outcomes do not overlap in current (all switched above some current, "
                        "none below); add currents inside the transition or more trials")
    xc = x - x.mean()
    design = np.column_stack([xc, np.ones_like(xc)])
    theta = np.zeros(2)
    for _ in range(200):
        q = 1.0 / (1.0 + np.exp(-(design @ theta)))
        hess = design.T @ (design * (q * (1 - q))[:, None])
        step = np.linalg.solve(hess, design.T @ (y - q))
        theta = theta + step
        if np.max(np.abs(step)) < 1e-12 * (1 + np.max(np.abs(theta))):
            break
    k = float(theta[0])
    return float(x.mean() - theta[1] / k), k


def run_llg_check(currents_ua=DEFAULT_CURRENTS_UA, pulse_ns: float = 5.0, trials: int = 200,
                  seed: int = 0, plot: str | None = None) -> dict:
    """P(I) from the stochastic LLG at ``pulse_ns``, its sigmoid fit, and the paper's points.

    Returns
    -------
    dict
        ``currents_ua``, ``probability`` (per current), ``trials``, ``pulse_ns``, fitted
        ``a_ua`` and ``k_per_ua``, the golden device model's ``paper_a_ua``/``paper_k_per_ua``
        (1 ms pulses), the parameters used, and a printable ``summary``.
    """
    from pgaf.golden.device import A_UA, FIG2E_CURRENTS_UA, FIG2E_PROBABILITIES, K_PER_UA

    mp, cp = MacrospinParams(), CircuitParams()
    currents = [float(c) for c in currents_ua]
    rng = np.random.default_rng(seed)
    outcomes = [switch_trials(c, pulse_ns, trials, int(rng.integers(2**31)), mp, cp) for c in currents]
    prob = [float(o.mean()) for o in outcomes]
    a, k = fit_sigmoid_trials(np.repeat(currents, trials), np.concatenate(outcomes))
    rows = "\n".join(f"  {c:7.1f} µA  P = {p:5.3f}  (H_DL {float(damping_like_field(c, mp, cp)):7.0f} A/m)"
                     for c, p in zip(currents, prob))
    summary = (f"stochastic LLG (cmtj, macrospin, 300 K, {trials} trials per current, {pulse_ns:g} ns pulse):\n"
               f"{rows}\n"
               f"  sigmoid fit: a = {a:.1f} µA, k = {k:.4f} /µA  (10-90 % width {2 * math.log(9) / k:.1f} µA)\n"
               f"  paper (1 ms pulses, Fig. 2E fit): a = {A_UA:.1f} µA, k = {K_PER_UA:.4f} /µA "
               f"(10-90 % width {2 * math.log(9) / K_PER_UA:.1f} µA)")
    result = {"currents_ua": currents, "probability": prob, "trials": trials, "pulse_ns": pulse_ns,
              "a_ua": a, "k_per_ua": k, "paper_a_ua": A_UA, "paper_k_per_ua": K_PER_UA,
              "macrospin": {**mp.__dict__, "anisotropy_j_m3": mp.anisotropy_j_m3,
                            "hdl_a_per_m_per_ua": float(damping_like_field(1.0, mp, cp))},
              "seed": seed, "summary": summary}
    if plot:
        _plot(plot, result, FIG2E_CURRENTS_UA, FIG2E_PROBABILITIES)
    return result


def _plot(path, r, paper_i, paper_p):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pgaf.golden.device import switching_probability

    i = np.linspace(min(min(r["currents_ua"]), min(paper_i)) - 30, max(max(r["currents_ua"]), max(paper_i)) + 30, 400)
    fig, ax = plt.subplots(figsize=(6, 4))
    n = r["trials"]
    err = [np.sqrt(max(p * (1 - p), 1 / n) / n) for p in r["probability"]]
    ax.errorbar(r["currents_ua"], r["probability"], yerr=err, fmt="bo",
                label=f"stochastic LLG, {r['pulse_ns']:g} ns, {n} trials")
    ax.plot(i, 1 / (1 + np.exp(-r["k_per_ua"] * (i - r["a_ua"]))), "b-", label="sigmoid fit (LLG)")
    ax.plot(paper_i, paper_p, "rs", ms=8, label="paper Fig. 2E (1 ms)")
    ax.plot(i, switching_probability(i), "r--", label="golden device model (1 ms)")
    ax.set_xlabel("write current (µA)")
    ax.set_ylabel("P(switch to AP)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
