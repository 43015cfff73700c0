"""Private stand-in for golden/data.py until it lands (same signature)."""
import gzip
import os
from collections import namedtuple

import numpy as np

from .errors import UserError

Dataset = namedtuple("Dataset", "name x_train y_train x_test y_test")


def _idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


def load(name, data_dir=None):
    if name == "xor":
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
        y = np.array([0, 1, 1, 0], np.int64)
        return Dataset("xor", x, y, x, y)
    if name == "digits":
        from sklearn.datasets import load_digits
        d = load_digits()
        x = (d.data / 16.0).astype(np.float32)
        y = d.target.astype(np.int64)
        rng = np.random.default_rng(0)
        p = rng.permutation(len(x))
        x, y = x[p], y[p]
        return Dataset("digits", x[:1437], y[:1437], x[1437:], y[1437:])
    if name in ("mnist", "fashion"):
        if data_dir is None:
            raise UserError(f"{name} needs --data-dir")
        f = lambda s: os.path.join(data_dir, s)
        xtr = _idx(f("train-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
        ytr = _idx(f("train-labels-idx1-ubyte.gz")).astype(np.int64)
        xte = _idx(f("t10k-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
        yte = _idx(f("t10k-labels-idx1-ubyte.gz")).astype(np.int64)
        return Dataset(name, xtr, ytr, xte, yte)
    raise UserError(f"unknown dataset {name}")
