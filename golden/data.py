"""The data sets the nets are trained on: XOR, the embedded 8x8 digits, MNIST and Fashion-MNIST.

:func:`load` returns a :class:`Dataset` whose inputs are float32 in ``[0, 1]``, shaped
``(n, features)``, and whose labels are int64 class indices.

- ``xor``: the four patterns of {0, 1}², label ``x0 XOR x1``; train = test (the paper's
  XOR task is learning the truth table itself).
- ``digits``: scikit-learn's embedded 8x8 digits (1797 images shipped inside the package,
  no download), pixels / 16, split by ``train_test_split(test_size=360, stratify=labels,
  random_state=0)`` into a fixed 1437 train / 360 test, the same on every machine
  (scikit-learn keeps that split stable across versions).
- ``mnist`` / ``fashion``: the standard IDX files in ``data_dir``
  (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
  ``t10k-labels-idx1-ubyte``), each raw or gzipped (``.gz``; the raw file wins if both
  exist); pixels / 255.  If ``data_dir`` holds a file ``MD5`` listing the md5 of each
  uncompressed file (``<name> <md5>`` or md5sum's ``<md5>  <name>`` lines), every file is
  checked against it.

Every problem with a data file is a :class:`DataError` (a ``UserError``) whose one-line
message names the file and the fix: missing file or folder (with the names looked for),
corrupt gzip, wrong IDX magic number, truncated or over-long file, image and label counts
that disagree, labels out of range, md5 mismatch.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import UserError

__all__ = ["DataError", "Dataset", "DATASETS", "IDX_FILES", "load", "read_idx"]

DATASETS = ("xor", "digits", "mnist", "fashion")

#: The four IDX files of MNIST and Fashion-MNIST, by role.
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

DIGITS_TEST_SIZE = 360
DIGITS_SPLIT_SEED = 0


class DataError(UserError):
    """A data set or data file cannot be read; the message names the file and the fix."""


@dataclass(frozen=True, eq=False)  # arrays: compare contents explicitly, not with ==
class Dataset:
    """A train/test split: x float32 in [0, 1] shaped (n, features), y int64 labels.

    Attributes
    ----------
    name : str
    x_train, y_train, x_test, y_test : numpy.ndarray
    image_shape : (rows, cols) or None
        The shape each row of ``x`` was flattened from (row-major), or None for data that are
        not images (XOR).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple | None = None

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, train={self.x_train.shape[0]}, test={self.x_test.shape[0]}, "
                f"features={self.n_features}, classes={self.n_classes})")


def load(name: str, data_dir=None, *, verify_md5: bool = True) -> Dataset:
    """Load a data set by name.

    Parameters
    ----------
    name : {"xor", "digits", "mnist", "fashion"}
    data_dir : str or pathlib.Path, optional
        Folder of the IDX files; required for ``mnist`` and ``fashion``, ignored otherwise.
    verify_md5 : bool
        Check the IDX files against an ``MD5`` file in ``data_dir`` when there is one.

    Raises
    ------
    DataError
        Unknown name, missing ``data_dir``, or any problem with a data file.
    """
    if name == "xor":
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        y = np.array([0, 1, 1, 0], dtype=np.int64)
        return Dataset("xor", x, y, x.copy(), y.copy())
    if name == "digits":
        return _digits()
    if name in ("mnist", "fashion"):
        return _idx_dataset(name, data_dir, verify_md5)
    raise DataError(f"unknown data set {name!r}; use one of {', '.join(DATASETS)}")


def _digits() -> Dataset:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=DIGITS_TEST_SIZE, stratify=y,
                                              random_state=DIGITS_SPLIT_SEED)
    return Dataset("digits", x_tr, y_tr, x_te, y_te, image_shape=(8, 8))


def _idx_dataset(name: str, data_dir, verify_md5: bool) -> Dataset:
    names = ", ".join(f"{n}[.gz]" for n in IDX_FILES.values())
    if data_dir is None:
        raise DataError(f"{name} is read from its IDX files; pass --data-dir pointing at the folder "
                        f"holding {names}")
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataError(f"data folder {folder} does not exist; --data-dir must point at the folder "
                        f"holding {names}")
    sums = _read_md5_file(folder) if verify_md5 else {}
    paths = {role: _find(folder, base) for role, base in IDX_FILES.items()}
    arrays = {role: read_idx(path, expected_md5=sums.get(IDX_FILES[role]))
              for role, path in paths.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        img_path, lab_path = paths[f"{split}_images"], paths[f"{split}_labels"]
        if images.ndim != 3:
            raise DataError(f"{img_path} holds a {images.ndim}-dimensional array, not images "
                            f"(n, rows, cols); check the file is the {split} images")
        if labels.ndim != 1:
            raise DataError(f"{lab_path} holds a {labels.ndim}-dimensional array, not labels; "
                            f"check the file is the {split} labels")
        if images.shape[0] != labels.shape[0]:
            raise DataError(f"{img_path.name} has {images.shape[0]} images but {lab_path.name} has "
                            f"{labels.shape[0]} labels; the two files come from different sets")
        if labels.size and labels.max() > 9:
            raise DataError(f"{lab_path} has label {int(labels.max())}, outside 0..9; "
                            f"check the file is an MNIST-style label file")
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise DataError(f"train and test images in {folder} differ in size "
                        f"({arrays['train_images'].shape[1:]} vs {arrays['test_images'].shape[1:]}); "
                        f"the files come from different sets")

    # A 256-entry table holds exactly the float32 quotients v / 255; a gather is ~5x faster
    # than converting and dividing 47 M pixels.
    scale = np.arange(256, dtype=np.float32) / np.float32(255.0)

    def flat(images):
        return scale[images.reshape(images.shape[0], -1)]

    return Dataset(name, flat(arrays["train_images"]), arrays["train_labels"].astype(np.int64),
                   flat(arrays["test_images"]), arrays["test_labels"].astype(np.int64),
                   image_shape=tuple(int(v) for v in arrays["train_images"].shape[1:]))


def _find(folder: Path, base: str) -> Path:
    for candidate in (folder / base, folder / f"{base}.gz"):
        if candidate.is_file():
            return candidate
    raise DataError(f"missing {base} in {folder} (looked for {base} and {base}.gz); "
                    f"--data-dir must point at the folder holding the four IDX files")


def _read_md5_file(folder: Path) -> dict:
    """``{uncompressed name: md5}`` from ``folder/MD5``, or ``{}`` if there is none."""
    path = folder / "MD5"
    if not path.is_file():
        return {}
    sums = {}
    for line in path.read_text(errors="replace").splitlines():
        digest = re.search(r"\b[0-9a-fA-F]{32}\b", line)
        fname = re.search(r"[\w.-]*idx\d-ubyte(\.gz)?", line)
        if digest and fname:
            sums[fname.group(0).removesuffix(".gz")] = digest.group(0).lower()
    return sums


_IDX_DTYPES = {0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
               0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path, expected_md5: str | None = None) -> np.ndarray:
    """Read one IDX file (raw, or gzipped if its name ends in ``.gz``) into an array.

    Parameters
    ----------
    path : str or pathlib.Path
    expected_md5 : str, optional
        md5 (hex) of the uncompressed content; a mismatch is an error.

    Raises
    ------
    DataError
        Corrupt gzip, md5 mismatch, bad magic number, truncated or over-long file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror}; check the file and its permissions") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            reason = "truncated" if isinstance(e, EOFError) else "not valid gzip"
            raise DataError(f"{path} is a corrupt gzip file ({reason}); download it again") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES or raw[3] == 0:
        magic = raw[:4].hex() if len(raw) >= 4 else f"{len(raw)} bytes"
        raise DataError(f"{path} has the wrong magic number ({magic}); it is not an IDX file "
                        f"(expected 0000 08 0n)")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated inside its header ({len(raw)} of {header} bytes); "
                        f"download it again")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(raw) < expected:
        raise DataError(f"{path} is truncated: {len(raw)} bytes where its header {dims} needs "
                        f"{expected}; download it again")
    if len(raw) > expected:
        raise DataError(f"{path} has {len(raw) - expected} bytes after the data its header {dims} "
                        f"describes; the file is not a clean IDX file, download it again")
    # Checked last, so a damaged file gets the more specific message above.
    if expected_md5 is not None:
        digest = hashlib.md5(raw).hexdigest()
        if digest != expected_md5:
            raise DataError(f"{path} has md5 {digest} but MD5 lists {expected_md5}; "
                            f"the file is damaged or not the original, download it again")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)
