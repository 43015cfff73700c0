"""One held-out tuning run: ``tune.py NET ALGO JSON-SETTINGS`` appends a line to stdout.

Trains on the first 50 000 MNIST training images and scores on the last 10 000
(``holdout=10000``); the test set is never read for tuning.
"""
import json
import sys

from pgaf.golden.config import NetConfig
from pgaf.golden.trainer import load_dataset, train_float

net, algo, text = sys.argv[1], sys.argv[2], sys.argv[3]
kw = json.loads(text)
seed = kw.pop("seed", 1)
ds = load_dataset("mnist", "/work/shared/data/mnist")
r = train_float(NetConfig(shape=net, loss="softmax-ce", seed=seed), ds, algo, holdout=10000,
                eval_every=40000, **kw)
ep = [round(a, 4) for s, a in r["history"] if s % 40000 == 0]
print(f"{net} {algo} {text} acc {r['final_test_accuracy']:.4f} hist {ep} "
      f"mul {r['ops']['mul']} skipped {r['ops'].get('skipped')} wall {r['wall_s']:.1f}", flush=True)
