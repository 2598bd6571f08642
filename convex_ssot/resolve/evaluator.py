"""The abstract interpreter: expressions → :mod:`.values`, following constants and imports.

It models exactly the runtime behaviour of the library calls a schema or a registration is
built from, each with its source:

* ``v.*`` builders and validator methods — convex ``src/values/validator.ts`` and
  ``src/values/validators.ts`` (1.48): ``v.nullable(x)`` is ``v.union(x, v.null())``;
  ``v.optional(x)``/``x.optional()`` only set ``isOptional``; ``v.bigint`` is ``v.int64``;
  ``v.number`` is ``v.float64``; object ``.pick/.omit`` take variadic keys (pick keeps the
  order of its arguments), ``.partial()`` makes every field optional, ``.extend(f)`` is
  ``{...fields, ...f}`` (existing keys keep their position).
* ``defineTable``/``defineSchema`` and the index builders — ``src/server/schema.ts``.
* Function builders — ``src/server/impl/registration_impl.ts`` and the codegen template
  ``src/cli/codegen_templates/server.ts`` (``query`` = ``queryGeneric`` …).
* convex-helpers (0.1.124) ``validators.ts``, ``index.ts``, ``server.ts`` and
  ``server/customFunctions.ts``; @convex-dev/auth (0.0.95) ``authTables``.
* Packages recorded by running them (tables, factory-registered functions, validators):
  :mod:`.recorded_packages`; ``new C(...)`` and calls of their factories are handed to it.

Anything else evaluates to :class:`VUnknown`, and callers turn that into a diagnostic.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import replace
from typing import Callable

from .. import ir
from ..parse import ast
from . import statements
from .values import (
    VArr,
    VBigInt,
    VBool,
    VBuilder,
    VBuiltin,
    VFunction,
    VMethod,
    VNamespace,
    VNull,
    VNum,
    VObj,
    VRegistration,
    VSchema,
    VStr,
    VTable,
    VUndefined,
    VUnknown,
    VVal,
    VZod,
    Value,
)
from . import components as _components
from . import ents, helpers_server, recorded_packages, zodvex
from .surface import hooks as _surface
from .values import VCallable
from .zod import KEEPS_TYPE, ZOD_PACKAGES, ZodSchema, refined, to_convex

# ---------------------------------------------------------------- library knowledge

_V_SCALARS = {
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

#: Convex constructors: name in ``_generated/server`` → (kind, visibility).
GENERATED_BUILDERS = {
    "query": ("query", "public"),
    "mutation": ("mutation", "public"),
    "action": ("action", "public"),
    "internalQuery": ("query", "internal"),
    "internalMutation": ("mutation", "internal"),
    "internalAction": ("action", "internal"),
    "httpAction": ("httpAction", None),
}
#: The same builders under their ``convex/server`` names.
GENERIC_BUILDERS = {
    "queryGeneric": "query",
    "mutationGeneric": "mutation",
    "actionGeneric": "action",
    "internalQueryGeneric": "internalQuery",
    "internalMutationGeneric": "internalMutation",
    "internalActionGeneric": "internalAction",
    "httpActionGeneric": "httpAction",
}

#: The package versions whose behaviour is modelled (named in contracts and docs).
AUTH_PACKAGE = "@convex-dev/auth@0.0.95"


def _s() -> ir.Validator:
    return ir.Validator("string")


def _f() -> ir.Validator:
    return ir.Validator("float64")


def _obj(**fields: ir.Validator) -> ir.Validator:
    return ir.Validator("object", fields=_fields(fields))


def _opt(x: ir.Validator) -> ir.Validator:
    return x.as_optional(True)


def _id(t: str) -> ir.Validator:
    return ir.Validator("id", table=t)


def _auth_tables() -> list[tuple[str, VTable]]:
    """``authTables`` of @convex-dev/auth 0.0.95 (src/server/implementation/types.ts:36-132)."""

    def table(fields: dict[str, ir.Validator], *indexes: tuple[str, tuple[str, ...]]) -> VTable:
        doc = ir.Validator("object", fields=_fields(fields))
        return VTable(doc, tuple(ir.Index("index", n, f) for n, f in indexes), origin=AUTH_PACKAGE)

    return [
        (
            "users",
            table(
                {
                    "name": _opt(_s()),
                    "image": _opt(_s()),
                    "email": _opt(_s()),
                    "emailVerificationTime": _opt(_f()),
                    "phone": _opt(_s()),
                    "phoneVerificationTime": _opt(_f()),
                    "isAnonymous": _opt(ir.Validator("boolean")),
                },
                ("email", ("email",)),
                ("phone", ("phone",)),
            ),
        ),
        ("authSessions", table({"userId": _id("users"), "expirationTime": _f()}, ("userId", ("userId",)))),
        (
            "authAccounts",
            table(
                {
                    "userId": _id("users"),
                    "provider": _s(),
                    "providerAccountId": _s(),
                    "secret": _opt(_s()),
                    "emailVerified": _opt(_s()),
                    "phoneVerified": _opt(_s()),
                },
                ("userIdAndProvider", ("userId", "provider")),
                ("providerAndAccountId", ("provider", "providerAccountId")),
            ),
        ),
        (
            "authRefreshTokens",
            table(
                {
                    "sessionId": _id("authSessions"),
                    "expirationTime": _f(),
                    "firstUsedTime": _opt(_f()),
                    "parentRefreshTokenId": _opt(_id("authRefreshTokens")),
                },
                ("sessionId", ("sessionId",)),
                ("sessionIdAndParentRefreshTokenId", ("sessionId", "parentRefreshTokenId")),
            ),
        ),
        (
            "authVerificationCodes",
            table(
                {
                    "accountId": _id("authAccounts"),
                    "provider": _s(),
                    "code": _s(),
                    "expirationTime": _f(),
                    "verifier": _opt(_s()),
                    "emailVerified": _opt(_s()),
                    "phoneVerified": _opt(_s()),
                },
                ("accountId", ("accountId",)),
                ("code", ("code",)),
            ),
        ),
        (
            "authVerifiers",
            table({"sessionId": _opt(_id("authSessions")), "signature": _opt(_s())}, ("signature", ("signature",))),
        ),
        (
            "authRateLimits",
            table(
                {"identifier": _s(), "lastAttemptTime": _f(), "attemptsLeft": _f()},
                ("identifier", ("identifier",)),
            ),
        ),
    ]


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


def _convex_auth_result(mod) -> Value:
    """``convexAuth({providers})`` of @convex-dev/auth: ``{auth, signIn, signOut, store,
    isAuthenticated}``; the four functions exactly as the package registers them
    (resolve/models/convex-dev-auth.json, printed by the conformance oracle)."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "models" / "convex-dev-auth.json").read_text(encoding="utf-8"))
    out: dict[str, Value] = {"auth": VUnknown("convexAuth().auth helper")}
    for name, f in data["functions"].items():
        short = {("query", "public"): "query", ("mutation", "internal"): "internalMutation", ("action", "public"): "action",
                 ("mutation", "public"): "mutation", ("query", "internal"): "internalQuery", ("action", "internal"): "internalAction"}[(f["kind"], f["visibility"])]
        generic = short + "Generic" if not short.startswith("internal") else "internal" + short[8:] + "Generic"
        builder = VBuilder(f["kind"], f["visibility"], short, ("convexAuth", generic))
        reg = VRegistration(builder, None, mod, "convexAuth")
        reg.args = VVal(from_convex_json(f["args"])) if f["args"] is not None else None
        reg.returns = VVal(from_convex_json(f["returns"])) if f["returns"] is not None else None
        out[name] = reg
    return VObj(out)


def pagination_opts_validator() -> ir.Validator:
    """``paginationOptsValidator`` (convex/server, src/server/pagination.ts, 1.48)."""
    return _obj(
        numItems=_f(),
        cursor=ir.Validator("union", members=(_s(), ir.Validator("null"))),
        endCursor=_opt(ir.Validator("union", members=(_s(), ir.Validator("null")))),
        id=_opt(_f()),
        maximumRowsRead=_opt(_f()),
        maximumBytesRead=_opt(_f()),
    )


def _library_exports(specifier: str) -> dict[str, Value] | None:
    """Known exports of a non-relative module specifier, or None for an unknown package."""
    if specifier == "convex/values":
        return {"v": VBuiltin("v"), "asObjectValidator": VBuiltin("asObjectValidator")}
    if specifier == "convex/server":
        out: dict[str, Value] = {
            "defineSchema": VBuiltin("defineSchema"),
            "defineTable": VBuiltin("defineTable"),
            "paginationOptsValidator": VVal(pagination_opts_validator().with_raw("paginationOptsValidator")),
            "paginationResultValidator": VBuiltin("paginationResultValidator"),
            "docValidator": VBuiltin("docValidator"),
        }
        for generic, short in GENERIC_BUILDERS.items():
            kind, vis = GENERATED_BUILDERS[short]
            out[generic] = VBuilder(kind, vis, short, (generic,))
        out.update(_surface.server_exports())  # httpRouter, cronJobs, defineApp, … (resolve/surface)
        return out
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
    if specifier in ZOD_PACKAGES:
        return {"z": VBuiltin("z"), "zod": VBuiltin("z"), "default": VBuiltin("z")}
    if specifier in ("convex-helpers/server/zod", "convex-helpers/server/zod3", "convex-helpers/server/zod4"):
        return {
            "zCustomQuery": VBuiltin("ch.zCustomQuery"),
            "zCustomMutation": VBuiltin("ch.zCustomMutation"),
            "zCustomAction": VBuiltin("ch.zCustomAction"),
            "zid": VBuiltin("zod.zid"),
            "zodToConvex": VBuiltin("zod.toConvex"),
            "zodOutputToConvex": VBuiltin("zod.outputToConvex"),
            "zodToConvexFields": VBuiltin("zod.toConvexFields"),
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
    if specifier in zodvex.SPECIFIERS:
        return zodvex.exports()
    if specifier == "convex-ents":
        return ents.library_exports()
    if specifier in helpers_server.SPECIFIERS:
        return helpers_server.library_exports(specifier)
    if specifier == "@convex-dev/auth/server":
        return {
            "authTables": VObj(dict(_auth_tables())),
            "getAuthUserId": VBuiltin("auth.getAuthUserId"),
            "getAuthSessionId": VBuiltin("auth.getAuthUserId"),
            "convexAuth": VBuiltin("auth.convexAuth"),
        }
    return recorded_packages.exports(specifier)  # packages recorded by running them (models/recorded)


def is_generated_server(specifier: str) -> bool:
    """True for ``./_generated/server``, ``../convex/_generated/server.js`` and the like."""
    s = specifier
    for ext in (".js", ".ts", ".mjs", ".cjs"):
        if s.endswith(ext):
            s = s[: -len(ext)]
    return s.startswith(".") and (s.endswith("/_generated/server") or s == "_generated/server")


# ---------------------------------------------------------------- the evaluator


class Evaluator:
    """Evaluates expressions of a set of modules.

    ``load(from_module, specifier)`` returns the :class:`~.modules.Module` a relative
    specifier points to (or None). Diagnostics are recorded on the module the expression
    belongs to. Evaluation of a name is memoised per module and guarded against cycles.
    """

    #: Deepest expression nesting evaluated (method chains such as 30 ``.index()`` calls
    #: count one level per call); keeps the recursion bounded.
    MAX_DEPTH = 400
    #: Deepest validator nesting (``v.array(v.array(…))``); deeper becomes v.any() with a
    #: diagnostic, which keeps contracts within JSON serialisers' depth limits.
    MAX_VALIDATOR_DEPTH = 32

    def __init__(self, load: Callable[[object, str], object | None]) -> None:
        import sys

        self._load = load
        self._active: set[tuple[int, str]] = set()
        self._depth = 0
        self._vdepth = 0
        self._locals: list = []  # scopes (mappings) of the functions being applied; innermost last
        self._stmt_calls = 0  # statement-bodied calls in progress (statements.MAX_CALL_DEPTH)
        self._stmt_steps = 0  # statements executed by the outermost such call
        # Each expression level costs a few Python frames; make room for MAX_DEPTH.
        if sys.getrecursionlimit() < 8 * self.MAX_DEPTH:
            sys.setrecursionlimit(8 * self.MAX_DEPTH)

    # ---- names
    def lookup(self, mod, name: str, span: ast.Span = (0, 0)) -> Value:
        """The value a top-level name has in ``mod`` (a local, an import or a global)."""
        if self._locals and name in self._locals[-1]:
            return self._locals[-1][name]
        if name in mod.values:
            return mod.values[name]
        key = (id(mod), name)
        if key in self._active:
            return VUnknown(f"`{name}` refers to itself")
        self._active.add(key)
        self._locals.append({})  # a module-level binding never sees a caller's local variables
        try:
            val = self._lookup(mod, name, span)
            mod.values[name] = val
            for call in mod.mutations.get(name, ()):
                self.eval(mod, call)  # top-level `t.index(...)`: changes the table in place
        finally:
            self._locals.pop()
            self._active.discard(key)
        return val

    def _lookup(self, mod, name: str, span: ast.Span) -> Value:
        d = mod.decls.get(name)
        if d is not None:
            if d.init is None:
                return VUnknown(f"`{name}` has no initializer")
            return _named(self.eval(mod, d.init), name)
        pd = mod.pattern_decls.get(name)
        if pd is not None:
            decl, prop = pd
            base = self.eval(mod, decl.init) if decl.init is not None else VUnknown("no initializer")
            if prop == "...":  # const { a, ...rest } = obj: rest holds the other entries
                taken = {k for k, _ in (decl.pattern or []) if k != "..."}
                if isinstance(base, VObj):
                    return VObj({k: x for k, x in base.entries.items() if k not in taken}, {k: n for k, n in base.nodes.items() if k not in taken}, keys_known=base.keys_known and not base.spread_unknown)
                return VUnknown("rest of a destructured value the tool does not model")
            return self.member(mod, base, prop)
        imp = mod.imports.get(name)
        if imp is not None:
            return _named(self.import_value(mod, imp[0], imp[1]), name)
        if name == "undefined":
            return VUndefined()
        if name == "Infinity":
            return VNum(float("inf"))
        if name == "NaN":
            return VNum(float("nan"))
        if name in mod.functions:
            decl = statements.function_declaration(mod, name)
            return VFunction(decl, mod) if decl is not None else VUnknown(f"`{name}` is a function whose declaration the tool does not read")
        return VUnknown(f"`{name}` is not defined in this module")

    def import_value(self, mod, specifier: str, imported: str) -> Value:
        """The value of ``imported`` (a name, ``default`` or ``*``) from ``specifier``."""
        if is_generated_server(specifier):
            if imported == "*":
                return VObj({name: VBuilder(kind, vis, name, (name,)) for name, (kind, vis) in GENERATED_BUILDERS.items()})
            if imported in GENERATED_BUILDERS:
                kind, vis = GENERATED_BUILDERS[imported]
                return VBuilder(kind, vis, imported, (imported,))
            return VUnknown(f"`{imported}` from _generated/server is not a function builder")
        surface = _surface.import_value(self, mod, specifier, imported)  # _generated/api, convex.config
        if surface is not None:
            return surface
        lib = _components.library_exports(self, mod, specifier) if specifier in _components.MODELLED_PACKAGES else None
        if lib is None:
            lib = _library_exports(specifier)
        if lib is not None:
            if imported == "*":
                return VBuiltin("z") if specifier in ZOD_PACKAGES else VObj(dict(lib))
            return lib.get(imported, VUnknown(f"`{imported}` from {specifier} is not modelled"))
        target = self._load(mod, specifier)
        if target is None:
            if specifier.startswith("."):
                return VUnknown(f"module {specifier} was not found")
            return VUnknown(f"`{imported}` comes from package {specifier}, which is not modelled")
        if imported == "*":
            return VNamespace(target)
        return self.export_value(target, imported)

    def default_value(self, mod) -> Value:
        """The module's default export, evaluated once."""
        key = "\0default"
        if key not in mod.values:
            self._locals.append({})
            try:
                mod.values[key] = self.eval(mod, mod.default_export)
            finally:
                self._locals.pop()
        return mod.values[key]

    def export_value(self, mod, name: str, _seen: frozenset = frozenset()) -> Value:
        """The value a module exports under ``name`` (following re-exports)."""
        if name == "default":
            if mod.default_export is None:
                return VUnknown(f"{mod.rel} has no default export")
            return self.default_value(mod)
        if name in mod.exports:
            return self.lookup(mod, mod.exports[name])
        if name in mod.reexports:
            spec, imported = mod.reexports[name]
            return self.import_value(mod, spec, imported)
        key = (mod.rel, name)
        if key in _seen:
            return VUnknown(f"`{name}`: cyclic re-export")
        for spec in mod.star_exports:
            target = self._load(mod, spec)
            if target is not None:
                v = self.export_value(target, name, _seen | {key})
                if not isinstance(v, VUnknown):
                    return v
        return VUnknown(f"{mod.rel} does not export `{name}`")

    # ---- expressions
    def eval(self, mod, node: ast.Node) -> Value:
        """Evaluate ``node`` (an expression of module ``mod``)."""
        if self._depth >= self.MAX_DEPTH:
            mod.diag(node.span[0], "CSX202", f"expression nested more than {self.MAX_DEPTH} levels deep; not evaluated (recorded as v.any() where a validator was expected)")
            return VUnknown("nested too deep")
        self._depth += 1
        try:
            return self._eval(mod, node)
        finally:
            self._depth -= 1

    def _eval(self, mod, node: ast.Node) -> Value:
        t = type(node)
        if t is ast.Call:
            return self.call(mod, node)
        if t is ast.Member:
            return self.member(mod, self.eval(mod, node.obj), node.prop, node)
        if t is ast.Ident:
            return self.lookup(mod, node.name, node.span)
        if t is ast.Str:
            return VStr(node.value)
        if t is ast.Obj:
            return self.object(mod, node)
        if t is ast.Arr:
            items = []
            for it in node.items:
                if it is None:
                    items.append(VUndefined())
                elif isinstance(it, ast.Spread):
                    inner = self.eval(mod, it.expr)
                    if isinstance(inner, VArr):
                        items.extend(inner.items)
                    else:
                        items.append(VUnknown("spread of a non-array"))
                else:
                    items.append(self.eval(mod, it))
            return VArr(items)
        if t is ast.Num:
            return VNum(node.value)
        if t is ast.BigInt:
            return VBigInt(node.value)
        if t is ast.Bool:
            return VBool(node.value)
        if t is ast.Null:
            return VNull()
        if t is ast.Paren:
            if len(node.items) == 1:
                return self.eval(mod, node.items[0])
            return VUnknown("comma expression")
        if t is ast.Function:
            return VFunction(node, mod, self._locals[-1] if self._locals else None)
        if t is ast.Index:
            base = self.eval(mod, node.obj)
            key = self.eval(mod, node.index)
            if isinstance(key, VStr):
                return self.member(mod, base, key.value, node)
            if isinstance(base, VArr) and isinstance(key, VNum) and float(key.value).is_integer() and 0 <= key.value < len(base.items):
                return base.items[int(key.value)]
            return VUnknown("computed member access")
        if t is ast.New:
            target = recorded_packages.class_node(mod, node)
            cls = self.eval(mod, target) if target is not None else None
            if isinstance(cls, VBuiltin) and cls.name.startswith(recorded_packages.PREFIX):
                return recorded_packages.construct(cls.name, mod)
            return _components.new(self, mod, node)
        if t is ast.Opaque:
            if node.parts and node.what in ("binary", "unary"):
                return statements.operator(self, mod, node)
            return VUnknown(f"{node.what} expression")
        return VUnknown("expression not understood")

    def object(self, mod, node: ast.Obj) -> VObj:
        out = VObj({}, node=node)
        keys_known = True  # every spread resolved to an object whose keys are all known
        for m in node.members:
            if isinstance(m, ast.Prop):
                if m.key is None:
                    out.spread_unknown.append(("computed key", m))
                    continue
                # A repeated key keeps its first position and takes the last value, as in JS.
                out.entries[m.key] = self.eval(mod, m.value)
                out.nodes[m.key] = m.value
            elif isinstance(m, ast.Spread):
                inner = self.eval(mod, m.expr)
                fields = self.as_entries(inner)
                if fields is None:
                    reason = inner.reason if isinstance(inner, VUnknown) else "not an object"
                    out.spread_unknown.append((reason, m))
                    continue
                if isinstance(inner, VObj):  # what the spread object itself could not resolve
                    out.spread_unknown.extend((reason, m) for reason, _ in inner.spread_unknown)
                keys_known = keys_known and isinstance(inner, VObj) and inner.keys_known
                for k, val in fields.items():
                    out.nodes.pop(k, None)
                    out.entries[k] = val
            elif isinstance(m, ast.Method):
                if m.key is not None:
                    out.entries[m.key] = VFunction(m, mod, self._locals[-1] if self._locals else None)
                    out.nodes[m.key] = m
                else:
                    keys_known = False
        out.keys_known = keys_known and not out.spread_unknown
        return out

    def as_entries(self, val: Value) -> dict[str, Value] | None:
        """Key → value entries of something spreadable into an object literal."""
        if isinstance(val, VObj):
            return dict(val.entries)
        if isinstance(val, VNamespace):
            return None
        return None

    # ---- member access
    def member(self, mod, base: Value, prop: str, node: ast.Node | None = None) -> Value:
        if isinstance(base, _surface.SurfaceValue):
            return base.member(self, mod, prop, node)
        if isinstance(base, _components.ComponentValue):
            return _components.member(self, mod, base, prop)
        if isinstance(base, VBuiltin):
            if base.name == "z":
                if prop in ("coerce", "z"):
                    return base
                return VBuiltin("z." + prop)
            if base.name == "z.iso":  # z.iso.datetime() … (zod 4 string formats)
                return VBuiltin("z.iso." + prop)
            if base.name == "v":
                if prop in _V_SCALARS or prop in (
                    "id",
                    "literal",
                    "array",
                    "object",
                    "record",
                    "union",
                    "optional",
                    "nullable",
                ):
                    return VBuiltin("v." + prop)
                return VUnknown(f"v.{prop} is not a validator builder of convex 1.48")
            return VUnknown(f"{base.name}.{prop} is not modelled")
        if isinstance(base, VObj):
            if prop in base.entries:
                return base.entries[prop]
            return VUnknown(f"object has no property `{prop}`")
        if isinstance(base, VArr):
            if prop == "map":
                return VMethod(base, "map")
            if prop == "length":
                return VNum(len(base.items))
            return VUnknown(f"array property `{prop}` is not modelled")
        if isinstance(base, VNamespace):
            return self.export_value(base.module, prop)
        if isinstance(base, VZod):
            z = base.schema
            if prop == "shape" and z.kind == "object":
                return VObj({k: VZod(x) for k, x in z.shape})
            if prop in ("element",) and z.kind == "array":
                return VZod(z.inner)
            if prop in ("options",) and z.kind == "union":
                return VArr([VZod(o) for o in z.options])
            return VMethod(base, prop)
        if isinstance(base, VVal):
            v = base.v
            if prop in ("optional", "pick", "omit", "partial", "extend", "nullable"):
                return VMethod(base, prop)
            if v.kind == "object" and prop == "fields":
                return VObj({f.name: VVal(f.validator) for f in v.fields}, keys_known=True)
            if v.kind == "array" and prop == "element" and v.element is not None:
                return VVal(v.element)
            if v.kind == "union" and prop == "members":
                return VArr([VVal(m) for m in v.members])
            if v.kind == "record" and prop in ("key", "value"):
                x = v.key if prop == "key" else v.value
                return VVal(x) if x is not None else VUnknown("record part missing")
            if v.kind == "id" and prop == "tableName" and v.table is not None:
                return VStr(v.table)
            if v.kind == "literal" and prop == "value" and v.literal is not None:
                return VStr(str(v.literal.value)) if v.literal.kind == "string" else VUnknown("literal value")
            if prop == "isOptional":
                return VStr("optional" if v.optional else "required")
            if prop == "kind":
                return VStr(v.kind)
            return VUnknown(f"validator has no property `{prop}` the tool models")
        if isinstance(base, ents.VEnt):
            return ents.member(base, prop)
        if isinstance(base, VTable):
            if prop == "validator":
                return VVal(base.document)
            if prop in ("index", "searchIndex", "vectorIndex", "staged"):
                return VMethod(base, prop)
            return VUnknown(f"table definition has no property `{prop}` the tool models")
        if isinstance(base, VSchema):
            if prop == "tables":
                return VObj({name: t for name, t in base.tables}, keys_known=True)
            if prop in ("doc", "id"):
                return VMethod(base, prop)
            if prop == "schemaValidation":
                return VBool(base.schema_validation)
            return VUnknown(f"schema has no property `{prop}` the tool models")
        if isinstance(base, VBuilder):
            return VUnknown(f"builder has no property `{prop}`")
        if isinstance(base, VUnknown):
            return base
        return VUnknown(f"property `{prop}` of a value the tool does not model")

    # ---- calls
    def call(self, mod, node: ast.Call) -> Value:
        callee = self.eval(mod, node.callee)
        args = node.args
        if isinstance(callee, (_components.ComponentValue, VUnknown)):
            out = _surface.call(self, mod, callee, node)  # code that receives the router
            if out is None:
                out = _components.call(self, mod, callee, node)  # component client factories
            if out is not None:
                return out
        if isinstance(callee, VBuiltin):
            return self.call_builtin(mod, callee.name, args, node)
        if isinstance(callee, VMethod):
            return self.call_method(mod, callee, args, node)
        if isinstance(callee, VBuilder):
            definition = args[0] if args else None
            return VRegistration(callee, definition, mod, self._callee_text(node.callee))
        if isinstance(callee, VUnknown):
            return VUnknown(callee.reason)
        if isinstance(callee, VFunction):
            return self.apply(callee, args, mod)
        if isinstance(callee, VCallable):
            return callee.call(self, mod, args, node)
        return VUnknown("call of a value the tool does not model")

    def apply(self, fn: VFunction, args: list[ast.Node], caller) -> Value:
        """Call a project function with the argument expressions ``args`` of module
        ``caller`` (a spread of a resolved array counts as its elements); see
        :meth:`call_function`."""
        values: list[Value] = []
        for a in args:
            if len(values) >= len(fn.node.params):
                break
            if isinstance(a, ast.Spread):
                inner = self.eval(caller, a.expr)
                if not isinstance(inner, VArr):
                    return VUnknown("call with a spread argument the tool does not resolve")
                values.extend(inner.items)
            else:
                values.append(self.eval(caller, a))
        res = self.call_function(fn, values)
        return statements.detach(res, fn.module) if fn.module is not caller else res

    def call_function(self, fn: VFunction, values: list[Value]) -> Value:
        """Call a project function with argument values: parameters (plain names; a missing
        argument is ``undefined``) are bound over the variables the function closes over.
        An expression body (``(values) => v.union(...)``) is evaluated; a statement body
        is run by :func:`.statements.run` (a small sound subset; otherwise VUnknown)."""
        node = fn.node
        frame: dict[str, Value] = {}
        for i, param in enumerate(node.params):
            if isinstance(param, ast.Opaque):
                return VUnknown("call of a function with parameters the tool does not model")
            if not isinstance(param, ast.Ident):
                return VUnknown("call of a function with destructured parameters (not evaluated)")
            frame[param.name] = values[i] if i < len(values) else VUndefined()
        scope = ChainMap(frame, fn.env) if fn.env else ChainMap(frame)
        if isinstance(node, ast.Function) and node.expr is not None:
            self._locals.append(scope)
            try:
                return self.eval(fn.module, node.expr)
            finally:
                self._locals.pop()
        return statements.run(self, fn, scope)

    @staticmethod
    def _callee_text(node: ast.Node) -> str:
        if isinstance(node, ast.Ident):
            return node.name
        if isinstance(node, ast.Member):
            inner = Evaluator._callee_text(node.obj)
            return f"{inner}.{node.prop}"
        return "?"

    def validator(self, mod, node: ast.Node | None, what: str = "validator") -> ir.Validator | VUnknown:
        """Evaluate ``node`` as a validator (a fields map is wrapped in ``v.object``)."""
        if node is None:
            return VUnknown(f"missing {what}")
        val = self.eval(mod, node)
        return self.to_validator(mod, val, node)

    def to_validator(self, mod, val: Value, node: ast.Node | None, output: bool = False) -> ir.Validator | VUnknown:
        if isinstance(val, VZod):
            try:
                v = to_convex(val.schema, output=output)
            except ValueError as exc:
                return VUnknown(str(exc))
            return v.with_raw(mod.raw(node.span) if node is not None else "")
        if isinstance(val, VVal):
            raw = mod.raw(node.span) if node is not None else val.v.raw
            return val.v.with_raw(raw)
        if isinstance(val, VObj):
            fields = self.fields_of(mod, val, output=output)
            if isinstance(fields, VUnknown):
                return fields
            raw = mod.raw(node.span) if node is not None else ""
            return ir.Validator("object", fields=_fields(fields), raw=raw)
        if isinstance(val, VUnknown):
            return val
        return VUnknown("not a validator")

    def fields_of(self, mod, obj: VObj, output: bool = False) -> dict[str, ir.Validator] | VUnknown:
        """A fields map (``{name: validator}``) from an object value; unknown entries and
        unresolved spreads become diagnostics and are left out. ``output``: zod entries are
        converted as ``zodOutputToConvex`` does (a zod ``returns`` shape)."""
        out: dict[str, ir.Validator] = {}
        for reason, m in obj.spread_unknown:
            mod.diag(m.span[0], "CSX201", f"fields spread not resolved ({reason}); its fields are missing from the contract")
        for k, val in obj.entries.items():
            node = obj.nodes.get(k)
            if isinstance(val, VVal):
                v: ir.Validator | VUnknown = val.v.with_raw(mod.raw(node.span)) if node is not None else val.v
            else:
                v = self.to_validator(mod, val, node, output=output)
            if isinstance(v, VUnknown):
                off = node.span[0] if node is not None else 0
                mod.diag(off, "CSX200", f"field `{k}`: validator not resolved ({v.reason}); recorded as v.any()")
                v = ir.Validator("any", raw=mod.raw(node.span) if node is not None else "")
            out[k] = v
        return out

    def _arg_validator(self, mod, args: list[ast.Node], i: int, who: str) -> ir.Validator | None:
        if i >= len(args):
            mod.diag(0, "CSX200", f"{who}: missing argument")
            return None
        v = self.validator(mod, args[i])
        if isinstance(v, VUnknown):
            mod.diag(args[i].span[0], "CSX200", f"{who}: validator not resolved ({v.reason}); recorded as v.any()")
            return ir.Validator("any", raw=mod.raw(args[i].span))
        return v

    def call_builtin(self, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        if not (name.startswith("v.") or name.startswith("ch.")):
            return self._call_builtin(mod, name, args, node)
        if self._vdepth >= self.MAX_VALIDATOR_DEPTH:
            mod.diag(node.span[0], "CSX202", f"validator nested more than {self.MAX_VALIDATOR_DEPTH} levels deep; recorded as v.any()")
            return VVal(ir.Validator("any", raw=mod.raw(node.span)))
        self._vdepth += 1
        try:
            return self._call_builtin(mod, name, args, node)
        finally:
            self._vdepth -= 1

    def _call_builtin(self, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        raw = mod.raw(node.span)
        if name.startswith("v."):
            b = name[2:]
            if b in _V_SCALARS:
                return VVal(ir.Validator(_V_SCALARS[b], raw=raw))
            if b == "id":
                t = self.eval(mod, args[0]) if args else VUnknown("no table")
                if not isinstance(t, VStr):
                    mod.diag(node.span[0], "CSX200", "v.id(): table name is not a string literal; recorded as v.any()")
                    return VVal(ir.Validator("any", raw=raw))
                return VVal(ir.Validator("id", table=t.value, raw=raw))
            if b == "literal":
                lit = self.eval(mod, args[0]) if args else VUnknown("no value")
                lv = _literal(lit)
                if lv is None:
                    mod.diag(node.span[0], "CSX200", "v.literal(): value is not a string, number, boolean or bigint literal; recorded as v.any()")
                    return VVal(ir.Validator("any", raw=raw))
                return VVal(ir.Validator("literal", literal=lv, raw=raw))
            if b == "array":
                el = self._arg_validator(mod, args, 0, "v.array()")
                return VVal(ir.Validator("array", element=el or ir.Validator("any"), raw=raw))
            if b == "object":
                if not args:
                    return VVal(ir.Validator("object", raw=raw))
                val = self.eval(mod, args[0])
                if isinstance(val, VObj):
                    fields = self.fields_of(mod, val)
                    if isinstance(fields, VUnknown):
                        return fields
                    return VVal(ir.Validator("object", fields=_fields(fields), raw=raw))
                return VUnknown("v.object() argument is not an object")
            if b == "record":
                k = self._arg_validator(mod, args, 0, "v.record() key")
                val = self._arg_validator(mod, args, 1, "v.record() value")
                return VVal(ir.Validator("record", key=k or ir.Validator("string"), value=val or ir.Validator("any"), raw=raw))
            if b == "union":
                members = []
                for i in range(len(args)):
                    if isinstance(args[i], ast.Spread):
                        inner = self.eval(mod, args[i].expr)
                        if isinstance(inner, VArr):
                            for it in inner.items:
                                mv = self.to_validator(mod, it, None)
                                members.append(mv if isinstance(mv, ir.Validator) else ir.Validator("any"))
                            continue
                        mod.diag(args[i].span[0], "CSX200", "v.union(...spread): spread not resolved")
                        continue
                    m = self._arg_validator(mod, args, i, "v.union()")
                    if m is not None:
                        members.append(m)
                return VVal(ir.Validator("union", members=tuple(members), raw=raw))
            if b == "optional":
                x = self._arg_validator(mod, args, 0, "v.optional()")
                return VVal((x or ir.Validator("any")).as_optional(True).with_raw(raw))
            if b == "nullable":
                x = self._arg_validator(mod, args, 0, "v.nullable()")
                return VVal(ir.Validator("union", members=(x or ir.Validator("any"), ir.Validator("null")), raw=raw))
        if name == "asObjectValidator":
            v = self._arg_validator(mod, args, 0, "asObjectValidator()")
            return VVal((v or ir.Validator("any")).with_raw(raw))
        if name == "defineTable":
            return self.define_table(mod, args, node)
        if name == "defineSchema":
            return self.define_schema(mod, args, node)
        if name == "docValidator":
            # docValidator(tableName, tableDefinition) (convex/server, schema.ts; 1.44.0)
            t = self.eval(mod, args[0]) if args else VUnknown("no table name")
            table = self.eval(mod, args[1]) if len(args) > 1 else VUnknown("no table")
            if isinstance(t, VStr) and isinstance(table, VTable):
                return VVal(with_system_fields(table.document, t.value).with_raw(raw))
            return VUnknown("docValidator(): arguments not resolved")
        if name == "paginationResultValidator":
            item = self._arg_validator(mod, args, 0, "paginationResultValidator()")
            page_status = ir.Validator(
                "union",
                members=(
                    ir.Validator("literal", literal=ir.LiteralValue("string", "SplitRecommended")),
                    ir.Validator("literal", literal=ir.LiteralValue("string", "SplitRequired")),
                    ir.Validator("null"),
                ),
            )
            return VVal(
                _obj(
                    page=ir.Validator("array", element=item or ir.Validator("any")),
                    continueCursor=_s(),
                    isDone=ir.Validator("boolean"),
                    splitCursor=_opt(ir.Validator("union", members=(_s(), ir.Validator("null")))),
                    pageStatus=_opt(page_status),
                ).with_raw(raw)
            )
        if name.startswith("z.") or name.startswith("zod."):
            return self.call_zod(mod, name, args, node)
        if name in ("ch.zCustomQuery", "ch.zCustomMutation", "ch.zCustomAction"):
            b = self.custom_builder(mod, name[3:], args, node)
            if isinstance(b, VBuilder):
                b.zod = True
            return b
        if name.startswith("ch."):
            return self.call_helpers(mod, name[3:], args, node)
        if name.startswith("zodvex."):
            return zodvex.call(self, mod, name[7:], args, node)
        if name == "auth.getAuthUserId":
            return VUnknown("getAuthUserId() result")
        if name == "auth.convexAuth":
            return _convex_auth_result(mod)
        if name.startswith(recorded_packages.PREFIX):
            return recorded_packages.call(name, mod, self._callee_text(node.callee))
        if name.startswith("ents."):
            return ents.call(self, mod, name[5:], args, node)
        return VUnknown(f"{name}() is not modelled")

    # ---- zod (resolve/zod.py)
    def _zod_arg(self, mod, args: list[ast.Node], i: int) -> ZodSchema | None:
        if i >= len(args):
            return None
        val = self.eval(mod, args[i])
        return val.schema if isinstance(val, VZod) else None

    def call_zod(self, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        """``z.*`` builders, ``zid`` and convex-helpers' zod-to-Convex converters."""
        if name == "zod.zid":
            t = self.eval(mod, args[0]) if args else VUnknown("no table")
            return VZod(ZodSchema("zid", table=t.value)) if isinstance(t, VStr) else VUnknown("zid(): table name not a string")
        if name in ("zod.toConvex", "zod.outputToConvex"):
            val = self.eval(mod, args[0]) if args else VUnknown("no schema")
            v = self.to_validator(mod, val, args[0] if args else None, output=name == "zod.outputToConvex")
            return VVal(v.with_raw(mod.raw(node.span))) if isinstance(v, ir.Validator) else v
        if name in ("zod.toConvexFields", "zod.outputToConvexFields"):
            val = self.eval(mod, args[0]) if args else VUnknown("no fields")
            if not isinstance(val, VObj):
                return VUnknown(f"{name}(): fields not resolved")
            out: dict[str, Value] = {}
            for k, x in val.entries.items():
                v = self.to_validator(mod, x, val.nodes.get(k), output=name == "zod.outputToConvexFields")
                out[k] = VVal(v) if isinstance(v, ir.Validator) else v
            return VObj(out)
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
            inner = self._zod_arg(mod, args, 0)
            return VZod(ZodSchema("array", inner=inner)) if inner is not None else VUnknown("z.array(): element not resolved")
        if b in ("object", "strictObject", "looseObject"):
            val = self.eval(mod, args[0]) if args else VObj({})
            if not isinstance(val, VObj):
                return VUnknown("z.object(): shape not resolved")
            shape = []
            for k, x in val.entries.items():
                if not isinstance(x, VZod):
                    return VUnknown(f"z.object(): field `{k}` is not a zod schema the tool resolves")
                shape.append((k, x.schema))
            return VZod(ZodSchema("object", shape=tuple(shape)))
        if b in ("union", "discriminatedUnion"):
            arr = self.eval(mod, args[1 if b == "discriminatedUnion" else 0]) if args else VUnknown("no options")
            if not isinstance(arr, VArr) or not all(isinstance(x, VZod) for x in arr.items):
                return VUnknown(f"z.{b}(): options not resolved")
            return VZod(ZodSchema("union", options=tuple(x.schema for x in arr.items)))  # type: ignore[union-attr]
        if b == "tuple":
            arr = self.eval(mod, args[0]) if args else VUnknown("no items")
            rest = self._zod_arg(mod, args, 1)
            if not isinstance(arr, VArr) or not all(isinstance(x, VZod) for x in arr.items):
                return VUnknown("z.tuple(): items not resolved")
            return VZod(ZodSchema("tuple", options=tuple(x.schema for x in arr.items), rest=rest))  # type: ignore[union-attr]
        if b in ("literal", "enum"):
            val = self.eval(mod, args[0]) if args else VUnknown("no value")
            items = val.items if isinstance(val, VArr) else [val]
            if b == "enum" and isinstance(val, VObj):
                items = list(val.entries.values())
            lits: list[ir.LiteralValue | None] = []
            for it in items:
                if isinstance(it, VNull):
                    lits.append(None)
                    continue
                lv = _literal(it)
                if lv is None:
                    return VUnknown(f"z.{b}(): value not resolved")
                lits.append(lv)
            return VZod(ZodSchema(b if b == "enum" or len(lits) != 1 else "literal", literals=tuple(lits)))
        if b in ("optional", "nullable", "readonly", "lazy"):
            inner = self._zod_arg(mod, args, 0)
            return VZod(ZodSchema(b, inner=inner)) if inner is not None else VUnknown(f"z.{b}(): inner schema not resolved")
        if b == "record":
            if len(args) >= 2:
                key, value = self._zod_arg(mod, args, 0), self._zod_arg(mod, args, 1)
            else:
                key, value = None, self._zod_arg(mod, args, 0)
            return VZod(ZodSchema("record", key=key, value=value)) if value is not None else VUnknown("z.record(): value not resolved")
        if b in ("intersection",):
            return VZod(ZodSchema("intersection"))
        if b == "codec":  # zod 4: z.codec(in, out, …) is a ZodPipe (classic/schemas.ts ZodCodec)
            a, c = self._zod_arg(mod, args, 0), self._zod_arg(mod, args, 1)
            return VZod(ZodSchema("pipe", inner=a, out=c)) if a is not None and c is not None else VUnknown("z.codec(): schemas not resolved")
        return VUnknown(f"z.{b}() is not modelled")

    def call_zod_method(self, mod, z: ZodSchema, name: str, args: list[ast.Node]) -> Value:
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
            other = self._zod_arg(mod, args, 0)
            return VZod(ZodSchema("union", options=(z, other))) if other is not None else VUnknown(".or(): not resolved")
        if name == "and":
            return VZod(ZodSchema("intersection"))
        if name == "transform":
            return VZod(ZodSchema("pipe", inner=z, out=ZodSchema("transform")))
        if name == "pipe":
            other = self._zod_arg(mod, args, 0)
            return VZod(ZodSchema("pipe", inner=z, out=other)) if other is not None else VUnknown(".pipe(): not resolved")
        if z.kind == "object" and name in ("extend", "merge", "safeExtend"):
            val = self.eval(mod, args[0]) if args else VObj({})
            add: list[tuple[str, ZodSchema]] = []
            if isinstance(val, VZod) and val.schema.kind == "object":
                add = list(val.schema.shape)
            elif isinstance(val, VObj) and all(isinstance(x, VZod) for x in val.entries.values()):
                add = [(k, x.schema) for k, x in val.entries.items()]  # type: ignore[union-attr]
            else:
                return VUnknown(f".{name}(): not resolved")
            merged = dict(z.shape)
            merged.update(add)
            return VZod(ZodSchema("object", shape=tuple(merged.items())))
        if z.kind == "object" and name in ("pick", "omit"):
            val = self.eval(mod, args[0]) if args else VObj({})
            if not isinstance(val, VObj):
                return VUnknown(f".{name}(): keys not resolved")
            keys = set(val.entries)
            shape = [(k, x) for k, x in z.shape if (k in keys) == (name == "pick")]
            return VZod(ZodSchema("object", shape=tuple(shape)))
        if z.kind == "object" and name in ("partial", "required"):
            kind = "optional" if name == "partial" else "nonoptional"
            return VZod(ZodSchema("object", shape=tuple((k, ZodSchema(kind, inner=x)) for k, x in z.shape)))
        if z.kind == "object" and name in ("strict", "passthrough", "strip", "loose", "catchall"):
            return VZod(z)
        return VUnknown(f"zod .{name}() is not modelled")

    def call_helpers(self, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        """convex-helpers 0.1.124: validators.ts, index.ts, server.ts, customFunctions.ts."""
        raw = mod.raw(node.span)
        if name == "literals":
            members = []
            values: list[tuple[Value, ast.Node]] = []
            for a in args:
                if isinstance(a, ast.Spread):
                    inner = self.eval(mod, a.expr)
                    if isinstance(inner, VArr):
                        values.extend((x, a) for x in inner.items)
                        continue
                    values.append((inner, a))
                else:
                    values.append((self.eval(mod, a), a))
            for val, a in values:
                lv = _literal(val)
                if lv is None:
                    mod.diag(a.span[0], "CSX200", "literals(): argument is not a literal")
                    continue
                members.append(ir.Validator("literal", literal=lv, raw=mod.raw(a.span) if not isinstance(a, ast.Spread) else ""))
            return VVal(ir.Validator("union", members=tuple(members), raw=raw))
        if name == "nullable":
            x = self._arg_validator(mod, args, 0, "nullable()")
            return VVal(ir.Validator("union", members=(ir.Validator("null"), x or ir.Validator("any")), raw=raw))
        if name == "deprecated":
            return VVal(ir.Validator("any", optional=True, raw=raw))
        if name == "brandedString":
            return VVal(ir.Validator("string", raw=raw))
        if name == "pretend":
            return VVal(ir.Validator("any", optional=True, raw=raw))
        if name == "pretendRequired":
            x = self._arg_validator(mod, args, 0, "pretendRequired()")
            return VVal((x or ir.Validator("any")).as_optional(True).with_raw(raw))
        if name == "vRequired":
            x = self._arg_validator(mod, args, 0, "vRequired()")
            return VVal((x or ir.Validator("any")).as_optional(False).with_raw(raw))
        if name == "partial":
            val = self.eval(mod, args[0]) if args else VUnknown("no argument")
            if isinstance(val, VObj):
                return VObj({k: _map_val(x, lambda v: v.as_optional(True)) for k, x in val.entries.items()}, dict(val.nodes))
            if isinstance(val, VVal):
                return VVal(_partial(val.v).with_raw(raw))
            return VUnknown("partial() of a value the tool does not model")
        if name in ("systemFields", "withSystemFields"):
            t = self.eval(mod, args[0]) if args else VUnknown("no table")
            if not isinstance(t, VStr):
                return VUnknown("systemFields(): table name not a string")
            sys_fields: dict[str, Value] = {"_id": VVal(_id(t.value)), "_creationTime": VVal(_f())}
            if name == "systemFields":
                return VObj(sys_fields)
            base = self.eval(mod, args[1]) if len(args) > 1 else VObj({})
            entries = self.as_entries(base)
            if entries is None:
                return VUnknown("withSystemFields(): fields not resolved")
            return VObj({**entries, **sys_fields})
        if name in ("pick", "omit"):
            base = self.eval(mod, args[0]) if args else VUnknown("no argument")
            keys_val = self.eval(mod, args[1]) if len(args) > 1 else VUnknown("no keys")
            entries = self.as_entries(base)
            if entries is None or not isinstance(keys_val, VArr):
                return VUnknown(f"{name}(): arguments not resolved")
            keys = [k.value for k in keys_val.items if isinstance(k, VStr)]
            if name == "pick":
                return VObj({k: entries[k] for k in keys if k in entries})
            return VObj({k: x for k, x in entries.items() if k not in keys})
        if name == "Table":
            tname = self.eval(mod, args[0]) if args else VUnknown("no name")
            fields_val = self.eval(mod, args[1]) if len(args) > 1 else VUnknown("no fields")
            if not isinstance(tname, VStr) or not isinstance(fields_val, VObj):
                return VUnknown("Table(): arguments not resolved")
            fields = self.fields_of(mod, fields_val)
            if isinstance(fields, VUnknown):
                return fields
            doc = ir.Validator("object", fields=_fields(fields))
            sys_entries: dict[str, Value] = {"_id": VVal(_id(tname.value)), "_creationTime": VVal(_f())}
            with_sys = {**{k: VVal(v) for k, v in fields.items()}, **sys_entries}
            return VObj(
                {
                    "name": tname,
                    "table": VTable(doc, (), span=node.span, module=mod),
                    "doc": VVal(
                        ir.Validator("object", fields=_fields({k: v.v for k, v in with_sys.items()}))  # type: ignore[union-attr]
                    ),
                    "withoutSystemFields": VObj({k: VVal(v) for k, v in fields.items()}),
                    "withSystemFields": VObj(with_sys),
                    "systemFields": VObj(sys_entries),
                    "_id": VVal(_id(tname.value)),
                }
            )
        if name == "typedV":
            # {...v, id: v.id, doc: (t) => doc(schema, t)} (convex-helpers validators.ts)
            schema = self.eval(mod, args[0]) if args else VUnknown("no schema")
            out = VObj({k: VBuiltin("v." + k) for k in list(_V_SCALARS) + ["id", "literal", "array", "object", "record", "union", "optional", "nullable"]})
            out.entries["doc"] = VMethod(schema, "doc") if isinstance(schema, VSchema) else VUnknown("typedV(): schema not resolved")
            return out
        if name == "doc":
            schema = self.eval(mod, args[0]) if args else VUnknown("no schema")
            t = self.eval(mod, args[1]) if len(args) > 1 else VUnknown("no table")
            return self._schema_doc(schema, t)
        if name in ("customQuery", "customMutation", "customAction"):
            return self.custom_builder(mod, name, args, node)
        if name in ("customCtx",):
            return VObj({"args": VObj({}), "input": VFunction(args[0], mod) if args and isinstance(args[0], ast.Function) else VUnknown("input")})
        if name == "customCtxAndArgs":
            return self.eval(mod, args[0]) if args else VUnknown("no argument")
        return VUnknown(f"convex-helpers {name}() is not modelled")

    def custom_builder(self, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        """``customQuery(builder, customization)`` (convex-helpers server/customFunctions.ts)."""
        base = self.eval(mod, args[0]) if args else VUnknown("no builder")
        if not isinstance(base, VBuilder):
            reason = base.reason if isinstance(base, VUnknown) else "not a function builder"
            return VUnknown(f"{name}(): the wrapped builder is not resolved ({reason})")
        custom = self.eval(mod, args[1]) if len(args) > 1 else VObj({})
        custom_args: dict[str, ir.Validator] = {}
        auth = base.auth
        if isinstance(custom, VObj):
            a = custom.entries.get("args")
            if isinstance(a, VZod) and a.schema.kind == "object":
                a = VObj({k: VZod(x) for k, x in a.schema.shape})
            if isinstance(a, VObj):
                fa = self.fields_of(mod, a)
                if not isinstance(fa, VUnknown):
                    custom_args = fa
            inp = custom.entries.get("input")
            if isinstance(inp, VFunction) and _function_checks_auth(inp):
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

    def _schema_doc(self, schema: Value, t: Value) -> Value:
        if not isinstance(schema, VSchema) or not isinstance(t, VStr):
            return VUnknown("doc(): schema or table not resolved")
        for name, table in schema.tables:
            if name == t.value:
                return VVal(with_system_fields(table.document, name))
        return VUnknown(f"doc(): no table `{t.value}`")

    def call_method(self, mod, m: VMethod, args: list[ast.Node], node: ast.Call) -> Value:
        raw = mod.raw(node.span)
        tgt = m.target
        if isinstance(tgt, VVal):
            v = tgt.v
            if m.name == "optional":
                return VVal(v.as_optional(True).with_raw(raw))
            if m.name == "nullable":
                return VVal(ir.Validator("union", members=(v.as_optional(False), ir.Validator("null")), raw=raw))
            if v.kind != "object":
                return VUnknown(f".{m.name}() exists only on object validators")
            fields = v.field_map()
            if m.name in ("pick", "omit"):
                keys = [k.value for k in (self.eval(mod, a) for a in args) if isinstance(k, VStr)]
                if m.name == "pick":
                    new = {k: fields[k] for k in keys if k in fields}
                else:
                    new = {k: x for k, x in fields.items() if k not in keys}
                return VVal(ir.Validator("object", optional=v.optional, fields=_fields(new), raw=raw))
            if m.name == "partial":
                return VVal(_partial(v).with_raw(raw))
            if m.name == "extend":
                ext = self.eval(mod, args[0]) if args else VObj({})
                if isinstance(ext, VVal) and ext.v.kind == "object":
                    ext_fields = ext.v.field_map()
                elif isinstance(ext, VObj):
                    f = self.fields_of(mod, ext)
                    if isinstance(f, VUnknown):
                        return f
                    ext_fields = f
                else:
                    return VUnknown(".extend() argument not resolved")
                # {...this.fields, ...fields} (validators.ts:473-484): a key that exists keeps
                # its position and takes the new validator; new keys come last.
                merged = dict(fields)
                merged.update(ext_fields)
                return VVal(ir.Validator("object", optional=v.optional, fields=_fields(merged), raw=raw))
        if isinstance(tgt, VZod):
            return self.call_zod_method(mod, tgt.schema, m.name, args)
        if isinstance(tgt, VArr) and m.name == "map" and args:
            return self._array_map(mod, tgt, args[0])
        if isinstance(tgt, ents.VEnt):
            return ents.call_method(self, mod, tgt, m.name, args, node)
        if isinstance(tgt, VTable):
            return self.table_method(mod, tgt, m.name, args, node)
        if isinstance(tgt, VSchema):
            t = self.eval(mod, args[0]) if args else VUnknown("no table")
            if m.name == "doc":
                return self._schema_doc(tgt, t)
            if m.name == "id" and isinstance(t, VStr):
                return VVal(ir.Validator("id", table=t.value, raw=raw))
        return VUnknown(f".{m.name}() not modelled here")

    def _array_map(self, mod, arr: VArr, fn_node: ast.Node) -> Value:
        """``array.map(f)`` where ``f`` is a library function (``v.literal``) or a project
        function (``(s) => v.literal(s)``), called with (element, index, array)."""
        fn = self.eval(mod, fn_node)
        out: list[Value] = []
        for item in arr.items:
            if isinstance(fn, VBuiltin) and fn.name == "v.literal":
                lv = _literal(item)
                if lv is None:
                    return VUnknown(".map(v.literal): an element is not a literal")
                out.append(VVal(ir.Validator("literal", literal=lv)))
            elif isinstance(fn, VFunction):
                res = self.call_function(fn, [item, VNum(len(out)), arr])
                if isinstance(res, VUnknown):
                    return VUnknown(f".map() callback not evaluated ({res.reason})")
                out.append(res)
            else:
                return VUnknown(".map() with a callback the tool does not model")
        return VArr(out)

    # ---- schema
    def define_table(self, mod, args: list[ast.Node], node: ast.Call) -> Value:
        """``defineTable(fields | validator)`` (schema.ts:695-737)."""
        if not args:
            return VUnknown("defineTable() without argument")
        val = self.eval(mod, args[0])
        if isinstance(val, VVal):
            doc = val.v.with_raw(mod.raw(args[0].span))
        elif isinstance(val, VObj):
            fields = self.fields_of(mod, val)
            if isinstance(fields, VUnknown):
                return fields
            doc = ir.Validator("object", fields=_fields(fields), raw=mod.raw(args[0].span))
        else:
            reason = val.reason if isinstance(val, VUnknown) else "not a fields object or validator"
            return VUnknown(f"defineTable(): argument not resolved ({reason})")
        return VTable(doc, (), span=node.span, module=mod)

    def table_method(self, mod, t: VTable, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        """``.index`` / ``.searchIndex`` / ``.vectorIndex`` / ``.staged`` (schema.ts:265-620).

        Like the real builders, these change the table definition itself and return it, so
        ``shared.index(...)`` affects every table that uses ``shared`` and a top-level
        ``t.index(...)`` statement counts. Each call (by source position) applies once.
        """
        key = (mod.rel, node.span)
        if key in t.applied:
            return t
        t.applied.add(key)
        if name == "staged":
            self._staged(mod, t, args, node)
            return t
        if not args:
            mod.diag(node.span[0], "CSX211", f".{name}() without arguments; skipped")
            return t
        iname = self.eval(mod, args[0])
        cfg = self.eval(mod, args[1]) if len(args) > 1 else VUnknown("no configuration")
        line, col = mod.lines.position(args[0].span[0])
        if not isinstance(iname, VStr):
            mod.diag(args[0].span[0], "CSX211", f".{name}(): index name is not a string literal; index skipped")
            return t
        staged = False
        idx: ir.Index | None = None
        if name == "index":
            fields_val: Value = cfg
            if isinstance(cfg, VObj):
                fields_val = cfg.entries.get("fields", VUnknown("no fields"))
                staged = _bool(cfg.entries.get("staged"))
            fields = _strings(fields_val)
            if fields is not None:
                idx = ir.Index("index", iname.value, tuple(fields), staged=staged, line=line, column=col)
        elif name == "searchIndex" and isinstance(cfg, VObj):
            sf = cfg.entries.get("searchField")
            ff = _strings(cfg.entries.get("filterFields", VArr([])))
            if isinstance(sf, VStr) and ff is not None:
                idx = ir.Index("search", iname.value, search_field=sf.value, filter_fields=tuple(ff), staged=_bool(cfg.entries.get("staged")), line=line, column=col)
        elif name == "vectorIndex" and isinstance(cfg, VObj):
            vf = cfg.entries.get("vectorField")
            dims = cfg.entries.get("dimensions")
            ff = _strings(cfg.entries.get("filterFields", VArr([])))
            if isinstance(vf, VStr) and isinstance(dims, VNum) and ff is not None:
                d = dims.value
                # Only a whole number within the server's bounds is a usable dimension; any
                # other value is kept out of the contract's integer field and reported (CSX310).
                whole = isinstance(d, int) or (isinstance(d, float) and d.is_integer())
                dimensions = int(d) if whole and abs(d) < 2**31 else None
                dn = cfg.nodes.get("dimensions")
                idx = ir.Index("vector", iname.value, vector_field=vf.value, dimensions=dimensions, filter_fields=tuple(ff), staged=_bool(cfg.entries.get("staged")), line=line, column=col, dimensions_text=mod.raw(dn.span) if dn is not None else str(d))
        if idx is None:
            mod.diag(args[0].span[0], "CSX211", f".{name}(\"{iname.value}\"): configuration not resolved; index skipped")
            return t
        t.indexes = t.indexes + (idx,)
        return t

    def _staged(self, mod, t: VTable, args: list[ast.Node], node: ast.Call) -> None:
        """``.staged(changes | validator)`` (schema.ts:593-620, convex 1.47): for object and
        ``any`` tables a map of changed fields (``undefined`` removes one); otherwise a whole
        validator. Recorded as the table's staged document type."""
        if not args:
            return
        val = self.eval(mod, args[0])
        if isinstance(val, VVal):
            t.staged_document = val.v
            return
        if isinstance(val, VObj) and t.document.kind in ("object", "any"):
            fields = dict(t.document.field_map()) if t.document.kind == "object" else {}
            for k, x in val.entries.items():
                if isinstance(x, VUndefined):
                    fields.pop(k, None)
                    continue
                v = self.to_validator(mod, x, val.nodes.get(k))
                if isinstance(v, VUnknown):
                    mod.diag(node.span[0], "CSX200", f".staged(): field `{k}` not resolved ({v.reason}); recorded as v.any()")
                    v = ir.Validator("any")
                fields[k] = v
            t.staged_document = ir.Validator("object", fields=_fields(fields))
            return
        mod.diag(node.span[0], "CSX211", ".staged(): argument not resolved; the staged document type is missing")

    def define_schema(self, mod, args: list[ast.Node], node: ast.Call, tables_val: Value | None = None) -> Value:
        """``defineSchema(tables, {schemaValidation?, strictTableNameTypes?})`` (schema.ts:889-1090);
        ``tables_val``: the tables object already evaluated (convex-ents adds join tables)."""
        if not args:
            return VUnknown("defineSchema() without argument")
        if tables_val is None:
            tables_val = self.eval(mod, args[0])
        if isinstance(args[0], ast.Obj):
            seen_keys: set[str] = set()
            for m in args[0].members:
                if isinstance(m, ast.Prop) and m.key is not None:
                    if m.key in seen_keys:
                        mod.diag(m.span[0], "CSX313", f"table '{m.key}' is defined twice; the later definition wins (a JavaScript object keeps the last key), which is probably not intended", "error")
                    seen_keys.add(m.key)
        if not isinstance(tables_val, VObj):
            reason = tables_val.reason if isinstance(tables_val, VUnknown) else "not an object"
            return VUnknown(f"defineSchema(): tables not resolved ({reason})")
        for reason, m in tables_val.spread_unknown:
            mod.diag(m.span[0], "CSX210", f"tables spread not resolved ({reason}); its tables are missing from the contract")
        tables: list[tuple[str, VTable]] = []
        for name, tv in tables_val.entries.items():
            if isinstance(tv, VTable):
                tables.append((name, tv))
            else:
                tnode = tables_val.nodes.get(name)
                reason = tv.reason if isinstance(tv, VUnknown) else "not a table definition"
                mod.diag(tnode.span[0] if tnode is not None else node.span[0], "CSX210", f"table `{name}`: definition not resolved ({reason}); table skipped")
        sv, strict = True, True
        if len(args) > 1:
            opts = self.eval(mod, args[1])
            if isinstance(opts, VObj):
                x = opts.entries.get("schemaValidation")
                if isinstance(x, VBool):
                    sv = x.value
                y = opts.entries.get("strictTableNameTypes")
                if isinstance(y, VBool):
                    strict = y.value
        return VSchema(tables, sv, strict)


# ---------------------------------------------------------------- helpers


def _named(val: Value, name: str) -> Value:
    """A builder reached through the binding ``name``: record the name in its chain."""
    if isinstance(val, VBuilder) and (not val.chain or val.chain[0] != name):
        return replace(val, chain=(name,) + val.chain)
    return val


def _is_array_index(key: str) -> bool:
    return key.isdigit() and (key == "0" or key[0] != "0") and int(key) < 2**32 - 1


def js_key_order(keys):
    """Keys in JavaScript's own-property order (ECMA-262 OrdinaryOwnPropertyKeys):
    array-index keys ascending, then the other keys in insertion order."""
    keys = list(keys)
    if not any(k[:1].isdigit() for k in keys):
        return keys
    idx = sorted((k for k in keys if _is_array_index(k)), key=int)
    return idx + [k for k in keys if not _is_array_index(k)]


def _fields(d: dict[str, ir.Validator]) -> tuple[ir.ObjectField, ...]:
    """Object fields in the order JavaScript (and so Convex's export) lists them."""
    return tuple(ir.ObjectField(k, d[k]) for k in js_key_order(d))


def _partial(v: ir.Validator) -> ir.Validator:
    if v.kind == "object":
        return ir.Validator("object", optional=v.optional, fields=tuple(ir.ObjectField(f.name, f.validator.as_optional(True)) for f in v.fields))
    if v.kind == "union":
        return ir.Validator("union", optional=v.optional, members=tuple(_partial(m) for m in v.members))
    return v


def with_system_fields(doc: ir.Validator, table: str) -> ir.Validator:
    """``schema.doc(table)`` (schema.ts:842-941): adds ``_id`` and ``_creationTime`` to an
    object, or to every member of a union of objects; anything else is returned unchanged."""
    if doc.kind == "object":
        fields = doc.fields + (ir.ObjectField("_id", _id(table)), ir.ObjectField("_creationTime", _f()))
        return ir.Validator("object", fields=fields)
    if doc.kind == "union":
        return ir.Validator("union", members=tuple(with_system_fields(m, table) for m in doc.members))
    return doc


def _map_val(x: Value, fn) -> Value:
    return VVal(fn(x.v)) if isinstance(x, VVal) else x


def _literal(val: Value) -> ir.LiteralValue | None:
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


def _strings(val: Value | None) -> list[str] | None:
    if not isinstance(val, VArr):
        return None
    out = []
    for it in val.items:
        if not isinstance(it, VStr):
            return None
        out.append(it.value)
    return out


def _bool(val: Value | None) -> bool:
    return isinstance(val, VBool) and val.value


def _function_checks_auth(fn: VFunction) -> bool:
    mod = fn.module
    node = fn.node
    body = node.body if isinstance(node, (ast.Function, ast.Method)) else None
    span = body if body is not None else (node.span if node is not None else (0, 0))
    text = mod.mk.masked[span[0] : span[1]]  # code only: strings and comments are masked
    return "getUserIdentity" in text or "getAuthUserId" in text
