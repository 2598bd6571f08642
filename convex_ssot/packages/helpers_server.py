"""convex-helpers (0.1.124) server factories that define tables or register functions.

Rules, each from the package's file of that version (the same files of 0.1.122 are
identical, checked against ``get-convex/convex-helpers``' own checkout):

* ``server/migrations.ts`` — ``migrationsTable``: ``defineTable`` of ``name``, ``table``,
  ``cursor`` (string | null), ``isDone``, ``workerId?`` (id of ``_scheduled_functions``),
  ``processed``, ``latestStart``, ``latestEnd?`` with index ``name``; ``makeMigration(
  internalMutation, opts)`` returns ``migration(def)``, which registers
  ``internalMutation({args: migrationArgs, handler})`` (the builder passed in, so custom
  builders add their args and keep their kind and visibility).
* ``server/retries.ts`` — ``makeActionRetrier(name, options)`` returns ``{runWithRetries,
  retry}``; ``retry`` is ``internalMutationGeneric({args: retryArguments})``.
* ``server/crud.ts`` — ``crud(schema, table, query = internalQueryGeneric, mutation =
  internalMutationGeneric)`` returns ``{create, read, paginate, update, destroy}`` with args
  computed from the table's validator (``create``: its fields plus optional ``_id`` and
  ``_creationTime``, per union member; ``update``: ``{id, patch: partial(doc(schema, table))}``).

The tables carry ``origin`` ``convex-helpers@0.1.124``. A builder or table argument the tool
cannot resolve gives CSX230 and the functions are missing (never invented).
"""

from __future__ import annotations

from .. import ir
from ..interp.core import callee_text
from ..interp.packages import PackageModel
from ..interp.values import VCallable, VObj, VStr, VUndefined, VUnknown, Value
from ..parse import ast
from .convex_server import VBuilder, VRegistration, VSchema, VTable, pagination_opts_validator, with_system_fields
from .convex_values import VVal
from .validator_ir import object_fields, partial

#: The package version whose behaviour is modelled (recorded as the tables' origin).
HELPERS_PACKAGE = "convex-helpers@0.1.124"

SPECIFIERS = ("convex-helpers/server/migrations", "convex-helpers/server/retries", "convex-helpers/server/crud")


def _s() -> ir.Validator:
    return ir.Validator("string")


def _num() -> ir.Validator:
    return ir.Validator("float64")


def _obj(fields: dict[str, ir.Validator]) -> ir.Validator:
    return ir.Validator("object", fields=object_fields(fields))


def _id(table: str, optional: bool = False) -> ir.Validator:
    return ir.Validator("id", table=table, optional=optional)


def _string_or_null() -> ir.Validator:
    return ir.Validator("union", members=(_s(), ir.Validator("null")))


class HelpersServerModel(PackageModel):
    """convex-helpers' ``server/migrations``, ``server/retries`` and ``server/crud``."""

    def modelled_version(self, specifier: str):
        return tuple(HELPERS_PACKAGE.split("@")) if specifier in SPECIFIERS else None  # type: ignore[return-value]

    def exports(self, ev, mod, specifier: str):
        return library_exports(specifier) if specifier in SPECIFIERS else None


def library_exports(specifier: str) -> dict[str, Value]:
    """Modelled exports of one of :data:`SPECIFIERS` (fresh values per import)."""
    if specifier == "convex-helpers/server/migrations":
        return {"migrationsTable": migrations_table(), "makeMigration": VCallable("makeMigration", make_migration)}
    if specifier == "convex-helpers/server/retries":
        return {"makeActionRetrier": VCallable("makeActionRetrier", make_action_retrier)}
    if specifier == "convex-helpers/server/crud":
        return {"crud": VCallable("crud", crud)}
    return {}


def migrations_table() -> VTable:
    """``migrationsTable`` (migrations.ts ``migrationsFields`` and ``.index("name")``)."""
    doc = _obj({
        "name": _s(),
        "table": _s(),
        "cursor": _string_or_null(),
        "isDone": ir.Validator("boolean"),
        "workerId": _id("_scheduled_functions", optional=True),
        "processed": _num(),
        "latestStart": _num(),
        "latestEnd": _num().as_optional(True),
    })
    return VTable(doc, (ir.Index("index", "name", ("name",)),), origin=HELPERS_PACKAGE)


def _migration_args() -> ir.Validator:
    """``migrationArgs`` (migrations.ts): ``fn`` is ``pretendRequired(v.string())``, which
    exports as optional."""
    return _obj({
        "fn": _s().as_optional(True),
        "cursor": _string_or_null().as_optional(True),
        "batchSize": _num().as_optional(True),
        "next": ir.Validator("array", element=_s(), optional=True),
        "dryRun": ir.Validator("boolean", optional=True),
    })


def _wrapped(b: VBuilder, factory: str) -> VBuilder:
    return VBuilder(b.kind, b.visibility, b.canonical, (factory,) + b.chain, b.custom_args, b.auth, b.zod, b.skip_validation)


def _builder_arg(ev, mod, args: list[ast.Node], i: int, default: VBuilder | None, who: str, node: ast.Call) -> VBuilder | None:
    val: Value = ev.eval(mod, args[i]) if i < len(args) else VUndefined()
    if isinstance(val, VUndefined) and default is not None:
        return default
    if isinstance(val, VBuilder):
        return val
    reason = val.reason if isinstance(val, VUnknown) else "not a function builder"
    mod.diag(args[i].span[0] if i < len(args) else node.span[0], "CSX230", f"{who}: the function builder is not resolved ({reason}); the functions it registers are missing from the contract")
    return None


def make_migration(ev, mod, args: list[ast.Node], node: ast.Call) -> Value:
    """``makeMigration(internalMutation, opts)`` → ``migration(def)``."""
    builder = _builder_arg(ev, mod, args, 0, None, "makeMigration()", node)
    if builder is None:
        return VUnknown("makeMigration(): builder not resolved")
    b = _wrapped(builder, "makeMigration")

    def migration(ev2, mod2, _args: list[ast.Node], node2: ast.Call) -> Value:
        return VRegistration(b, None, mod2, callee_text(node2.callee), args=VVal(_migration_args()))

    return VCallable("migration", migration)


def make_action_retrier(ev, mod, args: list[ast.Node], node: ast.Call) -> Value:
    """``makeActionRetrier(retryFnName, options)`` → ``{runWithRetries, retry}``."""
    retry_args = _obj({
        "job": _id("_scheduled_functions", optional=True),
        "action": _s(),
        "actionArgs": ir.Validator("any"),
        "waitBackoff": _num(),
        "retryBackoff": _num(),
        "base": _num(),
        "maxFailures": _num(),
    })
    b = VBuilder("mutation", "internal", "internalMutation", ("makeActionRetrier", "internalMutationGeneric"))
    return VObj({
        "runWithRetries": VUnknown("runWithRetries (a runtime helper)"),
        "retry": VRegistration(b, None, mod, "makeActionRetrier", args=VVal(retry_args)),
    })


def _with_optional_system_fields(v: ir.Validator, table: str) -> ir.Validator | None:
    """crud.ts ``makeSystemFieldsOptional``: ``{...fields, ...partial(systemFields(table))}``
    for an object, member-wise for a union; None where crud throws."""
    if v.kind == "object":
        fields = v.field_map()
        fields.update({"_id": _id(table, optional=True), "_creationTime": _num().as_optional(True)})
        return _obj(fields)
    if v.kind == "union":
        members = [_with_optional_system_fields(m, table) for m in v.members]
        if any(m is None for m in members):
            return None
        return ir.Validator("union", members=tuple(members))  # type: ignore[arg-type]
    return None


def crud(ev, mod, args: list[ast.Node], node: ast.Call) -> Value:
    """``crud(schema, table, query?, mutation?)`` (crud.ts)."""
    schema = ev.eval(mod, args[0]) if args else VUnknown("no schema")
    tname = ev.eval(mod, args[1]) if len(args) > 1 else VUnknown("no table name")
    table = None
    if isinstance(schema, VSchema) and isinstance(tname, VStr):
        table = next((t for n, t in schema.tables if n == tname.value), None)
    if table is None:
        mod.diag(node.span[0], "CSX230", "crud(): schema or table not resolved; its functions are missing from the contract")
        return VUnknown("crud(): schema or table not resolved")
    name = tname.value  # type: ignore[union-attr]
    validator = ev.member(mod, table, "validator")
    create = _with_optional_system_fields(validator.v, name) if isinstance(validator, VVal) else None
    if create is None:
        mod.diag(node.span[0], "CSX230", f"crud(): table `{name}` is not an object or union of objects (convex-helpers throws); its functions are missing")
        return VUnknown("crud(): validator must be an object or union")
    query = _builder_arg(ev, mod, args, 2, VBuilder("query", "internal", "internalQuery", ("internalQueryGeneric",)), "crud()", node)
    mutation = _builder_arg(ev, mod, args, 3, VBuilder("mutation", "internal", "internalMutation", ("internalMutationGeneric",)), "crud()", node)
    if query is None or mutation is None:
        return VUnknown("crud(): builders not resolved")
    q, m = _wrapped(query, "crud"), _wrapped(mutation, "crud")
    by_id = _obj({"id": _id(name)})
    patch = partial(with_system_fields(validator.v, name))  # type: ignore[union-attr]

    def reg(b: VBuilder, a: ir.Validator) -> VRegistration:
        return VRegistration(b, None, mod, "crud", args=VVal(a))

    return VObj({
        "create": reg(m, create),
        "read": reg(q, by_id),
        "paginate": reg(q, _obj({"paginationOpts": pagination_opts_validator()})),
        "update": reg(m, _obj({"id": _id(name), "patch": patch})),
        "destroy": reg(m, by_id),
    })
