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
from dataclasses import dataclass, field

from .. import ir

_DB_CALL = re.compile(r"""(?<![\w$])db\s*\.\s*(query|get|insert|patch|replace|delete)\s*\(\s*(?:(["'])([^"'\\\n]*)\2\s*([,)]))?""")
_SYSTEM = re.compile(r"""(?<![\w$])db\s*\.\s*system\s*\.""")
_DB_TABLE = re.compile(r"""(?<![\w$])db\s*\.\s*table\s*\(\s*(["'])([^"'\\\n]*)\1\s*\)\s*\.\s*(get|query|insert|patch|replace|delete)\b""")
_SCHEDULER = re.compile(r"(?<![\w$])scheduler\s*\.\s*(?:runAfter|runAt|cancel)\s*\(")
_STORAGE = re.compile(r"(?<![\w$])storage\s*\.\s*(?:getUrl|generateUploadUrl|store|get|delete|getMetadata)\s*\(")
_RUN = re.compile(r"(?<![\w$])run(Query|Mutation|Action)\s*\(")
_FETCH = re.compile(r"(?<![\w$.])fetch\s*\(")
_VECTOR = re.compile(r"(?<![\w$])vectorSearch\s*\(")
_IDENTITY = re.compile(r"(?<![\w$])auth\s*\.\s*getUserIdentity\s*\(")
_AUTH_USER_ID = re.compile(r"(?<![\w$.])(?:getAuthUserId|getAuthSessionId)\s*\(")
_HELPER_CALL = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(")

_READS = frozenset({"query", "get"})


@dataclass(slots=True)
class BodyFacts:
    """What one or more bodies do; merged over a handler and its helpers."""

    uses: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(ir.Uses.__slots__, False))
    read: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    identity: bool = False
    convex_auth: bool = False
    helpers: set[str] = field(default_factory=set)

    def merge(self, other: "BodyFacts") -> None:
        for k, v in other.uses.items():
            if v:
                self.uses[k] = True
        self.read |= other.read
        self.written |= other.written
        self.identity |= other.identity
        self.convex_auth |= other.convex_auth


def scan(text: str) -> BodyFacts:
    """Facts about one body's comment-free text (strings intact)."""
    f = BodyFacts()
    u = f.uses
    for m in _DB_CALL.finditer(text):
        method, table, sep = m.group(1), m.group(3), m.group(4)
        is_read = method in _READS
        u["dbRead" if is_read else "dbWrite"] = True
        if table is None:
            continue
        # query("t"), insert("t", …) name a table; get/patch/replace/delete only in the
        # explicit-table form whose first argument is followed by a comma.
        if method in ("query", "insert") or sep == ",":
            (f.read if is_read else f.written).add(table)
    if _SYSTEM.search(text):
        u["dbRead"] = True
    for m in _DB_TABLE.finditer(text):
        table, method = m.group(2), m.group(3)
        is_read = method in _READS
        u["dbRead" if is_read else "dbWrite"] = True
        (f.read if is_read else f.written).add(table)
    if _SCHEDULER.search(text):
        u["scheduler"] = True
    if _STORAGE.search(text):
        u["storage"] = True
    for m in _RUN.finditer(text):
        u["run" + m.group(1)] = True
    if _FETCH.search(text):
        u["fetch"] = True
    if _VECTOR.search(text):
        u["vectorSearch"] = True
    f.identity = bool(_IDENTITY.search(text))
    f.convex_auth = bool(_AUTH_USER_ID.search(text))
    f.helpers = {m.group(1) for m in _HELPER_CALL.finditer(text)}
    return f
