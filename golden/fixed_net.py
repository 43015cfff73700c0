"""The bit-exact fixed-point net: one training step exactly as ``docs/fixed-point.md`` specifies.

:class:`FixedNet` holds integer weight and bias codes and applies the document's
forward pass, p-GAF gate draws, deltas and SGD update to one example at a time
(:meth:`FixedNet.train_step`).  It is the reference the RTL and the co-simulation
compare against after every step, bit for bit, so it follows the document to the
letter: round half up, saturation at every addition, the same order of MTJ draws.

Every saturating sum is evaluated per layer with NumPy.  When a static bound on the
format proves no partial sum can leave the accumulator's range, the exact int64 sum
is the saturating sum; otherwise the partial sums are checked with ``cumsum`` and only
the rows that do leave the range are summed again one term at a time, saturating as
the document says (``tests/golden/test_train_fixed.py`` checks this against a naive
per-scalar reference).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .config import NetConfig
from .errors import UserError
from .fixed import round_shift, sigmoid_lut, z_index

__all__ = ["StepOps", "FixedNet", "init_params", "quantize_inputs", "quantize_targets",
           "round_half_up"]

_I64_LIMIT = (1 << 62)  # head-room so that adding one more bounded term cannot overflow int64


@dataclass
class StepOps:
    """Operation counts of the gradient computation (steps 3-5 of the document).

    Attributes
    ----------
    mul, add, sample : int
        Multiplier uses, adder/subtractor uses and MTJ draws.
    skipped : int
        Hidden neurons whose gate was 0 (p-GAF only): no delta, no update.
    """

    mul: int = 0
    add: int = 0
    sample: int = 0
    skipped: int = 0

    def __iadd__(self, other: "StepOps") -> "StepOps":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def as_dict(self) -> dict:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


def round_half_up(v) -> np.ndarray:
    """Round float(s) to the nearest integer, halves up: ``floor(v + 0.5)`` (the host's rounding)."""
    return np.floor(np.asarray(v, dtype=np.float64) + 0.5).astype(np.int64)


def quantize_inputs(x, fmt) -> np.ndarray:
    """Input codes ``min(round_half_up(x * 2**a_frac), 2**a_frac - 1)`` of floats ``x`` in [0, 1].

    Parameters
    ----------
    x : array_like of float
        Inputs in ``[0, 1]``, any shape.
    fmt : FixedFormat

    Returns
    -------
    numpy.ndarray of int64
        Unsigned activation codes, same shape as ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size and (not np.all(np.isfinite(x)) or x.min() < 0.0 or x.max() > 1.0):
        raise UserError("inputs for the fixed-point mode must be finite and in [0, 1]; "
                        "scale the data set (pixels / 255) before quantising")
    return np.minimum(round_half_up(x * (1 << fmt.a_frac)), fmt.a_max)


def quantize_targets(labels, n_out: int, fmt) -> np.ndarray:
    """Target codes: one-hot ``0`` / ``2**a_frac`` per output; one output means ``label * 2**a_frac``.

    Parameters
    ----------
    labels : int or array_like of int
        Class labels ``0 .. n_out - 1`` (``0`` or ``1`` for a single output).
    n_out : int
        Output width of the net.
    fmt : FixedFormat

    Returns
    -------
    numpy.ndarray of int64
        Shape ``labels.shape + (n_out,)``.
    """
    labels = np.asarray(labels, dtype=np.int64)
    n_cls = 2 if n_out == 1 else n_out
    if labels.size and (labels.min() < 0 or labels.max() >= n_cls):
        raise UserError(f"labels must be 0..{n_cls - 1} for a net with {n_out} output(s); "
                        f"got {labels.min()}..{labels.max()}: pick a net whose last layer matches the classes")
    one = 1 << fmt.a_frac
    if n_out == 1:
        return (labels * one)[..., None]
    return (labels[..., None] == np.arange(n_out)).astype(np.int64) * one


def init_params(cfg: NetConfig, rng: np.random.Generator):
    """Initial weight and bias codes, drawn exactly as the document says.

    For ``l = 1..L`` in order: ``W_l = rng.uniform(-r, r, (n_l, n_{l-1}))`` with
    ``r = sqrt(6 / (n_{l-1} + n_l))`` (Glorot uniform), quantised
    ``sat_w(round_half_up(w * 2**w_frac))``; biases are 0.

    Returns
    -------
    weights, biases : list of numpy.ndarray of int64
    """
    f = cfg.fixed
    weights, biases = [], []
    for n_in, n_out in zip(cfg.shape[:-1], cfg.shape[1:]):
        r = np.sqrt(6.0 / (n_in + n_out))
        w = rng.uniform(-r, r, size=(n_out, n_in))
        weights.append(np.clip(round_half_up(w * (1 << f.w_frac)), f.w_min, f.w_max))
        biases.append(np.zeros(n_out, dtype=np.int64))
    return weights, biases


def _sat(v: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Saturate to ``[lo, hi]`` (``np.clip`` without its per-call overhead on small arrays)."""
    return np.minimum(np.maximum(v, lo), hi)


def _round_shift_inplace(v: np.ndarray, s: int) -> None:
    """:func:`~pgaf.golden.fixed.round_shift` of an int64 array, in place."""
    if s <= 0:
        np.left_shift(v, -s, out=v)
    else:
        v += 1 << (s - 1)
        np.right_shift(v, s, out=v)


def _sat_rows(m: np.ndarray, v: np.ndarray, init: np.ndarray, lo: int, hi: int,
              static_ok: bool) -> np.ndarray:
    """Row-wise ``acc = init[i]; for j: acc = clip(acc + m[i, j] * v[j], lo, hi)``.

    ``static_ok`` says the caller has proved no partial sum can leave ``[lo, hi]``.
    """
    if static_ok:
        return init + m @ v
    out = np.empty(m.shape[0], dtype=np.int64)
    pmax = int(np.abs(m).max(initial=0)) * int(np.abs(v).max(initial=0))
    bound = int(np.abs(init).max(initial=0)) + m.shape[1] * pmax
    if bound < _I64_LIMIT:
        part = np.cumsum(np.concatenate([init[:, None], m * v[None, :]], axis=1), axis=1)
        inside = (part.min(axis=1) >= lo) & (part.max(axis=1) <= hi)
        out[inside] = part[inside, -1]
        rows = np.flatnonzero(~inside)
    else:
        rows = np.arange(m.shape[0])
    for i in rows:  # saturation triggers: the sequential order matters, follow it exactly
        acc = int(init[i])
        for a, b in zip(m[i].tolist(), v.tolist()):
            acc += a * b
            acc = lo if acc < lo else hi if acc > hi else acc
        out[i] = acc
    return out


class FixedNet:
    """Integer weights and biases of a sigmoid net, trained one example at a time, bit-exact.

    Parameters
    ----------
    cfg : NetConfig
        Shape, loss and fixed-point formats (``cfg.fixed``).  ``cfg.act`` must be
        ``"sigmoid"`` and ``cfg.loss`` ``"mse"`` or ``"sigmoid-ce"``.
    weights, biases : list of array_like of int
        Codes ``W_l`` shaped ``(n_l, n_{l-1})`` and ``b_l`` shaped ``(n_l,)``.

    Attributes
    ----------
    weights, biases : list of numpy.ndarray of int64
        Updated in place by :meth:`train_step`.
    lr_shift : int
        Learning rate ``2**-lr_shift`` of the next step (``cfg.fixed.lr_shift`` at start).
    last_gates : list of numpy.ndarray
        Gates ``g_l`` of each hidden layer from the last p-GAF step (empty after a bp step).
    last_deltas : list of numpy.ndarray
        Deltas ``δ_l`` of layers ``1..L`` from the last step (0 for skipped neurons).
    """

    def __init__(self, cfg: NetConfig, weights, biases):
        if cfg.act != "sigmoid":
            raise UserError(f"the fixed-point mode has sigmoid neurons only, not {cfg.act!r}; "
                            f"use act='sigmoid'")
        if cfg.loss not in ("mse", "sigmoid-ce"):
            raise UserError(f"the fixed-point mode supports loss 'mse' or 'sigmoid-ce', not "
                            f"{cfg.loss!r}; use sigmoid-ce for multi-class data")
        f = cfg.fixed
        self.cfg, self.fmt = cfg, f
        self.weights = [np.array(w, dtype=np.int64) for w in weights]
        self.biases = [np.array(b, dtype=np.int64) for b in biases]
        shapes = list(zip(cfg.shape[1:], cfg.shape[:-1]))
        if [w.shape for w in self.weights] != shapes or [b.shape for b in self.biases] != [(n,) for n, _ in shapes]:
            raise UserError(f"weights/biases do not match the net {cfg.shape_str}; "
                            f"expected W shapes {shapes}")
        for a in self.weights + self.biases:
            if a.size and (a.min() < f.w_min or a.max() > f.w_max):
                raise UserError(f"a weight code is outside the {f.w_bits}-bit range "
                                f"[{f.w_min}, {f.w_max}]; saturate it first")
        self.lr_shift = f.lr_shift
        self.lut = sigmoid_lut(f)
        self.last_gates: list[np.ndarray] = []
        self.last_deltas: list[np.ndarray] = []
        # Static proofs that a layer's accumulators can never saturate (then the plain sum is exact).
        wabs = -f.w_min
        eabs = -f.e_min
        self._fwd_safe = [(wabs << f.a_frac) + n_in * wabs * f.a_max <= f.acc_max
                          for n_in in cfg.shape[:-1]]
        self._bwd_safe = [n_out * wabs * eabs <= f.acc_max for n_out in cfg.shape[1:]]

    @classmethod
    def from_config(cls, cfg: NetConfig, rng: np.random.Generator | None = None) -> "FixedNet":
        """The seeded initial net: :func:`init_params` with ``rng`` (default ``default_rng(cfg.seed)``)."""
        rng = np.random.default_rng(cfg.seed) if rng is None else rng
        return cls(cfg, *init_params(cfg, rng))

    def copy(self) -> "FixedNet":
        """An independent net with the same codes and learning-rate shift."""
        net = FixedNet(self.cfg, self.weights, self.biases)
        net.lr_shift = self.lr_shift
        return net

    # -- forward --------------------------------------------------------------------------
    def _layer(self, l: int, y_prev: np.ndarray) -> np.ndarray:
        """Activation codes of layer ``l + 1`` (0-based weight index ``l``) for one example."""
        f = self.fmt
        w, b = self.weights[l], self.biases[l]
        acc = _sat_rows(w, y_prev, b << f.a_frac, f.acc_min, f.acc_max, self._fwd_safe[l])
        return self.lut[z_index(acc, f)]

    def forward(self, x_codes) -> list[np.ndarray]:
        """Activation codes of every layer for one example: ``[y_0 (the input), y_1, ..., y_L]``."""
        y = [self._check_x(x_codes)]
        for l in range(len(self.weights)):
            y.append(self._layer(l, y[-1]))
        return y

    def _check_x(self, x_codes) -> np.ndarray:
        x = np.asarray(x_codes, dtype=np.int64)
        if x.shape != (self.cfg.shape[0],) or (x.size and (x.min() < 0 or x.max() > self.fmt.a_max)):
            raise UserError(f"input must be {self.cfg.shape[0]} activation codes 0..{self.fmt.a_max}; "
                            f"quantise floats with quantize_inputs")
        return x

    def output_codes(self, x_codes) -> np.ndarray:
        """Output activation codes for a batch ``(n, n_0)`` of input codes.

        Bit-identical to :meth:`forward` per example; uses a float64 matrix product when
        the integer sums are provably exact in it (< 2**53) and cannot saturate.
        """
        f = self.fmt
        y = np.atleast_2d(np.asarray(x_codes, dtype=np.int64))
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            bound = (-f.w_min << f.a_frac) + w.shape[1] * (-f.w_min) * f.a_max
            if self._fwd_safe[l] and bound < (1 << 53):
                acc = (y.astype(np.float64) @ w.T.astype(np.float64)).astype(np.int64) + (b << f.a_frac)
            elif self._fwd_safe[l]:
                acc = y @ w.T + (b << f.a_frac)
            else:
                acc = np.stack([_sat_rows(w, row, b << f.a_frac, f.acc_min, f.acc_max, False)
                                for row in y])
            y = self.lut[z_index(acc, f)]
        return y

    def predict(self, x_codes) -> np.ndarray:
        """Predicted classes of a batch of input codes (or one example).

        Argmax of the output codes (the lowest index wins a tie); for a single output,
        class 1 iff its code ``>= 2**(a_frac - 1)``.
        """
        x = np.asarray(x_codes, dtype=np.int64)
        out = self.output_codes(x)
        if out.shape[1] == 1:
            cls = (out[:, 0] >= (1 << (self.fmt.a_frac - 1))).astype(np.int64)
        else:
            cls = np.argmax(out, axis=1)
        return cls[0] if x.ndim == 1 else cls

    # -- one training example ---------------------------------------------------------------
    def train_step(self, x_codes, target_codes, emulator=None) -> StepOps:
        """Train on one example (batch 1): forward, gates, deltas, update; returns this step's ops.

        Parameters
        ----------
        x_codes : array_like of int
            Input activation codes, shape ``(n_0,)``.
        target_codes : array_like of int
            Target codes ``0`` / ``2**a_frac``, shape ``(n_L,)`` (see :func:`quantize_targets`).
        emulator : MTJEmulator or None
            p-GAF with the gates drawn from this emulator (its streams advance by
            one draw each per hidden neuron); ``None`` trains with exact bp.

        Returns
        -------
        StepOps
        """
        f = self.fmt
        a1 = 1 << f.a_frac
        pgaf = emulator is not None
        n_layers = len(self.weights)
        t = np.asarray(target_codes, dtype=np.int64)
        if t.shape != (self.cfg.shape[-1],):
            raise UserError(f"target must be {self.cfg.shape[-1]} codes; use quantize_targets")
        ops = StepOps()

        # 1-2. forward; gates of hidden layers in layer order, neuron order.
        y = self.forward(x_codes)
        gates = []
        if pgaf:
            for l in range(1, n_layers):
                g = np.asarray(emulator.gates(y[l]), dtype=np.int64)
                gates.append(g)
                ops.sample += 2 * g.size
                ops.skipped += int(g.size - g.sum())

        # 3. output delta.
        yl = y[-1]
        if self.cfg.loss == "sigmoid-ce":
            dl = round_shift(yl - t, f.a_frac - f.e_frac)
            ops.add += yl.size
        else:
            d = round_shift(yl * (a1 - yl), f.a_frac)
            dl = round_shift((yl - t) * d, 2 * f.a_frac - f.e_frac)
            ops.mul += 2 * yl.size
            ops.add += 2 * yl.size
        deltas = [None] * n_layers
        deltas[-1] = _sat(dl, f.e_min, f.e_max)
        active = [None] * n_layers  # indices of active neurons per layer (weight index)
        active[-1] = np.arange(yl.size)

        # 4. hidden deltas, last hidden layer first, with the weights before this step's update.
        for l in range(n_layers - 2, -1, -1):   # weight index l  <->  hidden layer l + 1
            n = self.cfg.shape[l + 1]
            on = np.flatnonzero(gates[l]) if pgaf else np.arange(n)
            a_next = active[l + 1]
            dn = deltas[l + 1][a_next]
            m = self.weights[l + 1][np.ix_(a_next, on)].T
            acc = _sat_rows(m, dn, np.zeros(on.size, dtype=np.int64),
                            f.acc_min, f.acc_max, self._bwd_safe[l + 1])
            s = _sat(round_shift(acc, f.w_frac), f.e_min, f.e_max)
            ops.mul += on.size * a_next.size
            ops.add += on.size * a_next.size
            if not pgaf:
                yh = y[l + 1]
                d = round_shift(yh * (a1 - yh), f.a_frac)
                s = _sat(round_shift(s * d, f.a_frac), f.e_min, f.e_max)
                ops.mul += 2 * n
                ops.add += n
            delta = np.zeros(n, dtype=np.int64)
            delta[on] = s
            deltas[l] = delta
            active[l] = on

        # 5. update every layer's active rows.
        sh_w = f.e_frac + f.a_frac - f.w_frac + self.lr_shift
        sh_b = f.e_frac - f.w_frac + self.lr_shift
        for l in range(n_layers):
            k = active[l]
            if k.size == 0:
                continue
            dk = deltas[l][k]
            w = self.weights[l]
            if k.size == w.shape[0]:  # every row: update in place, no gathered copies
                step = np.multiply.outer(dk, y[l])
                _round_shift_inplace(step, sh_w)
                np.subtract(w, step, out=w)
                np.clip(w, f.w_min, f.w_max, out=w)
            else:
                step = round_shift(dk[:, None] * y[l][None, :], sh_w)
                w[k] = _sat(w[k] - step, f.w_min, f.w_max)
            self.biases[l][k] = _sat(self.biases[l][k] - round_shift(dk, sh_b), f.w_min, f.w_max)
            ops.mul += k.size * y[l].size
            ops.add += k.size * (y[l].size + 1)

        self.last_gates = gates
        self.last_deltas = deltas
        return ops
