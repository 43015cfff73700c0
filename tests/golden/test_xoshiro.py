import numpy as np
from numpy.testing import assert_array_equal

from pgaf.golden.mtj_emulator import MTJEmulator
from pgaf.golden.xoshiro import Xoshiro128pp, stream_states


def test_reference_vector():
    # xoshiro128++ from state (1, 2, 3, 4): the reference C code's first outputs.
    g = Xoshiro128pp([1, 2, 3, 4])
    assert [g.next() for _ in range(4)] == [641, 1573767, 3222811527, 3517856514]


def test_take_equals_next():
    a, b = Xoshiro128pp.from_seed(7), Xoshiro128pp.from_seed(7)
    assert_array_equal(a.take(100), np.array([b.next() for _ in range(100)], dtype=np.uint32))
    assert a.state == b.state


def test_streams_differ_and_are_reproducible():
    sa, sb = stream_states(3)
    assert sa != sb
    assert stream_states(3) == (sa, sb)
    assert stream_states(4) != (sa, sb)


def test_emulator_probability_is_exact_code():
    em = MTJEmulator(seed=11, a_frac=8)
    n = 20000
    ones = sum(em.sample_pair(64)[0] for _ in range(n))
    # P = 64/256 = 0.25; 5 sigma binomial bound
    sd = (n * 0.25 * 0.75) ** 0.5
    assert abs(ones - n * 0.25) < 5 * sd
    assert MTJEmulator(1, fault="stuck-1").sample_pair(0) == (1, 1)
    assert MTJEmulator(1, fault="stuck-0").sample_pair(255) == (0, 0)
