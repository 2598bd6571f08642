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
_PRIMARY: dict[str, int] = {}
for _i, _c in enumerate(_PUNCTUATION):
    _PRIMARY[_c] = _i
for _i, _c in enumerate("0123456789"):
    _PRIMARY[_c] = 100 + _i
for _i, _c in enumerate("abcdefghijklmnopqrstuvwxyz"):
    _PRIMARY[_c] = 200 + _i
    _PRIMARY[_c.upper()] = 200 + _i


def locale_key(s: str) -> tuple:
    """A key for :func:`sorted` giving ``localeCompare`` order (see the module doc)."""
    primary = tuple(_PRIMARY.get(c, 1000 + ord(c)) for c in s)
    tertiary = tuple(1 if c.isupper() else 0 for c in s)
    return (primary, tertiary)


def locale_sorted(rows, key) -> list:
    """``rows`` sorted stably by ``locale_key(str(key(row)))`` (``None`` sorts as "")."""
    return sorted(rows, key=lambda r: locale_key("" if key(r) is None else str(key(r))))
