"""The RTL trainer vs the golden fixed-point net, bit for bit after every step, on both simulators."""

import os

import pytest

from pgaf.cosim.build import SIMULATORS, run_cocotb
from pgaf.golden.config import FixedFormat, NetConfig

pytestmark = pytest.mark.sim

# XOR as the paper trains it: 2-2-1, squared error; lr 2**-1 learns XOR for this seed in both modes.
XOR = NetConfig(shape="2-2-1", loss="mse", seed=1, lanes=1, fixed=FixedFormat(lr_shift=1))
# The reduced MNIST net on the embedded 8x8 digits; 4 MAC lanes.
DIGITS = NetConfig(shape="64-16-10", loss="sigmoid-ce", seed=1, lanes=4)


def _trainer(cfg):
    from pgaf.rtl.trainer import Trainer
    return Trainer(cfg)


def _run(cfg, sim, request, algo, **params):
    return run_cocotb(_trainer(cfg), test_module="pgaf.cosim.tb_trainer", test_id=request.node.name,
                      sim=sim, config=cfg, name="pgaf_trainer", params=params,
                      testcase=f"algo={algo}$")


@pytest.mark.parametrize("sim", SIMULATORS)
@pytest.mark.parametrize("algo", ["pgaf", "bp"])
def test_xor_short(sim, algo, request):
    (r,) = _run(XOR, sim, request, algo, dataset="xor", epochs=100, weights_every=1, idle=0.3)
    assert r.passed and r.cycles > 400 * 10
