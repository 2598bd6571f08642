"""Differential harness for the repo-prisma mode: Prisma's own schema engine
(``@prisma/prisma-schema-wasm``: ``validate`` + ``get_dmmf``, run offline by
``prisma_dmmf.mjs``) against our contract, reduced to the same comparable form.

What is compared, per model and view: name, dbName, schema, documentation, and per field
kind, type, required, list, id, unique, default, dbName, native type, updatedAt,
documentation and relation (name, fields, references, onDelete, onUpdate); the primary
key, the unique indexes (@@unique) and the plain/fulltext indexes (with sort order, length,
operator class, algorithm, map); enums (values with their @map, @@map, documentation);
composite types. ``Unsupported(...)`` fields are left out on both sides (Prisma's DMMF
drops them), and so are ``@@ignore`` models and ``@ignore`` fields (the DMMF leaves them
out; our contract keeps them with ``ignored: true``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conformance_harness import NODE_MODULES, SETUP_HINT, node_executable

HERE = Path(__file__).resolve().parent
ORACLE = HERE / "prisma_dmmf.mjs"


def run_prisma(cases: list[list[tuple[str, str]]], timeout: int = 600) -> list[dict]:
    """Prisma's verdict on each schema (a list of ``(path, text)`` files): ``{"ok": True,
    "datamodel": …}`` or ``{"ok": False, "error": message}``."""
    node = node_executable()
    if not (NODE_MODULES / "@prisma" / "prisma-schema-wasm" / "package.json").is_file():
        raise RuntimeError(f"@prisma/prisma-schema-wasm is not installed; {SETUP_HINT}")
    payload = json.dumps([{"files": [list(f) for f in files]} for files in cases])
    proc = subprocess.run([node, str(ORACLE)], input=payload, capture_output=True, text=True, encoding="utf-8", timeout=timeout, cwd=HERE)
    if proc.returncode != 0:
        raise RuntimeError(f"prisma oracle failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def ours(files: list[tuple[str, str]]):
    """Our contract for the schema ``files`` (``(path, text)``), or the raised error."""
    from convex_ssot.emit.prisma_contract import prisma_contract
    from convex_ssot.prisma.parse import PrismaSyntaxError, parse_file
    from convex_ssot.prisma.semantics import PrismaSchemaError, analyse

    try:
        parsed = [parse_file(p, t) for p, t in files]
        schema = analyse(parsed)
    except PrismaSyntaxError as exc:
        return PrismaSchemaError(exc.file, exc.line, exc.column, exc.message)
    except PrismaSchemaError as exc:
        return exc
    return prisma_contract(schema, files[0][0], "1970-01-01T00:00:00.000Z")


# ------------------------------------------------------------------ reduce Prisma's DMMF


def _dmmf_field(f: dict) -> dict:
    out = {
        "name": f["name"],
        "kind": f["kind"],
        "type": f["type"],
        "required": f["isRequired"],
        "list": f["isList"],
        "id": f["isId"],
        "unique": f["isUnique"],
        "default": f.get("default") if f.get("hasDefaultValue") else None,
        "dbName": f.get("dbName"),
        "nativeType": f.get("nativeType"),
        "updatedAt": f.get("isUpdatedAt", False),
        "doc": f.get("documentation"),
    }
    if f["kind"] == "object" and "relationName" in f:
        out["relation"] = {
            "name": f.get("relationName"),
            "fields": f.get("relationFromFields") or [],
            "references": f.get("relationToFields") or [],
            "onDelete": f.get("relationOnDelete"),
            "onUpdate": f.get("relationOnUpdate"),
        }
    return out


def _dmmf_index(i: dict) -> dict:
    return {
        "type": {"normal": "index", "fulltext": "fulltext", "unique": "unique", "id": "primary"}[i["type"]],
        "name": i.get("name"),
        "map": i.get("dbName"),
        "algorithm": i.get("algorithm"),
        "fields": [
            {"name": x["name"], "sort": {"asc": "Asc", "desc": "Desc"}.get(x.get("sortOrder")), "length": x.get("length"), "ops": x.get("operatorClass")}
            for x in i["fields"]
        ],
    }


def reduce_dmmf(dm: dict) -> dict:
    """Prisma's DMMF datamodel in the comparable form."""
    block_indexes: dict[str, list] = {}
    for i in dm.get("indexes", []):
        if i.get("isDefinedOnField"):
            continue  # @id / @unique on a field: compared on the field
        block_indexes.setdefault(i["model"], []).append(_dmmf_index(i))
    models = {}
    for m in dm["models"]:
        models[m["name"]] = {
            "dbName": m.get("dbName"),
            "schema": m.get("schema"),
            "doc": m.get("documentation"),
            "fields": sorted((_dmmf_field(f) for f in m["fields"]), key=lambda f: f["name"]),
            "primaryKey": m["primaryKey"] and {"name": m["primaryKey"].get("name"), "fields": m["primaryKey"]["fields"]},
            "uniqueIndexes": sorted(([u.get("name"), u["fields"]] for u in m["uniqueIndexes"]), key=json.dumps),
            "indexes": sorted(block_indexes.get(m["name"], []), key=json.dumps),
        }
    enums = {
        e["name"]: {"dbName": e.get("dbName"), "doc": e.get("documentation"), "values": [[v["name"], v.get("dbName"), v.get("documentation")] for v in e["values"]]}
        for e in dm["enums"]
    }
    types = {t["name"]: sorted((_dmmf_field(f) for f in t["fields"]), key=lambda f: f["name"]) for t in dm.get("types", [])}
    return {"models": models, "enums": enums, "types": types}


# ------------------------------------------------------------------ reduce our contract


def _our_column(c: dict) -> dict:
    return {
        "name": c["name"],
        "kind": {"composite": "object"}.get(c["kind"], c["kind"]),
        "type": c["type"],
        "required": c["list"] or not c["nullable"],
        "list": c["list"],
        "id": c["primaryKey"],
        "unique": c["unique"] and not c["primaryKey"],  # Prisma's isUnique: false on the id
        "default": c["defaultValue"],
        "dbName": c["dbName"],
        "nativeType": [c["dbType"], c["dbTypeArgs"]] if c["dbType"] is not None else None,
        "updatedAt": c["updatedAt"],
        "doc": c["description"],
    }


def _our_relation(r: dict) -> dict:
    return {
        "name": r["field"],
        "kind": "object",
        "type": r["to"],
        "required": r["list"] or not r["optional"],
        "list": r["list"],
        "id": False,
        "unique": False,
        "default": None,
        "dbName": None,
        "nativeType": None,
        "updatedAt": False,
        "doc": r["description"],
        "relation": {"name": r["resolvedRelationName"], "fields": r["fields"], "references": r["references"], "onDelete": r["onDelete"], "onUpdate": r["onUpdate"]},
    }


def reduce_ours(doc: dict) -> dict:
    """Our contract in the comparable form."""
    models = {}
    for t in doc["tables"] + doc["views"]:
        if t["ignored"]:
            continue
        t = {**t, "columns": [c for c in t["columns"] if not c["ignored"]], "relations": [r for r in t["relations"] if not r["ignored"]]}
        pk = next((i for i in t["indexes"] if i["type"] == "primary"), None)
        models[t["name"]] = {
            "dbName": t["dbName"],
            "schema": t["schema"],
            "doc": t["description"],
            "fields": sorted([_our_column(c) for c in t["columns"] if c["kind"] != "unsupported"] + [_our_relation(r) for r in t["relations"]], key=lambda f: f["name"]),
            "primaryKey": pk and {"name": pk["name"], "fields": pk["fields"]},
            "uniqueIndexes": sorted(([i["name"], i["fields"]] for i in t["indexes"] if i["type"] == "unique"), key=json.dumps),
            "indexes": sorted(
                (
                    {"type": i["type"], "name": None if i["type"] in ("index", "fulltext") else i["name"], "map": i["dbName"],
                     "algorithm": i["algorithm"], "fields": i["fieldDetails"]}
                    for i in t["indexes"]
                ),
                key=json.dumps,
            ),
        }
    enums = {
        e["name"]: {"dbName": e["dbName"], "doc": e["description"], "values": [[v["name"], v["dbName"], v["description"]] for v in e["valueDetails"]]}
        for e in doc["enums"]
    }
    types = {t["name"]: sorted((_our_column(c) for c in t["columns"] if c["kind"] != "unsupported"), key=lambda f: f["name"]) for t in doc["compositeTypes"]}
    return {"models": models, "enums": enums, "types": types}


def differences(expected: dict, actual: dict, path: str = "$") -> list[str]:
    """Where ``actual`` differs from ``expected`` (JSON paths with both values)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for k in sorted(set(expected) | set(actual)):
            if k not in actual:
                out.append(f"{path}.{k}: missing in ours (Prisma: {json.dumps(expected[k])[:200]})")
            elif k not in expected:
                out.append(f"{path}.{k}: extra in ours ({json.dumps(actual[k])[:200]})")
            else:
                out.extend(differences(expected[k], actual[k], f"{path}.{k}"))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(differences(e, a, f"{path}[{i}]"))
        return out
    return [] if expected == actual else [f"{path}: Prisma {json.dumps(expected)[:200]} != ours {json.dumps(actual)[:200]}"]


def error_lines(message: str) -> set[int]:
    """Line numbers Prisma's error message points at (``-->  file:N``)."""
    import re

    return {int(m) for m in re.findall(r"-->\s+\S+?:(\d+)", message)}
