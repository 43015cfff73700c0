"""Energy table and the paper's Fig. 5H arithmetic."""

import pytest

from pgaf.golden.energy import OP_ENERGY_PJ, SAMPLE_PJ_PAPER, energy_breakdown, gradient_energy_pj
from pgaf.golden.errors import UserError
from pgaf.golden.ops import OpCounts


def test_horowitz_table():
    assert OP_ENERGY_PJ == {"fp32": {"mul": 3.7, "add": 0.9}, "int32": {"mul": 3.1, "add": 0.1},
                            "int8": {"mul": 0.2, "add": 0.03}}


def test_energy_is_the_weighted_sum():
    ops = OpCounts(mul=10, add=100, sample=1000)
    assert gradient_energy_pj(ops, "fp32", 2.0) == pytest.approx(10 * 3.7 + 100 * 0.9 + 1000 * 2.0)
    assert gradient_energy_pj(ops.as_dict(), "int8", 0.0) == pytest.approx(10 * 0.2 + 100 * 0.03)
    b = energy_breakdown(ops, "int32")
    assert b["sample"] == pytest.approx(1000 * SAMPLE_PJ_PAPER)
    assert b["total"] == pytest.approx(b["mul"] + b["add"] + b["sample"])


def test_default_sample_energy_reproduces_the_papers_79_percent():
    bp = {"mul": 2.94e10, "add": 3.80e9, "sample": 0}
    pg = {"mul": 6.08e9, "add": 9.74e8, "sample": 1.73e8}
    assert 1.0 < SAMPLE_PJ_PAPER < 1.2
    assert 1 - gradient_energy_pj(pg) / gradient_energy_pj(bp) == pytest.approx(0.79, abs=0.0005)


@pytest.mark.parametrize("bad", [dict(precision="fp16"), dict(sample_pj=-1.0)])
def test_bad_input_is_one_user_error(bad):
    with pytest.raises(UserError) as e:
        energy_breakdown(OpCounts(), **bad)
    assert "\n" not in str(e.value)
