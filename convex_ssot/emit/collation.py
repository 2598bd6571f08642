"""Sort keys that order strings as JavaScript's ``a.localeCompare(b)`` does in Node's default
ICU locale (CLDR root collation, "non-ignorable" punctuation), for the characters Prisma
names and the sort keys built from them consist of.

The tool we replace sorts every row of the normalized-db-schema v2 contract with
``String(a).localeCompare(String(b))``; keeping its order keeps the contract's rows where
downstream readers expect them. The rules used (checked against Node in
tests/conformance/test_prisma_conformance.py):

* primary level: whitespace < the ASCII punctuation in :data:`_PUNCTUATION` order < digits
  < letters, letters compared without case (``a`` = ``A`` < ``b``);
* tertiary level, only when the primary levels are equal: position by position, lower
  case before upper case (``ab`` < ``aB`` < ``Ab``).

Other characters sort after letters by code point (Prisma names are ASCII).
"""

from __future__ import annotations

__all__ = ["locale_key", "locale_sorted"]

_PUNCTUATION = " \t\n_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def _tables() -> tuple[dict, dict]:
    """``str.translate`` tables: every ASCII character to its primary weight (one character
    below U+0080, so that other characters, left as they are, sort after letters), and
    letters to their case (``a`` for lower, ``b`` for upper; the rest ``a``)."""
    order = list(_PUNCTUATION) + list("0123456789")
    weight = {c: i + 1 for i, c in enumerate(order)}
    for i, c in enumerate("abcdefghijklmnopqrstuvwxyz"):
        weight[c] = weight[c.upper()] = len(order) + 1 + i
    primary = {cp: chr(weight.get(chr(cp), 0)) for cp in range(128)}  # control characters: 0
    case = {cp: ("b" if chr(cp).isupper() else "a") for cp in range(128)}
    return primary, case


_PRIMARY, _CASE = _tables()


def locale_key(s: str) -> tuple[str, str]:
    """A key for :func:`sorted` giving ``localeCompare`` order (see the module doc)."""
    return (s.translate(_PRIMARY), s.translate(_CASE))


def locale_sorted(rows, key) -> list:
    """``rows`` sorted stably by ``locale_key(str(key(row)))`` (``None`` sorts as "")."""
    return sorted(rows, key=lambda r: locale_key("" if key(r) is None else str(key(r))))
