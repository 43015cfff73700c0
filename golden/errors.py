"""The one exception type for bad input: its message is a single line naming what is wrong and the fix.

The ``pgaf`` command prints it as ``pgaf: error: <message>`` and exits with status 2,
never with a traceback.  Every folder (golden, rtl, cosim, spice) raises it, or a
subclass, for anything a user can mend.
"""

__all__ = ["UserError"]


class UserError(Exception):
    """Bad input or a missing tool; ``str(err)`` is one line that says how to mend it."""
