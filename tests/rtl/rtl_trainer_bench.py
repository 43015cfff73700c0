"""Shared bench for the trainer tests: run the RTL and the golden FixedNet side by side."""

import numpy as np
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.golden.fixed_net import FixedNet, quantize_targets
from pgaf.golden.mtj_emulator import MTJEmulator
from pgaf.rtl.cycles import expected_cycles
from pgaf.rtl.mtj_emulator import Fault
from pgaf.rtl.trainer import Trainer
from pgaf.rtl.trainer_host import TrainerHost

FAULT_NAMES = {Fault.NONE: None, Fault.STUCK_0: "stuck-0", Fault.STUCK_1: "stuck-1"}


def run_side_by_side(cfg, plan, *, weights=None, biases=None, check_params_every=1, check_cycles=True):
    """Train the RTL and the golden net on the same examples and compare after every step.

    Parameters
    ----------
    cfg : NetConfig
    plan : list of dict
        One entry per step: ``x`` (input codes), ``label``, ``bp`` (bool), ``train`` (bool),
        ``fault`` (a :class:`Fault`).
    weights, biases : optional initial codes (default: the golden initial net).

    Returns
    -------
    list of StepResult
        The RTL's counters per step (already checked equal to the golden ops, and the
        cycle counters to :func:`pgaf.rtl.cycles.expected_cycles` of the golden gates).
    """
    if weights is None:
        gold = FixedNet.from_config(cfg)
    else:
        gold = FixedNet(cfg, weights, biases)
    dut = Trainer(cfg, weights=gold.weights, biases=gold.biases)
    host = TrainerHost(dut)
    em = MTJEmulator(cfg.seed, cfg.fixed.a_frac)
    results = []

    async def bench(ctx):
        # A freshly elaborated trainer starts where the golden net starts.
        w, b = await host.read_params(ctx)
        for got, want in zip(w + b, gold.weights + gold.biases):
            assert_array_equal(got, want)
        for i, st in enumerate(plan):
            fault = st.get("fault", Fault.NONE)
            if st.get("train", True):
                em.fault = FAULT_NAMES[fault]
                t = quantize_targets(st["label"], cfg.shape[-1], cfg.fixed)
                want_ops = gold.train_step(st["x"], t, None if st["bp"] else em).as_dict()
            r = await host.step(ctx, st["x"], train=st.get("train", True), bp=st["bp"],
                                target=st["label"], fault=fault)
            results.append(r)
            if check_cycles:
                train = st.get("train", True)
                gates = gold.last_gates if train and not st["bp"] else None
                assert (r.cyc_fwd, r.cyc_bwd) == expected_cycles(cfg, gates, train=train), \
                    f"step {i}: cycles {(r.cyc_fwd, r.cyc_bwd)}"
            if not st.get("train", True):
                assert r.pred == int(gold.predict(st["x"])), f"step {i}: predicted class"
                assert_array_equal(await host.read_outputs(ctx), gold.forward(st["x"])[-1])
                continue
            assert r.ops == want_ops, f"step {i}: op counters {r.ops} != golden {want_ops}"
            if (i + 1) % check_params_every == 0 or i == len(plan) - 1:
                w, b = await host.read_params(ctx)
                for l, (got, want) in enumerate(zip(w, gold.weights)):
                    assert_array_equal(got, want, err_msg=f"step {i}: W_{l + 1}")
                for l, (got, want) in enumerate(zip(b, gold.biases)):
                    assert_array_equal(got, want, err_msg=f"step {i}: b_{l + 1}")

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return results


def random_plan(cfg, rng, steps, *, modes=("pgaf", "bp"), infer_every=0):
    """Random examples, alternating the given modes (and an inference every ``infer_every`` steps)."""
    n_cls = max(2, cfg.shape[-1])
    plan = []
    for s in range(steps):
        x = rng.integers(0, cfg.fixed.a_max + 1, cfg.shape[0])
        st = {"x": x, "label": int(rng.integers(0, n_cls)), "bp": modes[s % len(modes)] == "bp"}
        if infer_every and s % infer_every == infer_every - 1:
            st["train"] = False
        plan.append(st)
    return plan
