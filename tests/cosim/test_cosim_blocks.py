"""Each small trainer block (pair latch, (1,0) detector, gated MAC, op counters) alone vs golden."""

import pytest

from pgaf.cosim.blocks_top import BlocksTop
from pgaf.cosim.build import SIMULATORS, run_cocotb
from pgaf.golden.config import FixedFormat, NetConfig

pytestmark = pytest.mark.sim

# Narrow formats, so that the accumulators and the counters saturate within a short run.
CFG = NetConfig(lanes=3, seed=7, fixed=FixedFormat(w_bits=8, w_frac=4, a_frac=8, e_bits=8, e_frac=5,
                                                   acc_bits=17))
COUNTER_WIDTH = 9


@pytest.mark.parametrize("sim", SIMULATORS)
def test_blocks_against_golden(sim, request):
    results = run_cocotb(BlocksTop(CFG, counter_width=COUNTER_WIDTH), test_module="pgaf.cosim.tb_blocks",
                         test_id=request.node.name, sim=sim, config=CFG, name="blocks",
                         params={"cycles": 2000, "counter_width": COUNTER_WIDTH})
    names = sorted(r.name for r in results)
    assert len(names) == 5, names
