"""Zod schemas as convex-helpers turns them into Convex validators.

convex-helpers' zod integration (``convex-helpers/server/zod4``, ``/zod3`` and the
deprecated ``/zod``, 0.1.124) registers functions built with ``zCustomQuery`` & co. with
``zodToConvexFields(args)`` and ``zodOutputToConvex(returns)``. This module models the zod
builders a schema is written with (``z.string()``, ``z.object({...})``, ``.optional()``,
``zid("users")`` …) as :class:`ZodSchema` values and converts them exactly as
``zodToConvexCommon`` does (zod4.ts:1559-1710):

* string, template literal → ``v.string()``; number, nan → ``v.number()``; bigint →
  ``v.int64()``; boolean; null; any, unknown → ``v.any()``; never → ``v.union()``;
* array → ``v.array``; object → ``v.object``; union / discriminated union → ``v.union``;
  tuple → ``v.array(v.union(items…, rest))``; literal → ``v.literal`` (several values → a
  union; ``null`` → ``v.null()``); enum → a union of literals;
* optional → ``v.optional``; nullable → ``v.union(x, v.null())`` (an optional inner stays
  optional outside); nonoptional → required;
* record → ``v.record(key, value)`` (a key that is not a valid record key becomes
  ``v.string()``; string-literal keys give an object with those fields);
* ``zid(table)`` → ``v.id(table)``; other custom schemas, intersections → ``v.any()``;
* default → optional (input) / the inner type (output); pipe → its input (input) / its
  output (output); transform → ``v.any()`` (output); readonly, catch, lazy → inner;
* refinements and checks (``.min()``, ``.email()``, ``.describe()``, ``.brand()`` …) do not
  change the validator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import ir

__all__ = ["ZodSchema", "to_convex", "ZOD_PACKAGES", "KEEPS_TYPE", "refined"]

ZOD_PACKAGES = frozenset({"zod", "zod/v4", "zod/v3", "zod/v4/core"})

#: Methods that refine or describe a schema without changing its Convex validator.
KEEPS_TYPE = frozenset(
    """min max length nonempty email url uuid cuid cuid2 ulid regex includes startsWith endsWith
    trim toLowerCase toUpperCase datetime date time duration ip cidr base64 emoji nanoid
    int positive negative nonnegative nonpositive multipleOf step finite safe gt gte lt lte
    describe refine superRefine check brand meta overwrite normalize lowercase uppercase
    ipv4 ipv6 e164 jwt hex hash slugify""".split()
)


@dataclass(frozen=True, slots=True)
class ZodSchema:
    """A zod schema: ``kind`` names the zod type; the other fields hold its parts."""

    kind: str
    inner: "ZodSchema | None" = None  # optional, nullable, default, readonly, catch, array, pipe-in …
    out: "ZodSchema | None" = None  # pipe output
    shape: tuple[tuple[str, "ZodSchema"], ...] = ()  # object
    options: tuple["ZodSchema", ...] = ()  # union, tuple items
    rest: "ZodSchema | None" = None  # tuple rest
    key: "ZodSchema | None" = None  # record
    value: "ZodSchema | None" = None  # record
    literals: tuple[ir.LiteralValue | None, ...] = ()  # literal / enum values (None = null)
    table: str | None = None  # zid
    meta: dict = field(default_factory=dict, compare=False, hash=False)


def refined(z: ZodSchema, method: str) -> ZodSchema:
    """The schema a refining method (one of :data:`KEEPS_TYPE`) returns: in zod 4 (classic,
    ``schemas.ts``) every such method returns a clone (``inst.clone()`` / ``inst.check()``),
    a new instance, except ``.brand()``, which returns the instance itself. Registries
    keyed by instance (``meta``, e.g. zodvex's ``zid`` marker) do not follow the clone.
    Identity matters to zodvex's conversion (see ``zodvex.py``)."""
    return z if method == "brand" else replace(z, meta={})


def _v(kind: str, **kw) -> ir.Validator:
    return ir.Validator(kind, **kw)


def _literal(lit: ir.LiteralValue | None) -> ir.Validator:
    if lit is None:
        return _v("null")
    return _v("literal", literal=lit)


def to_convex(z: ZodSchema, output: bool = False, _depth: int = 0) -> ir.Validator:
    """The Convex validator convex-helpers makes from ``z`` (``zodToConvex``, or
    ``zodOutputToConvex`` when ``output``). Raises ValueError for zod types convex-helpers
    rejects (date, map, set, symbol, promise, function, void, undefined)."""
    if _depth > 64:
        return _v("any")
    rec = lambda x: to_convex(x, output, _depth + 1)  # noqa: E731
    k = z.kind
    if k == "default":
        inner = rec(z.inner)
        return inner if output else inner.as_optional(True)
    if k == "pipe":
        return rec(z.out if output else z.inner)
    if k == "transform":
        return _v("any")
    if k in ("string", "templateLiteral"):
        return _v("string")
    if k in ("number", "nan"):
        return _v("float64")
    if k == "bigint":
        return _v("int64")
    if k == "boolean":
        return _v("boolean")
    if k == "null":
        return _v("null")
    if k in ("any", "unknown", "custom", "intersection"):
        return _v("any")
    if k == "zid":
        return _v("id", table=z.table)
    if k == "array":
        inner = rec(z.inner)
        if inner.optional:
            raise ValueError("Arrays of optional values are not supported")
        return _v("array", element=inner)
    if k == "object":
        return _v("object", fields=tuple(ir.ObjectField(name, rec(s)) for name, s in z.shape))
    if k == "union":
        return _v("union", members=tuple(rec(o) for o in z.options))
    if k == "never":
        return _v("union")
    if k == "tuple":
        items = list(z.options) + ([z.rest] if z.rest is not None else [])
        return _v("array", element=_v("union", members=tuple(rec(i) for i in items)))
    if k == "literal":
        if len(z.literals) == 1:
            return _literal(z.literals[0])
        return _v("union", members=tuple(_literal(x) for x in z.literals))
    if k == "enum":
        return _v("union", members=tuple(_literal(x) for x in z.literals))
    if k == "optional":
        return rec(z.inner).as_optional(True)
    if k == "nonoptional":
        return rec(z.inner).as_optional(False)
    if k == "nullable":
        inner = rec(z.inner)
        if inner.optional:
            return _v("union", members=(inner.as_optional(False), _v("null")), optional=True)
        return _v("union", members=(inner, _v("null")))
    if k == "record":
        key = rec(z.key) if z.key is not None else _v("string")
        val = rec(z.value)
        strings = _string_literals(key)
        if strings is not None:
            partial = z.key is None or z.key.kind not in ("literal", "enum", "union")
            fv = val.as_optional(True) if (partial or val.optional) else val.as_optional(False)
            return _v("object", fields=tuple(ir.ObjectField(s, fv) for s in strings))
        return _v("record", key=key if _valid_record_key(key) else _v("string"), value=val.as_optional(False))
    if k in ("readonly", "catch", "lazy"):
        return rec(z.inner) if z.inner is not None else _v("any")
    if k in ("date", "symbol", "map", "set", "promise", "file", "function", "void", "undefined"):
        raise ValueError(f"Validator Zod{k[0].upper()}{k[1:]} is not supported in Convex")
    return _v("any")


def _string_literals(v: ir.Validator) -> list[str] | None:
    if v.kind == "literal" and v.literal is not None and v.literal.kind == "string":
        return [str(v.literal.value)]
    if v.kind == "union" and v.members:
        out: list[str] = []
        for m in v.members:
            sub = _string_literals(m)
            if sub is None:
                return None
            out.extend(sub)
        return out
    return None


def _valid_record_key(v: ir.Validator) -> bool:
    if v.kind in ("string", "id"):
        return True
    return v.kind == "union" and all(_valid_record_key(m) for m in v.members)
