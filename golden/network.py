"""A fully connected net trained in float by exact BP or by p-GAF BP, one example at a time.

:class:`Network` holds the weights of a :class:`~pgaf.golden.config.NetConfig`
shape and performs one plain-SGD step per example (batch 1, as the hardware
does).  With ``algo="pgaf"`` every hidden neuron is sampled as it is produced in
the forward pass: two MTJ draws at its activation give the gate 1 for the pair
(1,0), else 0 (``samples > 2``: the ``samples``-draw estimate of the derivative).
A hidden neuron with gate 0 propagates no error and none of its incoming weights
or its bias is touched: its rows are never read, multiplied or written.  The
output layer's gradient is exact.

Every operation of the gradient computation is counted where it is performed,
in an :class:`~pgaf.golden.ops.OpCounts` (convention in :mod:`pgaf.golden.ops`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas as _blas
from scipy.special import expit as _expit

from .config import NetConfig
from .errors import UserError
from .ops import OpCounts

from .estimators import LEAKY_SLOPE, derivative_estimate

__all__ = ["Network", "ALGOS"]

ALGOS = ("bp", "pgaf")
_U_BLOCK = 256   # examples' worth of pair-gate uniforms drawn per call to the generator


class Network:
    """Weights, biases and preallocated buffers of one fully connected net.

    Parameters
    ----------
    cfg : NetConfig
        Shape, hidden activation (``act``) and loss (``mse``: sigmoid outputs and
        squared error; ``softmax-ce``: softmax outputs and cross-entropy).
    rng : numpy.random.Generator
        Draws the initial weights: uniform in ``±init_scale * sqrt(6 / (fan_in + fan_out))``
        (Glorot).
    init_scale : float
        Multiplies the Glorot limit.
    bias_offset : float
        Hidden biases start at ``+bias_offset, -bias_offset, +bias_offset, ...`` (alternating
        along each hidden layer), so neighbouring hidden hyperplanes start apart instead of
        all through the origin; output biases start at zero.  Default 0 (all biases zero).
    dtype : numpy dtype
        ``float32`` (default; measured faster than float64 at equal accuracy) or ``float64``.
    center_hidden : bool
        Sigmoid hidden neurons pass on ``sigmoid(z) - 1/2`` instead of ``sigmoid(z)``: zero-centred
        inputs for the next layer, as the data's own inputs are centred.  The derivative, and so
        the MTJ's switching probability ``sigmoid(z)`` and its (1,0) gate, are unchanged; the
        net computes the same functions as an uncentred one (the next layer's biases absorb the
        shift), it only trains better conditioned (LeCun et al., "Efficient BackProp", 1998).
    """

    def __init__(self, cfg: NetConfig, rng: np.random.Generator, *, init_scale: float = 1.0,
                 bias_offset: float = 0.0, dtype=np.float32, center_hidden: bool = False):
        if cfg.loss not in ("mse", "softmax-ce"):
            raise UserError(f"float training supports loss mse or softmax-ce, not {cfg.loss!r}; "
                            f"sigmoid-ce is the fixed-point mode's loss (use --fixed-point)")
        if not init_scale > 0:
            raise UserError(f"init_scale={init_scale!r} must be > 0")
        if center_hidden and cfg.act != "sigmoid":
            raise UserError(f"center_hidden applies to sigmoid hidden layers, not {cfg.act!r}")
        self.center_hidden = bool(center_hidden)
        self.cfg = cfg
        self.dtype = np.dtype(dtype)
        shape = cfg.shape
        # Each layer's bias is the last column of its weight matrix, fed by a constant-1 input,
        # so one dot product and one rank-1 update cover weights and bias together.
        self.Wb = []
        for n_in, n_out in zip(shape[:-1], shape[1:]):
            lim = init_scale * np.sqrt(6.0 / (n_in + n_out))
            wb = np.zeros((n_out, n_in + 1), self.dtype)
            wb[:, :n_in] = rng.uniform(-lim, lim, (n_out, n_in))
            self.Wb.append(wb)
        for wb in self.Wb[:-1]:
            wb[0::2, -1] = bias_offset
            wb[1::2, -1] = -bias_offset
        self._set_blas()
        self._setup_buffers()

    def _set_blas(self):
        single = self.dtype == np.float32
        self._ger = _blas.sger if single else _blas.dger
        self._axpy = _blas.saxpy if single else _blas.daxpy

    def _setup_buffers(self):
        shape = self.cfg.shape
        self.W = [wb[:, :-1] for wb in self.Wb]        # views: weights ...
        self.b = [wb[:, -1] for wb in self.Wb]         # ... and biases of the same memory
        self._row = [list(wb) for wb in self.Wb]        # one view per neuron's row (weights, bias)
        self._n_hidden = sum(shape[1:-1])
        self.z = [np.zeros(n, self.dtype) for n in shape[1:]]
        self.ya = [np.ones(n + 1, self.dtype) for n in shape[:-1]]   # layer inputs, trailing 1
        self.y = [a[:-1] for a in self.ya] + [np.zeros(shape[-1], self.dtype)]
        self.gates = [None] * (len(shape) - 2)          # last example's gates, per hidden layer
        # p[l]: sigmoid(z) of hidden layer l, the MTJ's switching probability (y itself unless
        # the layer's output is centred)
        self.p = ([np.zeros(n, self.dtype) for n in shape[1:-1]] if self.center_hidden
                  else self.y[1:-1])
        self._cmp = [np.empty((2, n), bool) for n in shape[1:-1]]   # pair-gate compare scratch
        self._cmp_rows = [tuple(c) for c in self._cmp]                # its two rows, as views
        self._u = self._thr = self._thr_l = None   # pre-drawn uniforms of the pair gates, see _thresholds
        self._u_rng = None
        self._u_row = 0

    def copy(self) -> "Network":
        """An independent copy of the weights (fresh buffers, no pre-drawn uniforms)."""
        new = object.__new__(Network)
        new.cfg, new.dtype, new.center_hidden = self.cfg, self.dtype, self.center_hidden
        new.Wb = [wb.copy() for wb in self.Wb]
        new._set_blas()
        new._setup_buffers()
        return new

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def _refill(self, rng: np.random.Generator) -> None:
        """Draw the next :data:`_U_BLOCK` examples' pair-gate thresholds (see :meth:`_thresholds`)."""
        if self._u is None:
            self._u = np.empty((_U_BLOCK, 2 * self.cfg.n_hidden))
        rng.random(out=self._u)
        if self.dtype != np.float32:
            self._thr = self._u
        else:
            lo = self._u.astype(self.dtype)
            # Where rounding went up, step down one float: u >= 0, so that is the
            # integer view minus one (the bits of nextafter(lo, -inf)).
            bits = lo.view(np.int32)
            np.subtract(bits, lo > self._u, out=bits, casting="unsafe")
            self._thr = lo
        # Per hidden layer, a (block, 2, n) view: [row] holds that layer's u1 and u2 rows.
        self._thr_l, off = [], 0
        for n in self.cfg.shape[1:-1]:
            self._thr_l.append(self._thr[:, off:off + 2 * n].reshape(_U_BLOCK, 2, n))
            off += 2 * n
        self._u_rng, self._u_row = rng, 0

    def _thresholds(self, rng: np.random.Generator) -> np.ndarray:
        """This example's pair-gate thresholds for every hidden pair: ``[u1_1, u2_1, u1_2, u2_2, ...]``.

        The uniforms are drawn in blocks of :data:`_U_BLOCK` examples.  ``Generator.random``
        yields one double per 64-bit draw, in order, so a block holds exactly the numbers
        that successive :func:`~pgaf.golden.estimators.pair_gate` calls (``u1`` then ``u2``
        per hidden layer) would draw: the gates are bit-identical to calling it.

        For a float32 net each double ``u`` is replaced by ``lo``, the largest float32
        ``<= u``, so the gate compares float32 with float32 (no per-example cast) and
        gives the same bits: for any float32 ``y``, ``u < y`` iff ``lo < y`` (no float32
        lies in ``(lo, u]``), hence also ``u >= y`` iff ``lo >= y``.
        """
        if self._u_rng is not rng or self._u_row == _U_BLOCK:
            self._refill(rng)
        row = self._thr[self._u_row]
        self._u_row += 1
        return row

    @property
    def n_layers(self) -> int:
        return len(self.W)

    # --- forward -------------------------------------------------------------------------

    def _hidden(self, z, out):
        act = self.cfg.act
        if act == "sigmoid":
            _expit(z, out=out)
        elif act == "tanh":
            np.tanh(z, out=out)
        else:
            np.maximum(z, LEAKY_SLOPE * z, out=out)

    def _output(self, z, out):
        if self.cfg.loss == "mse":
            _expit(z, out=out)
        else:
            np.subtract(z, z.max(), out=out)
            np.exp(out, out=out)
            out /= out.sum()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Outputs (sigmoid or softmax) for a batch ``X`` of shape ``(n, n_in)``."""
        a = np.asarray(X, self.dtype)
        L = self.n_layers
        for l in range(L):
            z = a @ self.W[l].T + self.b[l]
            if l < L - 1:
                a = np.empty_like(z)
                self._hidden(z, a)
                if self.center_hidden:
                    a -= self.dtype.type(0.5)
            else:
                if self.cfg.loss == "mse":
                    a = _expit(z)
                else:
                    z -= z.max(axis=1, keepdims=True)
                    a = np.exp(z)
                    a /= a.sum(axis=1, keepdims=True)
        return a

    # --- one SGD step --------------------------------------------------------------------

    def train_step(self, x: np.ndarray, t: np.ndarray, lr: float, ops: OpCounts, *,
                   algo: str = "bp", rng: np.random.Generator | None = None,
                   samples: int = 2, hidden_lr: float | None = None) -> None:
        """Forward ``x``, then one plain-SGD update towards target ``t``.

        Parameters
        ----------
        x, t : numpy.ndarray
            Input vector and target vector (one-hot for ``softmax-ce``).
        lr : float
            Learning rate of the output layer (and of hidden layers unless ``hidden_lr``).
        ops : OpCounts
            Incremented by every operation of the gradient computation.
        algo : {"bp", "pgaf"}
            Exact derivative, or the MTJ-sampled gate.
        rng : numpy.random.Generator
            The MTJ samples' stream (p-GAF only).  Give the net a generator of its own:
            the 2-sample gates are drawn from it 256 examples ahead (see :meth:`_thresholds`).
        samples : int
            Draws per hidden neuron for p-GAF (2: the (1,0) pair gate).
        hidden_lr : float, optional
            Learning rate of the hidden layers' weights (default ``lr``).
        """
        pgaf = algo == "pgaf"
        act = self.cfg.act
        pure_gate = samples == 2 and act == "sigmoid"
        Wb, W, z, y, ya = self.Wb, self.W, self.z, self.y, self.ya
        L = len(W)
        dot = np.dot
        mul = add = skipped = 0        # counted locally, added to ``ops`` once
        np.copyto(y[0], x)
        # Forward; p-GAF draws each hidden layer's gates as its activations appear.
        active = [None] * L      # active[l]: indices of gated-on neurons of y[l+1] (None = all)
        gval = [None] * L
        if pgaf and pure_gate:
            # This example's row of the pre-drawn thresholds (:meth:`_thresholds`, inlined).
            if self._u_rng is not rng or self._u_row == _U_BLOCK:
                self._refill(rng)
            row = self._u_row
            self._u_row = row + 1
            thr_l = self._thr_l
        for l in range(L):
            dot(Wb[l], ya[l], out=z[l])
            if l < L - 1:
                yl = y[l + 1]
                if self.center_hidden:
                    pl = self.p[l]
                    self._hidden(z[l], pl)
                    np.subtract(pl, self.dtype.type(0.5), out=yl)
                else:
                    pl = yl
                    self._hidden(z[l], yl)
                if pgaf:
                    if pure_gate:
                        # pair_gate(pl, rng) from the pre-drawn block: one compare of both
                        # uniforms, c = [u1 < p, u2 < p]; the pair is (1, 0) iff c[0] and not c[1].
                        np.less(thr_l[l][row], pl, self._cmp[l])
                        g = np.greater(*self._cmp_rows[l])
                    else:
                        g = derivative_estimate(act, z[l], rng, samples)
                    active[l] = g.nonzero()[0]
                    gval[l] = g
                    self.gates[l] = g
            else:
                self._output(z[l], y[l + 1])
        # Output delta.
        yo = y[L]
        if self.cfg.loss == "softmax-ce":
            d = yo - t
            add += d.size
        else:
            d = (yo - t) * (yo * (1 - yo))
            mul += 2 * d.size
            add += 2 * d.size
        rows = None              # rows of layer l+1 that carry an error (None: all)
        for l in range(L - 1, -1, -1):
            Wl = W[l]
            # Hidden delta of y[l] (computed before W[l] is updated).
            if l >= 1:
                if not pgaf:
                    s = Wl.T @ d
                    mul += Wl.size
                    add += Wl.size
                    yl = y[l]
                    if act == "sigmoid":
                        pl = self.p[l - 1]
                        s *= pl * (1 - pl)
                        mul += 2 * s.size
                        add += s.size
                    elif act == "tanh":
                        s *= 1 - yl * yl
                        mul += 2 * s.size
                        add += s.size
                    else:
                        s *= np.where(z[l - 1] > 0, 1.0, LEAKY_SLOPE).astype(self.dtype)
                        mul += s.size
                    d_below, rows_below = s, None
                else:
                    cols = active[l - 1]
                    skipped += y[l].size - cols.size
                    if rows is None:
                        # The gated-on columns gathered as rows of Wl.T: the layout (and so the
                        # bits) of d @ Wl[:, cols], without that indexing's slower path.
                        s = dot(Wl.T.take(cols, axis=0), d)
                    else:
                        # The gated-on block: rows, then columns, taken as a C-ordered copy
                        # (the layout, and so the bits, of d @ Wl[np.ix_(rows, cols)], at a
                        # quarter of that indexing's cost).
                        s = dot(d, Wb[l].take(rows, axis=0).take(cols, axis=1))
                    mul += d.size * cols.size
                    add += d.size * cols.size
                    if not pure_gate:
                        s *= gval[l - 1][cols]
                        mul += s.size
                    d_below, rows_below = s, cols
            # Update of layer l's active rows (bias column included).  BLAS ?ger forms
            # alpha * d[k] once per row (the learning-rate fold, 1 mul per active neuron),
            # then one multiply-subtract per input; the bias's input is the constant 1,
            # a subtraction of the folded delta, counted as 1 add and no mul.
            rate = lr if (l == L - 1 or hidden_lr is None) else hidden_lr
            prev = ya[l]
            if rows is None:
                self._ger(-rate, prev, d, a=Wb[l].T, overwrite_a=1)
            elif rows.size:
                # Only the gated-on rows, each updated in place by one ?axpy: no gather or
                # scatter (measured faster than gathering them for one ?ger at 5 to 32 rows
                # of 64).  ?ger does exactly this per row (OpenBLAS's ger is an axpy per
                # column of a = Wb.T) with the fold alpha * d[k] rounded to the weights'
                # precision; here the fold is a Python-float product of the two (exact for
                # float32: two 24-bit significands need 48 of a double's 53 bits), rounded to
                # float32 when ?axpy takes it as its alpha (float64: a double product, as
                # ?ger's): the same bits.  A plain loop over Python numbers measured faster
                # than driving the calls with ``map`` or forming the folds with NumPy.
                axpy, row, n, alpha = self._axpy, self._row[l], prev.size, float(self.dtype.type(-rate))
                for r, dk in zip(rows.tolist(), d.tolist()):
                    axpy(prev, row[r], n, alpha * dk)
            n_in = prev.size - 1
            mul += d.size + d.size * n_in
            add += d.size * n_in + d.size
            if l >= 1:
                d, rows = d_below, rows_below
        ops.mul += mul
        ops.add += add
        if pgaf:
            ops.sample += samples * self._n_hidden
            ops.skipped += skipped

    def loss(self, X: np.ndarray, T: np.ndarray) -> float:
        """Mean loss over a batch: squared error (mse) or cross-entropy (softmax-ce)."""
        Y = self.predict(X)
        if self.cfg.loss == "mse":
            return float(np.mean(np.sum((Y - T) ** 2, axis=1)))
        return float(-np.mean(np.log(np.maximum(np.sum(Y * T, axis=1), 1e-12))))
