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

The other direction, ``convexToZod`` / ``convexToZodFields`` (Convex validator → zod schema),
is :func:`from_convex`.
"""

from __future__ import annotations

from dataclasses import field, replace
from ..dataclass_cache import dataclass

from .. import ir
from ..interp.packages import PackageModel
from ..interp.values import ModelValue, VArr, VBuiltin, VMethod, VNull, VObj, VStr, VUndefined, VUnknown, Value
from ..parse import ast
from .validator_ir import literal_value

__all__ = ["ZodSchema", "to_convex", "from_convex", "ZOD_PACKAGES", "KEEPS_TYPE", "refined", "VZod", "ZodModel", "zod_arg"]

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


def from_convex(v: ir.Validator, _depth: int = 0) -> ZodSchema:
    """The zod schema convex-helpers makes from a Convex validator (``convexToZod``,
    server/zod4.ts 0.1.124, zod4.js:435-515): id → ``zid(table)``, string, float64 →
    number, int64 → bigint, boolean, null, any, array, object (each field converted),
    union (no member → never, one member → that member), literal, record; an optional
    validator → ``z.optional(…)``. Raises ValueError for what it rejects (bytes, commitTs
    is not modelled)."""
    if _depth > 64:
        return ZodSchema("any")
    rec = lambda x: from_convex(x, _depth + 1)  # noqa: E731
    k = v.kind
    simple = {"string": "string", "float64": "number", "int64": "bigint", "boolean": "boolean", "null": "null", "any": "any"}
    if k in simple:
        z = ZodSchema(simple[k])
    elif k == "id":
        z = ZodSchema("zid", table=v.table)
    elif k == "array" and v.element is not None:
        z = ZodSchema("array", inner=rec(v.element))
    elif k == "object":
        z = ZodSchema("object", shape=tuple((f.name, rec(f.validator)) for f in v.fields))
    elif k == "union":
        z = ZodSchema("never") if not v.members else rec(v.members[0]) if len(v.members) == 1 else ZodSchema("union", options=tuple(rec(m) for m in v.members))
    elif k == "literal" and v.literal is not None:
        z = ZodSchema("literal", literals=(v.literal,))
    elif k == "record" and v.key is not None and v.value is not None:
        z = ZodSchema("record", key=rec(v.key), value=rec(v.value))
    else:
        raise ValueError(f"v.{k}() is not supported by convexToZod" if k == "bytes" else f"convexToZod of a `{k}` validator is not modelled")
    return ZodSchema("optional", inner=z) if v.optional else z


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


@dataclass(slots=True)
class VZod(ModelValue):
    """A zod schema (a :class:`ZodSchema`)."""

    schema: object

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        z = self.schema
        if prop == "shape" and z.kind == "object":
            return VObj({k: VZod(x) for k, x in z.shape})
        if prop in ("element",) and z.kind == "array":
            return VZod(z.inner)
        if prop in ("options",) and z.kind == "union":
            return VArr([VZod(o) for o in z.options])
        return VMethod(self, prop)

    def call_method(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
        """A zod method (``.optional()``, ``.extend({...})``, refinements …)."""
        z = self.schema
        if name in KEEPS_TYPE:
            return VZod(refined(z, name))
        if name in ("optional", "nullable", "readonly", "nonoptional"):
            return VZod(ZodSchema(name, inner=z))
        if name == "nullish":
            return VZod(ZodSchema("optional", inner=ZodSchema("nullable", inner=z)))
        if name in ("default", "prefault"):
            return VZod(ZodSchema("default", inner=z))
        if name == "catch":
            return VZod(ZodSchema("catch", inner=z))
        if name == "array":
            return VZod(ZodSchema("array", inner=z))
        if name == "or":
            other = zod_arg(ev, mod, args, 0)
            return VZod(ZodSchema("union", options=(z, other))) if other is not None else VUnknown(".or(): not resolved")
        if name == "and":
            return VZod(ZodSchema("intersection"))
        if name == "transform":
            return VZod(ZodSchema("pipe", inner=z, out=ZodSchema("transform")))
        if name == "pipe":
            other = zod_arg(ev, mod, args, 0)
            return VZod(ZodSchema("pipe", inner=z, out=other)) if other is not None else VUnknown(".pipe(): not resolved")
        if z.kind == "object" and name in ("extend", "merge", "safeExtend"):
            val = ev.eval(mod, args[0]) if args else VObj({})
            add: list[tuple[str, ZodSchema]] = []
            if isinstance(val, VZod) and val.schema.kind == "object":
                add = list(val.schema.shape)
            elif isinstance(val, VObj) and not val.spread_unknown and all(isinstance(x, VZod) for x in val.entries.values()):
                add = [(k, x.schema) for k, x in val.entries.items()]  # type: ignore[union-attr]
            else:
                return VUnknown(f".{name}(): not resolved")
            merged = dict(z.shape)
            merged.update(add)
            return VZod(ZodSchema("object", shape=tuple(merged.items())))
        if z.kind == "object" and name in ("pick", "omit"):
            val = ev.eval(mod, args[0]) if args else VObj({})
            if not isinstance(val, VObj) or val.spread_unknown:
                return VUnknown(f".{name}(): keys not resolved")
            keys = set(val.entries)
            shape = [(k, x) for k, x in z.shape if (k in keys) == (name == "pick")]
            return VZod(ZodSchema("object", shape=tuple(shape)))
        if z.kind == "object" and name in ("partial", "required"):
            # zod 3 ZodObject.partial(mask) / zod 4 util.partial: with a mask, only the keys
            # whose mask value is truthy change (zod 4 throws on a key not in the shape).
            kind = "optional" if name == "partial" else "nonoptional"
            keys = _mask_keys(ev, mod, args[0], z) if args else None
            if isinstance(keys, VUnknown):
                return keys
            return VZod(ZodSchema("object", shape=tuple((k, ZodSchema(kind, inner=x) if keys is None or k in keys else x) for k, x in z.shape)))
        if z.kind == "object" and name in ("strict", "passthrough", "strip", "loose", "catchall"):
            return VZod(z)
        if z.kind == "enum" and name in ("exclude", "extract"):
            # zod 4 ZodEnum.exclude/extract (classic schemas.ts): a new enum over the entries
            # left (in the enum's order) / named (in the order given); zod throws on a value
            # the enum lacks
            arr = ev.eval(mod, args[0]) if args else VUnknown("no values")
            if not isinstance(arr, VArr) or not all(isinstance(x, VStr) for x in arr.items) or not all(
                lit is not None and lit.kind == "string" for lit in z.literals
            ):
                return VUnknown(f"zod .{name}(): values not resolved")
            named = [x.value for x in arr.items]  # type: ignore[union-attr]
            by_value = {str(lit.value): lit for lit in z.literals if lit is not None}
            if any(v not in by_value for v in named):
                return VUnknown(f"zod .{name}(): a value the enum does not have (zod throws)")
            if name == "exclude":  # a copy of the entries with those deleted: the enum's order
                keep = [lit for v, lit in by_value.items() if v not in named]
            else:  # entries added in the order of the values given
                keep = [by_value[v] for v in dict.fromkeys(named)]
            return VZod(ZodSchema("enum", literals=tuple(keep)))
        return VUnknown(f"zod .{name}() is not modelled")


def _mask_keys(ev, mod, node: ast.Node, z) -> set[str] | VUnknown | None:
    """The keys a ``.partial(mask)``/``.required(mask)`` mask selects (truthy values)."""
    from ..interp.operators import own_keys, truthy

    mask = ev.eval(mod, node)
    if isinstance(mask, VUndefined):
        return None  # type: ignore[return-value]  # no mask: every key
    keys = own_keys(mask)
    if keys is None:
        return VUnknown("zod .partial()/.required() mask not resolved")
    assert isinstance(mask, VObj)
    out = set()
    for k in keys:
        b = truthy(mask.entries[k])
        if b is None:
            return VUnknown(f"zod mask value of `{k}` not resolved")
        if b:
            out.add(k)
    return out


class ZodModel(PackageModel):
    """zod 3 and 4 (``zod``, ``zod/v4``, ``zod/v3``, ``zod/v4/core``): ``z`` and its builders."""

    builtin_names = frozenset({"z"})
    builtin_prefixes = ("z.",)

    def exports(self, ev, mod, specifier: str):
        if specifier in ZOD_PACKAGES:
            return {"z": VBuiltin("z"), "zod": VBuiltin("z"), "default": VBuiltin("z")}
        return None

    def namespace(self, specifier: str, exports) -> Value:
        return VBuiltin("z")

    def member(self, ev, mod, base: VBuiltin, prop: str) -> Value:
        if base.name == "z":
            if prop in ("coerce", "z"):
                return base
            return VBuiltin("z." + prop)
        if base.name == "z.iso":  # z.iso.datetime() … (zod 4 string formats)
            return VBuiltin("z.iso." + prop)
        return super().member(ev, mod, base, prop)

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        """``z.*`` builders."""
        b = name[2:]
        simple = {"string": "string", "number": "number", "nan": "nan", "bigint": "bigint", "boolean": "boolean",
                  "null": "null", "any": "any", "unknown": "unknown", "never": "never", "date": "date",
                  "undefined": "undefined", "void": "void", "symbol": "symbol", "templateLiteral": "templateLiteral",
                  "email": "string", "url": "string", "uuid": "string", "iso": "string", "int": "number",
                  "int32": "number", "float32": "number", "float64": "number", "custom": "custom", "instanceof": "custom",
                  "iso.datetime": "string", "iso.date": "string", "iso.time": "string", "iso.duration": "string"}
        if b in simple:
            return VZod(ZodSchema(simple[b]))
        if b == "array":
            inner = zod_arg(ev, mod, args, 0)
            return VZod(ZodSchema("array", inner=inner)) if inner is not None else VUnknown("z.array(): element not resolved")
        if b in ("object", "strictObject", "looseObject"):
            val = ev.eval(mod, args[0]) if args else VObj({})
            if not isinstance(val, VObj):
                return VUnknown("z.object(): shape not resolved")
            if val.spread_unknown:  # a shape missing the spread's keys would be a wrong schema
                return VUnknown(f"z.object(): shape spread not resolved ({val.spread_unknown[0][0]})")
            shape = []
            for k, x in val.entries.items():
                if not isinstance(x, VZod):
                    return VUnknown(f"z.object(): field `{k}` is not a zod schema the tool resolves")
                shape.append((k, x.schema))
            return VZod(ZodSchema("object", shape=tuple(shape)))
        if b in ("union", "discriminatedUnion"):
            arr = ev.eval(mod, args[1 if b == "discriminatedUnion" else 0]) if args else VUnknown("no options")
            if not isinstance(arr, VArr) or not all(isinstance(x, VZod) for x in arr.items):
                return VUnknown(f"z.{b}(): options not resolved")
            return VZod(ZodSchema("union", options=tuple(x.schema for x in arr.items)))  # type: ignore[union-attr]
        if b == "tuple":
            arr = ev.eval(mod, args[0]) if args else VUnknown("no items")
            rest = zod_arg(ev, mod, args, 1)
            if not isinstance(arr, VArr) or not all(isinstance(x, VZod) for x in arr.items):
                return VUnknown("z.tuple(): items not resolved")
            return VZod(ZodSchema("tuple", options=tuple(x.schema for x in arr.items), rest=rest))  # type: ignore[union-attr]
        if b in ("literal", "enum"):
            val = ev.eval(mod, args[0]) if args else VUnknown("no value")
            items = val.items if isinstance(val, VArr) else [val]
            if b == "enum" and isinstance(val, VObj):
                items = list(val.entries.values())
            lits: list[ir.LiteralValue | None] = []
            for it in items:
                if isinstance(it, VNull):
                    lits.append(None)
                    continue
                lv = literal_value(it)
                if lv is None:
                    return VUnknown(f"z.{b}(): value not resolved")
                lits.append(lv)
            return VZod(ZodSchema(b if b == "enum" or len(lits) != 1 else "literal", literals=tuple(lits)))
        if b in ("optional", "nullable", "readonly", "lazy"):
            inner = zod_arg(ev, mod, args, 0)
            return VZod(ZodSchema(b, inner=inner)) if inner is not None else VUnknown(f"z.{b}(): inner schema not resolved")
        if b == "record":
            if len(args) >= 2:
                key, value = zod_arg(ev, mod, args, 0), zod_arg(ev, mod, args, 1)
            else:
                key, value = None, zod_arg(ev, mod, args, 0)
            return VZod(ZodSchema("record", key=key, value=value)) if value is not None else VUnknown("z.record(): value not resolved")
        if b in ("intersection",):
            return VZod(ZodSchema("intersection"))
        if b == "codec":  # zod 4: z.codec(in, out, …) is a ZodPipe (classic/schemas.ts ZodCodec)
            a, c = zod_arg(ev, mod, args, 0), zod_arg(ev, mod, args, 1)
            return VZod(ZodSchema("pipe", inner=a, out=c)) if a is not None and c is not None else VUnknown("z.codec(): schemas not resolved")
        return VUnknown(f"z.{b}() is not modelled")


def zod_arg(ev, mod, args: list[ast.Node], i: int) -> ZodSchema | None:
    """Argument ``i`` as a zod schema, or None."""
    if i >= len(args):
        return None
    val = ev.eval(mod, args[i])
    return val.schema if isinstance(val, VZod) else None
