"""``pgaf bench``: float training throughput of BP and p-GAF, measured side by side."""

from __future__ import annotations

NAME = "bench"
HELP = "training throughput (examples/s) of BP vs p-GAF, interleaved repetitions, medians and ratio"


def add_arguments(parser):
    parser.add_argument("--net", metavar="SHAPE", default="784-64-10", help="net shape (default 784-64-10)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="real MNIST folder; without it, seeded random data of MNIST's shape")
    parser.add_argument("--examples", type=int, default=6000, metavar="N",
                        help="training examples per repetition (default 6000)")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions per algorithm (default 5)")
    parser.add_argument("--epochs", type=int, default=0, metavar="E",
                        help="instead of repetitions from fresh weights, time the first E epochs of "
                             "the default MNIST training (the full default run's learning-rate "
                             "schedule), BP and p-GAF alternating epoch by epoch; needs --data-dir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--blas-threads", type=int, default=1, metavar="N",
                        help="BLAS threads during the timing (default 1: a batch-1 update is far too small "
                             "to share, and extra threads only contend on a loaded machine); 0 = leave as is")
    parser.add_argument("--json", metavar="FILE", help="also write the measurements as JSON")


def timed_steps(net, X, T, order, lr, algo, rng, ops):
    """Seconds for one SGD step per index of ``order`` (the training loop's own call)."""
    import time
    step = net.train_step
    t0 = time.perf_counter()
    for i in order:
        step(X[i], T[i], lr, ops, algo=algo, rng=rng)
    return time.perf_counter() - t0


def fresh_nets(cfg, seed):
    """A net and its example-order, MTJ and image-shift generators, seeded as ``train_float`` seeds them."""
    from pgaf.golden.network import Network
    from pgaf.golden.trainer import streams
    rng_init, rng_order, rng_mtj, rng_shift = streams(seed)
    return Network(cfg, rng_init), rng_order, rng_mtj, rng_shift


def bench_fresh(cfg, X, T, args, lr):
    """Median seconds per algorithm over interleaved repetitions of ``args.examples`` steps from fresh weights."""
    from pgaf.golden.ops import OpCounts
    times = {"bp": [], "pgaf": []}
    skipped = 0
    for rep in range(args.reps):
        for algo in (("bp", "pgaf") if rep % 2 == 0 else ("pgaf", "bp")):
            net, rng_order, rng_mtj, _ = fresh_nets(cfg, args.seed + rep)
            ops = OpCounts()
            order = rng_order.integers(0, len(X), args.examples)
            times[algo].append(timed_steps(net, X, T, order, lr, algo, rng_mtj, ops))
            if algo == "pgaf":
                skipped = ops.skipped / (args.examples * cfg.n_hidden)
    return times, skipped


def bench_training(cfg, X, T, args, images=None):
    """Seconds per epoch of the default MNIST schedule, BP and p-GAF alternating epoch by epoch.

    ``images`` (raw training images and their mean) lets each epoch shift them as the
    default training does; the shifting happens outside the timed steps, as the
    permutation does.
    """
    import numpy as np

    from pgaf.golden.augment import pad_images, shifted
    from pgaf.golden.ops import OpCounts
    from pgaf.golden.trainer import DEFAULTS, lr_at
    st = DEFAULTS["mnist"]
    shift = st.get("shift", 0) if images is not None else 0
    if shift:
        raw, shape, mean = images
        padded = pad_images(raw, shape, shift)
    runs = {a: fresh_nets(cfg, args.seed) + (OpCounts(),) for a in ("bp", "pgaf")}
    times = {"bp": [], "pgaf": []}
    for epoch in range(args.epochs):
        lr = lr_at(epoch, st["epochs"], st["lr"], st["lr_end"], st["schedule"])
        for algo in (("bp", "pgaf") if epoch % 2 == 0 else ("pgaf", "bp")):
            net, rng_order, rng_mtj, rng_shift, ops = runs[algo]
            order = rng_order.permutation(len(X))
            Xe = X
            if shift:
                Xe = shifted(padded, shift, rng_shift, np.empty_like(X))
                Xe -= mean
            times[algo].append(timed_steps(net, Xe, T, order, lr, algo, rng_mtj, ops))
    ops = runs["pgaf"][4]
    return times, ops.skipped / (args.epochs * len(X) * cfg.n_hidden)


def run(args) -> int:
    import platform
    import statistics

    import numpy as np

    from pgaf.golden.config import NetConfig
    from pgaf.golden.errors import UserError

    if args.examples < 1 or args.reps < 1 or args.epochs < 0:
        raise UserError("--examples and --reps must be >= 1, --epochs >= 0")
    if args.blas_threads < 0:
        raise UserError("--blas-threads must be >= 0 (0 leaves the BLAS library's own setting)")
    if args.epochs and not args.data_dir:
        raise UserError("--epochs times real training: name the MNIST folder with --data-dir DIR")
    cfg = NetConfig(shape=args.net, loss="softmax-ce", seed=args.seed)
    if args.data_dir:
        from pgaf.golden.trainer import check_shape, load_dataset
        ds = load_dataset("mnist", args.data_dir)
        check_shape(cfg, ds)
        raw = np.ascontiguousarray(ds.x_train, np.float32)
        mean = raw.mean(axis=0)
        X = raw - mean
        images = (raw, ds.image_shape, mean)
        y = ds.y_train
        source = "MNIST"
    else:
        rng = np.random.default_rng(args.seed)
        X = rng.random((10000, cfg.shape[0]), dtype=np.float32) - 0.5
        y = rng.integers(0, cfg.shape[-1], 10000)
        source = "random data of the net's input shape"
        images = None
    T = np.eye(cfg.shape[-1], dtype=np.float32)[y]
    import contextlib
    limit = contextlib.nullcontext()
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        limit = threadpool_limits(limits=args.blas_threads, user_api="blas")
    from pgaf.golden.trainer import DEFAULTS
    with limit:
        if args.epochs:
            times, skipped = bench_training(cfg, X, T, args, images)
            n = len(X)
            sh = DEFAULTS["mnist"].get("shift", 0)
            what = (f"first {args.epochs} epoch(s) of the default training (lr {DEFAULTS['mnist']['lr']} "
                    f"cosine over {DEFAULTS['mnist']['epochs']} epochs"
                    f"{f', images shifted by up to {sh} px' if sh else ''}), epochs alternating")
        else:
            times, skipped = bench_fresh(cfg, X, T, args, DEFAULTS["mnist"]["lr"])
            n = args.examples
            what = (f"{args.examples} examples from fresh weights x {args.reps} interleaved reps, "
                    f"lr {DEFAULTS['mnist']['lr']}")
    med = {a: statistics.median(v) for a, v in times.items()}
    rate = {a: n / med[a] for a in med}
    total = {a: len(v) * n / sum(v) for a, v in times.items()}
    print(f"pgaf bench: {cfg.shape_str}, float32, batch 1, {what}, {source}; BLAS threads "
          f"{args.blas_threads or 'default'}; numpy {np.__version__}, {platform.machine()}")
    print(f"{'algo':6s} {'median s':>9s} {'examples/s':>11s} {'60k-epoch s':>12s}")
    for a in ("bp", "pgaf"):
        print(f"{a:6s} {med[a]:9.3f} {rate[a]:11.0f} {60000 / rate[a]:12.1f}")
    if args.epochs:
        paired = statistics.median(b / p for b, p in zip(times["bp"], times["pgaf"]))
        print(f"per epoch, p-GAF / BP throughput: median {paired:.2f}, first epoch "
              f"{times['bp'][0] / times['pgaf'][0]:.2f}, last {times['bp'][-1] / times['pgaf'][-1]:.2f}")
    print(f"p-GAF / BP throughput ratio: {rate['pgaf'] / rate['bp']:.2f} "
          f"(p-GAF skipped {skipped * 100:.0f} % of hidden neurons)")
    if args.json:
        from pgaf.golden.jsonfile import write_json
        write_json(args.json, {"net": cfg.shape_str, "mode": "training" if args.epochs else "fresh",
                               "examples": n, "reps": args.reps, "epochs": args.epochs,
                               "source": source, "blas_threads": args.blas_threads,
                               "times_s": times, "median_s": med, "examples_per_s": rate,
                               "overall_examples_per_s": total,
                               "ratio_pgaf_over_bp": rate["pgaf"] / rate["bp"],
                               "skipped_fraction": skipped})
    return 0
