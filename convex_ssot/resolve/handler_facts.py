"""Located handler facts for ``ctl-convex check``, found by scanning like :mod:`.bodies`.

:mod:`.bodies` says *whether* a handler reads, writes or fetches; the rules of
``ctl-convex check`` need *where*, and a few more shapes. This module scans one body span
of a module (the masked text: comments blank, string, template and regex contents filled,
so brackets inside literals never count; table, index and field names are read from the
clean text at the same offsets) and returns :class:`Fact` values with absolute offsets:

* ``query``: a database query chain ``db.query("t")`` followed by its method calls
  (``QueryInitializer`` / ``Query`` of convex ``src/server/query.ts``): ``withIndex`` with
  the index name and the fields its range compares in order (``q.eq("a", …).gt("b", …)``),
  ``withSearchIndex``, ``filter``, ``order`` and the terminal ``collect``, ``take``,
  ``first``, ``unique``, ``paginate``;
* ``write``: ``db.insert("t", {…})`` and ``db.patch("t", id, {…})`` with an object literal:
  its top-level keys and whether they are all known (no spread, no computed key);
* ``db``: any ``X.db.<method>(`` call; ``fetch``: a global ``fetch(`` call;
  ``date-now`` / ``math-random``; ``process-env``; ``run-in-loop``: ``runMutation`` /
  ``runAction`` inside a ``for`` / ``while`` / ``do`` loop or a ``.map`` / ``.forEach`` /
  ``.flatMap`` callback of the same body.

Nothing is parsed: a shape the scanner cannot follow yields no fact (a missed finding),
never a guessed one.
"""

from __future__ import annotations

import re
from ..dataclass_cache import dataclass
from .. import regex_cache

__all__ = ["Fact", "ChainCall", "scan_located", "match_bracket"]

_IDENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")
_QUERY = regex_cache.compile(r"""\bdb\s*\.\s*query\s*\(\s*(["'])([^"'\\\n]*)\1\s*\)""")
_WRITE = regex_cache.compile(r"""\bdb\s*\.\s*(insert|patch)\s*\(\s*(["'])([^"'\\\n]*)\2\s*,""")
_DB_USE = regex_cache.compile(r"""[\w$\])]\s*\.\s*db\s*\.\s*(?:query|get|insert|patch|replace|delete|system|normalizeId)\b""")
_FETCH = regex_cache.compile(r"fetch\s*\(")
_DATE_NOW = regex_cache.compile(r"\bDate\s*\.\s*now\s*\(")
_MATH_RANDOM = regex_cache.compile(r"\bMath\s*\.\s*random\s*\(")
_PROCESS_ENV = regex_cache.compile(r"\bprocess\s*\.\s*env\b")
_RUN = regex_cache.compile(r"\brun(Mutation|Action)\s*\(")
_LOOP_HEAD = regex_cache.compile(r"\b(?:for(?:\s+await)?|while)\s*\(|\bdo\s*\{|\.\s*(?:map|forEach|flatMap)\s*\(")
_METHOD = regex_cache.compile(r"\s*(\?\.|\.)\s*([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>\s*)?\(")
_STRING_ARG = regex_cache.compile(r"""\s*(["'])([^"'\\\n]*)\1""")
_RANGE = regex_cache.compile(r"""\.\s*(eq|gt|gte|lt|lte|search)\s*\(\s*(?:(["'])([^"'\\\n]*)\2)?""")
_KEY = regex_cache.compile(r"""\s*(?:([A-Za-z_$][\w$]*)|(["'])([^"'\\\n]*)\2|(\d+))\s*(:|\(|,|\}|$)""")
_CLOSE = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True, slots=True)
class ChainCall:
    """One method call of a query chain: ``name``, the offset of the name, the argument
    span ``(start, end)`` (inside the parentheses), and what was read of the arguments:
    ``index`` (the first string argument) and ``fields`` (range or search fields in order;
    None when a range call names its field with something other than a string literal, or
    the range is not written inline: ``withIndex("i", rangeFromElsewhere)``)."""

    name: str
    offset: int
    args: tuple[int, int]
    index: str | None = None
    fields: tuple[str, ...] | None = ()
    ranges: tuple[tuple[str, ...], ...] = ()  # each alternative chain (`c ? q.eq(…) : q.eq(…)`)


@dataclass(frozen=True, slots=True)
class Fact:
    """A located fact: ``kind`` (see the module docstring), ``offset`` into the module,
    ``table`` where one is named, ``chain`` for ``query``, ``keys``/``complete``/``method``
    for ``write``, ``detail`` a short text (the matched call)."""

    kind: str
    offset: int
    table: str | None = None
    chain: tuple[ChainCall, ...] = ()
    keys: tuple[tuple[str, int], ...] = ()
    complete: bool = True
    method: str = ""
    detail: str = ""


def match_bracket(masked: str, open_at: int, limit: int) -> int:
    """Offset of the bracket closing the one at ``open_at`` (``(``, ``[`` or ``{``), or -1
    when it is not closed before ``limit``. Literal contents are masked, so counting works."""
    stack = [_CLOSE[masked[open_at]]]
    i = open_at + 1
    while i < limit:
        c = masked[i]
        if c in _CLOSE:
            stack.append(_CLOSE[c])
        elif c in ")]}":
            if c != stack[-1]:
                return -1
            stack.pop()
            if not stack:
                return i
        i += 1
    return -1



def _chain(masked: str, clean: str, pos: int, limit: int) -> list[ChainCall]:
    calls: list[ChainCall] = []
    while True:
        m = _METHOD.match(masked, pos, limit)
        if m is None:
            return calls
        open_at = m.end() - 1
        close = match_bracket(masked, open_at, limit)
        if close < 0:
            return calls
        name = m.group(2)
        args = (open_at + 1, close)
        index = None
        fields: tuple[str, ...] | None = ()
        if name in ("withIndex", "withSearchIndex"):
            s = _STRING_ARG.match(clean, args[0], args[1])
            index = s.group(2) if s else None
            seen: list[str] = []
            chains: list[list[str]] = []
            for r in _RANGE.finditer(masked, args[0], args[1]):
                if r.group(3) is None:
                    fields = None
                    break
                j = r.start() - 1
                while j > args[0] and masked[j].isspace():
                    j -= 1
                if masked[j] != ")" or not chains:  # `q.eq(…)` starts a chain, `….eq(…)` continues it
                    chains.append([])
                field_name = clean[r.start(3) : r.end(3)]
                chains[-1].append(field_name)
                seen.append(field_name)
            else:
                fields = tuple(seen)
            if name == "withIndex" and not seen and fields is not None and _has_range_argument(masked, args):
                fields = None  # a range built elsewhere (a variable, a helper): not read
            ranges = tuple(tuple(c) for c in chains) if fields is not None else ()
        else:
            ranges = ()
        calls.append(ChainCall(name, m.start(2), args, index, fields, ranges))
        pos = close + 1
        if name in ("collect", "take", "first", "unique", "paginate"):
            return calls


_TRIVIAL_RANGE = regex_cache.compile(r"\s*\(?\s*([A-Za-z_$][\w$]*)\s*(?::[^)=]*)?\)?\s*=>\s*\1\s*\Z")


def _has_range_argument(masked: str, args: tuple[int, int]) -> bool:
    """``withIndex(name, range)`` has a second argument that is not ``(q) => q``."""
    depth = 0
    for i in range(args[0], args[1]):
        c = masked[i]
        if c in _CLOSE:
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            rest = masked[i + 1 : args[1]]
            return bool(rest.strip()) and _TRIVIAL_RANGE.match(rest) is None
    return False


def _object_keys(masked: str, clean: str, open_at: int, limit: int) -> tuple[list[tuple[str, int]], bool] | None:
    """Top-level keys of the object literal opening at ``open_at`` and whether every entry
    was a plain key (no spread, computed key or unreadable entry); None if not closed."""
    close = match_bracket(masked, open_at, limit)
    if close < 0:
        return None
    keys: list[tuple[str, int]] = []
    complete = True
    start = open_at + 1
    i = start
    depth = 0
    while i <= close:
        c = masked[i]
        if c in _CLOSE:
            depth += 1
        elif c in ")]}" and i != close:
            depth -= 1
        if (c == "," and depth == 0) or i == close:
            entry = masked[start:i]
            if entry.strip():
                lead = len(entry) - len(entry.lstrip())
                if entry.lstrip().startswith("..."):
                    complete = False
                else:
                    k = _KEY.match(clean, start, i + 1)
                    if k is None or (k.group(1) in ("get", "set", "async") and k.group(5) not in (":", ",")):
                        complete = False
                    else:
                        name = k.group(1) or k.group(3) or k.group(4)
                        if name is None:
                            complete = False
                        else:
                            keys.append((name, start + lead))
            start = i + 1
        i += 1
    return keys, complete


def _loop_regions(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    regions: list[tuple[int, int]] = []
    for m in _LOOP_HEAD.finditer(masked, start, end):
        open_at = m.end() - 1
        if masked[open_at] == "{":  # do { … }
            close = match_bracket(masked, open_at, end)
            if close > 0:
                regions.append((open_at, close))
            continue
        close = match_bracket(masked, open_at, end)
        if close < 0:
            continue
        if m.group(0).startswith("."):  # .map( callback ) — the arguments are the loop body
            regions.append((open_at, close))
            continue
        j = close + 1
        while j < end and masked[j].isspace():
            j += 1
        if j < end and masked[j] == "{":
            body_end = match_bracket(masked, j, end)
            if body_end > 0:
                regions.append((j, body_end))
        else:  # a single statement: up to the next ; at this depth
            semi = masked.find(";", j, end)
            if semi > 0:
                regions.append((j, semi))
    return regions


def scan_located(masked: str, clean: str, start: int, end: int) -> list[Fact]:
    """Located facts of the body span ``[start, end)`` of a module whose masked and clean
    texts are given (offsets are absolute)."""
    out: list[Fact] = []
    body = masked[start:end]
    if "db" in body:
        for m in _QUERY.finditer(masked, start, end):
            table = clean[m.start(2) : m.end(2)]
            out.append(Fact("query", m.start(), table, tuple(_chain(masked, clean, m.end(), end))))
        for m in _WRITE.finditer(masked, start, end):
            table = clean[m.start(3) : m.end(3)]
            method = m.group(1)
            pos = m.end()
            if method == "patch":  # patch("t", id, {…}): skip the id argument
                depth = 0
                while pos < end:
                    c = masked[pos]
                    if c in _CLOSE:
                        depth += 1
                    elif c in ")]}":
                        if depth == 0:
                            break
                        depth -= 1
                    elif c == "," and depth == 0:
                        break
                    pos += 1
                if pos >= end or masked[pos] != ",":
                    continue
                pos += 1
            while pos < end and masked[pos].isspace():
                pos += 1
            if pos < end and masked[pos] == "{":
                got = _object_keys(masked, clean, pos, end)
                if got is not None:
                    out.append(Fact("write", m.start(), table, keys=tuple(got[0]), complete=got[1], method=method))
        for m in _DB_USE.finditer(masked, start, end):
            out.append(Fact("db", m.start() + 1, detail="ctx" + re.sub(r"\s+", "", masked[m.start() + 1 : m.end()])))
    if "fetch" in body:
        for m in _FETCH.finditer(masked, start, end):
            i = m.start() - 1
            if i >= 0 and (masked[i] in _IDENT_CHARS or masked[i] == "."):
                continue
            out.append(Fact("fetch", m.start()))
    if "Date" in body:
        out.extend(Fact("date-now", m.start()) for m in _DATE_NOW.finditer(masked, start, end))
    if "random" in body:
        out.extend(Fact("math-random", m.start()) for m in _MATH_RANDOM.finditer(masked, start, end))
    if "process" in body:
        out.extend(Fact("process-env", m.start()) for m in _PROCESS_ENV.finditer(masked, start, end) if masked[m.start() - 1] != ".")
    if "run" in body and ("for" in body or "while" in body or "map" in body or "forEach" in body or "do" in body):
        runs = [m for m in _RUN.finditer(masked, start, end)]
        if runs:
            regions = _loop_regions(masked, start, end)
            for m in runs:
                if any(a < m.start() < b for a, b in regions):
                    out.append(Fact("run-in-loop", m.start(), detail="run" + m.group(1)))
    return out
