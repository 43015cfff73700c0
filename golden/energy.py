"""Energy of the gradient computation from operation counts (the paper's Fig. 5F/5H).

Per-operation energies are Horowitz's 45 nm figures (M. Horowitz, "Computing's energy
problem (and what we can do about it)", ISSCC 2014, pp. 10-14, doi:10.1109/ISSCC.2014.6757323),
the same source the paper uses (its ref. 31):

=========  ==========  ==========
precision  multiply    add
=========  ==========  ==========
fp32       3.7 pJ      0.9 pJ
int32      3.1 pJ      0.1 pJ
int8       0.2 pJ      0.03 pJ
=========  ==========  ==========

The energy of one MTJ sample defaults to :data:`SAMPLE_PJ_PAPER` = 1.09 pJ: the value
implied by the paper's own Fig. 5G/H numbers (Xu et al., Newton 2, 100520, 2026: three
hidden layers, BP 2.94e10 x and 3.80e9 +-, p-GAF 6.08e9 x, 9.74e8 +- and 1.73e8 samples,
energy reduced by 79 %), i.e. the ``E_s`` solving
``6.08e9*3.7 + 9.74e8*0.9 + 1.73e8*E_s = 0.21 * (2.94e10*3.7 + 3.80e9*0.9)``.
The paper's own LTspice figure (its Note S5) is not in the main text; ``pgaf energy``
passes the figure our SPICE model computes through ``sample_pj``.
"""

from __future__ import annotations

from .errors import UserError

__all__ = ["OP_ENERGY_PJ", "SAMPLE_PJ_PAPER", "PRECISIONS", "gradient_energy_pj", "energy_breakdown"]

OP_ENERGY_PJ = {
    "fp32": {"mul": 3.7, "add": 0.9},
    "int32": {"mul": 3.1, "add": 0.1},
    "int8": {"mul": 0.2, "add": 0.03},
}
PRECISIONS = tuple(OP_ENERGY_PJ)

SAMPLE_PJ_PAPER = round((0.21 * (2.94e10 * 3.7 + 3.80e9 * 0.9) - (6.08e9 * 3.7 + 9.74e8 * 0.9))
                        / 1.73e8, 2)


def energy_breakdown(ops, precision: str = "fp32", sample_pj: float | None = None) -> dict:
    """Energy in pJ of each kind of operation and their total.

    Parameters
    ----------
    ops : OpCounts or dict
        Counts with ``mul``, ``add`` and ``sample``.
    precision : str
        ``"fp32"`` (default), ``"int32"`` or ``"int8"``: the arithmetic's energy row.
    sample_pj : float, optional
        Energy of one MTJ sample in pJ; default :data:`SAMPLE_PJ_PAPER`.

    Returns
    -------
    dict
        ``mul``, ``add``, ``sample`` and ``total`` in pJ.

    Raises
    ------
    UserError
        Unknown precision or a negative sample energy.
    """
    if precision not in OP_ENERGY_PJ:
        raise UserError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    if sample_pj is None:
        sample_pj = SAMPLE_PJ_PAPER
    if not sample_pj >= 0:
        raise UserError(f"sample energy {sample_pj!r} pJ must be >= 0")
    d = ops if isinstance(ops, dict) else ops.as_dict()
    row = OP_ENERGY_PJ[precision]
    out = {"mul": d["mul"] * row["mul"], "add": d["add"] * row["add"],
           "sample": d["sample"] * float(sample_pj)}
    out["total"] = out["mul"] + out["add"] + out["sample"]
    return out


def gradient_energy_pj(ops, precision: str = "fp32", sample_pj: float | None = None) -> float:
    """Total gradient-computation energy in pJ (see :func:`energy_breakdown`)."""
    return energy_breakdown(ops, precision, sample_pj)["total"]
