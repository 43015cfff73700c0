"""Data sets for the testbenches, handed over as ``.npz`` files.

The cocotb process runs inside the simulator; importing scikit-learn there (for the
embedded digits) costs seconds of wall time that would be charged to the simulation.
The pytest side calls :func:`dataset_file` once (it loads the set with
:func:`pgaf.golden.data.load` and caches the arrays under the build folder); the
testbench reads the file back with :func:`load_dataset_file`.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .build import build_root

__all__ = ["dataset_file", "load_dataset_file"]

_FIELDS = ("x_train", "y_train", "x_test", "y_test")


def dataset_file(name: str) -> str:
    """Path of the cached ``.npz`` of data set ``name`` (written on first use)."""
    from pgaf.golden.data import load

    path = build_root() / "data" / f"{name}.npz"
    if not path.exists():
        ds = load(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, **{k: np.asarray(getattr(ds, k)) for k in _FIELDS})
        os.replace(tmp, path)   # atomic: a concurrent reader sees the whole file or none
    return str(path)


def load_dataset_file(path: str) -> SimpleNamespace:
    """The arrays written by :func:`dataset_file` (``x_train``, ``y_train``, ``x_test``, ``y_test``)."""
    with np.load(Path(path)) as z:
        return SimpleNamespace(**{k: z[k] for k in _FIELDS})
