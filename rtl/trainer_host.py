"""Host-side driver of :class:`~pgaf.rtl.trainer.Trainer` for Amaranth's simulator.

Used by the unit tests and by the cycle measurements (:mod:`pgaf.rtl.cycles`): write an
example's input codes, strobe ``start``, wait for ``done``, read back counters, output
codes and every weight.  All methods are coroutines taking the testbench context
(``sim.add_testbench(async def bench(ctx): ...)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["StepResult", "TrainerHost"]


@dataclass
class StepResult:
    """What a step left readable in the trainer's registers."""

    ops: dict
    cyc_fwd: int
    cyc_bwd: int
    pred: int


class TrainerHost:
    """Drives one :class:`~pgaf.rtl.trainer.Trainer` through its flat host ports.

    Parameters
    ----------
    dut : Trainer
    """

    def __init__(self, dut):
        self.dut = dut
        self.cfg = dut.cfg

    async def write_inputs(self, ctx, x_codes):
        """Write the input codes, one per cycle."""
        d = self.dut
        ctx.set(d.x_we, 1)
        for j, v in enumerate(np.asarray(x_codes).tolist()):
            ctx.set(d.x_addr, j)
            ctx.set(d.x_data, int(v))
            await ctx.tick()
        ctx.set(d.x_we, 0)

    async def run(self, ctx, *, train: bool, bp: bool = False, target: int = 0,
                  fault: int = 0, max_cycles: int = 10_000_000) -> StepResult:
        """Strobe ``start`` and wait for ``done``; return the counters."""
        d = self.dut
        ctx.set(d.target, int(target))
        ctx.set(d.train, int(train))
        ctx.set(d.bp, int(bp))
        ctx.set(d.fault, fault)
        ctx.set(d.start, 1)
        await ctx.tick()
        ctx.set(d.start, 0)
        await ctx.tick().until(d.done)
        return StepResult(
            ops={"mul": ctx.get(d.ops_mul), "add": ctx.get(d.ops_add),
                 "sample": ctx.get(d.ops_sample), "skipped": ctx.get(d.ops_skipped)},
            cyc_fwd=ctx.get(d.cyc_fwd), cyc_bwd=ctx.get(d.cyc_bwd), pred=ctx.get(d.pred))

    async def step(self, ctx, x_codes, *, train: bool = True, bp: bool = False, target: int = 0,
                   fault: int = 0) -> StepResult:
        """One example: write its inputs, run it."""
        await self.write_inputs(ctx, x_codes)
        return await self.run(ctx, train=train, bp=bp, target=target, fault=fault)

    async def read_outputs(self, ctx) -> np.ndarray:
        """Output activation codes of the last example."""
        d = self.dut
        out = []
        for k in range(self.cfg.shape[-1]):
            ctx.set(d.y_addr, k)
            await ctx.tick()
            out.append(ctx.get(d.y_data))
        return np.array(out, dtype=np.int64)

    async def write_params(self, ctx, weights, biases):
        """Load weight and bias codes (lists shaped like the golden ones), one per cycle."""
        d = self.dut
        ctx.set(d.w_we, 1)
        for l, (w, b) in enumerate(zip(weights, biases)):
            w, b = np.asarray(w), np.asarray(b)
            ctx.set(d.w_layer, l)
            for k in range(w.shape[0]):
                ctx.set(d.w_row, k)
                for j, v in enumerate(list(w[k]) + [b[k]]):
                    ctx.set(d.w_col, j)
                    ctx.set(d.w_wdata, int(v))
                    await ctx.tick()
        ctx.set(d.w_we, 0)

    async def read_params(self, ctx, layers=None):
        """Every weight and bias code: ``(weights, biases)`` shaped like the golden lists."""
        d = self.dut
        shape = self.cfg.shape
        weights, biases = [], []
        for l in range(len(shape) - 1) if layers is None else layers:
            n_in, n_out = shape[l], shape[l + 1]
            w = np.zeros((n_out, n_in), dtype=np.int64)
            b = np.zeros(n_out, dtype=np.int64)
            ctx.set(d.w_layer, l)
            for k in range(n_out):
                ctx.set(d.w_row, k)
                for j in range(n_in + 1):
                    ctx.set(d.w_col, j)
                    await ctx.tick()
                    if j == n_in:
                        b[k] = ctx.get(d.w_data)
                    else:
                        w[k, j] = ctx.get(d.w_data)
            weights.append(w)
            biases.append(b)
        return weights, biases
