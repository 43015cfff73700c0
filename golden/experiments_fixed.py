"""The fixed-point experiments behind the README's table: ``python -m pgaf.golden.experiments_fixed``.

Trains :func:`~pgaf.golden.train_fixed.train_fixed` on a data set for each algorithm and
seed and prints one line per run (accuracy, ops, ops to 90 %, seconds per epoch) and,
for several seeds, how many runs reached 100 % (XOR) and the mean accuracy.  Examples::

    python -m pgaf.golden.experiments_fixed xor --seeds 1-10 --lr-shift 1
    python -m pgaf.golden.experiments_fixed digits --net 64-16-10 --epochs 30
    python -m pgaf.golden.experiments_fixed mnist --net 784-64-10 --epochs 10 --data-dir DIR
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

import numpy as np

from .config import FixedFormat, NetConfig
from .data import load
from .errors import UserError
from .jsonfile import write_json
from .train_fixed import ALGOS, train_fixed

#: Learning rate 2**-shift per epoch for MNIST: halves every 5 epochs (the host sets it between epochs).
MNIST_LR_SHIFTS = [6] * 5 + [7] * 5 + [8] * 5 + [9] * 5
#: The same for the 8x8 digits: halves every 10 epochs.
DIGITS_LR_SHIFTS = [4] * 10 + [5] * 10 + [6] * 10

DEFAULTS = {  # dataset: (net, loss, epochs, FixedFormat overrides, per-epoch lr shifts or None)
    "xor": ("2-2-1", "mse", 3000, {"lr_shift": 1}, None),
    "digits": ("64-16-10", "sigmoid-ce", 30, {}, DIGITS_LR_SHIFTS),
    "mnist": ("784-64-10", "sigmoid-ce", 20, {}, MNIST_LR_SHIFTS),
    "fashion": ("784-64-10", "sigmoid-ce", 20, {}, MNIST_LR_SHIFTS),
}


def _seeds(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m pgaf.golden.experiments_fixed",
                                description=__doc__.splitlines()[0])
    p.add_argument("dataset", choices=sorted(DEFAULTS))
    p.add_argument("--net", help="shape, e.g. 784-64-10 (default per data set)")
    p.add_argument("--algo", choices=ALGOS + ("both",), default="both")
    p.add_argument("--epochs", type=int, help="epochs (XOR: cycles over the 4 patterns)")
    p.add_argument("--seeds", default="1", help="seeds, e.g. 1-10 or 1,3,5")
    p.add_argument("--lr-shift", type=int, help="learning rate 2**-lr_shift (default: the format's)")
    p.add_argument("--lr-shifts", help="per-epoch lr shifts, comma-separated, the last repeats")
    p.add_argument("--format", default="{}", help="JSON of FixedFormat fields to override")
    p.add_argument("--shift", type=int, default=0,
                   help="move every training image by up to this many pixels each way, each epoch")
    p.add_argument("--eval-every", type=int, help="examples between evaluations (default: one epoch)")
    p.add_argument("--data-dir", help="folder of the MNIST/Fashion IDX files")
    p.add_argument("--json", help="write all results to this file")
    p.add_argument("--progress", action="store_true")
    args = p.parse_args(argv)
    try:
        return _run(args)
    except UserError as e:
        print(f"experiments_fixed: error: {e}", file=sys.stderr)
        return 2


def _run(args) -> int:
    net, loss, epochs, fmt_defaults, lr_shifts = DEFAULTS[args.dataset]
    net = args.net or net
    epochs = args.epochs or epochs
    fmt = dataclasses.replace(FixedFormat(), **{**fmt_defaults, **json.loads(args.format)})
    if args.lr_shift is not None:
        fmt = dataclasses.replace(fmt, lr_shift=args.lr_shift)
        lr_shifts = None
    if args.lr_shifts:
        lr_shifts = [int(s) for s in args.lr_shifts.split(",")]
    ds = load(args.dataset, args.data_dir)
    algos = ALGOS if args.algo == "both" else (args.algo,)
    results = []
    print(f"{args.dataset} {net} loss={loss} epochs={epochs} format={dataclasses.asdict(fmt)}"
          + (f" lr_shifts={lr_shifts}" if lr_shifts else "") + (f" shift={args.shift}" if args.shift else ""))
    for algo in algos:
        accs = []
        for seed in _seeds(args.seeds):
            cfg = NetConfig(shape=net, loss=loss, fixed=fmt, seed=seed)
            r = train_fixed(cfg, ds, algo, epochs, eval_every=args.eval_every,
                            progress=args.progress, lr_shifts=lr_shifts, shift=args.shift)
            accs.append(r["final_test_accuracy"])
            o, o90 = r["ops"], r["ops_to_90"]
            print(f"  {algo:4s} seed {seed:2d}: test acc {r['final_test_accuracy']:.4f}  "
                  f"mul {o['mul']:.3e} add {o['add']:.3e} sample {o['sample']:.3e} "
                  f"skipped {o['skipped']:.3e}  to 90%: "
                  + (f"mul {o90['mul']:.3e} add {o90['add']:.3e} sample {o90['sample']:.3e}"
                     if o90 else "never")
                  + f"  {np.median(r['epoch_s']):.3g} s/epoch (median), {r['wall_s']:.1f} s", flush=True)
            if len(r["history"]) <= 40:
                print("        history " + " ".join(f"{a:.3f}" for _, a in r["history"]))
            r = {k: v for k, v in r.items() if k not in ("weights", "biases")}
            results.append({"seed": seed, **r})
        accs = np.array(accs)
        print(f"  {algo}: {int((accs == 1.0).sum())}/{len(accs)} runs at 100 %, "
              f"mean {accs.mean():.4f}, min {accs.min():.4f}, max {accs.max():.4f}")
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
