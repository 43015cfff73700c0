"""The energy integrator against the one circuit whose energy is known exactly: V²/R · t."""

import numpy as np
import pytest

from pgaf.spice.pulse_resistor import pulse_resistor_energy_exact, simulate_pulse_resistor
from pgaf.spice.supply_energy import delivered_energy

pytestmark = [pytest.mark.spice, pytest.mark.usefixtures("ngspice_ok")]


@pytest.mark.parametrize("v, r, pulse_ns", [
    (0.9, 776.0, 0.75),     # the literature anchor: 0.78 pJ flat top (+ edges)
    (1.2, 1456.0, 1e3),
    (0.5, 100.0, 1e6),      # the paper's 1 ms pulse: coarse steps must still integrate exactly
])
def test_pulse_into_resistor_matches_v2_over_r_t(v, r, pulse_ns):
    simulated = simulate_pulse_resistor(v, r, pulse_ns)
    exact = pulse_resistor_energy_exact(v, r, pulse_ns)
    # trapezoid rule on the quadratic power of the 50 ps ramps: < 0.1 % at 0.75 ns
    assert simulated == pytest.approx(exact, rel=1e-3)


def test_anchor_value():
    assert 0.9 ** 2 / 776 * 0.75e-9 == pytest.approx(0.78e-12, rel=0.01)


def test_integrator_sign_bounds_and_split():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    v = np.array([1.0, 1.0, 1.0, 1.0])
    i_branch = np.array([-2.0, -2.0, -2.0, -2.0])  # SPICE: current out of the + terminal
    assert delivered_energy(t, v, i_branch) == 6.0
    assert delivered_energy(t, v, i_branch, None, 1.0) + delivered_energy(t, v, i_branch, 1.0) == 6.0
    assert delivered_energy(t, v, -i_branch) == -6.0
