"""Writing a ``--json FILE`` result: one place, one clear error if the file cannot be written."""

from __future__ import annotations

import json

from .errors import UserError

__all__ = ["write_json"]


def write_json(path, obj, *, indent: int = 1, sort_keys: bool = False) -> None:
    """Write ``obj`` as JSON to ``path``; an unwritable path is a one-line :class:`UserError`."""
    text = json.dumps(obj, indent=indent, sort_keys=sort_keys)
    try:
        with open(path, "w") as f:
            f.write(text + "\n")
    except OSError as err:
        raise UserError(f"cannot write {path}: {err.strerror}; choose a writable --json path") from None
