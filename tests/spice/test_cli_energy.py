"""``pgaf energy``: its JSON, its one-line errors."""

import json

import pytest

from pgaf.main import main

pytestmark = [pytest.mark.spice, pytest.mark.usefixtures("ngspice_ok")]


def test_energy_json_and_plot(tmp_path, capsys):
    out, png = tmp_path / "e.json", tmp_path / "e.png"
    assert main(["energy", "--pulse-ns", "2", "--current-ua", "490", "--json", str(out),
                 "--plot", str(png)]) == 0
    d = json.loads(out.read_text())
    assert d["pulse_ns"] == 2 and d["current_ua"] == 490
    assert sum(d["breakdown_pj"].values()) + d["control_pj"] == pytest.approx(d["energy_per_sample_pj"])
    assert set(d["breakdown_pj"]) == {"reset", "write", "read", "sensing"}
    widths = [r["pulse_ns"] for r in d["sweep_pulse_width"]]
    totals = [r["total_pj"] for r in d["sweep_pulse_width"]]
    assert widths[0] == 1.0 and widths[-1] == 1e6
    assert all(a < b for a, b in zip(totals, totals[1:]))  # longer pulses cost more
    g = d["gradient_energy"][0]
    assert g["pgaf_pj"]["sample"] == pytest.approx(g["ops"]["pgaf"]["sample"] * d["energy_per_sample_pj"])
    assert png.stat().st_size > 10_000
    assert "energy per sample:" in capsys.readouterr().out


def test_bad_pulse_is_one_line_error(capsys):
    assert main(["energy", "--pulse-ns", "0.01"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pgaf: error: pulse width")


def test_missing_ngspice_names_the_package(monkeypatch):
    from PySpice.Spice.NgSpice.Shared import NgSpiceShared

    import pgaf.spice.ngspice as ng
    from pgaf.golden.errors import UserError

    def refuse(*a, **k):
        raise OSError("cannot load library 'libngspice.so'")

    monkeypatch.setattr(ng, "_instance", None)
    monkeypatch.setattr(NgSpiceShared, "new_instance", classmethod(refuse))
    with pytest.raises(UserError, match="apt-get install libngspice0 libngspice0-dev"):
        ng.ngspice()


def test_unparsable_circuit_names_the_circuit():
    from PySpice.Spice.Netlist import Circuit

    from pgaf.golden.errors import UserError
    from pgaf.spice.ngspice import run_transient

    c = Circuit("broken")
    c.V("s", "a", c.gnd, 1.0)
    c.B("x", "a", c.gnd, i="V(a)/nosuchfunction(V(a))")
    with pytest.raises(UserError, match="broken-test circuit"):
        run_transient(c, 1e-10, 1e-9, what="broken-test")
