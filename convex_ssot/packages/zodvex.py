"""The npm package ``zodvex`` (0.3.2): zod 4 schemas as Convex tables and functions.

zodvex converts zod schemas to Convex validators with its own ``zodToConvex``
(``src/mapping/core.ts``), which differs from convex-helpers' (``zod.py``) in these ways:

* ``z.date()`` → ``v.float64()``; ``z.undefined()``, ``z.void()``, ``z.never()``,
  intersections, transforms and pipes (``.transform()``), ``z.templateLiteral``,
  ``.catch()``, ``.readonly()``, ``.nonoptional()``, ``z.custom()`` (also convex-helpers'
  ``zid``), symbols, maps, sets, promises, functions → ``v.any()`` (nothing throws);
* ``z.literal(null)`` → ``v.any()``; a literal with several values throws (zod's
  ``.value`` getter); an enum with one value is that literal; a union with one option is
  that option, with none ``v.any()`` (``handlers/union.ts``, ``handlers/enum.ts``); a
  discriminated union is a union (its zod 4 ``def.type`` is ``"union"``, so the
  ``discriminatedUnion`` case of ``core.ts`` is never reached);
* ``z.tuple([a, b])`` → ``v.object({_0: a, _1: b})`` (rest ignored);
* ``z.record(k, x)`` → ``v.record(v.string(), x)`` whatever ``k`` is; an optional (or
  defaulted) ``x`` becomes ``v.union(x, v.null())`` (``handlers/record.ts``);
* ``x.default(d)`` and ``x.optional()`` → ``v.optional(x)``; the unwrapping order is
  default, then optional, then default again (``core.ts``); ``nullable(optional(x))`` →
  ``v.optional(v.union(x, v.null()))`` (``handlers/nullable.ts``), as in convex-helpers;
* ``zid(table)`` (``src/ids.ts``) is a ``z.string()`` marked in a registry keyed by the
  instance: ``.optional()``/``.nullable()`` wrap it and keep it an id, but a refining
  method (``.describe()``, ``.min()`` …) returns a clone and so a plain ``v.string()``;
* a schema instance met a second time within one conversion becomes ``v.any()`` (the
  ``visited`` set of ``zodToConvexInternal``: object fields, array elements, record values,
  nullable inners and lazy targets share it; union branches get a copy; a top-level field of
  ``zodToConvexFields`` starts a fresh one). So ``z.object({a: s, b: s})`` gives ``b: any``.

Tables (``src/tables.ts``): ``zodTable(name, shape)`` is convex-helpers' ``Table(name,
zodToConvexFields(shape))`` plus ``shape``, ``zDoc`` (``zodDoc``) and ``docArray``; with a
zod schema instead of a shape it is ``{table: defineTable(zodToConvex(schema)), tableName,
validator, schema, docArray}``.

Functions: ``zQueryBuilder(query)`` & co. (``src/builders.ts`` → ``src/wrappers.ts``) register
``args`` as ``zodToConvexFields`` of the args shape (``{}`` when absent; a non-object schema
becomes ``{value: …}``) and ``returns`` as ``zodToConvex(returns)`` unless the schema
contains a ``z.custom`` (``containsCustom``). ``zCustomQueryBuilder(query, customization)``
& co. (``src/custom.ts`` ``customFnBuilder``) register ``{...zodToConvexFields(args),
...customization.args}`` (only ``customization.args`` with ``skipConvexValidation``, or when
the function has no args), and ``zodToConvex(returns)`` (a plain returns object is wrapped in
``z.object``) unless ``skipConvexValidation``. Kind and visibility are the wrapped Convex
builder's.
"""

from __future__ import annotations

from ..dataclass_cache import dataclass

from .. import ir
from ..interp.packages import PackageModel
from ..interp.values import VArr, VBool, VBuiltin, VFunction, VNull, VObj, VStr, VUndefined, VUnknown, Value
from ..parse import ast
from .convex_helpers import call_helpers, function_checks_auth
from .convex_server import VBuilder, VTable
from .convex_values import VVal, fields_of
from .validator_ir import id_, object_fields
from .zod import VZod, ZodSchema
from .zodvex_convert import contains_custom, fields_to_convex, shape_of, to_convex, value_to_convex, with_system_fields, zid, zod_object

__all__ = ["PACKAGE", "SPECIFIERS", "exports", "call", "to_convex", "fields_to_convex", "contains_custom", "ZodvexBuilder"]

#: The package and version modelled (named in docs and diagnostics).
PACKAGE = "zodvex@0.3.2"
SPECIFIERS = frozenset({"zodvex"})

_ANY = ir.Validator("any")


class _Exports(dict):
    """Every name imported from zodvex is a :class:`VBuiltin` ``zodvex.<name>``; names the
    model does not know are reported when called (:func:`call`), never dropped silently."""

    def get(self, key, default=None):  # noqa: D102 - dict API
        return VBuiltin("zodvex." + key)


class ZodvexModel(PackageModel):
    """``zodvex``."""

    builtin_prefixes = ("zodvex.",)

    def modelled_version(self, specifier: str):
        return tuple(PACKAGE.split("@")) if specifier in SPECIFIERS else None  # type: ignore[return-value]

    def exports(self, ev, mod, specifier: str):
        return exports() if specifier in SPECIFIERS else None

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        return call(ev, mod, name[7:], args, node)


def exports() -> dict[str, Value]:
    """The exports of ``zodvex`` for ``_library_exports`` (the runtime exports of
    ``dist/index.js``, line 1101, all functions)."""
    return _Exports({name: VBuiltin("zodvex." + name) for name in _CALLS})


def _raw_source(ev, mod, node: ast.Node | None, val: Value, depth: int = 0):
    """``(module, object literal)`` where the plain object ``val`` was written, following a
    name to its declaration (also across imports), so field source texts come from the right
    file; None when that cannot be told."""
    if node is None or depth > 8 or not isinstance(val, VObj):
        return None
    if isinstance(node, ast.Obj):
        return (mod, node) if val.node is node else None
    if isinstance(node, ast.Ident):
        d = mod.decls.get(node.name)
        if d is not None and d.init is not None:
            return _raw_source(ev, mod, d.init, val, depth + 1)
        imp = mod.imports.get(node.name)
        if imp is not None and imp[1] not in ("*", "default"):
            target = ev.load(mod, imp[0])
            local = target.exports.get(imp[1]) if target is not None else None
            if local is not None:
                return _raw_source(ev, target, ast.Ident(node.span, local), val, depth + 1)
    return None


def _raws(ev, mod, node: ast.Node | None, val: Value) -> dict[str, str]:
    src = _raw_source(ev, mod, node, val)
    if src is None:
        return {}
    owner, _ = src
    return {k: owner.raw(n.span) for k, n in val.nodes.items()}  # type: ignore[union-attr]


def _resolved_fields(mod, node: ast.Node, what: str, conv: dict[str, ir.Validator | VUnknown], raws: dict[str, str]) -> dict[str, ir.Validator]:
    """Converted fields with their source text; unresolved ones become ``v.any()`` and a
    CSX200 diagnostic at ``node``."""
    out: dict[str, ir.Validator] = {}
    for k, v in conv.items():
        if isinstance(v, VUnknown):
            mod.diag(node.span[0], "CSX200", f"{what}: field `{k}` not resolved ({v.reason}); recorded as v.any()")
            v = _ANY
        out[k] = v.with_raw(raws.get(k, ""))
    return out


def _arg(ev, mod, args: list[ast.Node], i: int) -> Value:
    if i >= len(args) or isinstance(args[i], ast.Spread):
        return VUndefined()
    return ev.eval(mod, args[i])


def _fail(mod, node: ast.Node, name: str, reason: str) -> VUnknown:
    mod.diag(node.span[0], "CSX203", f"{name}() from {PACKAGE}: {reason}; what is built from it is missing from the contract")
    return VUnknown(f"{name}(): {reason}")


# ---------------------------------------------------------------- exports


def _zid(ev, mod, args, node) -> Value:
    t = _arg(ev, mod, args, 0)
    if not isinstance(t, VStr):
        return _fail(mod, node, "zid", "the table name is not a string literal")
    return VZod(zid(t.value))


def _zod_to_convex(ev, mod, args, node) -> Value:
    """``zodToConvex(x)``: a plain object gives a fields map (``zodToConvexFields``)."""
    val = _arg(ev, mod, args, 0)
    if isinstance(val, VObj):
        return _zod_to_convex_fields(ev, mod, args, node)
    v = value_to_convex(val)
    if isinstance(v, VUnknown):
        return _fail(mod, node, "zodToConvex", f"schema not resolved ({v.reason})")
    return VVal(v.with_raw(mod.raw(node.span)))


def _zod_to_convex_fields(ev, mod, args, node) -> Value:
    val = _arg(ev, mod, args, 0)
    entries = shape_of(val)
    if entries is None:
        return _fail(mod, node, "zodToConvexFields", "the shape is not resolved")
    fields = _resolved_fields(mod, node, "zodToConvexFields()", fields_to_convex(entries), _raws(ev, mod, args[0] if args else None, val))
    return VObj({k: VVal(v) for k, v in fields.items()})


def _zod_table(ev, mod, args, node) -> Value:
    """``zodTable(name, shapeOrSchema)`` (src/tables.ts)."""
    name = _arg(ev, mod, args, 0)
    val = _arg(ev, mod, args, 1)
    if not isinstance(name, VStr):
        return _fail(mod, node, "zodTable", "the table name is not a string literal")
    if isinstance(val, VObj):  # isObjectShape: a plain object (of zod schemas)
        fields = _resolved_fields(mod, node, f"zodTable('{name.value}')", fields_to_convex(val.entries), _raws(ev, mod, args[1], val))
        doc = ir.Validator("object", fields=object_fields(fields))
        sys_fields: dict[str, Value] = {"_id": VVal(id_(name.value)), "_creationTime": VVal(ir.Validator("float64"))}
        with_sys: dict[str, Value] = {**{k: VVal(v) for k, v in fields.items()}, **sys_fields}
        z_obj = zod_object(val.entries)
        z_doc: Value = VZod(with_system_fields(name.value, z_obj)) if isinstance(z_obj, ZodSchema) else z_obj
        return VObj(
            {
                # convex-helpers Table (server.ts): name, table, doc, withoutSystemFields,
                # withSystemFields, systemFields, _id; then zodvex's shape, zDoc, docArray.
                "name": name,
                "table": VTable(doc, (), span=node.span, module=mod),
                "doc": VVal(ir.Validator("object", fields=object_fields({k: x.v for k, x in with_sys.items()}))),  # type: ignore[union-attr]
                "withoutSystemFields": VObj({k: VVal(v) for k, v in fields.items()}),
                "withSystemFields": VObj(with_sys),
                "systemFields": VObj(sys_fields),
                "_id": VVal(id_(name.value)),
                "shape": val,
                "zDoc": z_doc,
                "docArray": VZod(ZodSchema("array", inner=z_doc.schema)) if isinstance(z_doc, VZod) else z_doc,
            }
        )
    if isinstance(val, VZod):
        v = value_to_convex(val)
        if isinstance(v, VUnknown):
            return _fail(mod, node, "zodTable", f"schema not resolved ({v.reason})")
        v = v.with_raw(mod.raw(args[1].span))
        with_sys_schema = with_system_fields(name.value, val.schema)
        return VObj(
            {
                "table": VTable(v, (), span=node.span, module=mod),
                "tableName": name,
                "validator": VVal(v),
                "schema": val,
                "docArray": VZod(ZodSchema("array", inner=with_sys_schema)),
            }
        )
    reason = val.reason if isinstance(val, VUnknown) else "not a shape or a zod schema"
    return _fail(mod, node, "zodTable", f"argument not resolved ({reason})")


def _zod_doc(ev, mod, args, node) -> Value:
    name, val = _arg(ev, mod, args, 0), _arg(ev, mod, args, 1)
    if not isinstance(name, VStr) or not isinstance(val, VZod) or val.schema.kind != "object":
        return _fail(mod, node, "zodDoc", "arguments not resolved (a table name and a z.object)")
    return VZod(with_system_fields(name.value, val.schema))


def _zod_doc_or_null(ev, mod, args, node) -> Value:
    doc = _zod_doc(ev, mod, args, node)
    if not isinstance(doc, VZod):
        return doc
    return VZod(ZodSchema("union", options=(doc.schema, ZodSchema("null"))))


def _add_system_fields(ev, mod, args, node) -> Value:
    name, val = _arg(ev, mod, args, 0), _arg(ev, mod, args, 1)
    if not isinstance(name, VStr) or not isinstance(val, VZod):
        return _fail(mod, node, "addSystemFields", "arguments not resolved")
    return VZod(with_system_fields(name.value, val.schema))


def _z_paginated(ev, mod, args, node) -> Value:
    """``zPaginated(item)`` (src/utils.ts)."""
    item = _arg(ev, mod, args, 0)
    if not isinstance(item, VZod):
        return _fail(mod, node, "zPaginated", "the item schema is not resolved")
    cursor = ZodSchema("optional", inner=ZodSchema("nullable", inner=ZodSchema("string")))
    return VZod(ZodSchema("object", shape=(("page", ZodSchema("array", inner=item.schema)), ("isDone", ZodSchema("boolean")), ("continueCursor", cursor))))


def _pick_shape(ev, mod, args, node, name: str) -> Value:
    """``pickShape`` / ``safePick`` / ``safeOmit`` (src/utils.ts); ``pick(obj, keys)``."""
    val = _arg(ev, mod, args, 0)
    mask = _arg(ev, mod, args, 1)
    entries = shape_of(val)
    if isinstance(mask, VArr) and all(isinstance(k, VStr) for k in mask.items):
        keys = [k.value for k in mask.items]  # type: ignore[union-attr]
    elif isinstance(mask, VObj) and name != "pick":
        keys = [k for k, x in mask.entries.items() if not isinstance(x, (VBool, VNull, VUndefined)) or (isinstance(x, VBool) and x.value)]
    else:
        keys = None
    if entries is None or keys is None:
        return _fail(mod, node, name, "arguments not resolved")
    if name == "safeOmit":
        keys = [k for k in entries if k not in set(keys)]
    picked = {k: entries[k] for k in keys if k in entries}
    if name in ("pickShape", "pick"):
        return VObj(picked)
    z = zod_object(picked)
    return VZod(z) if isinstance(z, ZodSchema) else _fail(mod, node, name, z.reason)


def _get_object_shape(ev, mod, args, node) -> Value:
    val = _arg(ev, mod, args, 0)
    if isinstance(val, VZod):
        return VObj({k: VZod(s) for k, s in val.schema.shape} if val.schema.kind == "object" else {})
    return _fail(mod, node, "getObjectShape", "the schema is not resolved")


def _custom_ctx(ev, mod, args, node) -> Value:
    """``customCtx`` (re-exported from convex-helpers/server/customFunctions)."""
    return call_helpers(ev, mod, "customCtx", args, node)


# ---- function builders


@dataclass(frozen=True, slots=True)
class ZodvexBuilder:
    """How a zodvex builder registers a function (``VBuilder.model``).

    ``custom``: built by ``customFnBuilder`` (``zCustom*``), else by ``zQuery`` & co.;
    ``input_args``: the customization's ``args`` (Convex validators)."""

    custom: bool
    input_args: tuple[tuple[str, ir.Validator], ...] = ()

    def registration(self, ev, mod, reg, fid: str) -> tuple[ir.Validator | None, bool, ir.Validator | None, Value | None]:
        """``(args, args_is_map, returns, handler)`` of the function registered by calling the
        builder with ``reg.definition`` in ``mod``. Unresolved parts are recorded as
        ``v.any()`` with a CSX230 diagnostic."""
        d = reg.definition
        if d is None:
            return None, False, None, None
        if isinstance(d, ast.Function):
            dval: Value = VFunction(d, mod)
        else:
            dval = ev.eval(mod, d)
        if isinstance(dval, VFunction):
            # custom: `handler = fn` (no args, no returns); plain: `config.args ?? {}` and
            # `config.handler` is undefined, so the function itself is never the handler.
            return self._args(mod, d, fid, {}, None), True, None, dval if self.custom else None
        if not isinstance(dval, VObj):
            mod.diag(d.span[0], "CSX230", f"{fid}: function definition not understood; args and handler not read")
            return ir.Validator("any"), False, None, None
        handler = dval.entries.get("handler")
        a_val = dval.entries.get("args", VUndefined())
        a_node = dval.nodes.get("args")
        r_val = dval.entries.get("returns", VUndefined())
        r_node = dval.nodes.get("returns")
        skip = False
        if self.custom:
            s = dval.entries.get("skipConvexValidation", VUndefined())
            if isinstance(s, VUnknown):
                mod.diag(d.span[0], "CSX230", f"{fid}: skipConvexValidation not resolved; taken as false")
            skip = isinstance(s, VBool) and s.value
        args = self._fn_args(ev, mod, d, fid, a_val, a_node, skip)
        returns = None
        if not isinstance(r_val, (VUndefined, VNull)) and not skip:
            if isinstance(r_val, VObj):  # a plain object: z.object(...) (custom) / fields (plain)
                conv = fields_to_convex(r_val.entries) if not self.custom else None
                if conv is None:
                    zo = zod_object(r_val.entries)
                    rv = to_convex(zo) if isinstance(zo, ZodSchema) else zo
                else:
                    f = _resolved_fields(mod, r_node or d, f"{fid} returns", conv, _raws(ev, mod, r_node, r_val))
                    rv = ir.Validator("object", fields=object_fields(f))
            elif isinstance(r_val, VZod) and not self.custom and contains_custom(r_val.schema):
                rv = None  # zQuery & co. skip a returns schema containing z.custom
            else:
                rv = value_to_convex(r_val)
            if isinstance(rv, VUnknown):
                mod.diag((r_node or d).span[0], "CSX230", f"{fid}: returns not resolved ({rv.reason}); recorded as v.any()")
                rv = ir.Validator("any")
            if rv is not None:
                returns = rv.with_raw(mod.raw(r_node.span) if r_node is not None else "")
        return args, True, returns, handler

    def _fn_args(self, ev, mod, d, fid, a_val: Value, a_node, skip: bool) -> ir.Validator:
        empty = isinstance(a_val, (VUndefined, VNull)) or (isinstance(a_val, VBool) and not a_val.value)
        if empty:  # plain: `config.args ?? {}`; custom: `if (args)` is false
            return self._args(mod, d, fid, {}, None)
        if isinstance(a_val, VZod) and a_val.schema.kind == "object":
            conv = fields_to_convex({k: VZod(s) for k, s in a_val.schema.shape})
            raws: dict[str, str] = {}
        elif isinstance(a_val, VZod):
            if self.custom:
                mod.diag((a_node or d).span[0], "CSX230", f"{fid}: zodvex throws for args that are not a z.object (the module fails to load); recorded as v.any()")
                return ir.Validator("any")
            conv = {"value": value_to_convex(a_val)}
            raws = {"value": mod.raw(a_node.span) if a_node is not None else ""}
        elif isinstance(a_val, VObj):
            conv = fields_to_convex(a_val.entries)
            raws = _raws(ev, mod, a_node, a_val)
            for reason, m in a_val.spread_unknown:
                mod.diag(m.span[0], "CSX201", f"{fid}: args spread not resolved ({reason}); its fields are missing from the contract")
        else:
            reason = a_val.reason if isinstance(a_val, VUnknown) else "not a zod shape or schema"
            mod.diag((a_node or d).span[0], "CSX230", f"{fid}: args not resolved ({reason}); recorded as v.any()")
            return ir.Validator("any", raw=mod.raw(a_node.span) if a_node is not None else "")
        fields = _resolved_fields(mod, a_node or d, f"{fid} args", conv, raws)
        if skip:
            fields = {}
        return self._args(mod, d, fid, fields, a_node)

    def _args(self, mod, d, fid, fields: dict[str, ir.Validator], a_node) -> ir.Validator:
        merged = dict(fields)
        merged.update(dict(self.input_args))  # {...zodToConvexFields(args), ...inputArgs}
        return ir.Validator("object", fields=object_fields(merged), raw=mod.raw(a_node.span) if a_node is not None else "")


def _builder(custom: bool, who: str):
    def make(ev, mod, args, node) -> Value:
        base = _arg(ev, mod, args, 0)
        if not isinstance(base, VBuilder) or base.model is not None or base.zod or base.kind == "httpAction":
            reason = base.reason if isinstance(base, VUnknown) else "not a Convex query/mutation/action builder the tool models"
            return _fail(mod, node, who, f"the wrapped builder is not resolved ({reason})")
        input_args: dict[str, ir.Validator] = {}
        auth = base.auth
        if custom:
            cust = _arg(ev, mod, args, 1)
            if not isinstance(cust, VObj):
                return _fail(mod, node, who, "the customization is not resolved")
            a = cust.entries.get("args", VObj({}))
            if not isinstance(a, VObj):
                return _fail(mod, node, who, "the customization's args are not resolved")
            f = fields_of(ev, mod, a)
            if isinstance(f, VUnknown):
                return _fail(mod, node, who, f"the customization's args are not resolved ({f.reason})")
            input_args = f
            inp = cust.entries.get("input")
            if isinstance(inp, VFunction) and function_checks_auth(inp):
                auth = "custom-builder"
        return VBuilder(
            base.kind,
            base.visibility,
            base.canonical,
            (who,) + base.chain,
            base.custom_args,
            auth,
            model=ZodvexBuilder(custom, tuple(input_args.items())),
        )

    return make


_CALLS = {
    "zid": _zid,
    "zodToConvex": _zod_to_convex,
    "zodToConvexFields": _zod_to_convex_fields,
    "zodTable": _zod_table,
    "zodDoc": _zod_doc,
    "zodDocOrNull": _zod_doc_or_null,
    "addSystemFields": _add_system_fields,
    "zPaginated": _z_paginated,
    "pick": lambda ev, mod, args, node: _pick_shape(ev, mod, args, node, "pick"),
    "pickShape": lambda ev, mod, args, node: _pick_shape(ev, mod, args, node, "pickShape"),
    "safePick": lambda ev, mod, args, node: _pick_shape(ev, mod, args, node, "safePick"),
    "safeOmit": lambda ev, mod, args, node: _pick_shape(ev, mod, args, node, "safeOmit"),
    "getObjectShape": _get_object_shape,
    "customCtx": _custom_ctx,
    "zQueryBuilder": _builder(False, "zQueryBuilder"),
    "zMutationBuilder": _builder(False, "zMutationBuilder"),
    "zActionBuilder": _builder(False, "zActionBuilder"),
    "zCustomQueryBuilder": _builder(True, "zCustomQueryBuilder"),
    "zCustomMutationBuilder": _builder(True, "zCustomMutationBuilder"),
    "zCustomActionBuilder": _builder(True, "zCustomActionBuilder"),
    "zCustomQuery": _builder(True, "zCustomQuery"),
    "zCustomMutation": _builder(True, "zCustomMutation"),
    "zCustomAction": _builder(True, "zCustomAction"),
    "customFnBuilder": _builder(True, "customFnBuilder"),
}


def call(ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
    """The value of calling zodvex's export ``name``; an export the model does not know gives
    a CSX203 diagnostic and an unknown value."""
    fn = _CALLS.get(name)
    if fn is None:
        return _fail(mod, node, name, "this export is not modelled")
    return fn(ev, mod, args, node)
