"""Held-out probe: random image shifts and tail weight averaging (``probe_shift.py NET ALGO JSON``).

Trains on the first 50 000 MNIST training images, scores on the last 10 000 (never the test
set), and prints held-out accuracy (``raw``), training accuracy (``train``) and, with ``avg``
> 0, both again for the mean of the weights snapshotted every tenth of an epoch over the last
``avg`` of the epochs.  The loop is ``train_float``'s; the shifts are drawn here with an
offset-to-slice mapping of its own, so ``train_float(..., shift=1)`` gives other bits.
Logs: tune42 (seed 1, no shift, avg 0.25), tune43 (seed 1, shift 1, avg 0.25), tune44 (seed 2,
shift 1), tune45 (seed 1, shift 2).
"""
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from pgaf.golden.config import NetConfig
from pgaf.golden.trainer import load_dataset, streams, lr_at, _targets, _accuracy
from pgaf.golden.network import Network
from pgaf.golden.ops import OpCounts

net_s, algo = sys.argv[1], sys.argv[2]
kw = json.loads(sys.argv[3])
seed = kw.get("seed", 1); shift = kw.get("shift", 0); avg_frac = kw.get("avg", 0.25)
epochs = kw.get("epochs", 160); lr0 = kw.get("lr", 0.0035); lr_end = kw.get("lr_end", 0.1)
ds = load_dataset("mnist", "/work/shared/data/mnist")
x, y = ds.x_train.astype(np.float32), ds.y_train
Xr, yr = x[:-10000], y[:-10000]; Xv, yv = x[-10000:], y[-10000:]
mean = Xr.mean(0)
Xc = Xr - mean; Xvc = Xv - mean
cfg = NetConfig(shape=net_s, loss="softmax-ce", seed=seed)
T = _targets(cfg, yr, np.float32)
rng_init, rng_order, rng_mtj = streams(seed)[:3]
rng_aug = np.random.default_rng(np.random.SeedSequence(seed).spawn(4)[3])
net = Network(cfg, rng_init, init_scale=1.0, dtype=np.float32)
ops = OpCounts(); n = len(Xc)
imgs = np.pad(Xr.reshape(-1, 28, 28), ((0, 0), (shift, shift), (shift, shift))) if shift else None
avg = None; k = 0; start_avg = int(round(epochs * (1 - avg_frac)))
hist = []
t0 = time.time()
with threadpool_limits(1, "blas"):
    for ep in range(epochs):
        rate = lr_at(ep, epochs, lr0, lr_end, "cosine")
        if shift:
            d = rng_aug.integers(-shift, shift + 1, (n, 2))
            Xe = np.empty((n, 28, 28), np.float32)
            for dy in range(-shift, shift + 1):
                for dx in range(-shift, shift + 1):
                    m = (d[:, 0] == dy) & (d[:, 1] == dx)
                    Xe[m] = imgs[m, shift + dy:shift + dy + 28, shift + dx:shift + dx + 28]
            Xe = Xe.reshape(n, 784) - mean
        else:
            Xe = Xc
        order = rng_order.permutation(n)
        for j, i in enumerate(order):
            net.train_step(Xe[i], T[i], rate, ops, algo=algo, rng=rng_mtj, samples=2, hidden_lr=None)
            if ep >= start_avg and (j + 1) % (n // 10) == 0:
                k += 1
                if avg is None:
                    avg = [w.copy() for w in net.Wb]
                else:
                    for a, w in zip(avg, net.Wb):
                        a += (w - a) / k
        if ep % 10 == 9 or ep == epochs - 1:
            hist.append(round(_accuracy(net, Xvc, yv), 4))
raw = _accuracy(net, Xvc, yv); tr = _accuracy(net, Xc, yr)
res = dict(raw=raw, train=tr)
if avg is not None:
    for a, w in zip(avg, net.Wb):
        w[...] = a
    res["avg"] = _accuracy(net, Xvc, yv); res["avg_train"] = _accuracy(net, Xc, yr)
print(net_s, algo, json.dumps(kw), json.dumps(res), "hist", hist, "mul", ops.as_dict()["mul"],
      "wall", round(time.time() - t0), flush=True)
