"""The ``pgaf`` command: one subcommand per job, each in its own module of this package.

A subcommand module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``.  Heavy imports (amaranth, cocotb, PySpice) happen inside
``run`` so that ``pgaf --help`` stays fast.  A :class:`~pgaf.golden.errors.UserError`
becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from pgaf.golden.errors import UserError

# (subcommand module, in the order `pgaf --help` lists them)
COMMANDS = [
    "pgaf.cmd_compare",   # main job: BP vs p-GAF side by side on the embedded digits
    "pgaf.cmd_train",     # one training run, JSON results
    "pgaf.cmd_bench",     # training throughput, BP vs p-GAF
    "pgaf.cmd_experiments",  # the long experiments behind the README's tables
    "pgaf.cmd_verilog",   # Verilog export of the RTL
    "pgaf.cmd_build",     # FPGA bitstream and resource/Fmax report
    "pgaf.cmd_regress",   # cocotb regression, RTL vs golden
    "pgaf.cmd_energy",    # SPICE energy per sample and BP vs p-GAF energy
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, then exit 2 (argparse's own behaviour, kept short)
        self.exit(2, f"pgaf: error: {message}; see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pgaf", description="Open hardware co-design kit for p-GAF backpropagation.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for modname in COMMANDS:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as e:
            if e.name == modname:
                continue  # subcommand not built yet
            raise
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UserError as e:
        print(f"pgaf: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pgaf: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
