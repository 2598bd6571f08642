"""``convex/values`` (convex 1.48): the ``v.*`` builders, validator values and their methods.

Follows convex ``src/values/validator.ts`` and ``src/values/validators.ts``:
``v.nullable(x)`` is ``v.union(x, v.null())``; ``v.optional(x)``/``x.optional()`` only set
``isOptional``; ``v.bigint`` is ``v.int64``; ``v.number`` is ``v.float64``; object
``.pick/.omit`` take variadic keys (pick keeps the order of its arguments), ``.partial()``
makes every field optional, ``.extend(f)`` is ``{...fields, ...f}`` (existing keys keep
their position). Also the conversions every model uses: a value as a validator
(:func:`to_validator`), a fields map (:func:`fields_of`).
"""

from __future__ import annotations

from ..dataclass_cache import dataclass

from .. import ir
from ..interp.packages import PackageModel
from ..interp.values import ModelValue, VArr, VBuiltin, VMethod, VObj, VStr, VUnknown, Value
from ..parse import ast
from .validator_ir import V_SCALARS, literal_value, object_fields, partial
from .zod import VZod, to_convex

__all__ = ["VVal", "ValuesModel", "validator", "to_validator", "fields_of", "arg_validator", "nested_validator", "V_BUILDERS", "MAX_VALIDATOR_DEPTH"]

#: Deepest validator nesting (``v.array(v.array(…))``); deeper becomes v.any() with a
#: diagnostic, which keeps contracts within JSON serialisers' depth limits.
MAX_VALIDATOR_DEPTH = 32

#: Every builder of ``v`` (``v.<name>``).
V_BUILDERS = tuple(V_SCALARS) + ("id", "literal", "array", "object", "record", "union", "optional", "nullable")


#: Properties a validator has only for some kinds (convex values/validators.ts): key → kinds.
_KIND_PROPERTIES = {
    "fields": ("object",), "members": ("union",), "element": ("array",), "tableName": ("id",),
    "value": ("literal", "record"), "key": ("record",),
}


@dataclass(slots=True)
class VVal(ModelValue):
    """A validator."""

    v: ir.Validator

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        v = self.v
        if prop in ("optional", "pick", "omit", "partial", "extend", "nullable"):
            return VMethod(self, prop)
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

    def js_typeof(self) -> str | None:
        return "object"  # a validator is an instance of a class (values/validators.ts)

    def has_property(self, key: str) -> bool | None:
        """The kind-specific properties of values/validators.ts (``fields`` of ``VObject``,
        ``members`` of ``VUnion``…): present exactly on their kind; other keys unknown."""
        if key in _KIND_PROPERTIES:
            return self.v.kind in _KIND_PROPERTIES[key]
        return None

    def call_method(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
        raw = mod.raw(node.span)
        v = self.v
        if name == "optional":
            return VVal(v.as_optional(True).with_raw(raw))
        if name == "nullable":
            return VVal(ir.Validator("union", members=(v.as_optional(False), ir.Validator("null")), raw=raw))
        if v.kind != "object":
            return VUnknown(f".{name}() exists only on object validators")
        fields = v.field_map()
        if name in ("pick", "omit"):
            keys = [k.value for k in (ev.eval(mod, a) for a in args) if isinstance(k, VStr)]
            if name == "pick":
                new = {k: fields[k] for k in keys if k in fields}
            else:
                new = {k: x for k, x in fields.items() if k not in keys}
            return VVal(ir.Validator("object", optional=v.optional, fields=object_fields(new), raw=raw))
        if name == "partial":
            return VVal(partial(v).with_raw(raw))
        if name == "extend":
            ext = ev.eval(mod, args[0]) if args else VObj({})
            if isinstance(ext, VVal) and ext.v.kind == "object":
                ext_fields = ext.v.field_map()
            elif isinstance(ext, VObj):
                f = fields_of(ev, mod, ext)
                if isinstance(f, VUnknown):
                    return f
                ext_fields = f
            else:
                return VUnknown(".extend() argument not resolved")
            # {...this.fields, ...fields} (validators.ts:473-484): a key that exists keeps
            # its position and takes the new validator; new keys come last.
            merged = dict(fields)
            merged.update(ext_fields)
            return VVal(ir.Validator("object", optional=v.optional, fields=object_fields(merged), raw=raw))
        return None


class ValuesModel(PackageModel):
    """``convex/values``: ``v`` and ``asObjectValidator``."""

    builtin_names = frozenset({"v", "asObjectValidator"})
    builtin_prefixes = ("v.",)

    def exports(self, ev, mod, specifier: str):
        if specifier == "convex/values":
            return {"v": VBuiltin("v"), "asObjectValidator": VBuiltin("asObjectValidator")}
        return None

    def member(self, ev, mod, base: VBuiltin, prop: str) -> Value:
        if base.name == "v":
            if prop in V_BUILDERS:
                return VBuiltin("v." + prop)
            return VUnknown(f"v.{prop} is not a validator builder of convex 1.48")
        return super().member(ev, mod, base, prop)

    def apply(self, ev, name: str, values: list[Value]) -> Value | None:
        if name != "v.literal":
            return None
        lv = literal_value(values[0])
        if lv is None:
            return VUnknown(".map(v.literal): an element is not a literal")
        return VVal(ir.Validator("literal", literal=lv))

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        if name == "asObjectValidator":
            raw = mod.raw(node.span)
            v = arg_validator(ev, mod, args, 0, "asObjectValidator()")
            return VVal((v or ir.Validator("any")).with_raw(raw))
        if not name.startswith("v."):
            return super().call(ev, mod, name, args, node)
        return nested_validator(ev, mod, node, lambda: self._v(ev, mod, name, args, node))

    def _v(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        raw = mod.raw(node.span)
        b = name[2:]
        if b in V_SCALARS:
            return VVal(ir.Validator(V_SCALARS[b], raw=raw))
        if b == "id":
            t = ev.eval(mod, args[0]) if args else VUnknown("no table")
            if not isinstance(t, VStr):
                mod.diag(node.span[0], "CSX200", "v.id(): table name is not a string literal; recorded as v.any()")
                return VVal(ir.Validator("any", raw=raw))
            return VVal(ir.Validator("id", table=t.value, raw=raw))
        if b == "literal":
            lit = ev.eval(mod, args[0]) if args else VUnknown("no value")
            lv = literal_value(lit)
            if lv is None:
                mod.diag(node.span[0], "CSX200", "v.literal(): value is not a string, number, boolean or bigint literal; recorded as v.any()")
                return VVal(ir.Validator("any", raw=raw))
            return VVal(ir.Validator("literal", literal=lv, raw=raw))
        if b == "array":
            el = arg_validator(ev, mod, args, 0, "v.array()")
            return VVal(ir.Validator("array", element=el or ir.Validator("any"), raw=raw))
        if b == "object":
            if not args:
                return VVal(ir.Validator("object", raw=raw))
            val = ev.eval(mod, args[0])
            if isinstance(val, VObj):
                fields = fields_of(ev, mod, val)
                if isinstance(fields, VUnknown):
                    return fields
                return VVal(ir.Validator("object", fields=object_fields(fields), raw=raw))
            return VUnknown("v.object() argument is not an object")
        if b == "record":
            k = arg_validator(ev, mod, args, 0, "v.record() key")
            val = arg_validator(ev, mod, args, 1, "v.record() value")
            return VVal(ir.Validator("record", key=k or ir.Validator("string"), value=val or ir.Validator("any"), raw=raw))
        if b == "union":
            members = []
            for i in range(len(args)):
                if isinstance(args[i], ast.Spread):
                    inner = ev.eval(mod, args[i].expr)
                    mvs = [to_validator(ev, mod, it, None) for it in inner.items] if isinstance(inner, VArr) else [inner]
                    bad = next((m for m in mvs if not isinstance(m, ir.Validator)), None)
                    if bad is not None:  # an unknown number of members: the union is unknown
                        why = bad.reason if isinstance(bad, VUnknown) else "not an array of validators"
                        mod.diag(args[i].span[0], "CSX200", f"v.union(...spread): spread not resolved ({why}); the union is recorded as v.any()")
                        return VVal(ir.Validator("any", raw=raw))
                    members.extend(mvs)
                    continue
                m = arg_validator(ev, mod, args, i, "v.union()")
                if m is not None:
                    members.append(m)
            return VVal(ir.Validator("union", members=tuple(members), raw=raw))
        if b == "optional":
            x = arg_validator(ev, mod, args, 0, "v.optional()")
            return VVal((x or ir.Validator("any")).as_optional(True).with_raw(raw))
        if b == "nullable":
            x = arg_validator(ev, mod, args, 0, "v.nullable()")
            return VVal(ir.Validator("union", members=(x or ir.Validator("any"), ir.Validator("null")), raw=raw))
        return VUnknown(f"{name}() is not modelled")


def nested_validator(ev, mod, node: ast.Call, build) -> Value:
    """``build()`` one validator level deeper; beyond :data:`MAX_VALIDATOR_DEPTH` levels
    ``v.any()`` with a CSX202 diagnostic instead (the count is per run, in ``ev.state``)."""
    depth = ev.state.get("validator_depth", 0)
    if depth >= MAX_VALIDATOR_DEPTH:
        mod.diag(node.span[0], "CSX202", f"validator nested more than {MAX_VALIDATOR_DEPTH} levels deep; recorded as v.any()")
        return VVal(ir.Validator("any", raw=mod.raw(node.span)))
    ev.state["validator_depth"] = depth + 1
    try:
        return build()
    finally:
        ev.state["validator_depth"] = depth


def validator(ev, mod, node: ast.Node | None, what: str = "validator") -> ir.Validator | VUnknown:
    """Evaluate ``node`` as a validator (a fields map is wrapped in ``v.object``)."""
    if node is None:
        return VUnknown(f"missing {what}")
    val = ev.eval(mod, node)
    return to_validator(ev, mod, val, node)

def to_validator(ev, mod, val: Value, node: ast.Node | None, output: bool = False) -> ir.Validator | VUnknown:
    """A value as a validator: a validator (its raw text taken at ``node``), a fields map
    (``v.object``), a zod schema (converted as convex-helpers does; ``output`` as
    ``zodOutputToConvex``); VUnknown for anything else."""
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
        fields = fields_of(ev, mod, val, output=output)
        if isinstance(fields, VUnknown):
            return fields
        raw = mod.raw(node.span) if node is not None else ""
        return ir.Validator("object", fields=object_fields(fields), raw=raw)
    if isinstance(val, VUnknown):
        return val
    return VUnknown("not a validator")

def fields_of(ev, mod, obj: VObj, output: bool = False) -> dict[str, ir.Validator] | VUnknown:
    """A fields map (``{name: validator}``) from an object value; unknown entries and
    unresolved spreads become diagnostics and are left out. ``output``: zod entries are
    converted as ``zodOutputToConvex`` does (a zod ``returns`` shape)."""
    out: dict[str, ir.Validator] = {}
    for reason, m in obj.spread_unknown:
        mod.diag(m.span[0], "CSX201", f"fields spread not resolved ({reason}); the object is recorded as v.any()")
    if obj.spread_unknown:
        return VUnknown(f"fields spread not resolved ({obj.spread_unknown[0][0]})")
    for k, val in obj.entries.items():
        node = obj.nodes.get(k)
        if isinstance(val, VVal):
            v: ir.Validator | VUnknown = val.v.with_raw(mod.raw(node.span)) if node is not None else val.v
        else:
            v = to_validator(ev, mod, val, node, output=output)
        if isinstance(v, VUnknown):
            off = node.span[0] if node is not None else 0
            mod.diag(off, "CSX200", f"field `{k}`: validator not resolved ({v.reason}); recorded as v.any()")
            v = ir.Validator("any", raw=mod.raw(node.span) if node is not None else "")
        out[k] = v
    return out

def arg_validator(ev, mod, args: list[ast.Node], i: int, who: str) -> ir.Validator | None:
    """Argument ``i`` of a call as a validator; an unresolved one is ``v.any()`` with a
    CSX200 diagnostic naming ``who``; None when the argument is missing."""
    if i >= len(args):
        mod.diag(0, "CSX200", f"{who}: missing argument")
        return None
    v = validator(ev, mod, args[i])
    if isinstance(v, VUnknown):
        mod.diag(args[i].span[0], "CSX200", f"{who}: validator not resolved ({v.reason}); recorded as v.any()")
        return ir.Validator("any", raw=mod.raw(args[i].span))
    return v
