"""Op counts of the MNIST gradient computation: from ``results/`` if a run saved them, else the paper's.

The paper (Xu et al. 2026, Fig. 5G, 784-64-64-64-10, to 90 % accuracy): BP needs 2.94e10
multiplications and 3.80e9 additions; p-GAF 6.08e9 and 9.74e8, plus 1.73e8 MTJ samples.

A results file is used if it is a JSON object holding, anywhere inside, an object with a
784-input ``shape`` and both ``bp`` and ``pgaf`` entries that carry (directly or under
``ops``) the counts ``mul``, ``add`` and ``sample``.
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


def find_mnist_ops(results_dir="results") -> list:
    """Every MNIST op-count set found in ``results_dir/*.json``; ``[PAPER_OPS]`` if none."""
    found = []
    for path in sorted(Path(results_dir).glob("*.json")):
        if path.name.startswith("energy"):
            continue  # our own output
        try:
            found.extend(_walk(json.loads(path.read_text()), str(path)))
        except (OSError, ValueError):
            continue
    return found or [PAPER_OPS]
