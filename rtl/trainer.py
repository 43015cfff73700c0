"""The p-GAF trainer: forward pass, MTJ gates, p-GAF (or exact bp) backward pass and SGD update.

One training example per ``start`` strobe, bit-exact with
:meth:`pgaf.golden.fixed_net.FixedNet.train_step` (``docs/fixed-point.md``): the same
weights, biases, deltas and op counts after every step, in both modes.

Datapath
--------
Every weight row ``W_l[k, :]`` is stored as ``ceil(n_{l-1} / lanes)`` words of ``lanes``
weights each, so one memory read feeds all ``lanes`` multipliers:

* **Forward**, row ``k`` of layer ``l``: one word per cycle; the lanes' products are added
  into one accumulator in order (:class:`~pgaf.rtl.gated_mac.GatedMAC`, ``chain=True``),
  then the sigmoid ROM gives ``y_l[k]``; for a hidden neuron its code is sent to the MTJ
  emulator, and the (1,0) detector's gate is written to the gate memory.  A gated-on neuron
  is appended to its layer's *active list* (and its lane word to the *active chunk list*).
* **Backward**, hidden layer ``l``: ``lanes`` neurons ``j`` at once, one accumulator each
  (``chain=False``), over the active neurons ``k`` of layer ``l+1``; in p-GAF mode the
  sequencer walks the active chunk list, so a word of ``lanes`` gated-off neurons is
  never visited.
* **Update**, layer ``l``: only rows in the active list (all rows of the output layer and
  all rows in bp mode) are read, updated and written back, one word per cycle.

Skipping is in cycles: the sequencer never visits a gated-off row.  The datapath is a
pipeline (issue; addresses; memory words; memory register; products; accumulate; sigmoid
ROM / error sums; activation; MTJ pair or bp / mse products; delta write) with a register
between every multiplier and the adder after it, so a phase costs one cycle per visited
word plus a drain per layer: forward 7 cycles (+1 for a hidden layer whose MTJ pairs are
drawn, +2 for the ``mse`` output delta), backward 7 (p-GAF) or 8 (bp), update 5.  The phases and layers
still run one after the other (a layer starts when the previous one has drained).

Memories (``amaranth.lib.memory.Memory``): the weights and activations (large; one
synchronous read port and one write port each, block RAM), the sigmoid ROM (synchronous),
and the small per-neuron stores (biases, deltas, gates, active lists; asynchronous read,
distributed RAM or flip-flops).  The weight and bias memories start with the golden
model's initial codes (``FixedNet.from_config(cfg)``).
"""

from __future__ import annotations

import math

from amaranth.hdl import Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from pgaf.golden.config import NetConfig
from pgaf.golden.errors import UserError
from pgaf.golden.fixed import sigmoid_lut

from .gated_mac import GatedMAC
from .mtj_emulator import Fault, MTJEmulator
from .op_counters import OpCounters
from .pair_detector import PairDetector
from .sat_arith import divmod_const, lane, pack, popcount, round_shift, saturate

__all__ = ["Trainer", "Geometry"]


def _cumsum(sizes):
    out, acc = [], 0
    for s in sizes:
        out.append(acc)
        acc += s
    return out, acc


class Geometry:
    """Where every layer lives in the trainer's memories (all from a :class:`NetConfig`).

    Attributes
    ----------
    n : tuple of int
        Layer widths ``n_0 .. n_L``.
    L : int
        Number of weight layers.
    lanes : int
        Weights per memory word.
    chunks : list of int
        ``chunks[l]`` = words per row of ``W_l`` = ``ceil(n_{l-1} / lanes)`` (index 0 unused).
    words : list of int
        ``words[l]`` = ``ceil(n_l / lanes)``: words of activations/deltas/gates of layer ``l``.
    w_base, b_base, a_base, d_base, g_base, n_base, c_base : list of int
        First word of layer ``l`` in the weight, bias, activation, delta, gate, active-list
        and active-chunk-list memories (hidden-only stores are indexed by ``l`` too).
    """

    def __init__(self, cfg: NetConfig):
        self.n = cfg.shape
        self.L = len(cfg.shape) - 1
        self.lanes = cfg.lanes
        n, L, lanes = self.n, self.L, self.lanes
        self.words = [math.ceil(x / lanes) for x in n]
        self.chunks = [0] + [self.words[l - 1] for l in range(1, L + 1)]
        self.w_base, self.w_depth = _cumsum([0] + [n[l] * self.chunks[l] for l in range(1, L + 1)])
        self.b_base, self.b_depth = _cumsum([0] + [n[l] for l in range(1, L + 1)])
        self.a_base, self.a_depth = _cumsum([self.words[l] for l in range(L + 1)])
        self.d_base, self.d_depth = _cumsum([0] + [self.words[l] for l in range(1, L + 1)])
        hidden = [0] + [n[l] if 1 <= l < L else 0 for l in range(1, L + 1)]
        hidden_words = [0] + [self.words[l] if 1 <= l < L else 0 for l in range(1, L + 1)]
        self.g_base, self.g_depth = _cumsum(hidden_words)
        self.n_base, self.n_depth = _cumsum(hidden)
        self.c_base, self.c_depth = _cumsum(hidden_words)

    def lane_count(self, width: int, c: int) -> int:
        """Valid lanes of word ``c`` of a vector of ``width`` entries."""
        return min(self.lanes, width - c * self.lanes)


class Trainer(wiring.Component):
    """The p-GAF training datapath of one fully connected sigmoid net.

    Parameters
    ----------
    cfg : NetConfig
        Shape (at least one hidden layer), loss (``mse`` or ``sigmoid-ce``), fixed-point
        formats, ``lanes`` and ``seed`` (MTJ emulator streams and initial weights).
    weights, biases : list of array_like of int, optional
        Initial codes; default the golden ``FixedNet.from_config(cfg)``'s.
    writable : bool
        Add the ``w_we`` / ``w_wdata`` ports so the host can load weights and biases.

    Members
    -------
    start : ``In(1)``
        Strobe (while idle): run one example.
    train : ``In(1)``
        Sampled with ``start``: 1 trains on the example, 0 only infers (no MTJ draws).
    bp : ``In(1)``
        Sampled with ``start``: 1 uses the exact derivative ``y(1-y)`` (plain bp),
        0 the p-GAF gates.  Same datapath, so the two compare cycle for cycle.
    fault : ``In(Fault)``
        Stuck-at fault passed to the MTJ emulator.
    busy : ``Out(1)``
        High from the cycle after ``start`` until the step is finished.
    done : ``Out(1)``
        Set when a step finishes, cleared by the next ``start``.
    x_we, x_addr, x_data : ``In``
        Write input code ``x_data`` (``a_frac`` bits) to input ``x_addr`` (while idle).
    target : ``In``
        Target class of a training step (``0``/``1`` for a single output), held during the step.
    y_addr : ``In``, y_data : ``Out(a_frac)``
        Output activation code of output ``y_addr``, valid the cycle after (while idle).
    pred : ``Out``
        Predicted class of the last example (argmax of the output codes, lowest index
        wins; for a single output ``y >= 2**(a_frac-1)``).
    w_layer, w_row, w_col : ``In``, w_data : ``Out(signed(w_bits))``
        Weight code ``W[w_layer][w_row, w_col]`` (``w_layer`` 0-based, as the golden lists),
        or the bias ``b[w_layer][w_row]`` when ``w_col == n_in``; valid the cycle after (idle).
    w_we, w_wdata : ``In`` (only with ``writable``)
        Write ``w_wdata`` to that weight or bias (while idle), e.g. to load a trained net.
    ops_mul, ops_add, ops_sample, ops_skipped : ``Out(32)``
        Op counts of the last training step (``docs/fixed-point.md`` convention).
    cyc_fwd, cyc_bwd : ``Out(32)``
        Cycles of the last step spent in the forward pass and in backward + update.

    The ports and their protocol are those of the unpipelined trainer; only the number of
    cycles from ``start`` to ``done`` changed.

    Latency (``start`` to ``done``, as ``cyc_fwd`` + ``cyc_bwd`` count it): forward
    ``sum_l (n_l * chunks_l + 7)``, plus 1 per hidden layer when MTJ pairs are drawn and 2
    for a training step with the ``mse`` loss; backward
    ``sum_{hidden l} (visited chunks_l * max(|A_{l+1}|, 1) + 7)`` (``+ 8`` in bp mode);
    update ``sum_l (|A_l| * chunks_l + 5)`` (a phase with nothing to visit costs 1), where
    ``A_l`` is the active set (every neuron in bp mode and in the output layer, the gated-on
    neurons in p-GAF mode) and the visited
    chunks are every word of layer ``l`` in bp mode and the words holding a gated-on neuron
    in p-GAF mode.  ``python -m pgaf.rtl.cycles`` measures them.
    """

    def __init__(self, cfg: NetConfig, *, weights=None, biases=None, writable: bool = False):
        self._MustUse__silence = True   # no "unused elaboratable" warning if a check below raises
        if not isinstance(cfg, NetConfig):
            raise TypeError("Trainer takes a NetConfig")
        if cfg.act != "sigmoid":
            raise UserError(f"the RTL trainer has sigmoid neurons only, not {cfg.act!r}; use act='sigmoid'")
        if cfg.loss not in ("mse", "sigmoid-ce"):
            raise UserError(f"the RTL trainer supports loss 'mse' or 'sigmoid-ce', not {cfg.loss!r}")
        if len(cfg.shape) < 3:
            raise UserError(f"the net {cfg.shape_str} has no hidden layer; p-GAF gates hidden "
                            f"neurons, give at least one (e.g. 2-2-1)")
        if weights is None or biases is None:
            from pgaf.golden.fixed_net import FixedNet
            net = FixedNet.from_config(cfg)
            weights, biases = net.weights, net.biases
        self.cfg = cfg
        self.fmt = cfg.fixed
        self.geo = Geometry(cfg)
        self.init_weights = [[[int(v) for v in row] for row in w] for w in weights]
        self.init_biases = [[int(v) for v in b] for b in biases]
        n, L = self.geo.n, self.geo.L
        f = self.fmt
        n_cls = max(2, n[-1])
        self.writable = bool(writable)
        members = {
            "start": In(1), "train": In(1), "bp": In(1), "fault": In(Fault),
            "busy": Out(1), "done": Out(1),
            "x_we": In(1), "x_addr": In(range(max(2, n[0]))), "x_data": In(f.a_frac),
            "target": In(range(n_cls)),
            "y_addr": In(range(max(2, n[-1]))), "y_data": Out(f.a_frac),
            "pred": Out(range(n_cls)),
            "w_layer": In(range(max(2, L))), "w_row": In(range(max(2, max(n[1:])))),
            "w_col": In(range(max(n[:-1]) + 1)), "w_data": Out(signed(f.w_bits)),
            "ops_mul": Out(32), "ops_add": Out(32), "ops_sample": Out(32), "ops_skipped": Out(32),
            "cyc_fwd": Out(32), "cyc_bwd": Out(32),
        }
        if self.writable:
            members.update({"w_we": In(1), "w_wdata": In(signed(f.w_bits))})
        super().__init__(members)
        self._MustUse__silence = False

    # -- memory images ------------------------------------------------------------------
    def weight_image(self) -> list:
        g, w_bits = self.geo, self.fmt.w_bits
        img = []
        for l in range(1, g.L + 1):
            for row in self.init_weights[l - 1]:
                for c in range(g.chunks[l]):
                    img.append(pack(row[c * g.lanes:(c + 1) * g.lanes], w_bits))
        assert len(img) == g.w_depth
        return img

    def bias_image(self) -> list:
        return [v for b in self.init_biases for v in b]

    # -- elaboration --------------------------------------------------------------------
    def elaborate(self, platform):
        m = Module()
        f, g = self.fmt, self.geo
        n, L, lanes = g.n, g.L, g.lanes
        a_bits, w_bits, e_bits = f.a_frac, f.w_bits, f.e_bits
        one = 1 << f.a_frac
        full_mask = (1 << lanes) - 1
        sh_w = f.e_frac + f.a_frac - f.w_frac + f.lr_shift
        sh_b = f.e_frac - f.w_frac + f.lr_shift

        # Memories.
        m.submodules.wmem = wmem = Memory(shape=unsigned(lanes * w_bits), depth=g.w_depth,
                                          init=self.weight_image())
        m.submodules.bmem = bmem = Memory(shape=signed(w_bits), depth=g.b_depth, init=self.bias_image())
        m.submodules.amem = amem = Memory(shape=unsigned(lanes * a_bits), depth=g.a_depth, init=[])
        m.submodules.dmem = dmem = Memory(shape=unsigned(lanes * e_bits), depth=g.d_depth, init=[])
        m.submodules.gmem = gmem = Memory(shape=unsigned(lanes), depth=max(1, g.g_depth), init=[])
        m.submodules.nlist = nlist = Memory(shape=unsigned(max(1, max(n[1:-1]) - 1).bit_length()),
                                            depth=max(1, g.n_depth), init=[])
        m.submodules.clist = clist = Memory(shape=unsigned(max(1, max(g.words[1:-1]) - 1).bit_length()),
                                            depth=max(1, g.c_depth), init=[])
        m.submodules.lut = lut = Memory(shape=unsigned(a_bits), depth=1 << f.z_bits,
                                        init=[int(v) for v in sigmoid_lut(f)])
        w_rd, w_wr = wmem.read_port(), wmem.write_port(granularity=w_bits)
        b_rd, b_wr = bmem.read_port(domain="comb"), bmem.write_port()
        a_rd, a_wr = amem.read_port(), amem.write_port(granularity=a_bits)
        d_rd, d_wr = dmem.read_port(domain="comb"), dmem.write_port(granularity=e_bits)
        g_rd, g_wr = gmem.read_port(domain="comb"), gmem.write_port(granularity=1)
        n_rd, n_wr = nlist.read_port(domain="comb"), nlist.write_port()
        c_rd, c_wr = clist.read_port(domain="comb"), clist.write_port()
        lut_rd = lut.read_port()

        # Blocks.
        m.submodules.fwd_mac = fwd_mac = GatedMAC(lanes=lanes, a_shape=signed(w_bits),
                                                  b_shape=unsigned(a_bits), acc_bits=f.acc_bits, chain=True,
                                                  pipelined=True)
        m.submodules.bwd_mac = bwd_mac = GatedMAC(lanes=lanes, a_shape=signed(w_bits),
                                                  b_shape=signed(e_bits), acc_bits=f.acc_bits, chain=False,
                                                  pipelined=True)
        m.submodules.mtj = mtj = MTJEmulator(seed=self.cfg.seed, a_frac=a_bits)
        m.submodules.detector = det = PairDetector()
        m.submodules.counters = cnt = OpCounters(inc_max=3 * lanes + 2, registered=True)
        m.d.comb += [
            mtj.fault.eq(self.fault),
            mtj.mtj.rsp.ready.eq(1),
            det.b1.eq(mtj.mtj.rsp.payload.b1),
            det.b2.eq(mtj.mtj.rsp.payload.b2),
            self.ops_mul.eq(cnt.mul), self.ops_add.eq(cnt.add),
            self.ops_sample.eq(cnt.sample), self.ops_skipped.eq(cnt.skipped),
        ]

        # Mode, sequencer and per-layer state.
        mode_train = Signal()
        mode_bp = Signal()
        layer = Signal(range(L + 1))
        max_o = max(n[1:])
        max_i = max(max(g.chunks[1:]), max(n[1:]))
        it_o = Signal(range(max_o + 1))
        it_i = Signal(range(max_i + 1))
        o_cnt = Signal(range(max_o + 1))
        i_cnt = Signal(range(max_i + 1))
        issue = Signal()
        last_inner = Signal()
        ncount = [Signal(range(n[l] + 1), name=f"active_{l}") if 1 <= l < L else None
                  for l in range(L + 1)]
        ccount = [Signal(range(g.words[l] + 1), name=f"active_chunks_{l}") if 1 <= l < L else None
                  for l in range(L + 1)]
        last_chunk = Signal(range(max(2, max(g.words))))
        # Equality, not magnitude, compares: it_i < i_cnt and it_o <= o_cnt always hold.
        m.d.comb += last_inner.eq(it_i + 1 == i_cnt)

        # Pipeline, one memory word per cycle.  Stages: I issue (iterators -> neuron k, word c);
        # A addresses (every memory read from registered k, c); 1 memory words arrive (bias
        # update); R memory words registered (products into registers); 2 accumulate (weight
        # write-back); 3 accumulator done
        # (sigmoid ROM address; error sum saturated into a register); 4 activation y (p-GAF
        # delta write; bp and mse products into registers); 5 MTJ pair (gate), bp delta write,
        # mse product; 6 mse output delta write.  No cycle holds a multiplier and an adder
        # chained, or an asynchronous read feeding an address computation.
        kshape = range(max(2, max(n)))
        cshape = range(max(2, max(g.words)))
        a_valid, a_first, a_last, a_zero = Signal(), Signal(), Signal(), Signal()
        a_k, a_c = Signal(kshape), Signal(cshape)
        p1_valid, p1_first, p1_last = Signal(), Signal(), Signal()
        p1_k, p1_c = Signal(kshape), Signal(cshape)
        p1_bias = Signal(signed(w_bits))
        p1_dk = Signal(signed(e_bits))
        p1_mask = Signal(lanes)
        p1_zero = Signal()
        p1_waddr = Signal.like(w_wr.addr)
        p1_baddr = Signal.like(b_wr.addr)
        p1_nvalid = Signal(range(lanes + 1))
        p2_valid, p2_last, p2_upd = Signal(), Signal(), Signal()
        p2_k, p2_c = Signal(kshape), Signal(cshape)
        p2_mask = Signal(lanes)
        p2_waddr = Signal.like(w_wr.addr)
        p2_w = Signal(lanes * w_bits)
        p3_valid = Signal()
        p3_k, p3_c = Signal(kshape), Signal(cshape)
        p3_mask = Signal(lanes)
        p4_fv, p4_bv = Signal(), Signal()      # forward activation / backward error sums present
        p4_k, p4_c = Signal(kshape), Signal(cshape)
        p4_mask = Signal(lanes)
        p5_gv, p5_bv, p5_ov = Signal(), Signal(), Signal()   # MTJ pair / bp product / mse product
        p5_k, p5_c = Signal(kshape), Signal(cshape)
        p5_mask = Signal(lanes)
        p6_ov = Signal()
        p6_k = Signal(kshape)
        empty = Signal()                       # no stage holds work: the phase may move on

        # Issue-stage values, set per phase below.
        k = Signal(kshape)
        c = Signal(cshape)
        zero_inner = Signal()
        # Address-stage values.
        dk = Signal(signed(e_bits))
        mask = Signal(lanes)
        nvalid = Signal(range(lanes + 1))

        def chunk_mask(width, cc):
            """Valid lanes of word ``cc`` of a ``width``-wide vector."""
            words = math.ceil(width / lanes)
            part = (1 << (width - (words - 1) * lanes)) - 1
            return Mux(cc == words - 1, part, full_mask)

        def chunk_count(width, cc):
            words = math.ceil(width / lanes)
            return Mux(cc == words - 1, width - (words - 1) * lanes, lanes)

        def read_delta(l, kk):
            word, ln = divmod_const(kk, lanes)
            m.d.comb += d_rd.addr.eq(g.d_base[l] + word)
            return d_rd.data.word_select(ln, e_bits).as_signed()

        def restart():
            m.d.sync += [it_o.eq(0), it_i.eq(0)]

        def step_iterator():
            with m.If(issue):
                with m.If(last_inner):
                    m.d.sync += [it_i.eq(0), it_o.eq(it_o + 1)]
                with m.Else():
                    m.d.sync += it_i.eq(it_i + 1)

        cyc_fwd, cyc_bwd = self.cyc_fwd, self.cyc_bwd
        done = self.done

        with m.FSM(name="phase") as fsm:
            with m.State("Idle"):
                with m.If(self.start):
                    m.d.sync += [
                        mode_train.eq(self.train), mode_bp.eq(self.bp), layer.eq(1),
                        done.eq(0), cyc_fwd.eq(0), cyc_bwd.eq(0), last_chunk.eq(0),
                    ]
                    m.d.sync += [s.eq(0) for s in ncount + ccount if s is not None]
                    m.d.comb += cnt.clear.eq(self.train)
                    restart()
                    m.next = "Forward"

            with m.State("Forward"):
                m.d.sync += cyc_fwd.eq(cyc_fwd + 1)
                with m.Switch(layer):
                    for l in range(1, L + 1):
                        with m.Case(l):
                            m.d.comb += [o_cnt.eq(n[l]), i_cnt.eq(g.chunks[l]), k.eq(it_o), c.eq(it_i)]
                m.d.comb += issue.eq(it_o != o_cnt)
                step_iterator()
                with m.If(~issue & empty):
                    restart()
                    with m.If(layer == L):
                        with m.If(mode_train):
                            m.d.sync += layer.eq(L - 1)
                            m.next = "Backward"
                        with m.Else():
                            m.d.sync += done.eq(1)
                            m.next = "Idle"
                    with m.Else():
                        m.d.sync += layer.eq(layer + 1)

            with m.State("Backward"):
                # Hidden layer ``layer`` from the weights and deltas of layer ``layer + 1``.
                m.d.sync += cyc_bwd.eq(cyc_bwd + 1)
                with m.Switch(layer):
                    for l in range(1, L):
                        with m.Case(l):
                            n_inner = Signal(range(max(n[l + 1], 1) + 1), name=f"inner_{l}")
                            if l + 1 == L:
                                m.d.comb += [n_inner.eq(n[l + 1]), k.eq(it_i)]
                            else:
                                m.d.comb += n_rd.addr.eq(g.n_base[l + 1] + it_i)
                                m.d.comb += [
                                    n_inner.eq(Mux(mode_bp, n[l + 1], ncount[l + 1])),
                                    k.eq(Mux(mode_bp, it_i, n_rd.data)),
                                ]
                            m.d.comb += c_rd.addr.eq(g.c_base[l] + it_o)
                            m.d.comb += [
                                o_cnt.eq(Mux(mode_bp, g.words[l], ccount[l])),
                                c.eq(Mux(mode_bp, it_o, c_rd.data)),
                                zero_inner.eq(n_inner == 0),
                                i_cnt.eq(Mux(n_inner == 0, 1, n_inner)),
                            ]
                m.d.comb += issue.eq(it_o != o_cnt)
                step_iterator()
                with m.If(~issue & empty):
                    restart()
                    with m.If(layer == 1):
                        m.next = "Update"
                    with m.Else():
                        m.d.sync += layer.eq(layer - 1)

            with m.State("Update"):
                m.d.sync += cyc_bwd.eq(cyc_bwd + 1)
                with m.Switch(layer):
                    for l in range(1, L + 1):
                        with m.Case(l):
                            if l == L:
                                m.d.comb += [o_cnt.eq(n[l]), k.eq(it_o)]
                            else:
                                m.d.comb += n_rd.addr.eq(g.n_base[l] + it_o)
                                m.d.comb += [
                                    o_cnt.eq(Mux(mode_bp, n[l], ncount[l])),
                                    k.eq(Mux(mode_bp, it_o, n_rd.data)),
                                ]
                            m.d.comb += [i_cnt.eq(g.chunks[l]), c.eq(it_i)]
                m.d.comb += issue.eq(it_o != o_cnt)
                step_iterator()
                with m.If(~issue & empty):
                    restart()
                    with m.If(layer == L):
                        m.d.sync += done.eq(1)
                        m.next = "Idle"
                    with m.Else():
                        m.d.sync += layer.eq(layer + 1)

        in_fwd = fsm.ongoing("Forward")
        in_bwd = fsm.ongoing("Backward")
        in_upd = fsm.ongoing("Update")
        in_idle = fsm.ongoing("Idle")
        m.d.comb += self.busy.eq(~in_idle)

        # Stage I -> A.  Row offsets k * chunks are registered for each distinct row length,
        # so no multiplier (shared by synthesis across layers and phases) sits on the
        # address path.
        m.d.sync += [a_valid.eq(issue), a_first.eq(it_i == 0), a_last.eq(last_inner),
                     a_k.eq(k), a_c.eq(c), a_zero.eq(zero_inner)]
        row_of = {}
        for ch in sorted(set(g.chunks[1:])):
            row_of[ch] = Signal(range(max(n[1:]) * ch + 1), name=f"row_x{ch}")
            m.d.sync += row_of[ch].eq(k * ch)

        # Stage A: addresses of every memory read of the word (k, c).
        with m.If(in_fwd):
            with m.Switch(layer):
                for l in range(1, L + 1):
                    with m.Case(l):
                        m.d.comb += [
                            w_rd.addr.eq(g.w_base[l] + row_of[g.chunks[l]] + a_c),
                            a_rd.addr.eq(g.a_base[l - 1] + a_c),
                            b_rd.addr.eq(g.b_base[l] + a_k),
                        ]
        with m.If(in_bwd):
            with m.Switch(layer):
                for l in range(1, L):
                    with m.Case(l):
                        m.d.comb += [
                            w_rd.addr.eq(g.w_base[l + 1] + row_of[g.chunks[l + 1]] + a_c),
                            a_rd.addr.eq(g.a_base[l] + a_c),
                            g_rd.addr.eq(g.g_base[l] + a_c),
                            dk.eq(read_delta(l + 1, a_k)),
                            mask.eq(Mux(mode_bp, full_mask, g_rd.data) & chunk_mask(n[l], a_c)),
                        ]
        with m.If(in_upd):
            with m.Switch(layer):
                for l in range(1, L + 1):
                    with m.Case(l):
                        m.d.comb += [
                            w_rd.addr.eq(g.w_base[l] + row_of[g.chunks[l]] + a_c),
                            a_rd.addr.eq(g.a_base[l - 1] + a_c),
                            b_rd.addr.eq(g.b_base[l] + a_k),
                            dk.eq(read_delta(l, a_k)),
                            nvalid.eq(chunk_count(n[l - 1], a_c)),
                        ]
        m.d.sync += [
            p1_valid.eq(a_valid), p1_first.eq(a_first), p1_last.eq(a_last),
            p1_k.eq(a_k), p1_c.eq(a_c), p1_bias.eq(b_rd.data), p1_dk.eq(dk),
            p1_mask.eq(mask), p1_zero.eq(a_zero), p1_nvalid.eq(nvalid),
            p1_waddr.eq(w_rd.addr), p1_baddr.eq(b_rd.addr),
        ]

        # Stage 1: memory words arrive and are registered (the weight memory of a large net is
        # dozens of block RAMs behind an output multiplexer); the bias of a row is updated as
        # the row's first word arrives.
        upd1 = p1_valid & in_upd
        bias_add = upd1 & p1_first          # a bias update this cycle (one add)
        m.d.comb += [
            b_wr.addr.eq(p1_baddr), b_wr.en.eq(bias_add),
            b_wr.data.eq(saturate(p1_bias - round_shift(p1_dk, sh_b), f.w_min, f.w_max)),
        ]
        r_valid, r_first, r_last, r_zero, r_upd = Signal(), Signal(), Signal(), Signal(), Signal()
        r_k, r_c = Signal(kshape), Signal(cshape)
        r_bias, r_dk, r_mask = Signal.like(p1_bias), Signal.like(p1_dk), Signal.like(p1_mask)
        r_nvalid, r_waddr = Signal.like(p1_nvalid), Signal.like(p1_waddr)
        r_w, r_a = Signal.like(w_rd.data), Signal.like(a_rd.data)
        m.d.sync += [
            r_valid.eq(p1_valid), r_first.eq(p1_first), r_last.eq(p1_last), r_zero.eq(p1_zero),
            r_upd.eq(upd1), r_k.eq(p1_k), r_c.eq(p1_c), r_bias.eq(p1_bias), r_dk.eq(p1_dk),
            r_mask.eq(p1_mask), r_nvalid.eq(p1_nvalid), r_waddr.eq(p1_waddr),
            r_w.eq(w_rd.data), r_a.eq(a_rd.data),
        ]

        # Stage R: products into registers.
        m.d.comb += [
            fwd_mac.en.eq(r_valid & in_fwd), fwd_mac.first.eq(r_first),
            fwd_mac.init.eq(r_bias << f.a_frac), fwd_mac.a.eq(r_w), fwd_mac.b.eq(r_a),
            fwd_mac.mask.eq(full_mask),
            bwd_mac.en.eq(r_valid & in_bwd), bwd_mac.first.eq(r_first), bwd_mac.init.eq(0),
            bwd_mac.a.eq(r_w), bwd_mac.b.eq(Cat(*[r_dk] * lanes)),
            bwd_mac.mask.eq(Mux(r_zero, 0, r_mask)),
        ]
        upd_prod, bp_d = [], []
        for i in range(lanes):
            y_i = lane(r_a, i, a_bits)
            up = r_dk * y_i
            upd_prod.append(Signal(up.shape(), name=f"upd_prod_{i}"))
            m.d.sync += upd_prod[i].eq(up)
            d = round_shift(y_i * (one - y_i), f.a_frac)       # bp: y (1 - y)
            bp_d.append(Signal(d.shape(), name=f"bp_d_{i}"))
            m.d.sync += bp_d[i].eq(d)
        m.d.sync += [
            p2_valid.eq(r_valid), p2_last.eq(r_last), p2_upd.eq(r_upd),
            p2_k.eq(r_k), p2_c.eq(r_c), p2_mask.eq(r_mask),
            p2_waddr.eq(r_waddr), p2_w.eq(r_w),
        ]

        # Stage 2: accumulate (inside the MACs); write back the updated weight word.
        new_w = []
        for i in range(lanes):
            w_i = lane(p2_w, i, w_bits, signed_=True)
            new_w.append(saturate(w_i - round_shift(upd_prod[i], sh_w), f.w_min, f.w_max)[:w_bits])
        m.d.comb += [
            w_wr.addr.eq(p2_waddr),
            w_wr.data.eq(Cat(*new_w)),
            w_wr.en.eq(Mux(p2_upd, full_mask, 0)),
        ]
        p3_d = [Signal.like(d, name=f"bp_d3_{i}") for i, d in enumerate(bp_d)]
        m.d.sync += [p3_valid.eq(p2_valid & p2_last & (in_fwd | in_bwd)),
                     p3_k.eq(p2_k), p3_c.eq(p2_c), p3_mask.eq(p2_mask)]
        m.d.sync += [a.eq(b) for a, b in zip(p3_d, bp_d)]

        # Stage 3: forward -> sigmoid ROM address; backward -> the error sums, saturated.
        acc = fwd_mac.acc_lane(0)
        z = saturate(round_shift(acc, f.w_frac + f.a_frac - f.z_frac), f.z_min, f.z_max)
        m.d.comb += lut_rd.addr.eq(z[:f.z_bits])
        s_sum = [Signal(signed(e_bits), name=f"err_sum_{i}") for i in range(lanes)]
        p4_d = [Signal.like(d, name=f"bp_d4_{i}") for i, d in enumerate(bp_d)]
        m.d.sync += [s.eq(saturate(round_shift(bwd_mac.acc_lane(i), f.w_frac), f.e_min, f.e_max))
                     for i, s in enumerate(s_sum)]
        m.d.sync += [a.eq(b) for a, b in zip(p4_d, p3_d)]
        m.d.sync += [p4_fv.eq(p3_valid & in_fwd), p4_bv.eq(p3_valid & in_bwd),
                     p4_k.eq(p3_k), p4_c.eq(p3_c), p4_mask.eq(p3_mask)]

        # Stage 4: the activation code; hidden -> MTJ request; output -> class and output delta.
        # Backward: p-GAF deltas are the error sums; bp multiplies them by y (1 - y).
        y = lut_rd.data
        k_word, k_lane = divmod_const(p4_k, lanes)
        is_out = layer == L
        t = Signal(unsigned(a_bits + 1))
        if n[-1] == 1:
            m.d.comb += t.eq(Mux(self.target == 1, one, 0))
        else:
            m.d.comb += t.eq(Mux(self.target == p4_k, one, 0))
        out_now = p4_fv & is_out & mode_train         # an output delta is due (counted here)
        if self.cfg.loss == "sigmoid-ce":
            out_delta = saturate(round_shift(y - t, f.a_frac - f.e_frac), f.e_min, f.e_max)
            out_write, out_k = out_now, p4_k
            out_mul, out_add = 0, 1
        else:
            d_out = round_shift(y * (one - y), f.a_frac)
            err = y - t
            p5_dout, p5_err = Signal(d_out.shape()), Signal(err.shape())
            m.d.sync += [p5_dout.eq(d_out), p5_err.eq(err), p5_ov.eq(out_now)]
            # Stage 5: (y - t) y (1 - y); stage 6: rounded, saturated, written.
            p6_prod = Signal((p5_err * p5_dout).shape())
            m.d.sync += [p6_prod.eq(p5_err * p5_dout), p6_ov.eq(p5_ov), p6_k.eq(p5_k)]
            out_delta = saturate(round_shift(p6_prod, 2 * f.a_frac - f.e_frac), f.e_min, f.e_max)
            out_write, out_k = p6_ov, p6_k
            out_mul, out_add = 2, 2
        best = Signal(a_bits)
        with m.If(p4_fv & is_out):
            if n[-1] == 1:
                m.d.sync += self.pred.eq(y >= (1 << (f.a_frac - 1)))
            else:
                with m.If((p4_k == 0) | (y > best)):
                    m.d.sync += [best.eq(y), self.pred.eq(p4_k)]
        want_gate = p4_fv & ~is_out & mode_train & ~mode_bp
        m.d.comb += [mtj.mtj.req.valid.eq(want_gate), mtj.mtj.req.payload.eq(y)]
        m.d.sync += [p5_gv.eq(want_gate), p5_k.eq(p4_k)]
        bp_prod = [Signal((s * d).shape(), name=f"bp_prod_{i}") for i, (s, d) in enumerate(zip(s_sum, p4_d))]
        m.d.sync += [p.eq(s * d) for p, s, d in zip(bp_prod, s_sum, p4_d)]
        m.d.sync += [p5_bv.eq(p4_bv & mode_bp), p5_c.eq(p4_c), p5_mask.eq(p4_mask)]
        pgaf_write = p4_bv & ~mode_bp
        bp_write = p5_bv
        bp_deltas = [saturate(round_shift(p, f.a_frac), f.e_min, f.e_max)[:e_bits] for p in bp_prod]
        bwd_pop = popcount(p5_mask)

        # Stage 5: the pair -> gate, active lists.
        gate = det.gate
        m.d.comb += det.valid.eq(p5_gv)
        g_word, g_lane = divmod_const(p5_k, lanes)
        m.d.comb += [g_wr.addr.eq(g_word), g_wr.data.eq(Mux(gate, full_mask, 0)),
                     g_wr.en.eq(Mux(p5_gv, 1 << g_lane, 0))]
        with m.Switch(layer):
            for l in range(1, L):
                with m.Case(l):
                    m.d.comb += [
                        g_wr.addr.eq(g.g_base[l] + g_word),
                        n_wr.addr.eq(g.n_base[l] + ncount[l]),
                        n_wr.data.eq(p5_k),
                        n_wr.en.eq(p5_gv & gate),
                        c_wr.addr.eq(g.c_base[l] + ccount[l]),
                        c_wr.data.eq(g_word),
                    ]
                    new_chunk = (ccount[l] == 0) | (last_chunk != g_word)
                    with m.If(p5_gv & gate):
                        m.d.sync += ncount[l].eq(ncount[l] + 1)
                        with m.If(new_chunk):
                            m.d.comb += c_wr.en.eq(1)
                            m.d.sync += [ccount[l].eq(ccount[l] + 1), last_chunk.eq(g_word)]

        m.d.comb += empty.eq(~(a_valid | p1_valid | r_valid | p2_valid | p3_valid | p4_fv | p4_bv
                               | p5_gv | p5_bv | p5_ov | p6_ov))

        # Activation and delta write ports (host input writes while idle).
        x_word, x_lane = divmod_const(self.x_addr, lanes)
        with m.If(in_idle):
            m.d.comb += [a_wr.addr.eq(g.a_base[0] + x_word), a_wr.data.eq(Cat(*[self.x_data] * lanes)),
                         a_wr.en.eq(Mux(self.x_we, 1 << x_lane, 0))]
        with m.Else():
            with m.Switch(layer):
                for l in range(1, L + 1):
                    with m.Case(l):
                        m.d.comb += a_wr.addr.eq(g.a_base[l] + k_word)
            m.d.comb += [a_wr.data.eq(Cat(*[y] * lanes)),
                         a_wr.en.eq(Mux(p4_fv, 1 << k_lane, 0))]
        with m.If(in_bwd):
            with m.Switch(layer):
                for l in range(1, L):
                    with m.Case(l):
                        m.d.comb += d_wr.addr.eq(g.d_base[l] + Mux(mode_bp, p5_c, p4_c))
            m.d.comb += [
                d_wr.data.eq(Mux(mode_bp, Cat(*bp_deltas), Cat(*s_sum))),
                d_wr.en.eq(Mux(pgaf_write, p4_mask, 0) | Mux(bp_write, p5_mask, 0)),
            ]
        with m.Else():
            o_word, o_lane = divmod_const(out_k, lanes)
            m.d.comb += [d_wr.addr.eq(g.d_base[L] + o_word), d_wr.data.eq(Cat(*[out_delta[:e_bits]] * lanes)),
                         d_wr.en.eq(Mux(out_write, 1 << o_lane, 0))]

        # Op counters (docs/fixed-point.md): backward MACs, bp derivative, update, output delta, draws.
        m.d.comb += [
            cnt.mul_inc.eq(bwd_mac.mul_inc + Mux(bp_write, 2 * bwd_pop, 0)
                           + Mux(r_upd, r_nvalid, 0) + Mux(out_now, out_mul, 0)),
            cnt.add_inc.eq(bwd_mac.add_inc + Mux(bp_write, bwd_pop, 0)
                           + Mux(r_upd, r_nvalid, 0) + bias_add + Mux(out_now, out_add, 0)),
            cnt.sample_inc.eq(Mux(p5_gv, 2, 0)),
            cnt.skipped_inc.eq(det.skip),
        ]

        # Host read ports (while idle): weights/biases and output codes, one cycle latency.
        host_lane = Signal(range(max(2, lanes)))
        host_bias = Signal()
        host_bias_val = Signal(signed(w_bits))
        y_lane = Signal(range(max(2, lanes)))
        with m.If(in_idle):
            col_word, col_lane = divmod_const(self.w_col, lanes)
            with m.Switch(self.w_layer):
                for l in range(1, L + 1):
                    with m.Case(l - 1):
                        m.d.comb += [
                            w_rd.addr.eq(g.w_base[l] + self.w_row * g.chunks[l] + col_word),
                            b_rd.addr.eq(g.b_base[l] + self.w_row),
                        ]
                        m.d.sync += host_bias.eq(self.w_col == n[l - 1])
                        if self.writable:
                            with m.If(self.w_we & (self.w_col == n[l - 1])):
                                m.d.comb += [b_wr.addr.eq(g.b_base[l] + self.w_row), b_wr.en.eq(1)]
                            with m.Elif(self.w_we):
                                m.d.comb += [w_wr.addr.eq(g.w_base[l] + self.w_row * g.chunks[l] + col_word),
                                             w_wr.en.eq(1 << col_lane)]
            if self.writable:
                m.d.comb += [b_wr.data.eq(self.w_wdata), w_wr.data.eq(Cat(*[self.w_wdata] * lanes))]
            y_word, y_ln = divmod_const(self.y_addr, lanes)
            m.d.comb += a_rd.addr.eq(g.a_base[L] + y_word)
            m.d.sync += [host_lane.eq(col_lane), host_bias_val.eq(b_rd.data), y_lane.eq(y_ln)]
        m.d.comb += [
            self.w_data.eq(Mux(host_bias, host_bias_val, w_rd.data.word_select(host_lane, w_bits).as_signed())),
            self.y_data.eq(a_rd.data.word_select(y_lane, a_bits)),
        ]
        return m

