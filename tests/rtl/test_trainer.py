"""The RTL trainer against the golden FixedNet.train_step, bit for bit (weights, biases, op counts)."""

import numpy as np
import pytest
from amaranth.back import verilog

from pgaf.golden.config import NetConfig
from pgaf.golden.errors import UserError
from pgaf.rtl.mtj_emulator import Fault
from pgaf.rtl.trainer import Trainer

from rtl_trainer_bench import random_plan, run_side_by_side

XOR = [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)]


@pytest.mark.parametrize("bp", [False, True], ids=["pgaf", "bp"])
def test_xor_2_2_1_matches_golden(bp):
    cfg = NetConfig(shape="2-2-1", loss="mse", seed=7)
    rng = np.random.default_rng(1)
    one = cfg.fixed.a_max
    plan = []
    for _ in range(12):
        (a, b), lab = XOR[rng.integers(4)]
        plan.append({"x": np.array([a * one, b * one]), "label": lab, "bp": bp})
    res = run_side_by_side(cfg, plan)
    if not bp:
        # Some neurons were gated on and some skipped: both paths of the datapath were exercised.
        assert sum(r.ops["skipped"] for r in res) < 2 * len(plan)
        assert sum(r.ops["skipped"] for r in res) > 0


@pytest.mark.parametrize("shape,lanes,loss,seed", [
    ("6-5-3", 1, "sigmoid-ce", 2),
    ("6-5-3", 2, "sigmoid-ce", 3),
    ("7-5-4-3", 3, "sigmoid-ce", 4),   # two hidden layers; partial lane words
    ("5-4-3-1", 2, "mse", 5),
    ("3-5-2", 4, "sigmoid-ce", 6),     # more lanes than inputs: one partial word per row
])
def test_small_nets_both_modes_match_golden(shape, lanes, loss, seed):
    cfg = NetConfig(shape=shape, lanes=lanes, loss=loss, seed=seed)
    rng = np.random.default_rng(seed)
    res = run_side_by_side(cfg, random_plan(cfg, rng, 10, infer_every=5))
    # The same RTL skips work in p-GAF mode: fewer backward+update cycles than bp on average.
    pg = [r.cyc_bwd for r, m in zip(res, range(10)) if m % 2 == 0 and m % 5 != 4]
    bp = [r.cyc_bwd for r, m in zip(res, range(10)) if m % 2 == 1 and m % 5 != 4]
    assert np.mean(pg) < np.mean(bp)


@pytest.mark.parametrize("fault", [Fault.STUCK_0, Fault.STUCK_1])
def test_stuck_mtj_skips_every_hidden_neuron(fault):
    cfg = NetConfig(shape="4-3-2", lanes=2, loss="sigmoid-ce", seed=9)
    rng = np.random.default_rng(9)
    plan = random_plan(cfg, rng, 4, modes=("pgaf",))
    plan[1]["fault"] = plan[2]["fault"] = fault
    res = run_side_by_side(cfg, plan)
    # A stuck device gives (0,0) or (1,1): never the (1,0) pair.
    assert res[1].ops["skipped"] == res[2].ops["skipped"] == 3


def test_inference_draws_nothing_and_updates_nothing():
    cfg = NetConfig(shape="4-3-3", lanes=1, loss="sigmoid-ce", seed=11)
    rng = np.random.default_rng(11)
    plan = random_plan(cfg, rng, 6, modes=("pgaf",), infer_every=2)
    run_side_by_side(cfg, plan)


@pytest.mark.parametrize("lanes", [1, 3])
def test_loaded_weights_read_back_and_train_like_golden(lanes):
    """Weights written through the host port replace the initial ones, lane by lane."""
    from amaranth.sim import Simulator
    from numpy.testing import assert_array_equal

    from pgaf.golden.fixed_net import FixedNet, quantize_targets
    from pgaf.golden.mtj_emulator import MTJEmulator
    from pgaf.rtl.trainer_host import TrainerHost

    cfg = NetConfig(shape="5-4-3", lanes=lanes, loss="sigmoid-ce", seed=21)
    f = cfg.fixed
    rng = np.random.default_rng(21)
    gold = FixedNet(cfg, [rng.integers(f.w_min, f.w_max + 1, (o, i)) for i, o in zip((5, 4), (4, 3))],
                    [rng.integers(f.w_min, f.w_max + 1, o) for o in (4, 3)])
    dut = Trainer(cfg, writable=True)
    host = TrainerHost(dut)
    em = MTJEmulator(cfg.seed, f.a_frac)

    async def bench(ctx):
        await host.write_params(ctx, gold.weights, gold.biases)
        w, b = await host.read_params(ctx)
        for got, want in zip(w + b, gold.weights + gold.biases):
            assert_array_equal(got, want)
        for s in range(4):
            x = rng.integers(0, f.a_max + 1, 5)
            lab = int(rng.integers(3))
            want_ops = gold.train_step(x, quantize_targets(lab, 3, f), em).as_dict()
            r = await host.step(ctx, x, target=lab)
            assert r.ops == want_ops
        w, b = await host.read_params(ctx)
        for got, want in zip(w + b, gold.weights + gold.biases):
            assert_array_equal(got, want)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()


def test_rejects_nets_it_cannot_build():
    with pytest.raises(UserError, match="hidden layer"):
        Trainer(NetConfig(shape="3-2"))
    with pytest.raises(UserError, match="loss"):
        Trainer(NetConfig(shape="3-2-2", loss="softmax-ce"))


def test_verilog_export():
    cfg = NetConfig(shape="4-3-2", lanes=2, loss="sigmoid-ce", seed=1)
    dut = Trainer(cfg)
    text = verilog.convert(dut, name="pgaf_trainer")
    assert "module pgaf_trainer" in text
    for port in ("start", "busy", "done", "w_data", "ops_mul", "cyc_bwd"):
        assert port in text
