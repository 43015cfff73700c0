"""Op counts: arithmetic of the counter and hand-derived counts of whole runs."""

from pgaf.golden.config import NetConfig
from pgaf.golden.ops import OpCounts
from pgaf.golden.trainer import load_dataset, train_float


def test_counter_arithmetic():
    a, b = OpCounts(1, 2, 3, 4), OpCounts(10, 20, 30, 40)
    assert (a + b).as_dict() == {"mul": 11, "add": 22, "sample": 33, "skipped": 44}
    assert (b - a) == OpCounts(9, 18, 27, 36)
    c = a.copy(); c.mul += 5
    assert a.mul == 1


def test_bp_run_counts_by_hand():
    """784-style net, softmax-ce, BP: per example
    output delta n2 add; hidden delta n1*n2 mul+add plus 2 mul + 1 add per hidden neuron;
    updates (n_in + 1) mul and (n_in + 1) add per neuron (lr fold, weights, bias)."""
    ds = load_dataset("digits")
    n0, n1, n2 = 64, 7, 10
    r = train_float(NetConfig(shape=f"{n0}-{n1}-{n2}", loss="softmax-ce"), ds, "bp", epochs=1,
                    eval_every=10**9)
    n = len(ds.x_train)
    mul = n1 * n2 + 2 * n1 + n2 * (n1 + 1) + n1 * (n0 + 1)
    add = n2 + n1 * n2 + n1 + n2 * (n1 + 1) + n1 * (n0 + 1)
    assert r["ops"] == {"mul": n * mul, "add": n * add, "sample": 0, "skipped": 0}


def test_pgaf_run_saves_multiplications_and_counts_samples():
    ds = load_dataset("digits")
    cfg = NetConfig(shape="64-12-10", loss="softmax-ce")
    bp = train_float(cfg, ds, "bp", epochs=1, eval_every=10**9)
    pg = train_float(cfg, ds, "pgaf", epochs=1, eval_every=10**9)
    n = len(ds.x_train)
    assert pg["ops"]["sample"] == 2 * 12 * n
    assert 0 < pg["ops"]["skipped"] < 12 * n
    # active hidden neurons each cost 65 mul + 65 add (update) + 10 mul + 10 add (delta)
    active = 12 * n - pg["ops"]["skipped"]
    out_mul = n * (10 * 13)
    assert pg["ops"]["mul"] == out_mul + active * (65 + 10)
    assert pg["ops"]["mul"] < bp["ops"]["mul"]
