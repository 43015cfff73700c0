"""Training loop of the bit-exact fixed-point mode: :class:`~pgaf.golden.fixed_net.FixedNet` over a data set.

:func:`train_fixed` quantises a :class:`Dataset`-like object (``x_train``, ``y_train``,
``x_test``, ``y_test``), draws the initial weights and the example order from one
``numpy.random.default_rng(cfg.seed)`` (weights first, then one permutation per epoch,
see :func:`training_order`), seeds the MTJ emulator with ``cfg.seed`` (drawn in blocks by
:class:`~pgaf.golden.fast_emulator.FastMTJEmulator`, bit-identical), and trains with
batch-1 SGD, evaluating fixed-point inference accuracy every ``eval_every`` examples.
With ``shift``, every epoch moves each training image by up to ``shift`` pixels each way
(:mod:`pgaf.golden.augment`, on the input codes; the shifts come from the fourth generator
of ``SeedSequence(cfg.seed)``, as in the float trainer), a host-side change of the inputs
that leaves the arithmetic, and so the bit-exact spec, as it is.

The experiments behind the README's fixed-point table run through
``python -m pgaf.golden.experiments_fixed``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from .augment import check_shift, pad_images, shifted
from .config import NetConfig
from .errors import UserError
from .fixed_net import FixedNet, StepOps, init_params, quantize_inputs, quantize_targets
from .fast_emulator import FastMTJEmulator
from .trainer import streams

__all__ = ["train_fixed", "training_order", "ALGOS"]

ALGOS = ("bp", "pgaf")


def training_order(cfg: NetConfig, n_train: int, epochs: int):
    """Yield the example indices of each epoch, as :func:`train_fixed` visits them.

    One ``default_rng(cfg.seed)`` draws the initial weights (:func:`init_params`) and
    then ``rng.permutation(n_train)`` at the start of every epoch.
    """
    rng = np.random.default_rng(cfg.seed)
    init_params(cfg, rng)
    for _ in range(epochs):
        yield rng.permutation(n_train)


def _lr_shift_of_epoch(lr_shifts, epoch: int, default: int) -> int:
    if not lr_shifts:
        return default
    return int(lr_shifts[min(epoch, len(lr_shifts) - 1)])


def train_fixed(cfg: NetConfig, dataset, algo: str, epochs: int, eval_every: int | None = None,
                progress: bool = False, fault: str | None = None,
                lr_shifts: list[int] | None = None, shift: int = 0) -> dict:
    """Train ``cfg``'s net on ``dataset`` in the bit-exact fixed-point mode.

    Parameters
    ----------
    cfg : NetConfig
        Net shape (input width = features, output width = classes, or 1 for two
        classes), ``loss`` ``"mse"`` or ``"sigmoid-ce"``, formats, seed.
    dataset : Dataset
        Has ``x_train``, ``y_train``, ``x_test``, ``y_test`` (floats in [0, 1], int labels).
    algo : {"bp", "pgaf"}
    epochs : int
        Passes over the training set (for XOR, one epoch is one cycle over the 4 patterns).
    eval_every : int, optional
        Evaluate the test accuracy every this many examples (default: once per epoch)
        and at the end.
    progress : bool
        Show a tqdm progress bar on stderr.
    fault : None, "stuck-0" or "stuck-1"
        Stuck-at fault of the emulated MTJ (p-GAF only).
    lr_shifts : list of int, optional
        Learning-rate shift of each epoch (the last one repeats); default
        ``cfg.fixed.lr_shift`` throughout.
    shift : int
        Move every training image by up to ``shift`` pixels each way, anew each epoch
        (0: off). Needs a data set with ``image_shape``.

    Returns
    -------
    dict
        ``final_test_accuracy``; ``history`` (``[examples seen, test accuracy]`` pairs);
        ``ops`` (``mul``, ``add``, ``sample``, ``skipped``); ``ops_to_90`` (the same at the
        first evaluation with accuracy >= 0.9, or ``None``); ``wall_s``; ``epoch_s``
        (wall seconds of each epoch's training, evaluations excluded); ``weights`` and
        ``biases`` (final integer codes as nested lists); ``algo``, ``epochs``, ``config``.
    """
    if algo not in ALGOS:
        raise UserError(f"unknown algorithm {algo!r}; choose one of {', '.join(ALGOS)}")
    if not (isinstance(epochs, int) and epochs >= 1):
        raise UserError(f"epochs={epochs!r} must be a positive integer")
    f = cfg.fixed
    x_tr = np.asarray(dataset.x_train).reshape(len(dataset.x_train), -1)
    x_te = np.asarray(dataset.x_test).reshape(len(dataset.x_test), -1)
    if x_tr.shape[1] != cfg.shape[0]:
        raise UserError(f"the data set has {x_tr.shape[1]} features but the net {cfg.shape_str} "
                        f"has {cfg.shape[0]} inputs; use --net {x_tr.shape[1]}-...")
    n_out = cfg.shape[-1]
    xq_tr, xq_te = quantize_inputs(x_tr, f), quantize_inputs(x_te, f)
    tq_tr = quantize_targets(dataset.y_train, n_out, f)
    y_te = np.asarray(dataset.y_test, dtype=np.int64)
    quantize_targets(y_te, n_out, f)  # validates the test labels
    n = len(xq_tr)
    image_shape = getattr(dataset, "image_shape", None)
    check_shift(image_shape, getattr(dataset, "name", "this data set"), shift)
    if shift:
        padded = pad_images(xq_tr, image_shape, shift)
        rng_shift = streams(cfg.seed)[3]
    eval_every = n if eval_every is None else int(eval_every)
    if eval_every < 1:
        raise UserError(f"eval_every={eval_every} must be >= 1 example")

    rng = np.random.default_rng(cfg.seed)
    net = FixedNet.from_config(cfg, rng)
    emulator = FastMTJEmulator(cfg.seed, f.a_frac, fault) if algo == "pgaf" else None
    ops = StepOps()
    history, ops_to_90 = [], None
    epoch_s = []

    def evaluate(seen):
        nonlocal ops_to_90
        acc = float(np.mean(net.predict(xq_te) == y_te))
        history.append([seen, acc])
        if ops_to_90 is None and acc >= 0.9:
            ops_to_90 = ops.as_dict()
        return acc

    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=epochs * n, unit="ex", file=sys.stderr, leave=False, disable=None,
                   desc=f"{algo} {cfg.shape_str} fixed")  # disable=None: silent when not a TTY
    t0 = time.perf_counter()
    seen = 0
    for epoch in range(epochs):
        net.lr_shift = _lr_shift_of_epoch(lr_shifts, epoch, f.lr_shift)
        order = rng.permutation(n)
        te = time.perf_counter()
        t_eval = 0.0
        xe = shifted(padded, shift, rng_shift, np.empty_like(xq_tr)) if shift else xq_tr
        for i in order:
            ops += net.train_step(xe[i], tq_tr[i], emulator)
            seen += 1
            if seen % eval_every == 0:
                tv = time.perf_counter()
                evaluate(seen)
                t_eval += time.perf_counter() - tv
                if bar is not None:
                    bar.set_postfix(acc=f"{history[-1][1]:.4f}", refresh=False)
            if bar is not None and seen % 256 == 0:
                bar.update(256)
        epoch_s.append(time.perf_counter() - te - t_eval)
    if not history or history[-1][0] != seen:
        evaluate(seen)
    if bar is not None:
        bar.close()
    return {
        "final_test_accuracy": history[-1][1],
        "history": history,
        "ops": ops.as_dict(),
        "ops_to_90": ops_to_90,
        "wall_s": time.perf_counter() - t0,
        "epoch_s": epoch_s,
        "weights": [w.tolist() for w in net.weights],
        "biases": [b.tolist() for b in net.biases],
        "algo": algo,
        "epochs": epochs,
        "lr_shifts": [_lr_shift_of_epoch(lr_shifts, e, f.lr_shift) for e in range(epochs)],
        "shift": shift,
        "config": cfg.to_dict(),
    }
