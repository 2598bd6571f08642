"""zodvex (0.3.2) zod → Convex conversion (``src/mapping``): its own rules, which differ from
convex-helpers' (:mod:`.zod`); used by :mod:`.zodvex` for tables, docs and builders."""

from __future__ import annotations

from .. import ir
from ..interp.values import VObj, VUnknown, Value
from .validator_ir import object_fields
from .zod import VZod, ZodSchema

__all__ = ["ZodvexError", "zid", "to_convex", "contains_custom", "value_to_convex", "fields_to_convex", "shape_of", "zod_object", "with_system_fields"]

_ANY = ir.Validator("any")


class ZodvexError(ValueError):
    """zodvex (or zod) throws while converting: the module fails to load in Convex."""


def zid(table: str) -> ZodSchema:
    """``zid(table)`` (src/ids.ts): a ``z.string()`` whose instance is registered as an id."""
    return ZodSchema("string", meta={"zodvex_id": table})


def _strip(v: ir.Validator) -> ir.Validator:
    """A validator as a union member / array element: Convex's JSON has no optionality there."""
    return v.as_optional(False)


def to_convex(z: ZodSchema | None, visited: set[int] | None = None, _depth: int = 0) -> ir.Validator:
    """``zodToConvexInternal(z, visited)`` (src/mapping/core.ts). ``None`` (``undefined``)
    gives ``v.any()``. Raises :class:`ZodvexError` where zodvex throws."""
    if visited is None:
        visited = set()
    if z is None or id(z) in visited or _depth > 64:
        return _ANY
    visited.add(id(z))
    rec = lambda x, vis=visited: to_convex(x, vis, _depth + 1)  # noqa: E731
    actual, optional, default = z, False, False
    if actual.kind == "default":
        default, actual = True, actual.inner
    if actual is not None and actual.kind == "optional":
        optional, actual = True, actual.inner
        if actual is not None and actual.kind == "default":
            default, actual = True, actual.inner
    if actual is None:
        return _ANY
    k = actual.kind
    if "zodvex_id" in actual.meta:
        out = ir.Validator("id", table=actual.meta["zodvex_id"])
    elif k == "string":
        out = ir.Validator("string")
    elif k in ("number", "nan", "date"):
        out = ir.Validator("float64")
    elif k == "bigint":
        out = ir.Validator("int64")
    elif k == "boolean":
        out = ir.Validator("boolean")
    elif k == "null":
        out = ir.Validator("null")
    elif k == "array":
        out = ir.Validator("array", element=_strip(rec(actual.inner)))
    elif k == "object":
        out = ir.Validator("object", fields=object_fields({name: rec(s) for name, s in actual.shape}))
    elif k == "union":
        opts = actual.options
        if not opts:
            out = _ANY
        elif len(opts) == 1:
            out = rec(opts[0])
        else:
            out = ir.Validator("union", members=tuple(_strip(rec(o, set(visited))) for o in opts))
    elif k == "literal":
        if len(actual.literals) != 1:
            raise ZodvexError("z.literal() with several values: zod's .value getter throws in zodvex's conversion")
        lit = actual.literals[0]
        out = _ANY if lit is None else ir.Validator("literal", literal=lit)
    elif k == "enum":
        lits = [ir.Validator("literal", literal=x) for x in actual.literals if x is not None]
        out = _ANY if not lits else lits[0] if len(lits) == 1 else ir.Validator("union", members=tuple(lits))
    elif k == "record":
        out = ir.Validator("record", key=ir.Validator("string"), value=_record_value(actual.value, rec))
    elif k == "nullable":
        inner = actual.inner
        if inner is not None and inner.kind == "optional":
            optional = True
            inner = inner.inner
        out = ir.Validator("union", members=(_strip(rec(inner)), ir.Validator("null")))
    elif k == "tuple":
        out = ir.Validator("object", fields=object_fields({f"_{i}": rec(item) for i, item in enumerate(actual.options)}))
    elif k == "lazy":
        out = rec(actual.inner)
    else:
        # any, unknown, undefined, void, never, intersection, transform, pipe, custom, zid of
        # convex-helpers (a z.custom), catch, readonly, nonoptional, templateLiteral, symbol …
        out = _ANY
    return out.as_optional(True) if (optional or default) else out


def _record_value(value: ZodSchema | None, rec) -> ir.Validator:
    """``convertRecordType`` (handlers/record.ts): an optional or defaulted value becomes
    ``v.union(inner, v.null())``."""
    if value is None:
        return _ANY
    if value.kind in ("optional", "default"):
        inner = value.inner
        if value.kind == "default" and inner is not None and inner.kind == "optional":
            inner = inner.inner
        return ir.Validator("union", members=(_strip(rec(inner)), ir.Validator("null")))
    return rec(value).as_optional(False)


def contains_custom(z: ZodSchema | None, _depth: int = 0) -> bool:
    """``containsCustom`` (src/wrappers.ts): a ``z.custom`` (convex-helpers' ``zid`` is one),
    or a union / optional / nullable / default around one."""
    if z is None or _depth > 50:
        return False
    if z.kind in ("custom", "zid"):
        return True
    if z.kind == "union":
        return any(contains_custom(o, _depth + 1) for o in z.options)
    if z.kind in ("optional", "nullable", "default"):
        return contains_custom(z.inner, _depth + 1)
    return False


def value_to_convex(val: Value, visited: set[int] | None = None) -> ir.Validator | VUnknown:
    """``zodToConvexInternal`` of any value: a zod schema is converted; ``undefined`` and
    values that are not zod schemas (a Convex validator, a plain object) give ``v.any()``
    as in zodvex; a value the tool did not resolve stays unknown."""
    if isinstance(val, VZod):
        try:
            return to_convex(val.schema, visited)
        except ZodvexError as exc:
            return VUnknown(str(exc))
    if isinstance(val, VUnknown):
        return val
    return _ANY


def fields_to_convex(entries: dict[str, Value]) -> dict[str, ir.Validator | VUnknown]:
    """``zodToConvexFields(shape)`` (core.ts): every field converted on its own (a fresh
    ``visited`` set each)."""
    return {k: value_to_convex(x) for k, x in entries.items()}


# ---------------------------------------------------------------- helpers


def shape_of(val: Value) -> dict[str, Value] | None:
    """The entries of a raw shape or a ``z.object`` (``getObjectShape``)."""
    if isinstance(val, VObj):
        return dict(val.entries)
    if isinstance(val, VZod) and val.schema.kind == "object":
        return {k: VZod(s) for k, s in val.schema.shape}
    return None


def zod_object(entries: dict[str, Value]) -> ZodSchema | VUnknown:
    """``z.object(entries)`` built by zodvex itself (every value must be a zod schema)."""
    shape = []
    for k, x in entries.items():
        if not isinstance(x, VZod):
            return VUnknown(f"field `{k}` is not a zod schema the tool resolves")
        shape.append((k, x.schema))
    return ZodSchema("object", shape=tuple(shape))


def with_system_fields(name: str, schema: ZodSchema) -> ZodSchema:
    """``zodDoc`` / ``addSystemFields`` on an object (src/tables.ts): ``schema.extend({_id:
    zid(name), _creationTime: z.number()})``; on a union every object member is extended
    (a new ``z.union``); anything else is returned as is."""
    if schema.kind == "object":
        merged = dict(schema.shape)
        merged.update({"_id": zid(name), "_creationTime": ZodSchema("number")})
        return ZodSchema("object", shape=tuple(merged.items()))
    if schema.kind == "union":
        return ZodSchema("union", options=tuple(with_system_fields(name, o) if o.kind == "object" else o for o in schema.options))
    return schema
