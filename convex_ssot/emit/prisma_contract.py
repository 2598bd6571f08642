"""A Prisma schema (:class:`convex_ssot.prisma.semantics.Schema`) → the DB contract
``docs/context/db/schema.json`` in ``repo-prisma`` mode (normalized-db-schema v2).

Pure: builds plain dicts, no I/O. Every key the tool we replace writes keeps its place,
meaning and representation (key order, rows sorted as ``localeCompare`` sorts them,
``default`` the source text of the ``@default`` argument, ``dbType`` the native type's
name, enum ``values`` a list of names); what it does not write comes in new keys after
them. Format: docs/contracts.md ("repo-prisma"); JSON Schema:
schemas/db-schema-prisma.schema.json.
"""

from __future__ import annotations

from ..prisma import ast
from ..prisma.semantics import Schema, dmmf_default, field_names
from .collation import locale_sorted

__all__ = ["prisma_contract", "empty_prisma_contract", "dialect_of"]


def dialect_of(provider: str | None) -> str:
    """The ``database.dialect`` for a datasource provider (the rule of the tool we replace:
    substring match on postgres, mysql, sqlite, sqlserver, mongodb; else the provider
    lower-cased; ``generic`` without one)."""
    p = (provider or "").lower()
    for needle, dialect in (("postgres", "postgresql"), ("mysql", "mysql"), ("sqlite", "sqlite"), ("sqlserver", "sqlserver"), ("mongodb", "mongodb")):
        if needle in p:
            return dialect
    return p or "generic"


def _string_arg(attr: ast.Attribute | None, name: str, pos: int | None = 0) -> str | None:
    if attr is None:
        return None
    v = attr.arg(name, pos)
    return v.value if v is not None and v.kind == "string" else None


def _native(f: ast.Field) -> tuple[str | None, list[str] | None]:
    for a in f.attributes:
        if a.name.startswith("db."):
            args = [x.value.value if x.value.kind in ("string", "number", "path") else x.value.text for x in a.args if x.value is not None]
            return a.name[3:], args
    return None, None


def _single_field(b: ast.Block, attribute: str) -> set[str]:
    """Fields made unique (``unique``) or the primary key (``id``) on their own by a
    one-field ``@@unique([x])`` / ``@@id([x])`` (Prisma's DMMF marks them on the field too)."""
    out = set()
    for a in b.attrs(attribute):
        names = field_names(a.arg("fields", 0))
        if len(names) == 1:
            out.add(names[0][0])
    return out


def _column(schema: Schema, f: ast.Field, unique_alone: set[str] = frozenset(), id_alone: set[str] = frozenset()) -> dict:
    db_type, db_args = _native(f)
    default = f.attr("default")
    kind = schema.kind_of(f)
    dv = None
    if default is not None and default.args and default.args[0].value is not None:
        dv = dmmf_default(default.args[0].value, f.type)
    return {
        "name": f.name,
        "type": f.type,
        "nullable": f.optional,
        "list": f.list,
        "dbName": _string_arg(f.attr("map"), "name"),
        "dbType": db_type,
        "default": default.args_text or None if default is not None else None,
        "primaryKey": f.attr("id") is not None or f.name in id_alone,
        "unique": f.attr("unique") is not None or f.name in unique_alone,
        # new keys
        "kind": kind,
        "dbTypeArgs": db_args,
        "defaultValue": dv,
        "updatedAt": f.attr("updatedAt") is not None,
        "ignored": f.attr("ignore") is not None,
        "description": f.doc,
    }


def _relation(schema: Schema, model: str, f: ast.Field) -> dict:
    r = schema.relations[(model, f.name)]
    return {
        "field": f.name,
        "to": f.type,
        "optional": f.optional,
        "list": f.list,
        "relationName": r.name,
        "fields": list(r.fields),
        "references": list(r.references),
        # new keys
        "resolvedRelationName": r.resolved_name,
        "onDelete": r.on_delete,
        "onUpdate": r.on_update,
        "map": r.map,
        "ignored": f.attr("ignore") is not None,
        "description": f.doc,
    }


_INDEX_TYPES = {"id": "primary", "unique": "unique", "index": "index", "fulltext": "fulltext"}


def _index(a: ast.Attribute) -> dict:
    details = []
    for name, e in field_names(a.arg("fields", 0)):
        d = {"name": name, "sort": None, "length": None, "ops": None}
        if e.kind == "call":
            for arg in e.args:
                if arg.value is None:
                    continue
                if arg.name == "sort":
                    d["sort"] = arg.value.value
                elif arg.name == "length":
                    d["length"] = int(arg.value.value) if arg.value.kind == "number" else None
                elif arg.name == "ops":
                    v = arg.value
                    d["ops"] = v.args[0].value.value if v.kind == "call" and v.args and v.args[0].value is not None else v.value
        details.append(d)
    algorithm = a.arg("type", None)
    clustered = a.arg("clustered", None)
    name, db_name = _string_arg(a, "name", None), _string_arg(a, "map", None)
    if db_name is None and a.name in ("index", "fulltext"):
        db_name = name  # `name:` of @@index is a legacy alias of `map:` (Prisma docs)
    return {
        "type": _INDEX_TYPES[a.name],
        "fields": [d["name"] for d in details],
        "name": name,
        "map": _string_arg(a, "map", None),
        # new keys
        "dbName": db_name,
        "fieldDetails": details,
        "algorithm": algorithm.value if algorithm is not None else None,
        "clustered": {"true": True, "false": False}.get(clustered.value) if clustered is not None else None,
    }


def _index_key(i: dict) -> str:
    return f"{i['type']}:{','.join(i['fields'])}:{i['name'] or ''}:{i['map'] or ''}"


def _table(schema: Schema, b: ast.Block) -> dict:
    columns, relations = [], []
    alone, id_alone = _single_field(b, "unique"), _single_field(b, "id")
    for f in b.fields:
        if schema.kind_of(f) == "object":
            relations.append(_relation(schema, b.name, f))
        else:
            columns.append(_column(schema, f, alone, id_alone))
    indexes = [_index(a) for a in b.attributes if a.name in _INDEX_TYPES]
    return {
        "name": b.name,
        "dbName": _string_arg(b.attr("map"), "name"),
        "schema": _string_arg(b.attr("schema"), "name"),
        "columns": locale_sorted(columns, lambda c: c["name"]),
        "relations": locale_sorted(relations, lambda r: r["field"]),
        "indexes": locale_sorted(indexes, _index_key),
        # new keys
        "ignored": b.attr("ignore") is not None,
        "description": b.doc,
    }


def _enum(e: ast.Block) -> dict:
    values = list(dict.fromkeys(v.name for v in e.values))
    return {
        "name": e.name,
        "values": values,
        # new keys
        "dbName": _string_arg(e.attr("map"), "name"),
        "schema": _string_arg(e.attr("schema"), "name"),
        "description": e.doc,
        "valueDetails": [{"name": v.name, "dbName": _string_arg(v.attr("map"), "name"), "description": v.doc} for v in e.values],
    }


def _composite(schema: Schema, t: ast.Block) -> dict:
    return {"name": t.name, "description": t.doc, "columns": [_column(schema, f) for f in t.fields]}


def _source(path: str, files: list[str]) -> dict:
    return {"kind": "prisma-schema", "path": path, "files": list(files)}


def _database(provider: str | None, schemas: list[str]) -> dict:
    dialect = dialect_of(provider)
    return {"kind": "document" if dialect == "mongodb" else "relational", "dialect": dialect, "name": "", "schemas": list(schemas)}


def prisma_contract(schema: Schema, source_path: str, updated_at: str) -> dict:
    """The ``repo-prisma`` contract of ``schema`` read from ``source_path`` (a file or a
    folder, repo-relative)."""
    return {
        "version": 2,
        "updatedAt": updated_at,
        "ssot": {"mode": "repo-prisma", "source": _source(source_path, schema.files)},
        "database": _database(schema.provider, schema.schemas),
        "enums": locale_sorted([_enum(e) for e in schema.enums], lambda e: e["name"]),
        "tables": locale_sorted([_table(schema, b) for b in schema.models], lambda t: t["name"]),
        "notes": "Generated from Prisma schema.prisma (SSOT: repo-prisma).",
        # new keys
        "views": locale_sorted([_table(schema, b) for b in schema.views], lambda t: t["name"]),
        "compositeTypes": locale_sorted([_composite(schema, t) for t in schema.types], lambda t: t["name"]),
        "diagnostics": [],
    }


def empty_prisma_contract(source_path: str, updated_at: str) -> dict:
    """The contract when the schema is missing (what the tool we replace writes then: no
    tables, a note saying what to do)."""
    return {
        "version": 2,
        "updatedAt": updated_at,
        "ssot": {"mode": "repo-prisma", "source": _source(source_path, [])},
        "database": {"kind": "relational", "dialect": "generic", "name": "", "schemas": []},
        "enums": [],
        "tables": [],
        "notes": f"Missing prisma schema at {source_path}. Create it, then re-run ctl-db-ssot.",
        "views": [],
        "compositeTypes": [],
        "diagnostics": [],
    }
