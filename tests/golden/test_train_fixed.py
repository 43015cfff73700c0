"""The fixed-point net against a deliberately naive, per-scalar reading of docs/fixed-point.md."""

from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pgaf.golden.config import FixedFormat, NetConfig
from pgaf.golden.errors import UserError
from pgaf.golden.fast_emulator import FastMTJEmulator, xoshiro_block
from pgaf.golden.fixed import sigmoid_lut
from pgaf.golden.fixed_net import FixedNet, _sat_rows, quantize_inputs, quantize_targets
from pgaf.golden.mtj_emulator import MTJEmulator
from pgaf.golden.train_fixed import train_fixed, training_order
from pgaf.golden.xoshiro import Xoshiro128pp


# ---------------------------------------------------------------------------------------------
# The naive reference: Python integers, one scalar at a time, written from the document alone.
# ---------------------------------------------------------------------------------------------
def _rs(v, s):
    return v << -s if s <= 0 else (v + (1 << (s - 1))) >> s


class NaiveStep:
    """Saturation and table look-up of the naive reference, counting saturation events."""

    def __init__(self, cfg):
        self.cfg, self.f = cfg, cfg.fixed
        self.lut = [int(v) for v in sigmoid_lut(cfg.fixed)]
        self.sat_hits = {"acc": 0, "e": 0, "w": 0}

    def sat(self, v, bits, kind):
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        if v < lo or v > hi:
            self.sat_hits[kind] += 1
        return min(max(v, lo), hi)

    def act(self, acc):
        f = self.f
        z = _rs(acc, f.w_frac + f.a_frac - f.z_frac)
        z = min(max(z, -(1 << (f.z_bits - 1))), (1 << (f.z_bits - 1)) - 1)
        return self.lut[z % (1 << f.z_bits)]


def naive_step(cfg, W, B, x, t, em, hits=None):
    """Full naive step (forward with pair draws, deltas, update); returns (W, B, ops, hits)."""
    f = cfg.fixed
    W = [[list(r) for r in w] for w in W]
    B = [list(b) for b in B]
    L = len(W)
    pgaf = em is not None
    one = 1 << f.a_frac
    ref = NaiveStep(cfg)
    ops = {"mul": 0, "add": 0, "sample": 0, "skipped": 0}
    # 1-2: forward, a pair drawn as each hidden activation is produced.
    y = [list(x)]
    gate = {}
    for l in range(1, L + 1):
        out = []
        for k in range(len(W[l - 1])):
            acc = B[l - 1][k] << f.a_frac
            for j in range(len(y[l - 1])):
                acc = ref.sat(acc + W[l - 1][k][j] * y[l - 1][j], f.acc_bits, "acc")
            out.append(ref.act(acc))
            if pgaf and l < L:
                b1, b2 = em.sample_pair(out[-1])
                gate[(l, k)] = b1 & (1 - b2)
                ops["sample"] += 2
                ops["skipped"] += 1 - gate[(l, k)]
        y.append(out)
    # 3: output delta.
    delta = {}
    for k, yk in enumerate(y[L]):
        if cfg.loss == "sigmoid-ce":
            delta[(L, k)] = ref.sat(_rs(yk - t[k], f.a_frac - f.e_frac), f.e_bits, "e")
            ops["add"] += 1
        else:
            d = _rs(yk * (one - yk), f.a_frac)
            delta[(L, k)] = ref.sat(_rs((yk - t[k]) * d, 2 * f.a_frac - f.e_frac), f.e_bits, "e")
            ops["mul"] += 2
            ops["add"] += 2

    def active(l):
        if l == L or not pgaf:
            return list(range(len(y[l])))
        return [k for k in range(len(y[l])) if gate[(l, k)] == 1]

    # 4: backward with the old weights.
    for l in range(L - 1, 0, -1):
        A = active(l + 1)
        for j in range(len(y[l])):
            if pgaf and gate[(l, j)] == 0:
                delta[(l, j)] = 0
                continue
            acc = 0
            for k in A:
                acc = ref.sat(acc + W[l][k][j] * delta[(l + 1, k)], f.acc_bits, "acc")
                ops["mul"] += 1
                ops["add"] += 1
            s = ref.sat(_rs(acc, f.w_frac), f.e_bits, "e")
            if pgaf:
                delta[(l, j)] = s
            else:
                d = _rs(y[l][j] * (one - y[l][j]), f.a_frac)
                delta[(l, j)] = ref.sat(_rs(s * d, f.a_frac), f.e_bits, "e")
                ops["mul"] += 2
                ops["add"] += 1
    # 5: update.
    for l in range(1, L + 1):
        for k in active(l):
            for j in range(len(y[l - 1])):
                step = _rs(delta[(l, k)] * y[l - 1][j], f.e_frac + f.a_frac - f.w_frac + f.lr_shift)
                W[l - 1][k][j] = ref.sat(W[l - 1][k][j] - step, f.w_bits, "w")
                ops["mul"] += 1
                ops["add"] += 1
            B[l - 1][k] = ref.sat(B[l - 1][k] - _rs(delta[(l, k)], f.e_frac - f.w_frac + f.lr_shift),
                                  f.w_bits, "w")
            ops["add"] += 1
    if hits is not None:
        for key, v in ref.sat_hits.items():
            hits[key] += v
    return W, B, ops


# ---------------------------------------------------------------------------------------------
def _random_format(rng):
    """A random, valid, deliberately narrow format so that every saturation point is reachable."""
    w_bits = int(rng.integers(6, 17))
    w_frac = int(rng.integers(w_bits // 2, w_bits))
    a_frac = int(rng.integers(3, 9))
    e_bits = int(rng.integers(6, 17))
    e_frac = int(rng.integers(max(0, e_bits - 5), e_bits + 2))
    acc_bits = max(w_bits + e_bits, w_bits + a_frac + 1)
    z_bits = int(rng.integers(5, 11))
    z_frac = int(rng.integers(0, min(z_bits, w_frac + a_frac + 1)))
    return FixedFormat(w_bits=w_bits, w_frac=w_frac, a_frac=a_frac, e_bits=e_bits, e_frac=e_frac,
                       acc_bits=acc_bits, z_bits=z_bits, z_frac=z_frac,
                       lr_shift=int(rng.integers(0, 5)))


SHAPES = [(2, 2, 1), (3, 4, 2), (5, 3, 4, 3), (4, 6, 1), (6, 5, 5, 4)]


def _random_net(rng, cfg, extreme=False):
    f = cfg.fixed
    W, B = [], []
    for n_in, n_out in zip(cfg.shape[:-1], cfg.shape[1:]):
        if extreme:  # weights at the very ends of their range
            W.append(rng.choice([f.w_min, f.w_max], size=(n_out, n_in)))
            B.append(rng.choice([f.w_min, f.w_max], size=n_out))
        else:
            W.append(rng.integers(f.w_min, f.w_max + 1, size=(n_out, n_in)))
            B.append(rng.integers(f.w_min, f.w_max + 1, size=n_out))
    return W, B


def _check_against_naive(cfg, algo, rng, steps, extreme=False, hits=None):
    f = cfg.fixed
    W, B = _random_net(rng, cfg, extreme)
    net = FixedNet(cfg, W, B)
    em_fast = MTJEmulator(cfg.seed, f.a_frac) if algo == "pgaf" else None
    em_ref = MTJEmulator(cfg.seed, f.a_frac) if algo == "pgaf" else None
    for _ in range(steps):
        if extreme:
            x = rng.choice([0, f.a_max], size=cfg.shape[0])
        else:
            x = rng.integers(0, f.a_max + 1, size=cfg.shape[0])
        t = quantize_targets(int(rng.integers(0, max(2, cfg.shape[-1]))), cfg.shape[-1], f)
        W, B, ops_ref = naive_step(cfg, W, B, x.tolist(), t.tolist(), em_ref, hits)
        ops = net.train_step(x, t, em_fast)
        for l in range(len(W)):
            assert_array_equal(net.weights[l], np.array(W[l], dtype=np.int64))
            assert_array_equal(net.biases[l], np.array(B[l], dtype=np.int64))
        assert ops.as_dict() == ops_ref
    if em_fast is not None:
        assert em_fast.a.state == em_ref.a.state and em_fast.b.state == em_ref.b.state


@pytest.mark.parametrize("algo", ["bp", "pgaf"])
@pytest.mark.parametrize("loss", ["mse", "sigmoid-ce"])
@pytest.mark.parametrize("case", range(6))
def test_step_equals_naive_reference(algo, loss, case):
    rng = np.random.default_rng(1000 + 17 * case + (loss == "mse") * 7 + (algo == "pgaf"))
    cfg = NetConfig(shape=SHAPES[case % len(SHAPES)], loss=loss, fixed=_random_format(rng),
                    seed=int(rng.integers(0, 2**31)))
    _check_against_naive(cfg, algo, rng, steps=8)


@pytest.mark.parametrize("algo", ["bp", "pgaf"])
@pytest.mark.parametrize("loss", ["mse", "sigmoid-ce"])
def test_saturation_never_wraps(algo, loss):
    # Weights at +-max, inputs at 0 / max, narrowest accumulators: every sum, delta and
    # update runs into its limits; the vectorized net must clamp exactly where the naive one does.
    hits = {"acc": 0, "e": 0, "w": 0}
    for case in range(4):
        rng = np.random.default_rng(77 + case)
        f = FixedFormat(w_bits=8, w_frac=5, a_frac=6, e_bits=8, e_frac=8, acc_bits=16,
                        z_bits=6, z_frac=2, lr_shift=0)
        cfg = NetConfig(shape=(12, 9, 6, 3), loss=loss, fixed=f, seed=5 + case)
        _check_against_naive(cfg, algo, rng, steps=6, extreme=True, hits=hits)
    # The test exercised every saturating stage (a test that could silently skip them proves nothing).
    assert hits["acc"] > 0 and hits["e"] > 0 and hits["w"] > 0, hits


def test_sat_rows_fast_paths_equal_sequential_loop():
    rng = np.random.default_rng(3)
    for trial in range(200):
        lo, hi = -(1 << 15), (1 << 15) - 1
        m = rng.integers(-300, 301, size=(int(rng.integers(0, 6)), int(rng.integers(0, 12))))
        v = rng.integers(-300, 301, size=m.shape[1])
        init = rng.integers(lo, hi + 1, size=m.shape[0])
        want = []
        for i in range(m.shape[0]):
            acc = int(init[i])
            for j in range(m.shape[1]):
                acc = min(max(acc + int(m[i, j]) * int(v[j]), lo), hi)
            want.append(acc)
        assert_array_equal(_sat_rows(m, v, init, lo, hi, False), np.array(want, dtype=np.int64))
        # The static shortcut is only valid when nothing can saturate: check that claim too.
        if all(lo <= int(init[i]) + np.cumsum(m[i] * v).min(initial=0) and
               int(init[i]) + np.cumsum(m[i] * v).max(initial=0) <= hi for i in range(m.shape[0])):
            assert_array_equal(_sat_rows(m, v, init, lo, hi, True), np.array(want, dtype=np.int64))


def test_emulator_gates_equal_sample_pairs():
    rng = np.random.default_rng(8)
    for fault in (None, "stuck-0", "stuck-1"):
        a, b = MTJEmulator(21, 8, fault), MTJEmulator(21, 8, fault)
        for _ in range(30):
            ps = rng.integers(0, 256, size=int(rng.integers(0, 20)))
            want = []
            for p in ps:
                b1, b2 = b.sample_pair(int(p))
                want.append(b1 & (1 - b2))
            assert a.gates(ps) == want
        assert a.a.state == b.a.state and a.b.state == b.b.state and a.samples == b.samples


@pytest.mark.parametrize("lanes,k", [(1, 1), (1, 5), (2, 3), (8, 16), (1024, 64)])
def test_block_streams_equal_xoshiro(lanes, k):
    for seed in (0, 1, 99):
        ref = Xoshiro128pp.from_seed(seed)
        state = ref.state
        for _ in range(2):  # two blocks in a row: the returned state continues the stream
            out, state = xoshiro_block(state, lanes, k)
            assert_array_equal(out, ref.take(lanes * k))
            assert state == ref.state


def test_fast_emulator_equals_emulator():
    rng = np.random.default_rng(81)
    for fault in (None, "stuck-0", "stuck-1"):
        fast, ref = FastMTJEmulator(13, 8, fault, lanes=4, k=8), MTJEmulator(13, 8, fault)
        for _ in range(100):  # calls straddle block boundaries of 32 draws
            ps = rng.integers(0, 256, size=int(rng.integers(0, 70)))
            assert fast.gates(ps) == ref.gates(ps)
        assert fast.samples == ref.samples


@pytest.mark.parametrize("fmt,n_in,path", [
    (FixedFormat(), 40, "float64"),
    (FixedFormat(w_bits=32, w_frac=16, a_frac=16, e_bits=32, acc_bits=64), 200, "int64"),
    (FixedFormat(w_bits=8, w_frac=5, a_frac=6, e_bits=8, e_frac=8, acc_bits=16, z_bits=6, z_frac=2),
     40, "saturating")])
def test_batch_inference_equals_per_example_forward(fmt, n_in, path):
    rng = np.random.default_rng(31)
    cfg = NetConfig(shape=(n_in, 7, 5), loss="sigmoid-ce", fixed=fmt)
    net = FixedNet(cfg, *_random_net(rng, cfg))
    bound = (-fmt.w_min << fmt.a_frac) + n_in * (-fmt.w_min) * fmt.a_max
    assert path == ("saturating" if bound > fmt.acc_max else "float64" if bound < 2**53 else "int64")
    x = rng.integers(0, fmt.a_max + 1, size=(25, n_in))
    want = np.stack([net.forward(xi)[-1] for xi in x])
    assert_array_equal(net.output_codes(x), want)
    assert_array_equal(net.predict(x), np.argmax(want, axis=1))


# ---------------------------------------------------------------------------------------------
def _xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return SimpleNamespace(name="xor", x_train=x, y_train=y, x_test=x, y_test=y)


def _blobs(seed=0, n=120, d=6, c=3):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0.1, 0.9, size=(c, d))
    y = rng.integers(0, c, size=n)
    x = np.clip(centres[y] + rng.normal(0, 0.08, size=(n, d)), 0, 1).astype(np.float32)
    return SimpleNamespace(name="blobs", x_train=x[:90], y_train=y[:90], x_test=x[90:], y_test=y[90:])


@pytest.mark.parametrize("algo", ["bp", "pgaf"])
def test_same_seed_same_bits(algo):
    cfg = NetConfig(shape="6-5-3", loss="sigmoid-ce", seed=4)
    r1 = train_fixed(cfg, _blobs(), algo, epochs=2, eval_every=30)
    r2 = train_fixed(cfg, _blobs(), algo, epochs=2, eval_every=30)
    r3 = train_fixed(cfg.replace(seed=5), _blobs(), algo, epochs=2, eval_every=30)
    for a, b in zip(r1["weights"], r2["weights"]):
        assert_array_equal(np.array(a), np.array(b))
    assert r1["ops"] == r2["ops"] and r1["history"] == r2["history"]
    assert any(not np.array_equal(np.array(a), np.array(b)) for a, b in zip(r1["weights"], r3["weights"]))


def test_trainer_replays_step_by_step():
    # The loop is exactly FixedNet.from_config + training_order + train_step with the
    # reference MTJEmulator (the trainer draws through FastMTJEmulator): what cosim replays.
    cfg = NetConfig(shape="6-4-3", loss="sigmoid-ce", seed=9)
    ds = _blobs(1)
    res = train_fixed(cfg, ds, "pgaf", epochs=2)
    net = FixedNet.from_config(cfg)
    em = MTJEmulator(cfg.seed, cfg.fixed.a_frac)
    xq = quantize_inputs(ds.x_train, cfg.fixed)
    tq = quantize_targets(ds.y_train, 3, cfg.fixed)
    for order in training_order(cfg, len(xq), 2):
        for i in order:
            net.train_step(xq[i], tq[i], em)
    for a, b in zip(res["weights"], net.weights):
        assert_array_equal(np.array(a), b)


def test_op_counts_equal_formula_on_xor_net():
    cfg = NetConfig(shape="2-2-1", loss="mse", seed=3)
    f = cfg.fixed
    net = FixedNet.from_config(cfg)
    x = quantize_inputs([[0, 1]], f)[0]
    t = quantize_targets(1, 1, f)
    # bp, 2-2-1, mse: output delta 2x + 2+; hidden 2 x (1x + 1+ + 2x + 1+); update 2x(2x, 3+) + (2x, 3+)
    ops = net.train_step(x, t, None)
    assert ops.as_dict() == {"mul": 2 + 2 * 3 + 2 * 2 + 2, "add": 2 + 2 * 2 + 2 * 3 + 3,
                             "sample": 0, "skipped": 0}
    em = MTJEmulator(cfg.seed, f.a_frac)
    seen_on = set()
    for _ in range(40):
        ops = net.train_step(x, t, em)
        on = int(net.last_gates[0].sum())
        seen_on.add(on)
        # p-GAF: output 2x 2+; per gated-on hidden neuron 1x 1+ (delta) and 2x 3+ (update); output update 2x 3+
        assert ops.as_dict() == {"mul": 4 + 3 * on, "add": 5 + 4 * on, "sample": 4, "skipped": 2 - on}
    assert len(seen_on) >= 2  # the formula was checked for different gate patterns


@pytest.mark.parametrize("fault", ["stuck-0", "stuck-1"])
def test_stuck_mtj_does_not_crash_and_freezes_hidden_layer(fault):
    cfg = NetConfig(shape="6-4-3", loss="sigmoid-ce", seed=2)
    res = train_fixed(cfg, _blobs(), "pgaf", epochs=1, fault=fault)
    init = FixedNet.from_config(cfg)
    # A stuck device never gives (1, 0): no hidden neuron is ever active, so W_1 never moves ...
    assert_array_equal(np.array(res["weights"][0]), init.weights[0])
    assert res["ops"]["skipped"] == 90 * 4 and res["ops"]["sample"] == 90 * 8
    # ... while the output layer still learns.
    assert not np.array_equal(np.array(res["weights"][1]), init.weights[1])


def test_learns_xor_and_blobs():
    # Not a benchmark: a sanity check that the exact arithmetic trains at all.
    cfg = NetConfig(shape="2-2-1", loss="mse", fixed=FixedFormat(lr_shift=1), seed=1)
    assert train_fixed(cfg, _xor(), "bp", epochs=3000)["final_test_accuracy"] == 1.0
    res = train_fixed(NetConfig(shape="6-5-3", loss="sigmoid-ce", seed=1), _blobs(), "pgaf",
                      epochs=10)
    assert res["final_test_accuracy"] >= 0.9
    assert res["ops_to_90"] is not None


def test_bad_inputs_are_one_line_user_errors():
    cfg = NetConfig(shape="6-5-3", loss="sigmoid-ce")
    with pytest.raises(UserError, match="features"):
        train_fixed(cfg.replace(shape="5-5-3"), _blobs(), "bp", 1)
    with pytest.raises(UserError, match="algorithm"):
        train_fixed(cfg, _blobs(), "sgd", 1)
    with pytest.raises(UserError, match="labels"):
        train_fixed(cfg.replace(shape="6-5-2"), _blobs(), "bp", 1)
    with pytest.raises(UserError, match="softmax"):
        FixedNet.from_config(cfg.replace(loss="softmax-ce"))
    with pytest.raises(UserError, match="in \\[0, 1\\]"):
        quantize_inputs([1.5], cfg.fixed)


# ---------------------------------------------------------------------------------------------
# Float vs fixed.  Per layer, for the same integer weights and the same input codes, the fixed
# activation differs from the float sigmoid by at most
#     max σ' * 2**-(z_frac+1)   (z rounded to z_frac fraction bits; |z| beyond the table adds < 4e-4)
#   + 2**-a_frac              (the table entry's rounding, or its clip at 2**a_frac - 1)
# which for the default format (z_frac 6, a_frac 8) is 0.25/128 + 1/256 = 0.00586.
# Through the net the error of layer l-1 is amplified at most by max σ' * max_k sum_j |W_l[k, j]|.
# ---------------------------------------------------------------------------------------------
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.mark.parametrize("shape", ["784-64-10", "64-16-10", "2-2-1"])
def test_float_forward_agrees_with_fixed_within_lut_error(shape):
    cfg = NetConfig(shape=shape, loss="sigmoid-ce", seed=11)
    f = cfg.fixed
    net = FixedNet.from_config(cfg)
    rng = np.random.default_rng(12)
    for l in range(len(net.biases)):  # non-zero biases too
        net.biases[l] = rng.integers(-2 << f.w_frac, 2 << f.w_frac, size=net.biases[l].shape)
    eps = 0.25 * 2.0 ** -(f.z_frac + 1) + 2.0 ** -f.a_frac + (1 - _sigmoid(f.z_max / 2**f.z_frac))
    x = rng.integers(0, f.a_max + 1, size=(50, cfg.shape[0]))
    worst = 0.0
    for xi in x:
        y = net.forward(xi)
        yf = xi / 2**f.a_frac
        bound = 0.0
        for l, (w, b) in enumerate(zip(net.weights, net.biases)):
            wf, bf = w / 2**f.w_frac, b / 2**f.w_frac
            # the same layer on the fixed input: the LUT's own error
            one = _sigmoid(wf @ (y[l] / 2**f.a_frac) + bf)
            assert np.abs(one - y[l + 1] / 2**f.a_frac).max() <= eps
            worst = max(worst, np.abs(one - y[l + 1] / 2**f.a_frac).max())
            # end to end from float inputs: the propagated bound
            bound = eps + 0.25 * np.abs(wf).sum(axis=1).max() * bound
            yf = _sigmoid(wf @ yf + bf)
            assert np.abs(yf - y[l + 1] / 2**f.a_frac).max() <= bound
    assert worst > eps / 4  # the bound is not vacuous: the LUT error is really of that size


def test_shift_moves_the_input_codes_reproducibly():
    """Shifting the codes is shifting the images: quantisation maps 0 to 0, pixel by pixel."""
    from pgaf.golden.data import load
    ds = load("digits")
    cfg = NetConfig(shape="64-8-10", loss="sigmoid-ce", seed=4)
    plain = train_fixed(cfg, ds, "pgaf", 1)
    a = train_fixed(cfg, ds, "pgaf", 1, shift=1)
    b = train_fixed(cfg, ds, "pgaf", 1, shift=1)
    assert a["shift"] == 1 and plain["shift"] == 0
    assert a["weights"] == b["weights"] and a["ops"] == b["ops"]
    assert a["weights"] != plain["weights"]
    with pytest.raises(UserError, match="not an image set"):
        train_fixed(NetConfig(shape="2-2-1", loss="mse"), load("xor"), "bp", 1, shift=1)
