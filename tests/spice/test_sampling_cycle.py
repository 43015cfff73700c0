"""The full reset → write → read cycle: its digital bit, its statistics, and its energy."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pgaf.golden.device import A_UA, switching_probability
from pgaf.golden.errors import UserError
from pgaf.spice.params import CircuitParams
from pgaf.spice.sampling_cycle import PARTS, simulate_sampling_cycle

pytestmark = [pytest.mark.spice, pytest.mark.usefixtures("ngspice_ok")]

P = CircuitParams()


@pytest.mark.parametrize("initial_state", [0, 1])
@pytest.mark.parametrize("switched", [False, True])
def test_sense_amplifier_reads_the_state_the_write_left(switched, initial_state):
    r = simulate_sampling_cycle(P, 483.0, 1.0, switched=switched, initial_state=initial_state)
    assert r.bit == int(switched)
    # the MTJ voltage really differs between the states: the divider sits on the right side of REF
    tl, t, w = r.timeline, r.wave["time"], r.wave
    k = np.searchsorted(t, tl.sense_on)
    assert (w["t"][k] > w["ref"][k]) == switched


def test_sampled_bits_follow_p_of_i_within_binomial_bound():
    """N = 200 seeded cycles per current; |k/N - P| <= 3.5 sqrt(P(1-P)/N) (two-sided 4.7e-4).

    Every cycle's latched bit must also equal the Python draw it was built from.
    """
    n = 200
    for seed, current in enumerate((466.0, 483.0, 500.0)):
        rng = np.random.default_rng(100 + seed)
        bits, draws = [], []
        for _ in range(n):
            r = simulate_sampling_cycle(P, current, 1.0, rng=rng)
            bits.append(r.bit)
            draws.append(int(r.switched))
        assert_array_equal(bits, draws)
        p = float(switching_probability(current))
        assert abs(np.mean(bits) - p) <= 3.5 * np.sqrt(p * (1 - p) / n), (current, np.mean(bits), p)


def test_same_seed_same_bits_and_energy():
    def run(seed):
        rng = np.random.default_rng(seed)
        rs = [simulate_sampling_cycle(P, A_UA, 1.0, rng=rng) for _ in range(8)]
        return [r.bit for r in rs], [r.energy_j["total"] for r in rs]
    b1, e1 = run(7)
    b2, e2 = run(7)
    assert_array_equal(b1, b2)
    assert_array_equal(e1, e2)


@pytest.mark.parametrize("pulse_ns", [1.0, 1e3, 1e6])
def test_energy_breakdown(pulse_ns):
    i_ua = 483.0
    r = simulate_sampling_cycle(P, i_ua, pulse_ns, switched=True)
    e = r.energy_j
    assert sum(e[k] for k in PARTS) + e["control"] == pytest.approx(e["total"], rel=1e-12)
    assert abs(e["control"]) < 1e-20  # control waveforms drive no current
    # a current driver draws VDD·I over the flat top and half of each edge
    width = (pulse_ns + P.edge_ns) * 1e-9
    assert e["write"] == pytest.approx(P.vdd_v * i_ua * 1e-6 * width, rel=2e-3)
    assert e["reset"] == pytest.approx(P.vdd_v * P.reset_ua * 1e-6 * width, rel=2e-3)
    # the channel dissipates I²R of it
    assert r.channel_j["write"] == pytest.approx((i_ua * 1e-6) ** 2 * P.channel_ohm * width, rel=2e-3)
    # read: the two dividers during the read window; sensing: bias current plus the latch
    assert 0 < e["read"] < 2 * P.read_v ** 2 / 3000 * P.read_ns * 1e-9
    bias = P.vdd_v * P.sense_bias_ua * 1e-6 * (P.read_ns / 2 + P.edge_ns) * 1e-9
    leak = 4 * P.g_off_s * P.vdd_v ** 2 * r.timeline.stop  # off switches over the whole cycle
    assert bias < e["sensing"] < bias + 3 * P.sense_load_ff * 1e-15 * P.vdd_v ** 2 + leak


def test_read_and_sense_energy_do_not_depend_on_the_pulse_width():
    short = simulate_sampling_cycle(P, 483.0, 1.0, switched=False).energy_j
    long = simulate_sampling_cycle(P, 483.0, 1e3, switched=False).energy_j
    for part in ("read", "sensing"):
        assert long[part] == pytest.approx(short[part], rel=0.01)


def test_current_beyond_the_supply_is_a_user_error():
    with pytest.raises(UserError, match="write path cannot drive 900 µA"):
        simulate_sampling_cycle(P, 900.0, 1.0, switched=False)


def test_bad_arguments_are_user_errors():
    with pytest.raises(UserError, match="pulse width"):
        simulate_sampling_cycle(P, 483.0, 0.1)
    with pytest.raises(UserError, match="write current"):
        simulate_sampling_cycle(P, -1.0, 1.0)
    with pytest.raises(UserError, match="reset current"):
        CircuitParams(vdd_v=0.8)
    with pytest.raises(UserError, match="positive"):
        CircuitParams(r_p_ohm=0)
