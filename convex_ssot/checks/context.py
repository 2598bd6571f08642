"""What every rule reads: the project's IR, its parsed modules and the schema's tables.

A :class:`Context` is built once per check from an :class:`~convex_ssot.ir.Project`
built with ``keep_modules=True``. It answers positions (``file:line:column`` of an offset),
the located handler facts of a function (:mod:`convex_ssot.resolve.handler_facts`, cached
per body span, since helpers are shared), and whether the schema was read completely
enough for the whole-program rules (a table or index the tool could not read must not be
reported as missing).
"""

from __future__ import annotations

from .. import ir
from ..resolve.handler_facts import Fact, scan_located
from .registry import Finding

__all__ = ["Context", "SYSTEM_TABLES"]

#: Tables every deployment has (convex src/server/schema.ts:1133-1152).
SYSTEM_TABLES = frozenset({"_storage", "_scheduled_functions"})

#: Schema diagnostics after which the set of tables may be incomplete (docs/diagnostics.md).
_TABLES_MAYBE_MISSING = frozenset({"CSX100", "CSX101", "CSX210", "CSX220", "CSX240"})
#: … after which a table's indexes may be incomplete.
_INDEXES_MAYBE_MISSING = _TABLES_MAYBE_MISSING | {"CSX211", "CSX241"}
#: … after which a table's fields may be incomplete.
_FIELDS_MAYBE_MISSING = _TABLES_MAYBE_MISSING | {"CSX201", "CSX203", "CSX241"}


class Context:
    """The inputs of one check. ``tables`` maps table names to :class:`ir.Table`;
    ``tables_complete`` / ``indexes_complete`` / ``fields_complete`` say whether the schema
    was read without a diagnostic that could hide a table, an index or a field."""

    def __init__(self, project: ir.Project, raw_config: dict | None = None) -> None:
        self.project = project
        self.modules: dict = project.modules
        self.raw_config = raw_config or {}
        schema = project.schema
        self.tables: dict[str, ir.Table] = {t.name: t for t in schema.tables} if schema.found else {}
        codes = {d.code for d in project.schema_diagnostics}
        self.schema_found = schema.found and bool(self.tables)
        self.tables_complete = self.schema_found and not (codes & _TABLES_MAYBE_MISSING)
        self.indexes_complete = self.schema_found and not (codes & _INDEXES_MAYBE_MISSING)
        self.fields_complete = self.schema_found and not (codes & _FIELDS_MAYBE_MISSING)
        self._facts: dict[tuple[str, int, int], list[Fact]] = {}

    def pos(self, rel: str, offset: int) -> tuple[int, int]:
        mod = self.modules.get(rel)
        return mod.lines.position(offset) if mod is not None else (1, 1)

    def at(self, rule: str, rel: str, offset: int, message: str) -> Finding:
        line, col = self.pos(rel, offset)
        return Finding(rule, rel, line, col, message)

    def facts(self, fn: ir.Function, own_only: bool = False) -> list[tuple[str, Fact]]:
        """Located facts of ``fn``'s handler and the helpers it calls: ``(file, fact)``;
        ``own_only``: of the handler body alone."""
        out: list[tuple[str, Fact]] = []
        for rel, start, end in fn.handler_spans[:1] if own_only else fn.handler_spans:
            key = (rel, start, end)
            got = self._facts.get(key)
            if got is None:
                mod = self.modules.get(rel)
                got = scan_located(mod.mk.masked, mod.mk.clean, start, end) if mod is not None else []
                self._facts[key] = got
            out.extend((rel, f) for f in got)
        return out

    def project_modules(self):
        """Parsed modules of the repository itself (not under ``node_modules``), by path."""
        for rel in sorted(self.modules):
            if "node_modules/" not in rel and not rel.startswith("node_modules"):
                yield rel, self.modules[rel]

    def convex_modules(self):
        """Modules inside the Convex directory, outside ``_generated`` (bundle entry points)."""
        base = self.project.convex_dir.rstrip("/")
        prefix = "" if base in ("", ".") else base + "/"
        for rel, mod in self.project_modules():
            if rel.startswith(prefix) and "/_generated/" not in "/" + rel[len(prefix):]:
                yield rel, mod
