"""How long the co-simulation regression runs: ``PGAF_COSIM_PROFILE`` = quick, ci (default) or full.

``ci`` is what a plain ``pytest`` runs (CI included): every test on both simulators, the
long runs (XOR 3000 cycles, 500 digits) on Verilator and shorter ones on Icarus.  ``full``
(``pgaf regress``) runs the long ones on both simulators; ``quick`` (``pgaf regress
--quick``) shortens everything to a smoke test.
"""

import os

from pgaf.golden.errors import UserError

__all__ = ["PROFILES", "profile"]

PROFILES = ("quick", "ci", "full")


def profile() -> str:
    """The profile named by ``PGAF_COSIM_PROFILE`` (default ``ci``)."""
    p = os.environ.get("PGAF_COSIM_PROFILE", "ci")
    if p not in PROFILES:
        raise UserError(f"PGAF_COSIM_PROFILE={p!r} is not a profile; use one of {', '.join(PROFILES)}")
    return p
