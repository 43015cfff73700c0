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
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--blas-threads", type=int, default=1, metavar="N",
                        help="BLAS threads during the timing (default 1: a batch-1 update is far too small "
                             "to share, and extra threads only contend on a loaded machine); 0 = leave as is")
    parser.add_argument("--json", metavar="FILE", help="also write the measurements as JSON")


def measure(cfg, X, T, algo, lr, n, seed):
    """Seconds for ``n`` SGD steps from fresh weights (the training loop's own call)."""
    import time

    import numpy as np

    from pgaf.golden.network import Network
    from pgaf.golden.ops import OpCounts
    ss = np.random.SeedSequence(seed)
    rng_init, rng_order, rng_mtj = (np.random.default_rng(s) for s in ss.spawn(3))
    net = Network(cfg, rng_init)
    ops = OpCounts()
    order = rng_order.integers(0, len(X), n)
    step = net.train_step
    t0 = time.perf_counter()
    for i in order:
        step(X[i], T[i], lr, ops, algo=algo, rng=rng_mtj)
    return time.perf_counter() - t0, ops


def run(args) -> int:
    import platform
    import statistics

    import numpy as np

    from pgaf.golden.config import NetConfig
    from pgaf.golden.errors import UserError

    if args.examples < 1 or args.reps < 1:
        raise UserError("--examples and --reps must be >= 1")
    if args.blas_threads < 0:
        raise UserError("--blas-threads must be >= 0 (0 leaves the BLAS library's own setting)")
    cfg = NetConfig(shape=args.net, loss="softmax-ce", seed=args.seed)
    if args.data_dir:
        from pgaf.golden.trainer import check_shape, load_dataset
        ds = load_dataset("mnist", args.data_dir)
        check_shape(cfg, ds)
        X = np.ascontiguousarray(ds.x_train - ds.x_train.mean(axis=0), np.float32)
        y = ds.y_train
        source = "MNIST"
    else:
        rng = np.random.default_rng(args.seed)
        X = rng.random((10000, cfg.shape[0]), dtype=np.float32) - 0.5
        y = rng.integers(0, cfg.shape[-1], 10000)
        source = "random data of the net's input shape"
    T = np.eye(cfg.shape[-1], dtype=np.float32)[y]
    import contextlib
    limit = contextlib.nullcontext()
    if args.blas_threads:
        # threadpoolctl ships with scikit-learn, a dependency already
        from threadpoolctl import threadpool_limits
        limit = threadpool_limits(limits=args.blas_threads, user_api="blas")
    times = {"bp": [], "pgaf": []}
    skipped = None
    with limit:
        for rep in range(args.reps):
            for algo in (("bp", "pgaf") if rep % 2 == 0 else ("pgaf", "bp")):
                dt, ops = measure(cfg, X, T, algo, 0.05, args.examples, args.seed + rep)
                times[algo].append(dt)
                if algo == "pgaf":
                    skipped = ops.skipped / max(1, args.examples * cfg.n_hidden)
    med = {a: statistics.median(v) for a, v in times.items()}
    rate = {a: args.examples / med[a] for a in med}
    epoch_s = {a: 60000 / rate[a] for a in rate}
    print(f"pgaf bench: {cfg.shape_str}, float32, batch 1, {args.examples} examples x {args.reps} "
          f"interleaved reps, {source}; BLAS threads {args.blas_threads or 'default'}; "
          f"numpy {np.__version__}, {platform.machine()}")
    print(f"{'algo':6s} {'median s':>9s} {'examples/s':>11s} {'60k-epoch s':>12s}")
    for a in ("bp", "pgaf"):
        print(f"{a:6s} {med[a]:9.3f} {rate[a]:11.0f} {epoch_s[a]:12.1f}")
    print(f"p-GAF / BP throughput ratio: {rate['pgaf'] / rate['bp']:.2f} "
          f"(p-GAF skipped {skipped * 100:.0f} % of hidden neurons)")
    if args.json:
        from pgaf.golden.jsonfile import write_json
        write_json(args.json, {"net": cfg.shape_str, "examples": args.examples, "reps": args.reps,
                               "source": source, "blas_threads": args.blas_threads,
                               "times_s": times, "median_s": med, "examples_per_s": rate,
                               "ratio_pgaf_over_bp": rate["pgaf"] / rate["bp"],
                               "skipped_fraction": skipped})
    return 0
