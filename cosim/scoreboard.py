"""Bit-exact scoreboard: compares what the design produced with what the golden model predicts.

Every comparison is exact (integers, ``numpy.testing.assert_array_equal``
semantics); a mismatch fails at once with the checkpoint's name, the first
differing index and both values, so a failing run points at the first step
where RTL and golden parted.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Mismatch", "Scoreboard"]


class Mismatch(AssertionError):
    """RTL and golden model differ; the message names where and how."""


class Scoreboard:
    """Counts exact comparisons and raises :class:`Mismatch` on the first difference.

    Parameters
    ----------
    log : logging.Logger, optional
        Receives one line per mismatch before it is raised.
    """

    def __init__(self, log=None):
        self.log = log
        self.checks = 0      # comparisons made
        self.values = 0      # scalar values compared

    def compare(self, what: str, got, expected) -> None:
        """Assert ``got == expected`` element for element (shapes must match too)."""
        g = np.asarray(got, dtype=np.int64)
        e = np.asarray(expected, dtype=np.int64)
        self.checks += 1
        if g.shape != e.shape:
            self._fail(f"{what}: shape {g.shape} from RTL, {e.shape} from golden")
        bad = np.argwhere(g != e)
        if bad.size:
            idx = tuple(int(i) for i in bad[0])
            self._fail(f"{what}: {len(bad)} of {e.size} values differ; first at index {idx}: "
                       f"RTL {int(g[idx])}, golden {int(e[idx])}")
        self.values += e.size

    def _fail(self, msg: str):
        if self.log is not None:
            self.log.error(msg)
        raise Mismatch(msg)
