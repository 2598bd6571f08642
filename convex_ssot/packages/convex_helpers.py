"""convex-helpers (0.1.124): ``validators.ts``, ``index.ts``, ``server.ts``,
``server/customFunctions.ts``, ``server/sessions.ts`` and the zod integration
(``server/zod*.ts``: ``zCustomQuery`` & co., ``zid``, ``zodToConvex(Fields)``,
``zodOutputToConvex(Fields)``). The server helpers that register functions
(``migrations``, ``retries``, ``crud``) are :mod:`.helpers_server`.
"""

from __future__ import annotations

from .. import ir
from ..interp.packages import PackageModel
from ..interp.values import VArr, VBuiltin, VFunction, VMethod, VObj, VStr, VUnknown, Value
from ..parse import ast
from .convex_server import VBuilder, VSchema, VTable, schema_doc
from .convex_values import V_BUILDERS, VVal, arg_validator, fields_of, nested_validator, to_validator
from .validator_ir import f, id_, literal_value, object_fields, partial
from .zod import VZod, ZodSchema, from_convex

__all__ = ["HelpersModel", "call_helpers", "custom_builder", "function_checks_auth", "map_val"]

_SPECIFIERS = frozenset({
    "convex-helpers/validators", "convex-helpers", "convex-helpers/server", "convex-helpers/server/zod",
    "convex-helpers/server/zod3", "convex-helpers/server/zod4", "convex-helpers/server/sessions",
    "convex-helpers/server/customFunctions",
})


class HelpersModel(PackageModel):
    """convex-helpers' validators, custom function builders and zod integration."""

    builtin_prefixes = ("ch.", "zod.")

    def modelled_version(self, specifier: str):
        return ("convex-helpers", "0.1.124") if specifier in _SPECIFIERS else None

    def exports(self, ev, mod, specifier: str):
        if specifier not in _SPECIFIERS:
            return None
        if specifier == "convex-helpers/validators":
            out_ch: dict[str, Value] = {
                # `deprecated` is a validator value, v.optional(v.any()), not a function.
                "deprecated": VVal(ir.Validator("any", optional=True, raw="deprecated")),
            }
            out_ch.update({
                name: VBuiltin("ch." + name)
                for name in (
                    "literals",
                    "nullable",
                    "partial",
                    "brandedString",
                    "systemFields",
                    "withSystemFields",
                    "pretend",
                    "pretendRequired",
                    "vRequired",
                    "doc",
                    "typedV",
                )
            })
            return out_ch
        if specifier == "convex-helpers":
            return {"pick": VBuiltin("ch.pick"), "omit": VBuiltin("ch.omit")}
        if specifier == "convex-helpers/server":
            return {"Table": VBuiltin("ch.Table")}
        if specifier in ("convex-helpers/server/zod", "convex-helpers/server/zod3", "convex-helpers/server/zod4"):
            return {
                "zCustomQuery": VBuiltin("ch.zCustomQuery"),
                "zCustomMutation": VBuiltin("ch.zCustomMutation"),
                "zCustomAction": VBuiltin("ch.zCustomAction"),
                "zid": VBuiltin("zod.zid"),
                "zodToConvex": VBuiltin("zod.toConvex"),
                "zodOutputToConvex": VBuiltin("zod.outputToConvex"),
                "zodToConvexFields": VBuiltin("zod.toConvexFields"),
                "convexToZod": VBuiltin("zod.fromConvex"),
                "convexToZodFields": VBuiltin("zod.fromConvexFields"),
                "zodOutputToConvexFields": VBuiltin("zod.outputToConvexFields"),
                "customCtx": VBuiltin("ch.customCtx"),
                "NoOp": VObj({}),
            }
        if specifier == "convex-helpers/server/sessions":
            # sessions.ts:69-70: vSessionId = v.string(); SessionIdArg = { sessionId: vSessionId }
            return {
                "vSessionId": VVal(ir.Validator("string", raw="vSessionId")),
                "SessionIdArg": VObj({"sessionId": VVal(ir.Validator("string", raw="vSessionId"))}),
            }
        if specifier == "convex-helpers/server/customFunctions":
            return {
                "customQuery": VBuiltin("ch.customQuery"),
                "customMutation": VBuiltin("ch.customMutation"),
                "customAction": VBuiltin("ch.customAction"),
                "customCtx": VBuiltin("ch.customCtx"),
                "customCtxAndArgs": VBuiltin("ch.customCtxAndArgs"),
                "NoOp": VObj({}),
            }
        return None

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        if name.startswith("zod."):
            return _call_zod(ev, mod, name, args, node)
        return nested_validator(ev, mod, node, lambda: _call(ev, mod, name, args, node))


def _call(ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
    if name in ("ch.zCustomQuery", "ch.zCustomMutation", "ch.zCustomAction"):
        b = custom_builder(ev, mod, name[3:], args, node)
        if isinstance(b, VBuilder):
            b.zod = True
        return b
    return call_helpers(ev, mod, name[3:], args, node)


def _call_zod(ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
    """``zid`` and the zod-to-Convex converters (server/zod4.ts)."""
    if name == "zod.zid":
        t = ev.eval(mod, args[0]) if args else VUnknown("no table")
        return VZod(ZodSchema("zid", table=t.value)) if isinstance(t, VStr) else VUnknown("zid(): table name not a string")
    if name in ("zod.toConvex", "zod.outputToConvex"):
        val = ev.eval(mod, args[0]) if args else VUnknown("no schema")
        v = to_validator(ev, mod, val, args[0] if args else None, output=name == "zod.outputToConvex")
        return VVal(v.with_raw(mod.raw(node.span))) if isinstance(v, ir.Validator) else v
    if name == "zod.fromConvex":  # zod4.ts convexToZod
        val = ev.eval(mod, args[0]) if args else VUnknown("no validator")
        if not isinstance(val, VVal):
            return VUnknown("convexToZod(): validator not resolved")
        try:
            return VZod(from_convex(val.v))
        except ValueError as exc:
            return VUnknown(f"convexToZod(): {exc}")
    if name == "zod.fromConvexFields":  # zod4.ts convexToZodFields: Object.fromEntries over the entries
        val = ev.eval(mod, args[0]) if args else VUnknown("no fields")
        if not isinstance(val, VObj) or val.spread_unknown or not all(isinstance(x, VVal) for x in val.entries.values()):
            return VUnknown("convexToZodFields(): fields not resolved")
        try:
            return VObj({k: VZod(from_convex(x.v)) for k, x in val.entries.items()}, keys_known=val.keys_known)  # type: ignore[union-attr]
        except ValueError as exc:
            return VUnknown(f"convexToZodFields(): {exc}")
    if name in ("zod.toConvexFields", "zod.outputToConvexFields"):
        val = ev.eval(mod, args[0]) if args else VUnknown("no fields")
        if not isinstance(val, VObj) or val.spread_unknown:
            return VUnknown(f"{name}(): fields not resolved")
        out: dict[str, Value] = {}
        for k, x in val.entries.items():
            v = to_validator(ev, mod, x, val.nodes.get(k), output=name == "zod.outputToConvexFields")
            out[k] = VVal(v) if isinstance(v, ir.Validator) else v
        return VObj(out)
    return VUnknown(f"z.{name[2:]}() is not modelled")


def call_helpers(ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
    """convex-helpers 0.1.124: validators.ts, index.ts, server.ts, customFunctions.ts."""
    raw = mod.raw(node.span)
    if name == "literals":
        members = []
        values: list[tuple[Value, ast.Node]] = []
        for a in args:
            if isinstance(a, ast.Spread):
                inner = ev.eval(mod, a.expr)
                if isinstance(inner, VArr):
                    values.extend((x, a) for x in inner.items)
                    continue
                values.append((inner, a))
            else:
                values.append((ev.eval(mod, a), a))
        for val, a in values:
            lv = literal_value(val)
            if lv is None:
                mod.diag(a.span[0], "CSX200", "literals(): argument is not a literal; the union is recorded as v.any()")
                return VVal(ir.Validator("any", raw=raw))
            members.append(ir.Validator("literal", literal=lv, raw=mod.raw(a.span) if not isinstance(a, ast.Spread) else ""))
        return VVal(ir.Validator("union", members=tuple(members), raw=raw))
    if name == "nullable":
        x = arg_validator(ev, mod, args, 0, "nullable()")
        return VVal(ir.Validator("union", members=(ir.Validator("null"), x or ir.Validator("any")), raw=raw))
    if name == "deprecated":
        return VVal(ir.Validator("any", optional=True, raw=raw))
    if name == "brandedString":
        return VVal(ir.Validator("string", raw=raw))
    if name == "pretend":
        return VVal(ir.Validator("any", optional=True, raw=raw))
    if name == "pretendRequired":
        x = arg_validator(ev, mod, args, 0, "pretendRequired()")
        return VVal((x or ir.Validator("any")).as_optional(True).with_raw(raw))
    if name == "vRequired":
        x = arg_validator(ev, mod, args, 0, "vRequired()")
        return VVal((x or ir.Validator("any")).as_optional(False).with_raw(raw))
    if name == "partial":
        val = ev.eval(mod, args[0]) if args else VUnknown("no argument")
        if isinstance(val, VObj):
            return VObj({k: map_val(x, lambda v: v.as_optional(True)) for k, x in val.entries.items()}, dict(val.nodes))
        if isinstance(val, VVal):
            return VVal(partial(val.v).with_raw(raw))
        return VUnknown("partial() of a value the tool does not model")
    if name in ("systemFields", "withSystemFields"):
        t = ev.eval(mod, args[0]) if args else VUnknown("no table")
        if not isinstance(t, VStr):
            return VUnknown("systemFields(): table name not a string")
        sys_fields: dict[str, Value] = {"_id": VVal(id_(t.value)), "_creationTime": VVal(f())}
        if name == "systemFields":
            return VObj(sys_fields)
        base = ev.eval(mod, args[1]) if len(args) > 1 else VObj({})
        entries = ev.as_entries(base)
        if entries is None:
            return VUnknown("withSystemFields(): fields not resolved")
        return VObj({**entries, **sys_fields})
    if name in ("pick", "omit"):
        base = ev.eval(mod, args[0]) if args else VUnknown("no argument")
        keys_val = ev.eval(mod, args[1]) if len(args) > 1 else VUnknown("no keys")
        entries = ev.as_entries(base)
        if entries is None or not isinstance(keys_val, VArr):
            return VUnknown(f"{name}(): arguments not resolved")
        keys = [k.value for k in keys_val.items if isinstance(k, VStr)]
        if name == "pick":
            return VObj({k: entries[k] for k in keys if k in entries})
        return VObj({k: x for k, x in entries.items() if k not in keys})
    if name == "Table":
        tname = ev.eval(mod, args[0]) if args else VUnknown("no name")
        fields_val = ev.eval(mod, args[1]) if len(args) > 1 else VUnknown("no fields")
        if not isinstance(tname, VStr) or not isinstance(fields_val, VObj):
            return VUnknown("Table(): arguments not resolved")
        fields = fields_of(ev, mod, fields_val)
        if isinstance(fields, VUnknown):
            return fields
        doc = ir.Validator("object", fields=object_fields(fields))
        sys_entries: dict[str, Value] = {"_id": VVal(id_(tname.value)), "_creationTime": VVal(f())}
        with_sys = {**{k: VVal(v) for k, v in fields.items()}, **sys_entries}
        return VObj(
            {
                "name": tname,
                "table": VTable(doc, (), span=node.span, module=mod),
                "doc": VVal(
                    ir.Validator("object", fields=object_fields({k: v.v for k, v in with_sys.items()}))  # type: ignore[union-attr]
                ),
                "withoutSystemFields": VObj({k: VVal(v) for k, v in fields.items()}),
                "withSystemFields": VObj(with_sys),
                "systemFields": VObj(sys_entries),
                "_id": VVal(id_(tname.value)),
            }
        )
    if name == "typedV":
        # {...v, id: v.id, doc: (t) => doc(schema, t)} (convex-helpers validators.ts)
        schema = ev.eval(mod, args[0]) if args else VUnknown("no schema")
        out = VObj({k: VBuiltin("v." + k) for k in V_BUILDERS})
        out.entries["doc"] = VMethod(schema, "doc") if isinstance(schema, VSchema) else VUnknown("typedV(): schema not resolved")
        return out
    if name == "doc":
        schema = ev.eval(mod, args[0]) if args else VUnknown("no schema")
        t = ev.eval(mod, args[1]) if len(args) > 1 else VUnknown("no table")
        return schema_doc(schema, t)
    if name in ("customQuery", "customMutation", "customAction"):
        return custom_builder(ev, mod, name, args, node)
    if name in ("customCtx",):
        return VObj({"args": VObj({}), "input": VFunction(args[0], mod) if args and isinstance(args[0], ast.Function) else VUnknown("input")})
    if name == "customCtxAndArgs":
        return ev.eval(mod, args[0]) if args else VUnknown("no argument")
    return VUnknown(f"convex-helpers {name}() is not modelled")


def custom_builder(ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
    """``customQuery(builder, customization)`` (convex-helpers server/customFunctions.ts)."""
    base = ev.eval(mod, args[0]) if args else VUnknown("no builder")
    if not isinstance(base, VBuilder):
        reason = base.reason if isinstance(base, VUnknown) else "not a function builder"
        return VUnknown(f"{name}(): the wrapped builder is not resolved ({reason})")
    custom = ev.eval(mod, args[1]) if len(args) > 1 else VObj({})
    custom_args: dict[str, ir.Validator] = {}
    auth = base.auth
    if isinstance(custom, VObj):
        a = custom.entries.get("args")
        if isinstance(a, VZod) and a.schema.kind == "object":
            a = VObj({k: VZod(x) for k, x in a.schema.shape})
        if isinstance(a, VObj):
            fa = fields_of(ev, mod, a)
            if not isinstance(fa, VUnknown):
                custom_args = fa
        inp = custom.entries.get("input")
        if isinstance(inp, VFunction) and function_checks_auth(inp):
            auth = "custom-builder"
    else:
        mod.diag(args[1].span[0] if len(args) > 1 else node.span[0], "CSX231", f"{name}(): customization not resolved; its args are missing from the contract")
    return VBuilder(
        base.kind,
        base.visibility,
        base.canonical,
        (name,) + base.chain,
        (custom_args,) + base.custom_args,
        auth,
    )


def map_val(x: Value, fn) -> Value:
    """``fn`` applied to a validator value; any other value unchanged."""
    return VVal(fn(x.v)) if isinstance(x, VVal) else x


def function_checks_auth(fn: VFunction) -> bool:
    mod = fn.module
    node = fn.node
    body = node.body if isinstance(node, (ast.Function, ast.Method)) else None
    span = body if body is not None else (node.span if node is not None else (0, 0))
    text = mod.mk.masked[span[0] : span[1]]  # code only: strings and comments are masked
    return "getUserIdentity" in text or "getAuthUserId" in text
