import numpy as np

from pgaf.golden.config import NetConfig
from pgaf.rtl.cycles import expected_cycles, over_training


def test_over_training_averages_the_cycle_model():
    cfg = NetConfig(shape="64-16-10", loss="sigmoid-ce", seed=3)
    f_pg, b_pg, (f_bp, b_bp), steps = over_training(cfg, "digits", 1)
    assert steps == 1437
    assert (f_bp, b_bp) == expected_cycles(cfg, None)
    # p-GAF's backward + update lies between "every hidden neuron skipped" and bp's.
    none_on = expected_cycles(cfg, [np.zeros(16, dtype=np.uint8)])[1]
    all_on = expected_cycles(cfg, [np.ones(16, dtype=np.uint8)])[1]
    assert none_on < b_pg < all_on <= b_bp + 1
    assert f_pg == f_bp + 1          # the hidden layer's MTJ pair adds one forward cycle
