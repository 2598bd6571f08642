"""``db/schema/tables.json`` (the DB mirror) → the DB contract in ``database`` mode.

The real database is the SSOT; the repository holds a mirror of it in one of two shapes,
normalized exactly as the tool we replace does (``normalizeDbMirrorSchema`` in its
``normalized-db-schema.mjs``, then the fix-ups of ``buildContractFromDbMirror``):

* legacy v1 ``{"version": 1, "tables": [{"name", "columns": [{"name", "type", "constraints"}]}]}``:
  each column becomes a v2 column; ``constraints`` (case-insensitive) ``pk``/``primary``/
  ``primarykey`` → ``primaryKey``, ``unique`` → ``unique``, ``notnull``/``not-null``/
  ``required`` → ``nullable: false``, ``null``/``nullable`` → ``nullable: true`` (no
  such constraint: no ``nullable`` key, as JavaScript drops an ``undefined``); tables and
  columns without a name are dropped;
* v2 (``version`` ≥ 2): passed through, ``database`` completed with defaults, enums and
  tables sorted by name.

What differs on purpose (docs/contracts.md, "database"): ``updatedAt`` follows this tool's
rule (the time the contract last changed) and the mirror's own ``updatedAt`` /
``lastUpdated`` is kept in the new key ``mirrorUpdatedAt``; a mirror that is not JSON or
not of either shape is an :class:`~convex_ssot.errors.InputError` naming file:line:column
(the tool we replace treats it as missing).

Pure apart from nothing: the caller reads the file.
"""

from __future__ import annotations

import re

from ..errors import InputError
from .collation import locale_sorted

__all__ = ["mirror_contract", "missing_mirror_contract", "MIRROR_REL"]

MIRROR_REL = "db/schema/tables.json"


def _js_truthy(v) -> bool:
    return v not in (None, False, 0, "", 0.0) and not (isinstance(v, float) and v != v)


def _or(v, default):
    return v if _js_truthy(v) else default


def _js_str(v) -> str:
    """``String(v || '')`` of JavaScript for JSON values."""
    if not _js_truthy(v):
        return ""
    if v is True:
        return "true"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, dict)):
        return ",".join(_js_str(x) for x in v) if isinstance(v, list) else "[object Object]"
    return str(v)


def _flags(constraints) -> dict:
    c = [_js_str(x).lower() if x is not None else "null" for x in (constraints if isinstance(constraints, list) else [])]
    out: dict = {"primaryKey": False, "unique": False, "nullable": None}
    if "pk" in c or "primary" in c or "primarykey" in c:
        out["primaryKey"] = True
    if "unique" in c:
        out["unique"] = True
    if "notnull" in c or "not-null" in c or "required" in c:
        out["nullable"] = False
    if "null" in c or "nullable" in c:
        out["nullable"] = True
    return out


def _where(text: str, key: str) -> tuple[int, int]:
    m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    if m is None:
        return 1, 1
    line = text.count("\n", 0, m.start()) + 1
    return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1


def _shape_error(rel: str, text: str, key: str, msg: str) -> InputError:
    line, col = _where(text, key) if key else (1, 1)
    return InputError(
        f"{rel}:{line}:{col}: {msg}; the DB mirror must be the legacy v1 form "
        '{"version": 1, "tables": [{"name", "columns": [{"name", "type", "constraints"}]}]} '
        "or a normalized v2 contract (docs/contracts.md). Nothing was written"
    )


def _check_shape(raw, rel: str, text: str) -> None:
    if not isinstance(raw, dict):
        raise _shape_error(rel, text, "", f"the top level is {type(raw).__name__.replace('dict', 'object')}, not a JSON object")
    if "tables" not in raw:
        raise _shape_error(rel, text, "", "there is no `tables` list")
    for key in ("tables", "enums"):
        if key in raw and not isinstance(raw[key], list):
            raise _shape_error(rel, text, key, f"`{key}` must be a list")
        for i, row in enumerate(raw.get(key) or []):
            if not isinstance(row, dict):
                raise _shape_error(rel, text, key, f"`{key}[{i}]` must be an object")
            if not isinstance(row.get("name"), str):
                raise _shape_error(rel, text, key, f"`{key}[{i}].name` must be a string")
            cols = row.get("columns")
            if key == "tables" and cols is not None and not isinstance(cols, list):
                raise _shape_error(rel, text, "columns", f"`tables[{i}].columns` must be a list")


def _v1_table(t: dict) -> dict:
    columns = []
    for c in t.get("columns") or []:
        if not isinstance(c, dict):
            continue
        flags = _flags(c.get("constraints") or [])
        col = {"name": _js_str(c.get("name")).strip(), "type": _js_str(c.get("type")).strip()}
        if flags["nullable"] is not None:
            col["nullable"] = flags["nullable"]
        col.update(
            {"list": False, "dbName": None, "dbType": None, "default": None, "primaryKey": flags["primaryKey"], "unique": flags["unique"],
             "constraints": c["constraints"] if isinstance(c.get("constraints"), list) else []}
        )
        if col["name"]:
            columns.append(col)
    return {
        "name": _js_str(t.get("name")).strip(),
        "dbName": _or(t.get("dbName"), None),
        "schema": _or(t.get("schema"), None),
        "columns": locale_sorted(columns, lambda c: c["name"]),
        "relations": [],
        "indexes": [],
    }


def _source(rel: str, ssot_source) -> dict:
    src = dict(ssot_source) if isinstance(ssot_source, dict) else {}
    src["kind"] = _or(src.get("kind"), "db-mirror")
    src["path"] = _or(src.get("path"), rel)
    return src


def mirror_contract(raw, rel: str, text: str, updated_at: str) -> dict:
    """The ``database`` contract of the parsed mirror ``raw`` (``text`` its source, for
    error positions). Raises :class:`InputError` for a mirror of neither shape."""
    _check_shape(raw, rel, text)
    mirror_time = raw.get("updatedAt") or raw.get("lastUpdated") or None
    version = raw.get("version")
    try:
        number = float(version) if not isinstance(version, (list, dict, bool)) and version is not None else (1.0 if version is True else 0.0)
    except (TypeError, ValueError):
        number = 0.0
    if number >= 2:
        ssot = dict(raw["ssot"]) if isinstance(raw.get("ssot"), dict) else {"mode": "database", "source": {"kind": "database", "path": ""}}
        ssot["mode"] = "database"
        ssot["source"] = _source(rel, ssot.get("source"))
        db = raw.get("database") if isinstance(raw.get("database"), dict) else {}
        doc = {"version": 2, "updatedAt": updated_at, "ssot": ssot}
        if isinstance(raw.get("source"), dict):
            doc["source"] = raw["source"]
        doc.update(
            {
                "database": {
                    "kind": _or(db.get("kind"), "relational"),
                    "dialect": _or(db.get("dialect"), "generic"),
                    "name": _or(db.get("name"), ""),
                    "schemas": db["schemas"] if isinstance(db.get("schemas"), list) else [],
                },
                "enums": locale_sorted(raw.get("enums") or [], lambda e: e.get("name")),
                "tables": locale_sorted(raw.get("tables") or [], lambda t: t.get("name")),
                "notes": _or(raw.get("notes"), "") or "Mirrored from real DB via repo artifacts (SSOT: database).",
            }
        )
    else:
        tables = [t for t in (_v1_table(t) for t in raw.get("tables") or []) if t["name"]]
        doc = {
            "version": 2,
            "updatedAt": updated_at,
            "ssot": {"mode": "database", "source": {"kind": "database", "path": rel}},
            "database": {"kind": "relational", "dialect": "generic", "name": "", "schemas": []},
            "enums": [],
            "tables": locale_sorted(tables, lambda t: t["name"]),
            "notes": _or(raw.get("notes"), "Upgraded from legacy db/schema/tables.json v1."),
        }
    doc["mirrorUpdatedAt"] = mirror_time if isinstance(mirror_time, str) else None
    return doc


def missing_mirror_contract(rel: str, updated_at: str) -> dict:
    """The contract when the mirror does not exist (as the tool we replace writes it)."""
    return {
        "version": 2,
        "updatedAt": updated_at,
        "ssot": {"mode": "database", "source": {"kind": "db-mirror", "path": rel}},
        "database": {"kind": "relational", "dialect": "generic", "name": "", "schemas": []},
        "enums": [],
        "tables": [],
        "notes": f"Missing DB mirror at {rel}. Initialize db-mirror and import schema, then re-run ctl-db-ssot.",
        "mirrorUpdatedAt": None,
    }
