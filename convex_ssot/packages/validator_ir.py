"""Building blocks of validator IR (:class:`convex_ssot.ir.Validator`) shared by the package
models: short constructors, object fields in JavaScript's key order, literals of abstract
values, and the inverse of Convex's validator JSON export (for recorded models).
"""

from __future__ import annotations

from .. import ir
from ..interp.values import VArr, VBigInt, VBool, VNum, VStr, Value, js_key_order

__all__ = ["V_SCALARS", "s", "f", "obj", "opt", "id_", "object_fields", "partial", "literal_value", "strings", "flag", "from_convex_json"]

#: ``v.<name>()`` builders without arguments → validator kind (convex src/values/validator.ts, 1.48).
V_SCALARS = {
    "string": "string",
    "number": "float64",
    "float64": "float64",
    "int64": "int64",
    "bigint": "int64",
    "boolean": "boolean",
    "bytes": "bytes",
    "null": "null",
    "any": "any",
    "commitTs": "commitTs",
}


def s() -> ir.Validator:
    """``v.string()``."""
    return ir.Validator("string")


def f() -> ir.Validator:
    """``v.number()`` (float64)."""
    return ir.Validator("float64")


def obj(**fields: ir.Validator) -> ir.Validator:
    """``v.object(fields)``."""
    return ir.Validator("object", fields=object_fields(fields))


def opt(x: ir.Validator) -> ir.Validator:
    """``v.optional(x)``."""
    return x.as_optional(True)


def id_(t: str) -> ir.Validator:
    """``v.id(t)``."""
    return ir.Validator("id", table=t)


def object_fields(d: dict[str, ir.Validator]) -> tuple[ir.ObjectField, ...]:
    """Object fields in the order JavaScript (and so Convex's export) lists them."""
    return tuple(ir.ObjectField(k, d[k]) for k in js_key_order(d))


def partial(v: ir.Validator) -> ir.Validator:
    """Every field optional (an object, or each member of a union); anything else unchanged."""
    if v.kind == "object":
        return ir.Validator("object", optional=v.optional, fields=tuple(ir.ObjectField(f.name, f.validator.as_optional(True)) for f in v.fields))
    if v.kind == "union":
        return ir.Validator("union", optional=v.optional, members=tuple(partial(m) for m in v.members))
    return v


def literal_value(val: Value) -> ir.LiteralValue | None:
    """The literal a string, boolean, number or 64-bit bigint value gives ``v.literal``;
    None for anything else."""
    if isinstance(val, VStr):
        return ir.LiteralValue("string", val.value)
    if isinstance(val, VBool):
        return ir.LiteralValue("boolean", val.value)
    if isinstance(val, VNum):
        return ir.LiteralValue("number", float(val.value))
    if isinstance(val, VBigInt):
        if not -(2**63) <= val.value < 2**63:
            return None  # convexToJson throws: a bigint must fit in 64 bits (value.ts)
        return ir.LiteralValue("bigint", val.value)
    return None


def strings(val: Value | None) -> list[str] | None:
    """The strings of an array of string values; None when it is not one."""
    if not isinstance(val, VArr):
        return None
    out = []
    for it in val.items:
        if not isinstance(it, VStr):
            return None
        out.append(it.value)
    return out


def flag(val: Value | None) -> bool:
    """True only for the boolean value ``true``."""
    return isinstance(val, VBool) and val.value


def from_convex_json(j: dict, optional: bool = False) -> ir.Validator:
    """The IR of a validator given in Convex's export JSON (the inverse of
    ``emit.validators.convex_json``). Raises ValueError on JSON that is not a validator."""
    import base64
    import struct

    t = j.get("type")
    inverse = {"string": "string", "number": "float64", "bigint": "int64", "boolean": "boolean", "bytes": "bytes",
               "null": "null", "any": "any", "commitTs": "commitTs"}
    if t in inverse:
        return ir.Validator(inverse[t], optional=optional)
    if t == "id":
        return ir.Validator("id", optional=optional, table=j["tableName"])
    if t == "literal":
        val = j["value"]
        if isinstance(val, dict) and "$integer" in val:
            lit = ir.LiteralValue("bigint", struct.unpack("<q", base64.b64decode(val["$integer"]))[0])
        elif isinstance(val, dict) and "$float" in val:
            lit = ir.LiteralValue("number", struct.unpack("<d", base64.b64decode(val["$float"]))[0])
        elif isinstance(val, bool):
            lit = ir.LiteralValue("boolean", val)
        elif isinstance(val, (int, float)):
            lit = ir.LiteralValue("number", float(val))
        else:
            lit = ir.LiteralValue("string", val)
        return ir.Validator("literal", optional=optional, literal=lit)
    if t == "array":
        return ir.Validator("array", optional=optional, element=from_convex_json(j["value"]))
    if t == "object":
        fields = tuple(ir.ObjectField(k, from_convex_json(e["fieldType"], e.get("optional", False))) for k, e in j["value"].items())
        return ir.Validator("object", optional=optional, fields=fields)
    if t == "record":
        return ir.Validator("record", optional=optional, key=from_convex_json(j["keys"]), value=from_convex_json(j["values"]["fieldType"]))
    if t == "union":
        return ir.Validator("union", optional=optional, members=tuple(from_convex_json(m) for m in j["value"]))
    raise ValueError(f"not a Convex validator: {t!r}")
