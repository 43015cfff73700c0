"""Op counts of the MNIST gradient computation: from ``results/`` if a run saved them, else the paper's.

The paper (Xu et al. 2026, Fig. 5G, 784-64-64-64-10, to 90 % accuracy): BP needs 2.94e10
multiplications and 3.80e9 additions; p-GAF 6.08e9 and 9.74e8, plus 1.73e8 MTJ samples.

The paper's set always comes first.  Then our own runs: every pair of cached MNIST runs
``results/mnist/<net>_bp_<tag>.json`` / ``<net>_pgaf2_<tag>.json`` written by
``pgaf experiments mnist`` (their ``ops_to_90``: the ops up to the first evaluation at
>= 90 % test accuracy, as in the paper's Fig. 5G/H), and any ``results/*.json`` holding,
anywhere inside, an object with a 784-input ``shape`` and both ``bp`` and ``pgaf`` entries
that carry (directly or under ``ops``) the counts ``mul``, ``add`` and ``sample``.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["PAPER_OPS", "find_mnist_ops"]

PAPER_OPS = {
    "source": "paper Fig. 5G (784-64-64-64-10, to 90 % accuracy)",
    "shape": "784-64-64-64-10",
    "bp": {"mul": 2.94e10, "add": 3.80e9, "sample": 0},
    "pgaf": {"mul": 6.08e9, "add": 9.74e8, "sample": 1.73e8},
}


def _counts(d):
    if isinstance(d, dict):
        if isinstance(d.get("ops"), dict):
            d = d["ops"]
        if all(isinstance(d.get(k), (int, float)) for k in ("mul", "add", "sample")):
            return {k: d[k] for k in ("mul", "add", "sample")}
    return None


def _walk(obj, source):
    if isinstance(obj, dict):
        shape = str(obj.get("shape", ""))
        bp, pg = _counts(obj.get("bp")), _counts(obj.get("pgaf"))
        if shape.startswith("784") and bp and pg:
            yield {"source": source, "shape": shape, "bp": bp, "pgaf": pg}
        for v in obj.values():
            yield from _walk(v, source)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v, source)


#: The checkout's results folder (this file is spice/op_counts.py in the repository).
RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"


def _experiment_pairs(mnist_dir: Path):
    """(bp, p-GAF) pairs of cached ``pgaf experiments mnist`` runs, to 90 % accuracy."""
    for bp_path in sorted(mnist_dir.glob("*_bp_*.json")):
        pg_path = bp_path.with_name(bp_path.name.replace("_bp_", "_pgaf2_", 1))
        try:
            bp, pg = json.loads(bp_path.read_text()), json.loads(pg_path.read_text())
        except (OSError, ValueError):
            continue
        b, p = _counts(bp.get("ops_to_90")), _counts(pg.get("ops_to_90"))
        if b and p and str(bp.get("net", "")).startswith("784"):
            yield {"source": f"{bp_path.name} + {pg_path.name} (to 90 %)",
                   "shape": bp["net"], "bp": b, "pgaf": p}


def find_mnist_ops(results_dir=RESULTS_DIR) -> list:
    """The paper's op counts, then every MNIST op-count set found in ``results_dir``."""
    results_dir = Path(results_dir)
    found = [PAPER_OPS, *_experiment_pairs(results_dir / "mnist")]
    for path in sorted(Path(results_dir).glob("*.json")):
        if path.name.startswith("energy"):
            continue  # our own output
        try:
            found.extend(_walk(json.loads(path.read_text()), str(path)))
        except (OSError, ValueError):
            continue
    return found
