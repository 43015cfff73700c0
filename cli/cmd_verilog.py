"""``pgaf verilog``: synthesizable Verilog of the trainer (or the MTJ emulator) for a net."""

from __future__ import annotations

NAME = "verilog"
HELP = "write synthesizable Verilog of the p-GAF trainer (or the MTJ emulator) for a net"

CORES = ("trainer", "emulator")


def add_config_arguments(p):
    """The options that name a net, shared with ``pgaf build``."""
    p.add_argument("--net", metavar="SHAPE",
                   help="layer widths, e.g. 2-2-1 or 64-16-10 (default 2-2-1, or the config's)")
    p.add_argument("--config", metavar="FILE",
                   help="NetConfig JSON (formats, lanes, seed, loss); --net overrides its shape")
    p.add_argument("--lanes", type=int, metavar="N", help="MAC lanes (overrides the config)")
    p.add_argument("--core", choices=CORES, default="trainer",
                   help="what to build: the trainer (default) or the MTJ emulator alone")


def config_from_args(args):
    """The :class:`NetConfig` the options describe.

    Without a config file the loss is ``mse`` for one output and ``sigmoid-ce`` for
    several (the fixed-point mode's multi-class loss, docs/fixed-point.md).
    """
    from pgaf.golden.config import NetConfig, parse_shape

    if args.config:
        cfg = NetConfig.load(args.config)
        if args.net:
            cfg = cfg.replace(shape=parse_shape(args.net))
    else:
        shape = parse_shape(args.net or "2-2-1")
        cfg = NetConfig(shape=shape, loss="mse" if shape[-1] == 1 else "sigmoid-ce")
    if args.lanes is not None:
        cfg = cfg.replace(lanes=args.lanes)
    return cfg


def core_for(cfg, core):
    """The Amaranth component of ``core`` for ``cfg``."""
    if core == "emulator":
        from pgaf.rtl.mtj_emulator import MTJEmulator
        return MTJEmulator.from_config(cfg)
    from pgaf.rtl.trainer import Trainer
    return Trainer(cfg)


def add_arguments(p):
    add_config_arguments(p)
    p.add_argument("--out", metavar="DIR", required=True, help="output folder (created)")


def run(args) -> int:
    from pathlib import Path

    from amaranth.back import verilog

    from pgaf.golden.errors import UserError

    cfg = config_from_args(args)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create output folder {out}: {e.strerror}") from None
    top = core_for(cfg, args.core)
    name = f"pgaf_{args.core}_{cfg.shape_str.replace('-', '_')}"
    text = verilog.convert(top, name=name, emit_src=False)
    vfile = out / f"{name}.v"
    vfile.write_text(text)
    (out / f"{name}.json").write_text(cfg.to_json() + "\n")
    print(f"pgaf verilog: {args.core} of {cfg.shape_str} (lanes {cfg.lanes}, seed {cfg.seed}) "
          f"-> {vfile} ({len(text.splitlines())} lines), config {out / (name + '.json')}")
    return 0
