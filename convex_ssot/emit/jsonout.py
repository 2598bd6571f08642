"""The one place contracts become bytes: orjson, 2-space indentation, trailing newline."""

from __future__ import annotations

import orjson

__all__ = ["dumps", "loads", "dumps_nested", "Fragment", "has_fragments"]

#: Already serialised JSON placed as it is (``orjson.Fragment``): its bytes must be what
#: :func:`dumps` would write at that place, indentation included.
Fragment = orjson.Fragment


def dumps(doc) -> bytes:
    """Serialise ``doc`` deterministically (key order as built; no sorting of lists here).
    The newline is orjson's (``OPT_APPEND_NEWLINE``): no copy of a contract of megabytes."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def dumps_nested(doc, depth: int) -> bytes:
    """``doc`` as :func:`dumps` writes it as a value nested ``depth`` levels deep (every
    line after the first indented by ``2 * depth`` more spaces; no trailing newline). JSON
    strings hold no raw newline, so every newline of the output is a line break."""
    data = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    return data.replace(b"\n", b"\n" + b"  " * depth) if b"\n" in data else data


def has_fragments(items) -> bool:
    """Whether a list holds a :data:`Fragment`."""
    return any(type(x) is Fragment for x in items)


def loads(data: bytes | str):
    """Parse JSON text; raises ``orjson.JSONDecodeError`` (a ``ValueError``) on bad input."""
    return orjson.loads(data)
