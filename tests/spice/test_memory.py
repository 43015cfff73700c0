"""ngspice shared-mode memory: 200 repeated cycles must not grow the resident set unboundedly."""

import pytest

from pgaf.spice.params import CircuitParams
from pgaf.spice.sampling_cycle import simulate_sampling_cycle

pytestmark = [pytest.mark.spice, pytest.mark.usefixtures("ngspice_ok")]

#: Bound on RSS growth over 200 runs after warm-up.  Measured: +0.7 MB with
#: destroy + remcirc after each run (``run_transient``), +16 MB with PySpice's own
#: ``circuit.simulator("ngspice-shared").transient()``, which never removes a circuit.
BOUND_MB = 8.0


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def test_rss_growth_over_200_simulations_is_bounded():
    p = CircuitParams()
    for _ in range(10):  # warm-up: library init, first allocations
        simulate_sampling_cycle(p, 483.0, 1.0, switched=True)
    before = _rss_mb()
    for k in range(200):
        simulate_sampling_cycle(p, 483.0, 1.0, switched=bool(k & 1))
    grown = _rss_mb() - before
    print(f"RSS {before:.1f} MB -> {before + grown:.1f} MB over 200 cycles (+{grown:.2f} MB)")
    assert grown < BOUND_MB
