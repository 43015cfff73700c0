"""The stochastic-LLG physics check: its torque, its extremes, its seeding, its fit."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pgaf.golden.errors import UserError
from pgaf.spice.llg_check import (MacrospinParams, damping_like_field, fit_sigmoid_trials,
                                  switch_trials)
from pgaf.spice.params import CircuitParams

pytestmark = pytest.mark.spice
pytest.importorskip("cmtj", reason="the LLG check needs cmtj: pip install 'cmtj>=1.4'")


def test_damping_like_field_by_hand():
    mp, cp = MacrospinParams(), CircuitParams()
    j = 483e-6 / (cp.channel_width_nm * 1e-9 * 3e-9)            # ≈ 2.7e11 A/m² (2.7e7 A/cm²)
    assert j == pytest.approx(2.8e11 * 483 / 500, rel=1e-9)      # the paper's J_c scaled to 483 µA
    h = 1.054571817e-34 * 0.30 * j / (2 * 1.602176634e-19 * 1.07 * 1.4e-9)
    assert float(damping_like_field(483.0, mp, cp)) == pytest.approx(h, rel=1e-12)
    # the barrier the anisotropy encodes is the paper's 40 kT
    v = mp.area_m2 * 1.4e-9
    assert mp.anisotropy_j_m3 * v / (1.380649e-23 * 300) == pytest.approx(40.0)


def test_no_current_never_switches_and_twice_the_threshold_always_does():
    assert switch_trials(0.0, 5.0, 12, seed=1).sum() == 0        # Δ = 40 kT: stable for ns
    assert switch_trials(600.0, 5.0, 12, seed=2).sum() == 12


def test_same_seed_same_outcomes():
    a = switch_trials(300.0, 5.0, 16, seed=3)
    assert_array_equal(a, switch_trials(300.0, 5.0, 16, seed=3))
    assert 0 < a.sum() < 16  # inside the transition: both outcomes occur


def test_fit_recovers_a_known_sigmoid():
    rng = np.random.default_rng(0)
    i = np.repeat(np.linspace(440, 520, 9), 2000)
    y = rng.random(i.size) < 1 / (1 + np.exp(-0.08 * (i - 480)))
    a, k = fit_sigmoid_trials(i, y)
    assert a == pytest.approx(480, abs=0.5) and k == pytest.approx(0.08, rel=0.03)


def test_fit_refuses_separated_outcomes():
    with pytest.raises(UserError, match="do not overlap"):
        fit_sigmoid_trials([1, 2, 3, 4], [0, 0, 1, 1])
