"""Schema rules the Convex server enforces at deploy time, checked statically.

The ``convex`` SDK does not validate names, counts or dimensions; the backend rejects the
schema when it is pushed. Where it would, the contract carries an ``error`` diagnostic
naming the rule and its source, so nobody trusts a contract that looks fine but cannot
deploy. Sources (convex-backend, see ../shared/convex-api-surface.md §3):

* identifiers — ``crates/convex/sync_types/src/identifier.rs`` (``MAX_IDENTIFIER_LEN = 64``,
  ``[A-Za-z_][A-Za-z0-9_]*``, not all underscores);
* reserved index names — ``crates/common/src/types/index.rs`` (``by_id``,
  ``by_creation_time``, any leading ``_``);
* index name uniqueness across all kinds, unique field lists — ``crates/common/src/schemas/json.rs``;
* at most 16 fields per database index including the appended ``_creationTime`` —
  ``bootstrap_model/index/mod.rs`` (``MAX_INDEX_FIELDS_SIZE``); no ``_id``, explicit
  ``_creationTime`` or ``_``-prefixed path segment — ``application/src/lib.rs``;
* field existence and the vector field's type when ``schemaValidation`` is on —
  ``schemas/mod.rs`` ``check_index_references``;
* filter fields ≤ 16, vector dimensions 2..=4096 (``vector_index/dimensions.rs``),
  64 indexes per table (``schemas/mod.rs`` ``MAX_INDEXES_PER_TABLE``); the documented
  limits of 32 database, 4 search and 4 vector indexes per table (docs
  ``production/state/limits.mdx``) are warnings.
"""

from __future__ import annotations


from .. import ir
from .registry import RULES, Finding
from .. import regex_cache

__all__ = ["check_schema", "schema_findings"]

_IDENT = regex_cache.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_RESERVED_INDEX = ("by_id", "by_creation_time")


def _identifier_problem(name: str) -> str | None:
    if len(name) > 64:
        return "is longer than 64 characters"
    if not _IDENT.match(name):
        return "is not an identifier ([A-Za-z_][A-Za-z0-9_]*)"
    if set(name) == {"_"}:
        return "consists of underscores only"
    return None


def _field_at(doc: ir.Validator, path: str) -> list[ir.Validator] | None:
    """Validators a dotted field path can reach in a document validator (None: absent)."""
    current = [doc]
    for part in path.split("."):
        nxt: list[ir.Validator] = []
        for v in current:
            for obj in ([v] if v.kind == "object" else [m for m in v.members if m.kind == "object"] if v.kind == "union" else []):
                for f in obj.fields:
                    if f.name == part:
                        nxt.append(f.validator)
            if v.kind == "any":
                nxt.append(v)
        if not nxt:
            return None
        current = nxt
    return current


def _is_float_array(v: ir.Validator) -> bool:
    return v.kind == "any" or (v.kind == "array" and v.element is not None and v.element.kind == "float64")


def check_schema(schema: ir.Schema) -> list[ir.Diagnostic]:
    """Diagnostics (codes CSX3xx, the rules' default severities) for every deploy-time rule
    ``schema`` breaks: what ``sync-to-context`` reports in the DB contract."""
    return [
        ir.Diagnostic(f.file, f.line, f.column, RULES[f.rule].diagnostic or "CSX300", f.message, RULES[f.rule].severity)
        for f in schema_findings(schema)
    ]


def schema_findings(schema: ir.Schema) -> list[Finding]:
    """:class:`Finding` values (rule ids from :mod:`.registry`, group ``push``) for every
    deploy-time rule ``schema`` breaks, in table and index order."""
    out: list[Finding] = []

    def err(t: ir.Table, line: int, col: int, rule: str, msg: str) -> None:
        out.append(Finding(rule, t.file or schema.path, line or t.line or 1, col or t.column or 1, msg))

    for t in schema.tables:
        problem = _identifier_problem(t.name)
        if problem or t.name.startswith("_"):
            err(t, t.line, t.column, "invalid-table-name", f"table name '{t.name}' {problem or 'starts with _ (reserved for system tables)'}; Convex rejects the schema at deploy (identifier.rs / json.rs table_name_reserved)")
        names: dict[str, int] = {}
        db_fields: dict[tuple[str, ...], str] = {}
        search_keys: dict[tuple, str] = {}
        vector_keys: dict[tuple, str] = {}
        counts = {"index": 0, "search": 0, "vector": 0}
        for idx in t.indexes:
            L, C = idx.line, idx.column
            counts[idx.kind] += 1
            problem = _identifier_problem(idx.name)
            if problem:
                err(t, L, C, "invalid-index-name", f"index name '{idx.name}' on table '{t.name}' {problem}; Convex rejects it (InvalidIndexName, identifier.rs)")
            if idx.name in _RESERVED_INDEX or idx.name.startswith("_"):
                err(t, L, C, "reserved-index-name", f"index name '{idx.name}' on table '{t.name}' is reserved (by_id, by_creation_time and names starting with _; IndexNameReserved, index.rs)")
            if idx.name in names:
                err(t, L, C, "duplicate-index-name", f"index name '{idx.name}' is used twice on table '{t.name}'; names must be unique across database, search and vector indexes (IndexNamesNotUnique, json.rs)")
            names[idx.name] = 1
            fields: tuple[str, ...] = ()
            if idx.kind == "index":
                fields = idx.fields
                if not fields:
                    err(t, L, C, "empty-index", f"index '{idx.name}' on table '{t.name}' has no fields")
                if len(fields) > 15:
                    err(t, L, C, "too-many-index-fields", f"index '{idx.name}' on table '{t.name}' has {len(fields)} fields; at most 15 (16 with the appended _creationTime, MAX_INDEX_FIELDS_SIZE)")
                if len(set(fields)) != len(fields):
                    err(t, L, C, "repeated-index-field", f"index '{idx.name}' on table '{t.name}' repeats a field")
                if fields in db_fields:
                    err(t, L, C, "duplicate-index-fields", f"index '{idx.name}' on table '{t.name}' has the same fields as index '{db_fields[fields]}' (IndexNotUnique, json.rs)")
                db_fields.setdefault(fields, idx.name)
            elif idx.kind == "search":
                fields = (idx.search_field or "",) + idx.filter_fields
                if len(idx.filter_fields) > 16:
                    err(t, L, C, "too-many-filter-fields", f"search index '{idx.name}' on table '{t.name}' has {len(idx.filter_fields)} filter fields; at most 16")
                key = (idx.search_field,)
                if key in search_keys:
                    err(t, L, C, "duplicate-search-index", f"search index '{idx.name}' on table '{t.name}' duplicates the searchField of '{search_keys[key]}'; search index fields must be unique within a table (SearchIndexFieldNotUnique, json.rs validate_unique_index_fields)")
                search_keys.setdefault(key, idx.name)
            else:
                fields = (idx.vector_field or "",) + idx.filter_fields
                if idx.dimensions is None or not 2 <= idx.dimensions <= 4096:
                    shown = idx.dimensions if idx.dimensions is not None else (idx.dimensions_text or "that are not a whole number")
                    err(t, L, C, "vector-dimensions", f"vector index '{idx.name}' on table '{t.name}' has dimensions {shown}; Convex allows 2 to 4096 (vector_index/dimensions.rs)")
                if len(idx.filter_fields) > 16:
                    err(t, L, C, "too-many-filter-fields", f"vector index '{idx.name}' on table '{t.name}' has {len(idx.filter_fields)} filter fields; at most 16")
                key = (idx.vector_field, idx.dimensions)
                if key in vector_keys:
                    err(t, L, C, "duplicate-vector-index", f"vector index '{idx.name}' on table '{t.name}' duplicates '{vector_keys[key]}' (same vectorField and dimensions)")
                vector_keys.setdefault(key, idx.name)
            for f in fields:
                if not f:
                    continue
                if f == "_id" or f == "_creationTime" or any(seg.startswith("_") for seg in f.split(".")):
                    err(t, L, C, "reserved-index-field", f"index '{idx.name}' on table '{t.name}' uses field '{f}'; _id, _creationTime and _-prefixed fields cannot be indexed (IndexFieldsContainId / IndexFieldNameReserved)")
                    continue
                if schema.schema_validation:
                    found = _field_at(t.document, f)
                    if found is None:
                        err(t, L, C, "unknown-index-field", f"index '{idx.name}' on table '{t.name}' uses field '{f}', which the table does not declare (check_index_references, schemas/mod.rs)")
                    elif idx.kind == "vector" and f == idx.vector_field and not all(_is_float_array(v) for v in found):
                        err(t, L, C, "vector-field-type", f"vector index '{idx.name}' on table '{t.name}': field '{f}' must be v.array(v.float64())")
        total = sum(counts.values())
        if total > 64:
            err(t, t.line, t.column, "too-many-indexes", f"table '{t.name}' has {total} indexes; Convex allows 64 per table (MAX_INDEXES_PER_TABLE)")
        for kind, limit, label in (("index", 32, "database"), ("search", 4, "search"), ("vector", 4, "vector")):
            if counts[kind] > limit:
                err(t, t.line, t.column, "index-count-over-limit", f"table '{t.name}' has {counts[kind]} {label} indexes; the documented limit is {limit}")
    return out
