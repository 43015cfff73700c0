"""Data loaders: XOR, digits, and IDX files written here (good, gzipped, raw and corrupted)."""

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pgaf.golden.data import IDX_FILES, DataError, Dataset, load, read_idx
from pgaf.golden.errors import UserError

REAL_MNIST = Path(__file__).resolve().parents[2].parent / "shared/data/mnist"


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes: magic 0000 08 ndim, big-endian dims, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_set(folder: Path, rng, n_train=30, n_test=12, gz=True, md5=False):
    """Write a tiny MNIST-shaped set (7x5 images); return the arrays written."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 7, 5), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 7, 5), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    lines = []
    for role, base in IDX_FILES.items():
        data = idx_bytes(arrays[role])
        if gz:
            (folder / f"{base}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / base).write_bytes(data)
        lines.append(f"{base}{'.gz' if gz else ''} {hashlib.md5(data).hexdigest()} (md5 of the uncompressed file)")
    if md5:
        (folder / "MD5").write_text("\n".join(lines) + "\n")
    return arrays


def assert_matches(ds: Dataset, arrays):
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert_array_equal(ds.x_train, arrays["train_images"].reshape(-1, 35).astype(np.float32) / np.float32(255))
    assert_array_equal(ds.x_test, arrays["test_images"].reshape(-1, 35).astype(np.float32) / np.float32(255))
    assert_array_equal(ds.y_train, arrays["train_labels"])
    assert_array_equal(ds.y_test, arrays["test_labels"])


def one_line_error(excinfo, *needles):
    msg = str(excinfo.value)
    assert "\n" not in msg, msg
    for needle in needles:
        assert needle in msg, msg
    assert isinstance(excinfo.value, UserError)


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("md5", [True, False])
def test_idx_round_trip(tmp_path, rng, gz, md5):
    arrays = write_set(tmp_path, rng, gz=gz, md5=md5)
    for name in ("mnist", "fashion"):
        ds = load(name, tmp_path)
        assert ds.name == name and ds.n_features == 35
        assert_matches(ds, arrays)


def test_raw_and_gz_can_mix(tmp_path, rng):
    arrays = write_set(tmp_path, rng, gz=True)
    base = IDX_FILES["test_labels"]
    (tmp_path / base).write_bytes(gzip.decompress((tmp_path / f"{base}.gz").read_bytes()))
    (tmp_path / f"{base}.gz").unlink()
    assert_matches(load("mnist", tmp_path), arrays)


def test_missing_data_dir_says_pass_data_dir():
    with pytest.raises(DataError) as e:
        load("mnist")
    one_line_error(e, "--data-dir", "train-images-idx3-ubyte")


def test_nonexistent_folder(tmp_path):
    with pytest.raises(DataError) as e:
        load("fashion", tmp_path / "nowhere")
    one_line_error(e, "nowhere", "--data-dir")


def test_missing_file_names_what_was_looked_for(tmp_path, rng):
    write_set(tmp_path, rng)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, "t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz", "--data-dir")


@pytest.mark.parametrize("gz", [True, False])
def test_wrong_magic(tmp_path, rng, gz):
    write_set(tmp_path, rng, gz=gz)
    name = IDX_FILES["train_images"] + (".gz" if gz else "")
    data = bytearray(idx_bytes(rng.integers(0, 256, (30, 7, 5), dtype=np.uint8)))
    data[0:4] = b"\x1f\x8b\x08\x00"  # e.g. a doubly gzipped or foreign file
    (tmp_path / name).write_bytes(gzip.compress(bytes(data)) if gz else bytes(data))
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, name, "magic")


@pytest.mark.parametrize("cut", [3, 10, 100])
def test_truncated_file(tmp_path, rng, cut):
    write_set(tmp_path, rng, gz=False, md5=True)  # the specific reason wins over the md5 mismatch
    path = tmp_path / IDX_FILES["train_images"]
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, path.name)
    assert "truncated" in str(e.value) or "magic" in str(e.value)


def test_trailing_bytes(tmp_path, rng):
    write_set(tmp_path, rng, gz=False)
    path = tmp_path / IDX_FILES["test_images"]
    path.write_bytes(path.read_bytes() + b"\0\0")
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, path.name, "2 bytes after")


def test_mismatched_counts(tmp_path, rng):
    write_set(tmp_path, rng, gz=False)
    (tmp_path / IDX_FILES["train_labels"]).write_bytes(idx_bytes(np.zeros(29, dtype=np.uint8)))
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, "30 images", "29 labels", IDX_FILES["train_labels"])


def test_labels_out_of_range(tmp_path, rng):
    write_set(tmp_path, rng, gz=False)
    (tmp_path / IDX_FILES["test_labels"]).write_bytes(idx_bytes(np.full(12, 200, dtype=np.uint8)))
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, IDX_FILES["test_labels"], "200")


def test_images_and_labels_swapped(tmp_path, rng):
    write_set(tmp_path, rng, gz=False)
    img, lab = tmp_path / IDX_FILES["train_images"], tmp_path / IDX_FILES["train_labels"]
    a, b = img.read_bytes(), lab.read_bytes()
    img.write_bytes(b)
    lab.write_bytes(a)
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, IDX_FILES["train_images"])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "crc"])
def test_corrupt_gzip(tmp_path, rng, damage):
    write_set(tmp_path, rng, gz=True)
    path = tmp_path / (IDX_FILES["train_images"] + ".gz")
    blob = bytearray(path.read_bytes())
    if damage == "garbage":
        blob = bytearray(b"this is not gzip at all")
    elif damage == "truncated":
        blob = blob[: len(blob) // 2]
    else:
        blob[-8] ^= 0xFF  # CRC32 of the trailer
    path.write_bytes(bytes(blob))
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, path.name, "gzip")


def test_md5_mismatch(tmp_path, rng):
    write_set(tmp_path, rng, gz=True, md5=True)
    # A valid IDX file with different pixels: only the checksum can tell.
    name = IDX_FILES["test_images"]
    (tmp_path / f"{name}.gz").write_bytes(
        gzip.compress(idx_bytes(rng.integers(0, 256, (12, 7, 5), dtype=np.uint8))))
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, name, "md5")
    load("mnist", tmp_path, verify_md5=False)  # the check can be turned off


def test_md5sum_format_is_understood(tmp_path, rng):
    write_set(tmp_path, rng, gz=False)
    base = IDX_FILES["train_labels"]
    (tmp_path / "MD5").write_text(f"{'0' * 32}  {base}\n")
    with pytest.raises(DataError) as e:
        load("mnist", tmp_path)
    one_line_error(e, base, "md5")


def test_read_idx_other_dtypes(tmp_path):
    a = np.arange(-6, 6, dtype=">i4").reshape(3, 4)
    path = tmp_path / "x.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + struct.pack(">2I", 3, 4) + a.tobytes())
    assert_array_equal(read_idx(path), a)


def test_xor():
    ds = load("xor")
    assert_array_equal(ds.x_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert_array_equal(ds.y_train, [0, 1, 1, 0])
    assert_array_equal(ds.x_test, ds.x_train)
    assert_array_equal(ds.y_test, ds.y_train)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64


def test_digits_split_is_fixed_and_stratified():
    a, b = load("digits"), load("digits")
    assert (a.x_train.shape, a.x_test.shape) == ((1437, 64), (360, 64))
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert 0.0 <= a.x_train.min() and a.x_train.max() == 1.0
    assert_array_equal(a.x_train, b.x_train)
    assert_array_equal(a.y_test, b.y_test)
    # Stratified: every class has 35..37 of the 360 test images.
    counts = np.bincount(a.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37
    # Nothing of the test set leaks into training (the 1797 images have few exact duplicates).
    train_rows = {r.tobytes() for r in a.x_train}
    assert sum(r.tobytes() in train_rows for r in a.x_test) <= 2


def test_unknown_dataset():
    with pytest.raises(DataError) as e:
        load("cifar")
    one_line_error(e, "cifar", "digits")


@pytest.mark.skipif(not (REAL_MNIST / "MD5").is_file(), reason=f"real MNIST not present at {REAL_MNIST}")
def test_real_mnist():
    ds = load("mnist", REAL_MNIST)  # md5-verified against the MD5 file there
    assert ds.x_train.shape == (60000, 784) and ds.x_test.shape == (10000, 784)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    # The published first labels and class counts of MNIST.
    assert_array_equal(ds.y_train[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    assert_array_equal(ds.y_test[:5], [7, 2, 1, 0, 4])
    assert_array_equal(np.bincount(ds.y_test), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
