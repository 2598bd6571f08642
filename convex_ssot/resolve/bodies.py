"""Handler-body analysis by fast scanning (``re`` over comment-free text; no parsing).

What a handler reads and writes is found from the database calls of ``ctx.db`` (convex
``src/server/database.ts``): ``query(table)`` and the table-name forms ``get(table, id)``
(1.31.0) read; ``insert(table, …)`` and the table-name forms ``patch``/``replace``/
``delete(table, id, …)`` write. The calls are recognised on ``ctx.db.X``, on a
destructured ``db.X`` and on any ``.db.X``. Legacy id-only forms (``db.get(id)``,
``db.patch(id, …)``) set ``dbRead``/``dbWrite`` without naming a table. Functions of the
same module that a handler calls (``helper(ctx, …)``, ``postJson(url)``) are scanned
too, one level deep.
"""

from __future__ import annotations

import re
from dataclasses import field
from ..dataclass_cache import dataclass

from .. import ir
from .. import regex_cache

_DB_CALL = regex_cache.compile(r"""db\s*\.\s*(query|get|insert|patch|replace|delete)\s*\(\s*(?:(["'])([^"'\\\n]*)\2\s*([,)]))?""")
_SYSTEM = regex_cache.compile(r"""db\s*\.\s*system\s*\.""")
_DB_TABLE = regex_cache.compile(r"""db\s*\.\s*table\s*\(\s*(["'])([^"'\\\n]*)\1\s*\)\s*\.\s*(get|query|insert|patch|replace|delete)\b""")
_SCHEDULER = regex_cache.compile(r"scheduler\s*\.\s*(?:runAfter|runAt|cancel)\s*\(")
_STORAGE = regex_cache.compile(r"storage\s*\.\s*(?:getUrl|generateUploadUrl|store|get|delete|getMetadata)\s*\(")
_RUN = regex_cache.compile(r"run(Query|Mutation|Action)\s*\(")
_FETCH = regex_cache.compile(r"fetch\s*\(")
_VECTOR = regex_cache.compile(r"vectorSearch\s*\(")
_IDENTITY = regex_cache.compile(r"auth\s*\.\s*getUserIdentity\s*\(")
_AUTH_USER_ID = regex_cache.compile(r"(?:getAuthUserId|getAuthSessionId)\s*\(")

_READS = frozenset({"query", "get"})
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")


def _starts_word(text: str, m: re.Match, allow_dot: bool = True) -> bool:
    """The match is not the tail of a longer identifier (``mydb.query``); with
    ``allow_dot`` False it must not follow a ``.`` either (``x.fetch``)."""
    i = m.start() - 1
    if i < 0:
        return True
    ch = text[i]
    return ch not in _WORD and (allow_dot or ch != ".")


@dataclass(slots=True)
class BodyFacts:
    """What one or more bodies do; merged over a handler and its helpers."""

    uses: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(ir.Uses.__slots__, False))
    read: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    identity: bool = False
    convex_auth: bool = False
    visited: list = field(default_factory=list)  # (module, body span) pairs scanned, in order

    def merge(self, other: "BodyFacts") -> None:
        for k, v in other.uses.items():
            if v:
                self.uses[k] = True
        self.read |= other.read
        self.written |= other.written
        self.identity |= other.identity
        self.convex_auth |= other.convex_auth


def scan(text: str, clean: str | None = None) -> BodyFacts:
    """Facts about one body. ``text`` is the *masked* body (comments blank, string
    contents filled, so code inside strings is never taken for calls); ``clean`` is the
    same span with strings intact, from which table names are read (default: ``text``).

    Each pattern starts with a literal and is only run when its keyword occurs in the
    text (``str.__contains__`` is a C memory scan), which keeps this linear and cheap.
    """
    clean = text if clean is None else clean
    f = BodyFacts()
    u = f.uses
    if "db" in text:
        for m in _DB_CALL.finditer(text):
            if not _starts_word(text, m):
                continue
            method, sep = m.group(1), m.group(4)
            table = clean[m.start(3) : m.end(3)] if m.group(3) is not None else None
            is_read = method in _READS
            u["dbRead" if is_read else "dbWrite"] = True
            if table is None:
                continue
            # query("t"), insert("t", …) name a table; get/patch/replace/delete only in the
            # explicit-table form whose first argument is followed by a comma.
            if method in ("query", "insert") or sep == ",":
                (f.read if is_read else f.written).add(table)
        if "system" in text and any(_starts_word(text, m) for m in _SYSTEM.finditer(text)):
            u["dbRead"] = True
        if "table" in text:
            for m in _DB_TABLE.finditer(text):
                if not _starts_word(text, m):
                    continue
                table, method = clean[m.start(2) : m.end(2)], m.group(3)
                is_read = method in _READS
                u["dbRead" if is_read else "dbWrite"] = True
                (f.read if is_read else f.written).add(table)
    if "scheduler" in text and any(_starts_word(text, m) for m in _SCHEDULER.finditer(text)):
        u["scheduler"] = True
    if "storage" in text and any(_starts_word(text, m) for m in _STORAGE.finditer(text)):
        u["storage"] = True
    if "run" in text:
        for m in _RUN.finditer(text):
            if _starts_word(text, m):
                u["run" + m.group(1)] = True
    if "fetch" in text and any(_starts_word(text, m, allow_dot=False) for m in _FETCH.finditer(text)):
        u["fetch"] = True
    if "vectorSearch" in text and any(_starts_word(text, m) for m in _VECTOR.finditer(text)):
        u["vectorSearch"] = True
    if "getUserIdentity" in text:
        f.identity = any(_starts_word(text, m) for m in _IDENTITY.finditer(text))
    if "getAuth" in text:
        f.convex_auth = any(_starts_word(text, m, allow_dot=False) for m in _AUTH_USER_ID.finditer(text))
    return f


#: what may follow a called name: type arguments, then the opening parenthesis
_CALL_TAIL = regex_cache.compile(r"\s*(?:<[^<>()]*(?:<[^<>()]*>[^<>()]*)*>\s*)?\(")


def _is_ident_char(c: str) -> bool:
    return c.isalnum() or c in "_$"


def called_helpers(text: str, names: list[str]) -> set[str]:
    """Which of ``names`` (functions of the same module) ``text`` calls: an occurrence not
    preceded by an identifier character or ``.`` (so not a method), not followed by one,
    then optional type arguments and ``(``. Plain string search: no pattern per name set."""
    out: set[str] = set()
    for name in set(names):
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            before = text[start - 1] if start else ""
            after = text[end] if end < len(text) else ""
            if not (before and (_is_ident_char(before) or before == ".")) and not (after and _is_ident_char(after)):
                if _CALL_TAIL.match(text, end):
                    out.add(name)
                    break
            start = text.find(name, start + 1)
    return out
