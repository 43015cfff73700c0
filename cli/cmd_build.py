"""``pgaf build``: an FPGA bitstream of the trainer with the YoWASP tools, and its resources and Fmax."""

from __future__ import annotations

from .cmd_verilog import add_config_arguments, config_from_args

NAME = "build"
HELP = ("build an FPGA bitstream of the trainer (iCEBreaker or ULX3S-25F) with the pip YoWASP "
        "tools; report LUTs, FFs, DSPs, block RAM and post-route Fmax as JSON")

BOARD_NAMES = ("icebreaker", "ulx3s-25f")


def add_arguments(p):
    p.add_argument("--board", choices=BOARD_NAMES, required=True, help="target board")
    add_config_arguments(p)
    p.add_argument("--host", choices=("uart", "exerciser"), default="uart",
                   help="trainer's host side: UART command link (default) or the self-running "
                        "exerciser with LED outputs (see pgaf.rtl.boards)")
    p.add_argument("--json", metavar="FILE", help="also write the report to FILE")
    p.add_argument("--build-dir", metavar="DIR",
                   help="build folder (default build/<board>-<core>-<shape>)")
    p.add_argument("--verbose", action="store_true", help="show the tools' output")


def run(args) -> int:
    import json
    from pathlib import Path

    from pgaf.rtl.boards import BOARDS, EmulatorTop, TrainerTop
    from pgaf.rtl.build import build

    cfg = config_from_args(args)
    build_dir = Path(args.build_dir or f"build/{args.board}-{args.core}-{cfg.shape_str}")
    top = TrainerTop(cfg, host=args.host) if args.core == "trainer" else EmulatorTop(cfg)
    report = build(top, board=args.board, net=cfg.shape_str, build_dir=build_dir,
                   verbose=args.verbose)
    d = report.to_dict()
    d.update(core=args.core, host=args.host if args.core == "trainer" else None,
             lanes=cfg.lanes, loss=cfg.loss, seed=cfg.seed)
    spec = BOARDS[args.board]
    print(f"pgaf build: {args.core} {cfg.shape_str} on {args.board} ({report.device}): "
          f"{report.luts} LUTs, {report.ffs} FFs, {report.dsp} DSP, {report.bram} BRAM, "
          f"Fmax {report.fmax_mhz:.2f} MHz ({'meets' if report.meets_target else 'MISSES'} "
          f"the {spec.target_mhz:g} MHz target) in {report.seconds:.0f} s -> {report.bitstream}")
    text = json.dumps(d, indent=2, sort_keys=True)
    print(text)
    if args.json:
        from pgaf.golden.jsonfile import write_json
        write_json(args.json, d, indent=2, sort_keys=True)
    return 0
