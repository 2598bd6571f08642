"""``convex/server`` (convex 1.48): schemas, tables, function builders and registrations.

* ``defineTable``/``defineSchema`` and the index builders — ``src/server/schema.ts``;
  ``paginationOptsValidator``/``paginationResultValidator`` — ``src/server/pagination.ts``.
* Function builders — ``src/server/impl/registration_impl.ts`` and the codegen template
  ``src/cli/codegen_templates/server.ts`` (``query`` = ``queryGeneric`` …).
"""

from __future__ import annotations

from dataclasses import field, replace
from ..dataclass_cache import dataclass

from .. import ir
from ..interp.core import callee_text
from ..interp.packages import PackageModel
from ..interp.values import ModelValue, VArr, VBool, VBuiltin, VMethod, VNum, VObj, VStr, VUndefined, VUnknown, Value
from ..parse import ast
from .convex_values import VVal, arg_validator, fields_of, to_validator
from .validator_ir import f, flag, id_, obj, object_fields, opt, s, strings

__all__ = [
    "VTable", "VSchema", "VBuilder", "VRegistration", "ServerModel", "GENERATED_BUILDERS", "GENERIC_BUILDERS",
    "define_table", "table_method", "apply_staged", "define_schema", "schema_doc", "with_system_fields",
    "pagination_opts_validator",
]

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


@dataclass(slots=True)
class VTable(ModelValue):
    """A ``defineTable`` result (``TableDefinition``)."""

    document: ir.Validator
    indexes: tuple[ir.Index, ...] = ()
    origin: str | None = None
    span: ast.Span = (0, 0)
    module: object = None
    staged_document: ir.Validator | None = None
    applied: set = field(default_factory=set)  # builder calls already applied (by position)

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        if prop == "validator":
            return VVal(self.document)
        if prop in ("index", "searchIndex", "vectorIndex", "staged"):
            return VMethod(self, prop)
        if prop in ("indexes", "stagedDbIndexes"):
            # schema.ts: `{indexDescriptor, fields}` per database index, in definition order
            staged = prop == "stagedDbIndexes"
            return VArr([
                VObj({"indexDescriptor": VStr(i.name), "fields": VArr([VStr(f) for f in i.fields])})
                for i in self.indexes if i.kind == "index" and i.staged == staged
            ])
        return VUnknown(f"table definition has no property `{prop}` the tool models")

    def call_method(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
        return table_method(ev, mod, self, name, args, node)


@dataclass(slots=True)
class VSchema(ModelValue):
    """A ``defineSchema`` result."""

    tables: list[tuple[str, VTable]]
    schema_validation: bool = True
    strict_table_name_types: bool = True

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        if prop == "tables":
            return VObj({name: t for name, t in self.tables}, keys_known=True)
        if prop in ("doc", "id"):
            return VMethod(self, prop)
        if prop == "schemaValidation":
            return VBool(self.schema_validation)
        return VUnknown(f"schema has no property `{prop}` the tool models")

    def call_method(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
        t = ev.eval(mod, args[0]) if args else VUnknown("no table")
        if name == "doc":
            return schema_doc(self, t)
        if name == "id" and isinstance(t, VStr):
            return VVal(ir.Validator("id", table=t.value, raw=mod.raw(node.span)))
        return None


@dataclass(slots=True)
class VBuilder(ModelValue):
    """A function builder: a Convex constructor or a convex-helpers custom builder.

    ``kind``/``visibility`` come from the innermost Convex constructor; ``chain`` names
    each builder from the outermost wrapper to the Convex constructor; ``custom_args``
    holds the customizations' args maps, outermost first; ``auth`` is True when a
    customization's ``input`` checks authentication.
    """

    kind: str
    visibility: str | None
    canonical: str
    chain: tuple[str, ...] = ()
    custom_args: tuple[dict[str, ir.Validator], ...] = ()
    auth: str | None = None
    zod: bool = False
    skip_validation: bool = False
    model: object = None  # a package's registration model (zodvex.ZodvexBuilder), else None

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        return VUnknown(f"builder has no property `{prop}`")

    def call(self, ev, mod, node: ast.Call) -> Value:
        """``query({...})``: a registration of the definition (its first argument)."""
        definition = node.args[0] if node.args else None
        env = ev.scopes[-1] if ev.scopes else None  # the locals of a project helper registering it
        return VRegistration(self, definition, mod, callee_text(node.callee), env=env or None)

    def bound_to(self, name: str) -> Value:
        """A builder reached through the binding ``name``: record the name in its chain."""
        if not self.chain or self.chain[0] != name:
            return replace(self, chain=(name,) + self.chain)
        return self


@dataclass(slots=True)
class VRegistration(ModelValue):
    """A registered Convex function: the builder and the definition (object or function)."""

    builder: VBuilder
    definition: ast.Node | None
    module: object
    constructor_text: str
    args: Value | None = None
    returns: Value | None = None
    span: ast.Span | None = None  # where a library factory registered it (no definition)
    env: object = field(default=None, compare=False, repr=False)  # the locals the definition sees (made in a project helper)


class ServerModel(PackageModel):
    """``convex/server``: the schema builders, the pagination validators, the ``*Generic``
    function builders."""

    builtin_names = frozenset({"defineSchema", "defineTable", "paginationResultValidator", "docValidator"})

    def exports(self, ev, mod, specifier: str):
        if specifier != "convex/server":
            return None
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
        return out

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        raw = mod.raw(node.span)
        if name == "defineTable":
            return define_table(ev, mod, args, node)
        if name == "defineSchema":
            return define_schema(ev, mod, args, node)
        if name == "docValidator":
            # docValidator(tableName, tableDefinition) (convex/server, schema.ts; 1.44.0)
            t = ev.eval(mod, args[0]) if args else VUnknown("no table name")
            table = ev.eval(mod, args[1]) if len(args) > 1 else VUnknown("no table")
            if isinstance(t, VStr) and isinstance(table, VTable):
                return VVal(with_system_fields(table.document, t.value).with_raw(raw))
            return VUnknown("docValidator(): arguments not resolved")
        if name == "paginationResultValidator":
            item = arg_validator(ev, mod, args, 0, "paginationResultValidator()")
            page_status = ir.Validator(
                "union",
                members=(
                    ir.Validator("literal", literal=ir.LiteralValue("string", "SplitRecommended")),
                    ir.Validator("literal", literal=ir.LiteralValue("string", "SplitRequired")),
                    ir.Validator("null"),
                ),
            )
            return VVal(
                obj(
                    page=ir.Validator("array", element=item or ir.Validator("any")),
                    continueCursor=s(),
                    isDone=ir.Validator("boolean"),
                    splitCursor=opt(ir.Validator("union", members=(s(), ir.Validator("null")))),
                    pageStatus=opt(page_status),
                ).with_raw(raw)
            )
        return super().call(ev, mod, name, args, node)


def define_table(ev, mod, args: list[ast.Node], node: ast.Call) -> Value:
    """``defineTable(fields | validator)`` (schema.ts:695-737)."""
    if not args:
        return VUnknown("defineTable() without argument")
    val = ev.eval(mod, args[0])
    if isinstance(val, VVal):
        doc = val.v.with_raw(mod.raw(args[0].span))
    elif isinstance(val, VObj):
        fields = fields_of(ev, mod, val)
        if isinstance(fields, VUnknown):  # the table is kept, its document is v.any()
            doc = ir.Validator("any", raw=mod.raw(args[0].span))
        else:
            doc = ir.Validator("object", fields=object_fields(fields), raw=mod.raw(args[0].span))
    else:
        reason = val.reason if isinstance(val, VUnknown) else "not a fields object or validator"
        return VUnknown(f"defineTable(): argument not resolved ({reason})")
    pkg = getattr(mod, "package", None)  # a table an installed package defines: its origin
    origin = f"{pkg}@{mod.package_version}" if pkg is not None and mod.package_version else pkg
    return VTable(doc, (), origin=origin, span=node.span, module=mod)


def table_method(ev, mod, t: VTable, name: str, args: list[ast.Node], node: ast.Call) -> Value:
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
        apply_staged(ev, mod, t, args, node)
        return t
    if not args:
        mod.diag(node.span[0], "CSX211", f".{name}() without arguments; skipped")
        return t
    iname = ev.eval(mod, args[0])
    cfg = ev.eval(mod, args[1]) if len(args) > 1 else VUnknown("no configuration")
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
            staged = flag(cfg.entries.get("staged"))
        fields = strings(fields_val)
        if fields is not None:
            idx = ir.Index("index", iname.value, tuple(fields), staged=staged, line=line, column=col)
    elif name == "searchIndex" and isinstance(cfg, VObj):
        sf = cfg.entries.get("searchField")
        ff = strings(cfg.entries.get("filterFields", VArr([])))
        if isinstance(sf, VStr) and ff is not None:
            idx = ir.Index("search", iname.value, search_field=sf.value, filter_fields=tuple(ff), staged=flag(cfg.entries.get("staged")), line=line, column=col)
    elif name == "vectorIndex" and isinstance(cfg, VObj):
        vf = cfg.entries.get("vectorField")
        dims = cfg.entries.get("dimensions")
        ff = strings(cfg.entries.get("filterFields", VArr([])))
        if isinstance(vf, VStr) and isinstance(dims, VNum) and ff is not None:
            d = dims.value
            # Only a whole number within the server's bounds is a usable dimension; any
            # other value is kept out of the contract's integer field and reported (CSX310).
            whole = isinstance(d, int) or (isinstance(d, float) and d.is_integer())
            dimensions = int(d) if whole and abs(d) < 2**31 else None
            dn = cfg.nodes.get("dimensions")
            idx = ir.Index("vector", iname.value, vector_field=vf.value, dimensions=dimensions, filter_fields=tuple(ff), staged=flag(cfg.entries.get("staged")), line=line, column=col, dimensions_text=mod.raw(dn.span) if dn is not None else str(d))
    if idx is None:
        mod.diag(args[0].span[0], "CSX211", f".{name}(\"{iname.value}\"): configuration not resolved; index skipped")
        return t
    t.indexes = t.indexes + (idx,)
    return t

def apply_staged(ev, mod, t: VTable, args: list[ast.Node], node: ast.Call) -> None:
    """``.staged(changes | validator)`` (schema.ts:593-620, convex 1.47): for object and
    ``any`` tables a map of changed fields (``undefined`` removes one); otherwise a whole
    validator. Recorded as the table's staged document type."""
    if not args:
        return
    val = ev.eval(mod, args[0])
    if isinstance(val, VVal):
        t.staged_document = val.v
        return
    if isinstance(val, VObj) and t.document.kind in ("object", "any"):
        fields = dict(t.document.field_map()) if t.document.kind == "object" else {}
        for k, x in val.entries.items():
            if isinstance(x, VUndefined):
                fields.pop(k, None)
                continue
            v = to_validator(ev, mod, x, val.nodes.get(k))
            if isinstance(v, VUnknown):
                mod.diag(node.span[0], "CSX200", f".staged(): field `{k}` not resolved ({v.reason}); recorded as v.any()")
                v = ir.Validator("any")
            fields[k] = v
        t.staged_document = ir.Validator("object", fields=object_fields(fields))
        return
    mod.diag(node.span[0], "CSX211", ".staged(): argument not resolved; the staged document type is missing")

def define_schema(ev, mod, args: list[ast.Node], node: ast.Call, tables_val: Value | None = None) -> Value:
    """``defineSchema(tables, {schemaValidation?, strictTableNameTypes?})`` (schema.ts:889-1090);
    ``tables_val``: the tables object already evaluated (convex-ents adds join tables)."""
    if not args:
        return VUnknown("defineSchema() without argument")
    if tables_val is None:
        tables_val = ev.eval(mod, args[0])
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
        opts = ev.eval(mod, args[1])
        if isinstance(opts, VObj):
            x = opts.entries.get("schemaValidation")
            if isinstance(x, VBool):
                sv = x.value
            y = opts.entries.get("strictTableNameTypes")
            if isinstance(y, VBool):
                strict = y.value
    return VSchema(tables, sv, strict)



def schema_doc(schema: Value, t: Value) -> Value:
    if not isinstance(schema, VSchema) or not isinstance(t, VStr):
        return VUnknown("doc(): schema or table not resolved")
    for name, table in schema.tables:
        if name == t.value:
            return VVal(with_system_fields(table.document, name))
    return VUnknown(f"doc(): no table `{t.value}`")


def with_system_fields(doc: ir.Validator, table: str) -> ir.Validator:
    """``schema.doc(table)`` (schema.ts:842-941): adds ``_id`` and ``_creationTime`` to an
    object, or to every member of a union of objects; anything else is returned unchanged."""
    if doc.kind == "object":
        fields = doc.fields + (ir.ObjectField("_id", id_(table)), ir.ObjectField("_creationTime", f()))
        return ir.Validator("object", fields=fields)
    if doc.kind == "union":
        return ir.Validator("union", members=tuple(with_system_fields(m, table) for m in doc.members))
    return doc


def pagination_opts_validator() -> ir.Validator:
    """``paginationOptsValidator`` (convex/server, src/server/pagination.ts, 1.48)."""
    return obj(
        numItems=f(),
        cursor=ir.Validator("union", members=(s(), ir.Validator("null"))),
        endCursor=opt(ir.Validator("union", members=(s(), ir.Validator("null")))),
        id=opt(f()),
        maximumRowsRead=opt(f()),
        maximumBytesRead=opt(f()),
    )
