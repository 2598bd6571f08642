"""Validators → JSON: Convex's own export format, type strings and summary nodes.

``convex_json`` reproduces ``Validator.json`` of convex 1.48 (``src/values/validators.ts``)
byte for byte in meaning: ``v.float64()`` → ``{"type":"number"}``, ``v.int64()`` →
``{"type":"bigint"}``, object fields as ``{"fieldType", "optional"}``, record values with
``optional: false``, and literal values through ``convexToJson`` (``src/values/value.ts``):
bigint → ``{"$integer": base64(int64 little-endian)}``, NaN/±Infinity/-0 →
``{"$float": base64(float64 little-endian)}``.
"""

from __future__ import annotations

import base64
import math
import struct

from .. import ir

__all__ = ["convex_json", "type_string", "summary", "literal_json", "is_nullable", "COMPOUND_KEYS"]

_SCALAR_JSON = {
    "string": "string",
    "float64": "number",
    "int64": "bigint",
    "boolean": "boolean",
    "bytes": "bytes",
    "null": "null",
    "any": "any",
    "commitTs": "commitTs",
}

COMPOUND_KEYS = ("shape", "items", "options", "keyType", "valueType")
# Scalars' JSON and summaries are the same for every validator of a kind: one shared dict each
# (callers copy before changing a returned dict; nothing changes them in place).
_SCALAR_JSON_DOCS = {k: {"type": t} for k, t in _SCALAR_JSON.items()}
_SCALAR_SUMMARIES = {k: {"type": k, "nullable": False, "list": False} for k in _SCALAR_JSON}


def literal_json(lit: ir.LiteralValue):
    """``convexToJson`` of a literal value."""
    if lit.kind == "bigint":
        return {"$integer": base64.b64encode(struct.pack("<q", int(lit.value))).decode("ascii")}
    if lit.kind == "number":
        x = float(lit.value)
        if math.isnan(x) or math.isinf(x) or (x == 0.0 and math.copysign(1.0, x) < 0):
            return {"$float": base64.b64encode(struct.pack("<d", x)).decode("ascii")}
        if x.is_integer() and abs(x) < 2**53:
            return int(x)
        return x
    return lit.value


def convex_json(v: ir.Validator) -> dict:
    """The JSON Convex exports for ``v`` (its ``.json`` getter). Scalars share one dict per
    kind: do not change the result in place."""
    k = v.kind
    leaf = _SCALAR_JSON_DOCS.get(k)
    if leaf is not None:
        return leaf
    if k == "id":
        return {"type": "id", "tableName": v.table}
    if k == "literal":
        assert v.literal is not None
        return {"type": "literal", "value": literal_json(v.literal)}
    if k == "array":
        assert v.element is not None
        return {"type": "array", "value": convex_json(v.element)}
    if k == "object":
        return {
            "type": "object",
            "value": {f.name: {"fieldType": convex_json(f.validator), "optional": f.validator.optional} for f in v.fields},
        }
    if k == "record":
        assert v.key is not None and v.value is not None
        return {
            "type": "record",
            "keys": convex_json(v.key),
            "values": {"fieldType": convex_json(v.value), "optional": False},
        }
    if k == "union":
        return {"type": "union", "value": [convex_json(m) for m in v.members]}
    raise ValueError(f"unknown validator kind {k!r}")


def _literal_text(lit: ir.LiteralValue) -> str:
    if lit.kind == "string":
        import json

        return json.dumps(lit.value, ensure_ascii=False)
    if lit.kind == "bigint":
        return f"{int(lit.value)}n"
    if lit.kind == "boolean":
        return "true" if lit.value else "false"
    x = float(lit.value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x.is_integer() and abs(x) < 2**53:
        return "-0" if x == 0 and math.copysign(1.0, x) < 0 else str(int(x))
    return repr(x)


def type_string(v: ir.Validator) -> str:
    """Compact type text: ``string``, ``id<users>``, ``array<string>``, ``literal<"a">``,
    ``union<string | null>``, ``record<string, float64>``, ``object``."""
    k = v.kind
    if k == "id":
        return f"id<{v.table}>"
    if k == "literal":
        assert v.literal is not None
        return f"literal<{_literal_text(v.literal)}>"
    if k == "array":
        assert v.element is not None
        return f"array<{type_string(v.element)}>"
    if k == "union":
        return "union<" + " | ".join(type_string(m) for m in v.members) + ">"
    if k == "record":
        assert v.key is not None and v.value is not None
        return f"record<{type_string(v.key)}, {type_string(v.value)}>"
    return k


def is_nullable(v: ir.Validator) -> bool:
    """A union with a ``null`` member and at least one other member."""
    return v.kind == "union" and any(m.kind == "null" for m in v.members) and any(m.kind != "null" for m in v.members)


def summary(v: ir.Validator) -> dict:
    """``{type, nullable, list}`` plus, for compound validators, ``shape`` (object fields),
    ``items`` (array element), ``options`` (union members), ``keyType``/``valueType`` (record).

    One pass over the validator: a compound's type text is made from its children's
    summaries, not recomputed from the whole subtree at every level. Scalars share one dict
    per kind: do not change the result in place."""
    leaf = _SCALAR_SUMMARIES.get(v.kind)
    if leaf is not None:
        return leaf
    parts = compound(v)
    return {"type": _type_from_parts(v, parts), "nullable": is_nullable(v), "list": v.kind == "array", **parts}


def _type_from_parts(v: ir.Validator, parts: dict) -> str:
    """:func:`type_string` of ``v``, given its :func:`compound` parts (children's types)."""
    k = v.kind
    if k == "array" and "items" in parts:
        return f"array<{parts['items']['type']}>"
    if k == "union":
        return "union<" + " | ".join(o["type"] for o in parts["options"]) + ">"
    if k == "record" and "keyType" in parts:
        return f"record<{parts['keyType']['type']}, {parts['valueType']['type']}>"
    return type_string(v)  # object, id, literal: not made from children


def compound(v: ir.Validator) -> dict:
    """The compound keys of :func:`summary` alone."""
    if v.kind == "object":
        return {"shape": [{"name": f.name, "optional": f.validator.optional, **summary(f.validator)} for f in v.fields]}
    if v.kind == "array" and v.element is not None:
        return {"items": summary(v.element)}
    if v.kind == "union":
        return {"options": [summary(m) for m in v.members]}
    if v.kind == "record" and v.key is not None and v.value is not None:
        return {"keyType": summary(v.key), "valueType": summary(v.value)}
    return {}
