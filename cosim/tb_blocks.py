"""cocotb testbench: each small trainer block alone against its golden function (top: BlocksTop).

Every test drives one block with seeded random inputs, one set per clock cycle, and
checks it against the golden definition it implements:

* ``PairLatch``: bits drawn by the golden MTJ emulator (stream A, then stream B) enter
  one per cycle with random gaps and occasional ``clear`` of a half pair; each presented
  pair must be the golden pair.
* ``PairDetector``: ``gate == b1 & ~b2`` (the golden gate), ``skip == valid & ~gate``.
* ``GatedMAC``: the accumulator after each cycle equals ``pgaf.golden.fixed.saturate``
  applied after every single addition, lane 0 first (chain) or per lane; the op
  increments are the number of unmasked lanes.
* ``OpCounters``: saturating sums of the increments, cleared by ``clear``.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, ReadOnly

from pgaf.golden.fixed import saturate
from pgaf.golden.mtj_emulator import MTJEmulator as GoldenEmulator

from .build import load_config, load_params
from .harness import reset, start_clock
from .scoreboard import Scoreboard


def _sig(dut, block, name):
    return getattr(dut, f"{block}__{name}")


def _signed(value, width):
    v = int(value)
    return v - (1 << width) if v >> (width - 1) else v


def _pack(codes, width):
    word = 0
    for i, c in enumerate(codes):
        word |= (int(c) & ((1 << width) - 1)) << (i * width)
    return word


async def _start(dut):
    start_clock(dut)
    await reset(dut)


@cocotb.test()
async def pair_latch_forms_golden_pairs(dut):
    cfg = load_config()
    n = int(load_params().get("cycles", 2000))
    rng = np.random.default_rng(cfg.seed + 10)
    await _start(dut)
    emu = GoldenEmulator(cfg.seed, cfg.fixed.a_frac)
    s, sv, clr = (_sig(dut, "latch", x) for x in ("sample", "sample_valid", "clear"))
    board = Scoreboard(dut._log)
    cur, taken = None, 0    # the golden pair being fed in, and how many of its bits went in
    expected, got = [], []
    for _ in range(n):
        await FallingEdge(dut.clk)
        clear = rng.random() < 0.05
        valid = (not clear) and rng.random() < 0.7
        if valid and cur is None:  # a new pair from the golden emulator at a random code
            cur, taken = emu.sample_pair(int(rng.integers(0, 1 << cfg.fixed.a_frac))), 0
        s.value = cur[taken] if valid else int(rng.integers(0, 2))
        sv.value, clr.value = int(valid), int(clear)
        if clear and taken:
            cur = None          # a half-collected pair is forgotten
        elif valid:
            taken += 1
            if taken == 2:
                expected.append(tuple(cur))
                cur = None
        await ReadOnly()
        if int(_sig(dut, "latch", "pair_valid").value):
            got.append((int(_sig(dut, "latch", "b1").value), int(_sig(dut, "latch", "b2").value)))
    await FallingEdge(dut.clk)
    await ReadOnly()
    if int(_sig(dut, "latch", "pair_valid").value):
        got.append((int(_sig(dut, "latch", "b1").value), int(_sig(dut, "latch", "b2").value)))
    board.compare("latched pairs", got, expected)
    assert len(expected) > n // 5


@cocotb.test()
async def pair_detector_is_the_golden_gate(dut):
    cfg = load_config()
    n = int(load_params().get("cycles", 2000))
    rng = np.random.default_rng(cfg.seed + 11)
    emu = GoldenEmulator(cfg.seed, cfg.fixed.a_frac)
    await _start(dut)
    board = Scoreboard(dut._log)
    gates, skips, exp_g, exp_s = [], [], [], []
    for i in range(n):
        await FallingEdge(dut.clk)
        if i < 8:   # the whole truth table first
            b1, b2, v = i & 1, (i >> 1) & 1, (i >> 2) & 1
        else:       # then pairs of the golden emulator at random codes
            b1, b2 = emu.sample_pair(int(rng.integers(0, 1 << cfg.fixed.a_frac)))
            v = int(rng.random() < 0.8)
        _sig(dut, "detect", "b1").value = b1
        _sig(dut, "detect", "b2").value = b2
        _sig(dut, "detect", "valid").value = v
        await ReadOnly()
        gates.append(int(_sig(dut, "detect", "gate").value))
        skips.append(int(_sig(dut, "detect", "skip").value))
        exp_g.append(b1 & (1 - b2))          # the golden gate (MTJEmulator.gate)
        exp_s.append(v & (1 - exp_g[-1]))
    board.compare("gate", gates, exp_g)
    board.compare("skip", skips, exp_s)


def _operand(rng, shape_signed, width, size):
    """Random codes with the extremes over-represented (they are where saturation lives)."""
    lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if shape_signed else (0, (1 << width) - 1)
    v = rng.integers(lo, hi + 1, size)
    ext = rng.random(size) < 0.25
    v[ext] = rng.choice([lo, hi, 0], int(ext.sum()))
    return v


@cocotb.test()
@cocotb.parametrize(block=["mac_fwd", "mac_bwd"])
async def gated_mac_saturates_like_golden(dut, block):
    cfg = load_config()
    f = cfg.fixed
    lanes = cfg.lanes
    n = int(load_params().get("cycles", 2000))
    rng = np.random.default_rng(cfg.seed + (12 if block == "mac_fwd" else 13))
    chain = block == "mac_fwd"
    a_w, b_w, b_signed = f.w_bits, (f.a_frac if chain else f.e_bits), not chain
    await _start(dut)
    board = Scoreboard(dut._log)
    sig = {x: _sig(dut, block, x) for x in ("en", "first", "init", "a", "b", "mask", "acc",
                                            "mul_inc", "add_inc")}
    n_acc = 1 if chain else lanes
    model = [0] * n_acc
    started = False
    got_acc, exp_acc, got_inc, exp_inc = [], [], [], []
    for _ in range(n):
        await FallingEdge(dut.clk)
        # the accumulator after the previous edge
        acc_word = int(sig["acc"].value)
        if started:
            got_acc.append([_signed(acc_word >> (i * f.acc_bits) & ((1 << f.acc_bits) - 1), f.acc_bits)
                            for i in range(n_acc)])
            exp_acc.append(list(model))
        en = int(rng.random() < 0.85)
        first = int(not started or rng.random() < 0.1)
        init = int(_operand(rng, True, f.acc_bits, 1)[0]) if chain else 0
        a = _operand(rng, True, a_w, lanes)
        b = _operand(rng, b_signed, b_w, lanes)
        mask = rng.random(lanes) < 0.7
        for k, v in (("en", en), ("first", first), ("init", init & ((1 << f.acc_bits) - 1)),
                     ("a", _pack(a, a_w)), ("b", _pack(b, b_w)), ("mask", _pack(mask, 1))):
            sig[k].value = v
        await ReadOnly()
        got_inc.append((int(sig["mul_inc"].value), int(sig["add_inc"].value)))
        used = int(mask.sum()) if en else 0
        exp_inc.append((used, used))
        if en:   # golden: saturate after every single addition, lane 0 first
            started = True
            if chain:
                acc = init if first else model[0]
                for i in range(lanes):
                    if mask[i]:
                        acc = saturate(acc + int(a[i]) * int(b[i]), f.acc_min, f.acc_max)
                model = [acc]
            else:
                model = [saturate((0 if first else model[i]) + (int(a[i]) * int(b[i]) if mask[i] else 0),
                                  f.acc_min, f.acc_max) for i in range(lanes)]
    board.compare(f"{block} accumulators", got_acc, exp_acc)
    board.compare(f"{block} mul/add increments", got_inc, exp_inc)
    sat = sum(1 for row in exp_acc for v in row if v in (f.acc_min, f.acc_max))
    dut._log.info("%s: %d cycles compared, %d saturated accumulator values", block, len(exp_acc), sat)
    assert sat > 0, "the test never reached saturation; widen the operand extremes"


@cocotb.test()
async def op_counters_saturate_and_clear(dut):
    cfg = load_config()
    p = load_params()
    n = int(p.get("cycles", 2000))
    width = int(p.get("counter_width", 32))
    top = (1 << width) - 1
    names = ("mul", "add", "sample", "skipped")
    rng = np.random.default_rng(cfg.seed + 14)
    _sig(dut, "ops", "clear").value = 0
    for k in names:
        _sig(dut, "ops", f"{k}_inc").value = 0
    await _start(dut)
    board = Scoreboard(dut._log)
    model = dict.fromkeys(names, 0)
    got, exp = [], []
    saturated = 0
    for _ in range(n):
        await FallingEdge(dut.clk)
        got.append([int(_sig(dut, "ops", k).value) for k in names])
        exp.append([model[k] for k in names])
        clear = rng.random() < 0.01
        incs = {k: int(rng.integers(0, cfg.lanes + 1)) for k in names}
        _sig(dut, "ops", "clear").value = int(clear)
        for k in names:
            _sig(dut, "ops", f"{k}_inc").value = incs[k]
        for k in names:
            model[k] = 0 if clear else min(model[k] + incs[k], top)
        saturated += sum(model[k] == top for k in names)
    board.compare("op counters", got, exp)
    assert saturated > 0, "the counters never saturated; use a narrower counter_width"
