"""One shared ngspice instance for the whole process, and a transient run that returns NumPy arrays.

PySpice's own ``circuit.simulator().transient()`` loads every circuit into the same
shared library and never removes it, so memory grows run after run.  Here each run
loads the netlist text, runs it, copies the vectors out, then ``destroy`` s the plots
and ``remcirc`` s the circuit, so the library holds nothing between runs
(``tests/spice/test_memory.py`` measures the resident set over 200 runs).

Errors that a user can mend become :class:`~pgaf.golden.errors.UserError`: the
library not loadable (install ``libngspice0``) or a circuit that does not simulate
(named, with the fix).
"""

from __future__ import annotations

import logging

import numpy as np

from pgaf.golden.errors import UserError

__all__ = ["SpiceError", "ngspice", "run_transient"]

INSTALL_HINT = "install libngspice0: apt-get install libngspice0 libngspice0-dev"

_instance = None


class SpiceError(UserError):
    """ngspice is missing or a circuit did not simulate; the message names the fix."""


class _DropNoise(logging.Filter):
    # PySpice 1.5 knows ngspice up to 34 (39 works); the shared library needs no spinit;
    # ngspice's own error lines are carried in the SpiceError message instead.
    def filter(self, record):
        msg = record.getMessage()
        return not ("Unsupported Ngspice version" in msg or "spinit" in msg
                    or record.levelno >= logging.ERROR)


def ngspice():
    """The process's one ``NgSpiceShared`` instance, created on first use.

    Raises
    ------
    SpiceError
        PySpice is not importable or the ngspice shared library cannot be loaded.
    """
    global _instance
    if _instance is not None:
        return _instance
    for name in ("PySpice.Spice.NgSpice.Shared.NgSpiceShared", "PySpice.Spice.NgSpice.Shared"):
        logging.getLogger(name).addFilter(_DropNoise())
    try:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared
    except ImportError as e:
        raise SpiceError(f"PySpice is not importable ({e}); pip install PySpice==1.5") from None
    try:
        _instance = NgSpiceShared.new_instance()
    except (OSError, AttributeError) as e:
        raise SpiceError(f"the ngspice shared library cannot be loaded ({e}); {INSTALL_HINT}") from None
    return _instance


def run_transient(circuit, step_s: float, stop_s: float, *, what: str) -> dict:
    """Run a transient analysis of a PySpice ``Circuit`` and return its vectors.

    Parameters
    ----------
    circuit : PySpice.Spice.Netlist.Circuit
        The netlist (its ``str`` is loaded as is).
    step_s, stop_s : float
        Print step (also ngspice's largest internal step) and stop time, in seconds.
    what : str
        Name of the circuit for error messages.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"time"``, node voltages by node name, and ``"<source>#branch"`` currents
        (SPICE sign: positive into the source's + terminal), all real float64.

    Raises
    ------
    SpiceError
        The library is missing, or the circuit did not parse or converge.
    """
    from PySpice.Spice.NgSpice.Shared import NgSpiceCommandError

    ng = ngspice()
    text = f"{circuit}.options savecurrents method=gear\n.tran {step_s:.12g} {stop_s:.12g}\n.end\n"
    fix = ("check the circuit parameters (positive resistances, pulse widths >= 10 x the edge time) "
           "or lower the time step")
    try:
        ng.load_circuit(text)
        ng.run()
        plot = ng.last_plot
        if not plot.startswith("tran"):
            raise SpiceError(f"ngspice did not simulate the {what} circuit (no transient result); {fix}")
        vectors = ng.plot(None, plot)
        out = {name: np.array(vec._data).real.astype(np.float64) for name, vec in vectors.items()}
    except NgSpiceCommandError as e:
        said = "; ".join(line.strip() for line in ng.stderr.splitlines()
                         if line.strip() and "spinit" not in line)[-200:]
        raise SpiceError(f"ngspice failed on the {what} circuit ({e}: {said}); {fix}") from None
    finally:
        try:
            ng.destroy()
            ng.remove_circuit()
        except NgSpiceCommandError:
            pass  # nothing was loaded
    if out["time"].size < 2 or out["time"][-1] < stop_s * (1 - 1e-9):
        raise SpiceError(f"ngspice stopped the {what} circuit at t={out['time'][-1]:.3g} s before "
                         f"{stop_s:.3g} s (no convergence); {fix}")
    return out
