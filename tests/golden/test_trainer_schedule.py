"""Learning-rate schedules of the float trainer (:func:`pgaf.golden.trainer.lr_at`)."""

import pytest

from pgaf.golden.errors import UserError
from pgaf.golden.trainer import lr_at


def test_step_halves_in_equal_plateaus():
    rates = [lr_at(e, 20, 2**-6, 0.125, "step") for e in range(20)]
    assert rates == [2**-6] * 5 + [2**-7] * 5 + [2**-8] * 5 + [2**-9] * 5


def test_step_with_uneven_plateaus_ends_at_lr_end():
    rates = [lr_at(e, 30, 0.01, 0.25, "step") for e in range(30)]
    assert rates[0] == 0.01 and rates[-1] == 0.0025
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    assert sorted(set(rates)) == [0.0025, 0.005, 0.01]


def test_cosine_runs_from_lr_to_lr_times_lr_end():
    assert lr_at(0, 40, 0.01, 0.1, "cosine") == pytest.approx(0.01)
    assert lr_at(39, 40, 0.01, 0.1, "cosine") == pytest.approx(0.001)


@pytest.mark.parametrize("schedule, lr_end", [("step", 0.3), ("linear", 0.1)])
def test_bad_schedule_is_a_user_error(schedule, lr_end):
    with pytest.raises(UserError):
        lr_at(3, 10, 0.01, lr_end, schedule)


def test_center_hidden_reaches_the_net_and_changes_the_run():
    from pgaf.golden.config import NetConfig
    from pgaf.golden.trainer import load_dataset, train_float
    ds = load_dataset("digits")
    cfg = NetConfig(shape="64-8-8-10", loss="softmax-ce", seed=3)
    plain = train_float(cfg, ds, "pgaf", epochs=1)
    centred = train_float(cfg, ds, "pgaf", epochs=1, center_hidden=True)
    assert plain["settings"]["center_hidden"] is False and centred["settings"]["center_hidden"] is True
    assert plain["history"] != centred["history"]


def test_overrides_replace_the_datasets_own_settings():
    """Overrides of keys the defaults already hold (as `pgaf experiments` passes them) replace them."""
    from pgaf.golden.config import NetConfig
    from pgaf.golden.trainer import DEFAULTS, load_dataset, train_float
    ds = load_dataset("digits")
    st = dict(DEFAULTS["digits"], epochs=1, lr_end=0.5, schedule="constant")
    r = train_float(NetConfig(shape="64-8-10", loss="softmax-ce"), ds, "bp", **st)
    assert r["settings"]["lr_end"] == 0.5 and r["settings"]["schedule"] == "constant"
    assert r["settings"]["center_hidden"] is False
