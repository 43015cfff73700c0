"""Random image shifts: each image moves by its own drawn offset, zero-filled, reproducibly."""

import numpy as np
import pytest

from pgaf.golden.augment import check_shift, pad_images, shifted
from pgaf.golden.errors import UserError


def _moved(img, dy, dx):
    """``img`` moved down by dy and right by dx, zero-filled: the reference, pixel by pixel."""
    rows, cols = img.shape
    out = np.zeros_like(img)
    for r in range(rows):
        for c in range(cols):
            if 0 <= r - dy < rows and 0 <= c - dx < cols:
                out[r, c] = img[r - dy, c - dx]
    return out


@pytest.mark.parametrize("shift", [1, 2])
def test_each_image_moves_by_its_own_drawn_offset(shift):
    shape, n = (7, 5), 300                                   # MNIST-style rows x cols, not square
    x = np.random.default_rng(0).random((n, 35)).astype(np.float32) + 1   # no zero pixels
    out = shifted(pad_images(x, shape, shift), shift, np.random.default_rng(7), np.empty_like(x))
    d = np.random.default_rng(7).integers(-shift, shift + 1, (n, 2))   # the same draws
    for i in range(n):
        ref = _moved(x[i].reshape(shape), int(d[i, 0]), int(d[i, 1]))
        np.testing.assert_array_equal(out[i].reshape(shape), ref)
    assert len({tuple(v) for v in d}) == (2 * shift + 1) ** 2     # every offset was exercised


def test_same_generator_state_same_shifts_and_a_new_epoch_new_ones():
    x = np.random.default_rng(1).random((50, 64)).astype(np.float32)
    p = pad_images(x, (8, 8), 1)
    a = shifted(p, 1, np.random.default_rng(3), np.empty_like(x))
    b = shifted(p, 1, np.random.default_rng(3), np.empty_like(x))
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(3)
    shifted(p, 1, rng, np.empty_like(x))
    assert not np.array_equal(shifted(p, 1, rng, np.empty_like(x)), a)


@pytest.mark.parametrize("shape, shift, needle", [
    (None, 1, "not an image set"), ((8, 8), 8, "out of frame"), ((7, 5), 5, "out of frame"),
    ((8, 8), -1, "shift=-1"), ((8, 8), 1.5, "whole number"), ((8, 8), True, "whole number"),
])
def test_impossible_shift_is_a_user_error(shape, shift, needle):
    with pytest.raises(UserError, match=needle):
        check_shift(shape, "data", shift)


def test_no_shift_is_fine_for_any_data():
    check_shift(None, "xor", 0)


def test_streams_keep_the_first_three_generators_of_earlier_runs():
    """Adding the shift stream must not change the weights, order or MTJ draws of any seed."""
    from pgaf.golden.trainer import streams
    old = [np.random.default_rng(s) for s in np.random.SeedSequence(5).spawn(3)]
    new = streams(5)
    assert len(new) == 4
    for o, g in zip(old, new):
        np.testing.assert_array_equal(o.integers(0, 2**32, 8), g.integers(0, 2**32, 8))


def test_shift_reaches_training_reproducibly():
    from pgaf.golden.config import NetConfig
    from pgaf.golden.trainer import load_dataset, train_float
    ds = load_dataset("digits")
    cfg = NetConfig(shape="64-16-10", loss="softmax-ce", seed=2)
    plain = train_float(cfg, ds, "pgaf", epochs=2)
    a = train_float(cfg, ds, "pgaf", epochs=2, shift=1)
    b = train_float(cfg, ds, "pgaf", epochs=2, shift=1)
    assert a["settings"]["shift"] == 1 and plain["settings"]["shift"] == 0
    assert a["history"] == b["history"] and a["ops"] == b["ops"]
    assert a["history"] != plain["history"]
