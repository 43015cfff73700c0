"""Random shifts of training images: the trainer's one data augmentation.

Each epoch, every training image is moved by its own ``(dy, dx)``, both drawn uniformly from
``-shift .. shift`` pixels. Pixels shifted in from outside the frame are 0: that is the
background of MNIST, Fashion-MNIST and the 8x8 digits, whose pixels are in ``[0, 1]``.
Shifting is done before centring, so a shifted image still has a 0 background.

This costs the gradient computation nothing. The net, its ops and its gates are the same;
only the examples it sees differ from epoch to epoch. On MNIST it is a regulariser. Without
it, the three-hidden-layer net fits 99.96 % of its training set after 160 epochs, and both
BP and p-GAF stop near 97.0 % on the test set (see the README).
"""

from __future__ import annotations

import numpy as np

from .errors import UserError

__all__ = ["check_shift", "pad_images", "shifted"]


def check_shift(image_shape, dataset: str, shift) -> None:
    """Raise a :class:`UserError` unless ``shift`` pixels can move ``dataset``'s images."""
    if not (isinstance(shift, int) and not isinstance(shift, bool) and shift >= 0):
        raise UserError(f"shift={shift!r} must be a whole number of pixels >= 0 (0 turns shifting off)")
    if shift and image_shape is None:
        raise UserError(f"shift needs images, and {dataset} is not an image set; use shift 0 for {dataset}")
    if shift and shift >= min(image_shape):
        rows, cols = image_shape
        raise UserError(f"shift={shift} moves {rows}x{cols} images out of frame; use a shift "
                        f"below {min(image_shape)}")


def pad_images(x: np.ndarray, image_shape, shift: int) -> np.ndarray:
    """``x`` (n, rows·cols) as images framed by ``shift`` zero pixels on every edge."""
    return np.pad(x.reshape(len(x), *image_shape), ((0, 0), (shift, shift), (shift, shift)))


def shifted(padded: np.ndarray, shift: int, rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """Fill ``out`` (n, rows·cols) with every image of ``padded`` moved by its own random ``(dy, dx)``.

    ``padded`` comes from :func:`pad_images`. One call draws ``n`` pairs from ``rng``, so the
    same generator state gives the same shifts.
    """
    n, frame_rows, frame_cols = padded.shape
    rows, cols = frame_rows - 2 * shift, frame_cols - 2 * shift
    width = 2 * shift + 1
    d = rng.integers(-shift, shift + 1, (n, 2))
    code = (d[:, 0] + shift) * width + (d[:, 1] + shift)
    images = out.reshape(n, rows, cols)
    for c in range(width * width):
        idx = np.flatnonzero(code == c)
        # moved down by m = dy - shift: row r reads the image's row r - m, the frame's r - m + shift
        y0, x0 = 2 * shift - c // width, 2 * shift - c % width
        images[idx] = padded[idx, y0:y0 + rows, x0:x0 + cols]
    return out
