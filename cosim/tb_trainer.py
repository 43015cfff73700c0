"""cocotb testbench: the RTL trainer against the golden fixed-point net, step by step, bit for bit.

The design is :class:`pgaf.rtl.trainer.Trainer` for the :class:`NetConfig` in
``PGAF_CONFIG``; the golden side is :class:`pgaf.golden.fixed_net.FixedNet` with the
same initial weights and :class:`pgaf.golden.mtj_emulator.MTJEmulator` with the same seed.
Knobs come from ``PGAF_PARAMS``:

``data``           ``.npz`` of the data set (:func:`pgaf.cosim.datasets.dataset_file`)
``epochs``         passes over the training set, in :func:`~pgaf.golden.train_fixed.training_order`
``steps``          stop after this many training steps (default: all epochs)
``weights_every``  compare every weight and bias after every this many steps (and at the end)
``n_test``         held-out examples inferred at the end (RTL vs golden outputs and predictions)
``fault``          ``"stuck-0"`` / ``"stuck-1"`` of the MTJ emulator during ``fault_steps``
``idle``           probability of an idle host cycle between host operations
``expect_accuracy`` if the golden model reaches it on the held-out set, the RTL must too

After every training step the op counters (``mul``, ``add``, ``sample``, ``skipped``) and
the predicted class are compared with the golden step; a mismatch stops the run at that
step with the first differing value.

Classes: :class:`TrainerDriver` (host port writes, start, seeded idle), :class:`StepMonitor`
(waits for ``done`` and samples the counters), :class:`GoldenTrainer` (the model) and
:class:`~pgaf.cosim.scoreboard.Scoreboard`.
"""

from __future__ import annotations

import time

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, RisingEdge

from pgaf.golden.fixed_net import FixedNet, quantize_inputs, quantize_targets
from pgaf.golden.mtj_emulator import MTJEmulator as GoldenEmulator
from pgaf.golden.train_fixed import training_order

from .build import load_config, load_params
from .datasets import load_dataset_file
from .harness import reset, start_clock
from .scoreboard import Scoreboard

FAULT_CODES = {None: 0, "stuck-0": 1, "stuck-1": 2}
OPS = ("mul", "add", "sample", "skipped")


class TrainerDriver:
    """The host side of the trainer's flat ports, with seeded idle cycles.

    Every method starts and ends at a falling edge (the testbench's write phase); the
    trainer samples what is written there at the next rising edge.
    """

    def __init__(self, dut, *, seed: int, idle: float):
        self.dut = dut
        self.clk = dut.clk
        self.rng = np.random.default_rng(seed)
        self.idle = float(idle)
        for name in ("start", "train", "bp", "fault", "x_we", "x_addr", "x_data", "target",
                     "y_addr", "w_layer", "w_row", "w_col"):
            getattr(dut, name).value = 0

    async def _edge(self):
        await FallingEdge(self.clk)

    async def _maybe_idle(self):
        while self.idle and self.rng.random() < self.idle:
            await self._edge()

    async def write_inputs(self, codes) -> None:
        """Write one example's input codes, one per cycle, with idle gaps."""
        d = self.dut
        for j, v in enumerate(codes):
            await self._maybe_idle()
            d.x_addr.value, d.x_data.value, d.x_we.value = j, int(v), 1
            await self._edge()
            d.x_we.value = 0

    async def start(self, *, train: bool, bp: bool, target: int, fault) -> None:
        """Strobe ``start`` for one cycle (the mode inputs stay as set)."""
        d = self.dut
        await self._maybe_idle()
        d.train.value, d.bp.value, d.target.value = int(train), int(bp), int(target)
        d.fault.value = FAULT_CODES[fault]
        d.start.value = 1
        await self._edge()
        d.start.value = 0

    async def read_params(self, shape):
        """Every weight and bias through the host read port (one cycle latency, pipelined)."""
        d = self.dut
        addrs = [(l, k, j) for l in range(len(shape) - 1) for k in range(shape[l + 1])
                 for j in range(shape[l] + 1)]
        values = []
        for i in range(len(addrs) + 1):
            if i:
                values.append(d.w_data.value.to_signed())   # data of the address set one cycle ago
            if i < len(addrs):
                d.w_layer.value, d.w_row.value, d.w_col.value = addrs[i]
            await self._edge()
            if i < len(addrs):
                await self._maybe_idle()                     # the read data stays valid while idle
        weights, biases, pos = [], [], 0
        for l in range(len(shape) - 1):
            n_in, n_out = shape[l], shape[l + 1]
            block = np.array(values[pos:pos + n_out * (n_in + 1)], dtype=np.int64).reshape(n_out, n_in + 1)
            pos += block.size
            weights.append(block[:, :n_in])
            biases.append(block[:, n_in])
        return weights, biases

    async def read_outputs(self, n_out: int) -> list[int]:
        """Output activation codes of the last example."""
        d = self.dut
        out = []
        for k in range(n_out + 1):
            if k:
                out.append(int(d.y_data.value))
            if k < n_out:
                d.y_addr.value = k
            await self._edge()
        return out


class StepMonitor:
    """Waits for the end of a step and samples what the trainer reports."""

    def __init__(self, dut):
        self.dut = dut

    async def wait_step(self) -> dict:
        """Return ``{mul, add, sample, skipped, pred, cyc_fwd, cyc_bwd}`` after ``done`` rises."""
        d = self.dut
        if not int(d.done.value) or int(d.busy.value):
            await RisingEdge(d.done)
        await FallingEdge(d.clk)
        rep = {k: int(getattr(d, f"ops_{k}").value) for k in OPS}
        rep.update(pred=int(d.pred.value), cyc_fwd=int(d.cyc_fwd.value), cyc_bwd=int(d.cyc_bwd.value))
        return rep


class GoldenTrainer:
    """:class:`FixedNet` and the golden MTJ emulator, stepped like the RTL."""

    def __init__(self, cfg):
        self.net = FixedNet.from_config(cfg)
        self.emu = GoldenEmulator(cfg.seed, cfg.fixed.a_frac)

    def step(self, x, t, *, bp: bool, fault) -> tuple[dict, int]:
        pred = int(self.net.predict(x))                  # the forward pass of this very step
        self.emu.fault = fault
        ops = self.net.train_step(x, t, None if bp else self.emu)
        return ops.as_dict(), pred


@cocotb.test()
@cocotb.parametrize(algo=["pgaf", "bp"])
async def train_matches_golden(dut, algo):
    cfg = load_config()
    p = load_params()
    bp = algo == "bp"
    ds = load_dataset_file(p["data"])
    f = cfg.fixed
    x_tr = quantize_inputs(np.asarray(ds.x_train).reshape(len(ds.x_train), -1), f)
    y_tr = np.asarray(ds.y_train, dtype=np.int64)
    t_tr = quantize_targets(y_tr, cfg.shape[-1], f)
    epochs = int(p.get("epochs", 1))
    order = np.concatenate(list(training_order(cfg, len(x_tr), epochs)))
    steps = min(int(p.get("steps", len(order))), len(order))
    every = int(p.get("weights_every", 1))
    fault = p.get("fault")
    f0, f1 = p.get("fault_steps", [0, steps])

    start_clock(dut)
    drv = TrainerDriver(dut, seed=cfg.seed + 100, idle=float(p.get("idle", 0.2)))
    mon = StepMonitor(dut)
    await reset(dut)
    gold = GoldenTrainer(cfg)
    board = Scoreboard(dut._log)

    w, b = await drv.read_params(cfg.shape)
    board.compare("initial weights", np.concatenate([a.ravel() for a in w + b]),
                  np.concatenate([a.ravel() for a in gold.net.weights + gold.net.biases]))

    totals = dict.fromkeys(OPS, 0)
    cycles = {"fwd": 0, "bwd": 0}
    t0 = time.perf_counter()
    for s in range(steps):
        i = int(order[s])
        step_fault = fault if f0 <= s < f1 else None
        await drv.write_inputs(x_tr[i])
        await drv.start(train=True, bp=bp, target=int(y_tr[i]), fault=step_fault)
        rep = await mon.wait_step()
        ops, pred = gold.step(x_tr[i], t_tr[i], bp=bp, fault=step_fault)
        board.compare(f"step {s} op counters {OPS}", [rep[k] for k in OPS], [ops[k] for k in OPS])
        board.compare(f"step {s} predicted class", rep["pred"], pred)
        if step_fault and not bp:
            # A stuck device gives (0,0) or (1,1), never the (1,0) pair: every hidden neuron skipped.
            assert rep["skipped"] == cfg.n_hidden, f"step {s}: {rep['skipped']} of {cfg.n_hidden} skipped under {step_fault}"
        for k in OPS:
            totals[k] += ops[k]
        cycles["fwd"] += rep["cyc_fwd"]
        cycles["bwd"] += rep["cyc_bwd"]
        if (s + 1) % every == 0 or s + 1 == steps:
            w, b = await drv.read_params(cfg.shape)
            for l in range(len(w)):
                board.compare(f"step {s} W{l + 1}", w[l], gold.net.weights[l])
                board.compare(f"step {s} b{l + 1}", b[l], gold.net.biases[l])
    dut._log.info("%s: %d steps bit-exact (%d comparisons, %d values) in %.1f s; ops %s; "
                  "trainer cycles forward %d, backward+update %d",
                  algo, steps, board.checks, board.values, time.perf_counter() - t0, totals,
                  cycles["fwd"], cycles["bwd"])

    # Inference on held-out examples (train=0: no draws, no update).
    n_test = int(p.get("n_test", 0))
    if n_test:
        x_te = quantize_inputs(np.asarray(ds.x_test).reshape(len(ds.x_test), -1), f)[:n_test]
        y_te = np.asarray(ds.y_test, dtype=np.int64)[:n_test]
        rtl_pred = []
        t1 = time.perf_counter()
        for x in x_te:
            await drv.write_inputs(x)
            await drv.start(train=False, bp=bp, target=0, fault=None)
            rep = await mon.wait_step()
            out = await drv.read_outputs(cfg.shape[-1])
            board.compare("inference output codes", out, gold.net.output_codes(x)[0])
            rtl_pred.append(rep["pred"])
        gold_pred = gold.net.predict(x_te)
        board.compare("held-out predictions", rtl_pred, gold_pred)
        dut._log.info("%s: %d held-out examples inferred in %.1f s", algo, n_test, time.perf_counter() - t1)
        acc_rtl = float(np.mean(np.array(rtl_pred) == y_te))
        dut._log.info("%s: held-out accuracy RTL %.4f = golden %.4f on %d examples", algo, acc_rtl,
                      float(np.mean(gold_pred == y_te)), n_test)
        want = p.get("expect_accuracy")
        if want is not None:
            golden_acc = float(np.mean(gold_pred == y_te))
            if golden_acc >= want:   # the golden model learnt the task: the RTL must have too
                assert acc_rtl >= want, f"RTL accuracy {acc_rtl} < {want} though golden reached {golden_acc}"
            else:
                dut._log.warning("golden accuracy %.4f is below %.4f for this seed", golden_acc, want)
    w, b = await drv.read_params(cfg.shape)
    board.compare("final weights", np.concatenate([a.ravel() for a in w + b]),
                  np.concatenate([a.ravel() for a in gold.net.weights + gold.net.biases]))
