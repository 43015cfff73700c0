"""The UART host bridge drives the trainer: byte commands in, golden-exact results out."""

import numpy as np
import pytest
from amaranth.sim import Simulator
from numpy.testing import assert_array_equal

from pgaf.golden.config import NetConfig
from pgaf.golden.fixed_net import FixedNet, quantize_targets
from pgaf.golden.mtj_emulator import MTJEmulator as GoldenEmulator
from pgaf.rtl.host_bridge import HostBridge, encode, reply_size
from pgaf.rtl.trainer import Trainer


class Host:
    """Sends command bytes on the bridge's rx stream and collects its reply bytes."""

    def __init__(self, dut, fmt):
        self.dut, self.fmt = dut, fmt

    async def call(self, ctx, cmd, *args):
        data = cmd if isinstance(cmd, bytes) else encode(cmd, self.fmt, *args)
        for byte in data:
            ctx.set(self.dut.rx.payload, byte)
            ctx.set(self.dut.rx.valid, 1)
            await ctx.tick()
            ctx.set(self.dut.rx.valid, 0)
            await ctx.tick()          # one idle cycle between bytes, as a UART gives many
        ctx.set(self.dut.tx.ready, 1)
        out = []
        while len(out) < reply_size(data[:1], self.fmt):
            _, _, valid, byte = await ctx.tick().sample(self.dut.tx.valid, self.dut.tx.payload)
            if valid:
                out.append(byte)
        ctx.set(self.dut.tx.ready, 0)
        return bytes(out)


@pytest.mark.parametrize("shape,loss", [("2-2-1", "mse"), ("5-4-3", "sigmoid-ce")])
def test_training_over_the_bridge_matches_golden(shape, loss):
    cfg = NetConfig(shape=shape, loss=loss, seed=3)
    fmt = cfg.fixed
    try:
        trainer = Trainer(cfg, writable=True)
    except TypeError:                      # a trainer without the weight-load ports
        trainer = Trainer(cfg)
    dut = HostBridge(trainer)
    host = Host(dut, fmt)
    rng = np.random.default_rng(17)
    n_cls = max(2, cfg.shape[-1])
    steps = [(rng.integers(0, fmt.a_max + 1, cfg.shape[0]), int(rng.integers(0, n_cls)))
             for _ in range(4)]
    got = {"ops": [], "pred": []}

    async def bench(ctx):
        for x, label in steps:
            for j, v in enumerate(x):
                assert await host.call(ctx, "X", j, int(v)) == b"K"
            got["pred"].append(int.from_bytes(await host.call(ctx, "S", 1, label), "little"))
            raw = await host.call(ctx, "O")
            got["ops"].append([int.from_bytes(raw[4 * i:4 * i + 4], "little") for i in range(4)])
        ws, bs = [], []
        for l in range(len(cfg.shape) - 1):
            n_in, n_out = cfg.shape[l], cfg.shape[l + 1]
            w = np.zeros((n_out, n_in + 1), np.int64)
            for k in range(n_out):
                for j in range(n_in + 1):
                    w[k, j] = int.from_bytes(await host.call(ctx, "W", l, k, j), "little", signed=True)
            ws.append(w[:, :-1])
            bs.append(w[:, -1])
        got["w"], got["b"] = ws, bs
        got["y0"] = (await host.call(ctx, "Y", 0))[0]
        got["unknown"] = await host.call(ctx, b"Q")
        if dut.writable:
            assert await host.call(ctx, "L", 0, 0, 0, -1234) == b"K"
            got["loaded"] = int.from_bytes(await host.call(ctx, "W", 0, 0, 0), "little", signed=True)
        else:
            assert (await host.call(ctx, "L", 0, 0, 0, -1234))[:1] == b"?"

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()

    net = FixedNet.from_config(cfg)
    emu = GoldenEmulator(cfg.seed, fmt.a_frac)
    want_ops, want_pred = [], []
    for x, label in steps:
        want_pred.append(int(net.predict(x)))
        y_last = net.output_codes(x)[0]
        ops = net.train_step(x, quantize_targets(label, cfg.shape[-1], fmt), emu)
        want_ops.append([ops.mul, ops.add, ops.sample, ops.skipped])
    assert got["pred"] == want_pred
    assert got["ops"] == want_ops
    for l in range(len(cfg.shape) - 1):
        assert_array_equal(got["w"][l], net.weights[l])
        assert_array_equal(got["b"][l], net.biases[l])
    assert got["y0"] == y_last[0]
    assert got["unknown"] == b"?"
    if dut.writable:
        assert got["loaded"] == -1234
