"""Rules over handler bodies: the guidelines' MUST / MUST NOT and the whole-program rules
that compare a query or a write with the schema.

Every rule reads the located facts of :mod:`convex_ssot.resolve.handler_facts` for a
function's handler and the project helpers it calls (the spans of ``Function.handler_spans``);
a fact found in a helper is reported where it is, once, whichever functions reach it.
Sources of the rules: :mod:`.registry` and docs/rules.md.
"""

from __future__ import annotations

from .. import ir
from .context import Context
from .registry import Finding

__all__ = ["body_findings", "document_fields"]

_BUILTIN_INDEXES = {"by_creation_time": ("_creationTime",), "by_id": ("_id",)}
_SYSTEM_FIELDS = frozenset({"_id", "_creationTime"})


def document_fields(doc: ir.Validator) -> tuple[dict[str, ir.Validator], bool] | None:
    """Fields a table document may have: ``({name: validator}, exact)``; ``exact`` is False
    for a union (a field required by one member is not required by the table). None when
    the document accepts any field (``v.any()``, a record, a union with such a member)."""
    if doc.kind == "object":
        return doc.field_map(), True
    if doc.kind == "union" and doc.members and all(m.kind == "object" for m in doc.members):
        merged: dict[str, ir.Validator] = {}
        for m in doc.members:
            for f in m.fields:
                merged.setdefault(f.name, f.validator.as_optional())
        return merged, False
    return None


def _range_problem(fields: tuple[str, ...], index_fields: tuple[str, ...]) -> str | None:
    """What is wrong with a ``withIndex`` range comparing ``fields`` in this order, if
    anything (convex src/server/index_range_builder.ts: ``eq`` on a prefix of the index's
    fields in order, then at most a lower and an upper bound on the next field)."""
    i = 0
    n = len(fields)
    while i < n:
        f = fields[i]
        if i >= len(index_fields):
            return f"compares '{f}' after all {len(index_fields)} fields of the index"
        if f != index_fields[i]:
            if f in index_fields:
                return f"compares '{f}' where the index expects '{index_fields[i]}' (fields must be compared in index order)"
            return f"compares '{f}', which is not a field of the index ({', '.join(index_fields)})"
        # the same field repeated is a lower and an upper bound (gt…lt): fine
        while i + 1 < n and fields[i + 1] == f:
            i += 1
        i += 1
    return None


def _query_findings(ctx: Context, fn: ir.Function, rel: str, fact, out: list[Finding]) -> None:
    names = [c.name for c in fact.chain]
    table = ctx.tables.get(fact.table or "")
    bounded = False
    for c in fact.chain:
        if c.name == "filter":
            out.append(ctx.at("no-filter-in-query", rel, c.offset, f"`.filter()` on a query of '{fact.table}' scans every document the query reads; define an index and use `.withIndex()` (or filter the page in code)"))
        elif c.name == "withSearchIndex":
            bounded = True
            if table is not None and ctx.indexes_complete and c.index is not None:
                names_ = {i.name for i in table.indexes if i.kind == "search"}
                if c.index not in names_:
                    out.append(ctx.at("unknown-index", rel, c.offset, f"`withSearchIndex(\"{c.index}\")`: table '{table.name}' has no search index '{c.index}'" + (f" (search indexes: {', '.join(sorted(names_))})" if names_ else "")))
        elif c.name == "withIndex":
            if c.fields is None or c.fields:
                bounded = True
            if table is None or not ctx.indexes_complete or c.index is None:
                continue
            idx = next((i for i in table.indexes if i.name == c.index and i.kind == "index"), None)
            if idx is None and c.index not in _BUILTIN_INDEXES:
                other = next((i for i in table.indexes if i.name == c.index), None)
                known = sorted(i.name for i in table.indexes if i.kind == "index")
                why = f"'{c.index}' is a {other.kind} index" if other is not None else f"table '{table.name}' has no index '{c.index}'"
                out.append(ctx.at("unknown-index", rel, c.offset, f"`withIndex(\"{c.index}\")`: {why}" + (f" (indexes: {', '.join(known)})" if known else "") + "; the query throws at run time"))
                continue
            if idx is not None and idx.staged:
                out.append(ctx.at("unknown-index", rel, c.offset, f"`withIndex(\"{c.index}\")`: index '{c.index}' of table '{table.name}' is staged; it cannot be queried until it is enabled"))
                continue
            index_fields = (idx.fields + ("_creationTime",)) if idx is not None else _BUILTIN_INDEXES[c.index]
            for chain in c.ranges:
                problem = _range_problem(chain, index_fields)
                if problem:
                    out.append(ctx.at("index-range-order", rel, c.offset, f"`withIndex(\"{c.index}\")` on '{table.name}' {problem}"))
                    break
        elif c.name == "collect" and not bounded:
            how = "reads the whole table" if "withIndex" not in names else "reads the whole index (its range is empty)"
            out.append(ctx.at("no-unbounded-collect", rel, c.offset, f"`.collect()` on '{fact.table}' {how}; use an index range, `.take(n)` or `.paginate()`"))


def _write_findings(ctx: Context, rel: str, fact, out: list[Finding]) -> None:
    table = ctx.tables.get(fact.table or "")
    if table is None or not ctx.fields_complete or not ctx.project.schema.schema_validation:
        return
    got = document_fields(table.document)
    if got is None:
        return
    fields, exact = got
    for key, offset in fact.keys:
        if key not in fields and key not in _SYSTEM_FIELDS:
            out.append(ctx.at("insert-unknown-field", rel, offset, f"`db.{fact.method}(\"{table.name}\", …)` writes field '{key}', which table '{table.name}' does not declare; schema validation rejects the write"))
    if fact.method == "insert" and fact.complete and exact:
        given = {k for k, _ in fact.keys}
        missing = [n for n, v in fields.items() if not v.optional and n not in given]
        if missing:
            out.append(ctx.at("insert-missing-field", rel, fact.offset, f"`db.insert(\"{table.name}\", {{…}})` does not set required field{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} of table '{table.name}'; schema validation rejects the write"))


def body_findings(ctx: Context) -> list[Finding]:
    """Findings of the body rules for every function with handler code."""
    out: list[Finding] = []
    for fn in ctx.project.functions:
        kind = fn.kind
        # ctx.db in an action: the handler's own body only. Helpers shared by every kind
        # of function guard it (`if ("db" in ctx)`), which a scan cannot see.
        own = set(ctx.facts(fn, own_only=True)) if kind == "action" else set()
        for rel, fact in ctx.facts(fn):
            k = fact.kind
            if k == "query":
                _query_findings(ctx, fn, rel, fact, out)
            elif k == "write":
                _write_findings(ctx, rel, fact, out)
            elif k == "db" and kind == "action" and (rel, fact) in own:
                out.append(ctx.at("no-db-in-action", rel, fact.offset, f"`{fact.detail}` in action {fn.function_id}: actions have no `ctx.db`; call a query or mutation with `ctx.runQuery` / `ctx.runMutation`"))
            elif k == "fetch" and kind in ("query", "mutation"):
                out.append(ctx.at("no-fetch-in-query-or-mutation", rel, fact.offset, f"`fetch()` in {kind} {fn.function_id}: queries and mutations must be deterministic and cannot make requests; move it to an action"))
            elif k in ("date-now", "math-random") and kind == "query":
                what = "Date.now()" if k == "date-now" else "Math.random()"
                out.append(ctx.at("no-nondeterminism-in-query", rel, fact.offset, f"`{what}` in query {fn.function_id}: the query result is cached and does not change with time; pass the time as an argument or compute it on the client"))
            elif k == "process-env" and kind in ("query", "mutation"):
                out.append(ctx.at("no-process-env-in-query-or-mutation", rel, fact.offset, f"`process.env` in {kind} {fn.function_id}: use the typed `env` from `_generated/server` (convex >= 1.39)"))
            elif k == "run-in-loop":
                out.append(ctx.at("no-run-in-loop", rel, fact.offset, f"`ctx.{fact.detail}` inside a loop in {fn.function_id}: each call is its own transaction; batch the work into one {'mutation' if fact.detail == 'runMutation' else 'action'} call"))
    return out
