"""The one place contracts become bytes: orjson, 2-space indentation, trailing newline."""

from __future__ import annotations

import orjson

__all__ = ["dumps", "loads"]


def dumps(doc) -> bytes:
    """Serialise ``doc`` deterministically (key order as built; no sorting of lists here)."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def loads(data: bytes | str):
    """Parse JSON text; raises ``orjson.JSONDecodeError`` (a ``ValueError``) on bad input."""
    return orjson.loads(data)
