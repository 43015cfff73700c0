"""The pgaf train / compare / bench / experiments commands, and their one-line errors."""

import json

import numpy as np
import pytest

from pgaf.main import main


def test_train_writes_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["train", "--dataset", "digits", "--net", "64-16-10", "--epochs", "1",
                 "--algo", "pgaf", "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    for key in ("final_test_accuracy", "history", "ops", "ops_to_90", "energy_pj", "wall_s"):
        assert key in r
    assert set(r["ops"]) >= {"mul", "add", "sample"}
    assert r["history"][-1][0] == r["examples_seen"] and 0.5 < r["final_test_accuracy"] <= 1
    assert "test accuracy" in capsys.readouterr().out


def test_train_xor_precision_changes_energy(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    main(["train", "--dataset", "xor", "--epochs", "10", "--json", str(a)])
    main(["train", "--dataset", "xor", "--epochs", "10", "--precision", "int8", "--json", str(b)])
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    assert ra["ops"] == rb["ops"] and rb["energy_pj"] < ra["energy_pj"]


@pytest.mark.parametrize("argv,needle", [
    (["train", "--dataset", "xor", "--net", "3-2-1"], "inputs"),
    (["train", "--dataset", "digits", "--net", "64-16-9"], "outputs"),
    (["train", "--dataset", "xor", "--lr", "0"], "lr"),
    (["train", "--dataset", "xor", "--net", "2-x-1"], "shape"),
    (["train", "--dataset", "mnist", "--data-dir", "/nonexistent"], ""),
    (["compare", "--epochs", "0"], "epochs"),
    (["train", "--act", "tanh", "--center-hidden"], "--center-hidden"),
    (["train", "--fixed-point", "--center-hidden"], "float mode"),
    (["train", "--fixed-point", "--dataset", "xor", "--shift", "1"], "not an image set"),
    (["train", "--dataset", "xor", "--shift", "1"], "not an image set"),
    (["compare", "--shift", "8"], "out of frame"),
    (["compare", "--shift", "-1"], "shift=-1"),
])
def test_bad_input_is_one_line_exit_2(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("pgaf: error:") and err.count("\n") == 1 and needle in err


def test_unknown_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "--frobnicate"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("pgaf: error:") and err.count("\n") == 1


def test_compare_prints_the_table(capsys):
    assert main(["compare", "--net", "64-16-10", "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    assert "| BP |" in out and "| p-GAF |" in out and "p-GAF saves" in out


def test_center_hidden_reaches_the_trainer(tmp_path):
    """--center-hidden trains a different (centred) net from the same seed, and says so in the JSON."""
    runs = {}
    for flag in ([], ["--center-hidden"]):
        out = tmp_path / f"r{len(flag)}.json"
        assert main(["train", "--net", "64-16-10", "--epochs", "1", "--json", str(out)] + flag) == 0
        runs[bool(flag)] = json.loads(out.read_text())
    assert runs[True]["settings"]["center_hidden"] and not runs[False]["settings"]["center_hidden"]
    assert runs[True]["history"] != runs[False]["history"]


def test_bench_side_by_side(tmp_path, capsys):
    out = tmp_path / "b.json"
    assert main(["bench", "--net", "64-16-10", "--examples", "300", "--reps", "2", "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert len(r["times_s"]["bp"]) == len(r["times_s"]["pgaf"]) == 2
    assert "ratio" in capsys.readouterr().out


def test_experiments_xor_writes_table_and_plot(tmp_path):
    assert main(["experiments", "xor", "--seeds", "1-2", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "xor_loss.png").stat().st_size > 1000
    assert "| p-GAF |" in (tmp_path / "xor.md").read_text()


def test_bench_training_mode_times_every_epoch_of_both(tmp_path, capsys):
    from test_data import write_set      # tests/golden is on sys.path (pytest's prepend mode)
    write_set(tmp_path / "mnist", np.random.default_rng(0), n_train=200, n_test=20)
    out = tmp_path / "b.json"
    assert main(["bench", "--net", "35-8-10", "--data-dir", str(tmp_path / "mnist"), "--epochs", "3",
                 "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["mode"] == "training" and r["examples"] == 200
    assert len(r["times_s"]["bp"]) == len(r["times_s"]["pgaf"]) == 3
    assert 0 < r["skipped_fraction"] < 1
    assert "per epoch, p-GAF / BP throughput" in capsys.readouterr().out


def test_bench_training_mode_needs_real_data(capsys):
    assert main(["bench", "--epochs", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--data-dir" in err


def test_experiments_seeds_summarises_every_seeds_cached_runs(tmp_path):
    """`seeds` trains each seed once (cached like `mnist`'s runs) and tabulates them per net and algorithm."""
    from test_data import write_set
    write_set(tmp_path / "mnist", np.random.default_rng(0), n_train=200, n_test=20)
    argv = ["experiments", "seeds", "--nets", "35-8-10", "--epochs", "1", "--seeds", "3,5",
            "--data-dir", str(tmp_path / "mnist"), "--out", str(tmp_path / "out")]
    assert main(argv) == 0
    from pgaf.golden.trainer import DEFAULTS
    lr = DEFAULTS["mnist"]["lr"]
    runs = sorted(p.name for p in (tmp_path / "out" / "mnist").glob("*.json"))
    assert runs == [f"35-8-10_{a}_e1_lr{lr}_s{s}_shift1.json" for a in ("bp", "pgaf2") for s in (3, 5)]
    table = (tmp_path / "out" / "seeds.md").read_text()
    for algo, name in (("bp", "BP"), ("pgaf2", "p-GAF")):
        acc = [json.loads((tmp_path / "out" / "mnist" / f"35-8-10_{algo}_e1_lr{lr}_s{s}_shift1.json").read_text())
               ["final_test_accuracy"] * 100 for s in (3, 5)]
        row = next(line for line in table.splitlines() if line.startswith(f"| 35-8-10 | {name} |"))
        assert f"| 2 | {np.mean(acc):.2f} % |" in row and f"3: {acc[0]:.2f}, 5: {acc[1]:.2f}" in row
    bp, pg = ([json.loads((tmp_path / "out" / "mnist" / f"35-8-10_{a}_e1_lr{lr}_s{s}_shift1.json").read_text())
               ["final_test_accuracy"] * 100 for s in (3, 5)] for a in ("bp", "pgaf2"))
    assert f"| {np.mean(np.subtract(pg, bp)):+.2f} pt |" in table    # p-GAF minus BP, seed by seed
    assert "1 epochs" in table                                    # the runs' own settings
    assert main(argv[:-2] + ["--out", str(tmp_path / "out"), "--table-only"]) == 0   # from the cache alone
    assert (tmp_path / "out" / "seeds.md").read_text() == table
