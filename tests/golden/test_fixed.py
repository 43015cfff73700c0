"""The bit-exact primitives: rounding half up, saturation, the sigmoid table and its address."""

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from pgaf.golden.config import FixedFormat
from pgaf.golden.fixed import round_shift, saturate, sigmoid_code, sigmoid_lut, z_index
from pgaf.golden.fixed_net import quantize_inputs, quantize_targets, round_half_up


def test_round_shift_is_half_up_for_both_signs():
    # v / 4 exactly: -1.5 -> -1, -0.5 -> 0, 0.5 -> 1, 1.5 -> 2, -1.25 -> -1, -1.75 -> -2
    v = np.array([-6, -2, 2, 6, -5, -7, 7, 0])
    want = np.array([-1, 0, 1, 2, -1, -2, 2, 0])
    assert_array_equal(round_shift(v, 2), want)
    assert [round_shift(int(a), 2) for a in v] == want.tolist()
    for a in range(-300, 300):  # against the definition floor(a / 2**s + 1/2), exact in Fraction terms
        for s in range(1, 6):
            assert round_shift(a, s) == math.floor(a / 2**s + 0.5)


def test_round_shift_non_positive_is_exact_left_shift():
    v = np.array([-3, 0, 5])
    assert_array_equal(round_shift(v, 0), v)
    assert_array_equal(round_shift(v, -3), v * 8)
    assert round_shift(-3, -2) == -12


def test_saturate_clamps_scalars_and_arrays():
    assert saturate(200, -128, 127) == 127 and saturate(-200, -128, 127) == -128
    assert saturate(5, -128, 127) == 5
    assert_array_equal(saturate(np.array([-129, -128, 127, 128]), -128, 127), [-128, -128, 127, 127])


@pytest.mark.parametrize("fmt", [FixedFormat(), FixedFormat(a_frac=6, z_bits=7, z_frac=3),
                                 FixedFormat(a_frac=12, z_bits=12, z_frac=8)])
def test_sigmoid_lut_matches_its_definition(fmt):
    lut = sigmoid_lut(fmt)
    n = 1 << fmt.z_bits
    assert lut.shape == (n,) and lut.dtype == np.int64
    for i in range(n):
        c = i - n if i >= n // 2 else i
        y = 1 / (1 + math.exp(-c / 2**fmt.z_frac))
        assert lut[i] == min(max(math.floor(y * 2**fmt.a_frac + 0.5), 0), fmt.a_max)
    # Monotone non-decreasing in the signed address order, centred on 2**(a_frac-1).
    signed = np.concatenate([lut[n // 2:], lut[:n // 2]])
    assert np.all(np.diff(signed) >= 0)
    assert lut[0] == 1 << (fmt.a_frac - 1)


def test_z_index_rounds_saturates_and_wraps_to_twos_complement():
    f = FixedFormat()  # acc has 20 fraction bits, z has 6: shift by 14; z is 10-bit signed
    one_z = 1 << 14
    assert z_index(0, f) == 0
    assert z_index(3 * one_z, f) == 3
    assert z_index(-1 * one_z, f) == 1023            # -1 in 10-bit two's complement
    assert z_index(one_z // 2, f) == 1                # half rounds up
    assert z_index(-one_z // 2, f) == 0               # -0.5 rounds up to 0
    assert z_index(10**9, f) == 511                   # saturates at +z_max ...
    assert z_index(-10**9, f) == 512                  # ... and at z_min = -512
    acc = np.array([0, 3 * one_z, -one_z, 10**9, -10**9])
    assert_array_equal(z_index(acc, f), [0, 3, 1023, 511, 512])
    assert_array_equal(sigmoid_code(acc, f), sigmoid_lut(f)[[0, 3, 1023, 511, 512]])


def test_round_half_up_differs_from_numpy_round_on_ties():
    assert_array_equal(round_half_up([0.5, 1.5, 2.5, -0.5, -1.5, 0.49]), [1, 2, 3, 0, -1, 0])


def test_quantize_inputs_and_targets():
    f = FixedFormat()
    assert_array_equal(quantize_inputs([0.0, 1.0, 0.5, 1 / 512, 0.999], f), [0, 255, 128, 1, 255])
    assert_array_equal(quantize_targets([2, 0], 3, f), [[0, 0, 256], [256, 0, 0]])
    assert_array_equal(quantize_targets([1, 0], 1, f), [[256], [0]])
