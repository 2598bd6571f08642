"""convex-ents (0.11.0): ent definitions, edges and the join tables ``defineEntSchema`` adds.

convex-ents wraps Convex's schema builders; what reaches ``schema.export()`` (and so the DB
contract) is computed here from the package's own rules, file by file of
``convex-ents@0.11.0`` ``dist/schema.js`` (source ``src/schema.ts``) and
``dist/deletion.js`` (``src/deletion.ts``):

* ``defineEnt(fields)`` — an ``EntDefinitionImpl`` whose document is ``v.object(fields)``;
  its ``.index``/``.searchIndex``/``.vectorIndex`` push to the same three lists Convex
  exports (never staged: the class has no staged lists), in call order.
* ``.field(name, validator, {unique?, index?, default?})`` — appends ``name`` (optional when
  a ``default`` is given) and, for ``unique``/``index``, an index named ``name`` on
  ``[name]``; a name already declared throws ``Duplicate field``.
* ``.edge(name, {to?, field?, optional?, ref?})`` — unless ``optional: true``: a field
  ``field ?? name + "Id"`` holding ``v.id(to ?? name + "s")`` and an index of that name;
  ``optional: true`` stores nothing (the other side holds the field).
* ``.edges(name, {to?, ref?, table?, field?, inverseField?, inverse?, deletion?})`` — no
  field; ``defineEntSchema`` pairs it with its inverse edge and, for many:many edges, adds
  a join table ``{[forwardId]: v.id(a), [inverseId]: v.id(b)}`` with indexes
  ``forwardId``, ``inverseId``, ``forwardId_inverseId`` and (not symmetric)
  ``inverseId_forwardId``, appended after the project's tables.
* ``.deletion("soft" | "scheduled", opts?)`` — appends ``deletionTime: v.optional(v.number())``.
* ``defineEntFromTable(table)`` / ``defineEntsFromTables(tables)`` — an ent with the table's
  fields and its (non-staged) database, search and vector indexes; union tables throw.
* ``scheduledDeleteFactory(entDefinitions)`` — registers an internal mutation whose args
  are fixed (deletion.ts ``scheduledDeleteFactory``); identical in 0.11.0 and 0.20.0.

Where ``defineEntSchema`` or a builder would throw (a missing inverse edge, a duplicate
field, a plain ``defineTable`` table among the ents …) the construct is skipped and an
error CSX240 says what convex-ents reports. Calls whose names or options are not literals
give CSX241. Later releases (checked against 0.20.0) changed what ``.edge(name,
{optional | ref})`` stores, accept validators in ``defineEnt`` and 1:1 edges to system
tables (``_storage``): those places get CSX242, and the contract follows 0.11.0 (validators
and system-table edges: the later rule, as 0.11.0 would not load them at all).

Tables the package creates (join tables) carry ``origin`` ``convex-ents@0.11.0``; tables
written with ``defineEnt`` in the project keep ``origin: null``.
"""

from __future__ import annotations

from dataclasses import field
from ..dataclass_cache import dataclass

from .. import ir
from ..interp.packages import PackageModel
from ..interp.values import VArr, VBool, VBuiltin, VMethod, VNull, VNum, VObj, VStr, VUndefined, VUnknown, Value, js_key_order
from ..parse import ast
from .convex_server import VBuilder, VRegistration, VTable, define_schema, table_method
from .convex_values import VVal, fields_of, validator
from .validator_ir import object_fields

#: The package version whose behaviour is modelled (recorded as the join tables' origin).
ENTS_PACKAGE = "convex-ents@0.11.0"

#: Methods of ``EntDefinitionImpl`` beyond Convex's index builders (schema.ts).
ENT_METHODS = ("field", "edge", "edges", "deletion")
_INDEX_METHODS = ("index", "searchIndex", "vectorIndex")


class _JsNull:
    """JavaScript ``null`` in edge configurations (``undefined`` is a missing key / None)."""

    def __repr__(self) -> str:
        return "null"


JSNULL = _JsNull()


class EntsError(Exception):
    """What convex-ents throws (message as the package words it), at ``(module, offset)``."""

    def __init__(self, message: str, at: tuple[object, int]) -> None:
        super().__init__(message)
        self.at = at


class _Unread(Exception):
    """An option value the tool cannot read (not a literal)."""


class _LaterRelease(Exception):
    """A construct convex-ents 0.11.0 rejects but later releases accept (reported as CSX242)."""


@dataclass(slots=True, eq=False)
class VEnt(VTable):
    """An ``EntDefinitionImpl``: a table definition (``document`` always mirrors
    ``fields``) plus the ent configuration ``defineEntSchema`` reads.

    ``fields`` is ``documentSchema`` (JS key order applies on output); ``initial`` the
    ``.validator`` fixed at construction; ``edge_configs`` name → config dict with the
    package's keys (``name``, ``to``, ``cardinality``, ``type``, ``field``, ``ref``,
    ``table``, ``inverse``, ``inverseField``, ``deletion``, ``symmetric``) and ``_at``
    (module, offset) for diagnostics; ``deletion_config`` the ``.deletion`` type."""

    fields: dict[str, ir.Validator] = field(default_factory=dict)
    initial: ir.Validator | None = None
    edge_configs: dict[str, dict] = field(default_factory=dict)
    deletion_config: str | None = None

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        return ent_member(self, prop)

    def call_method(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
        return ent_method(ev, mod, self, name, args, node)


class EntsModel(PackageModel):
    """``convex-ents``."""

    builtin_prefixes = ("ents.",)

    def modelled_version(self, specifier: str):
        return tuple(ENTS_PACKAGE.split("@")) if specifier == "convex-ents" else None  # type: ignore[return-value]

    def exports(self, ev, mod, specifier: str):
        return library_exports() if specifier == "convex-ents" else None

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        return call(ev, mod, name[5:], args, node)


def library_exports() -> dict[str, Value]:
    """Exports of ``convex-ents`` (dist/index.js ``src_exports``)."""
    names = ("defineEnt", "defineEntSchema", "defineEntFromTable", "defineEntsFromTables", "getEntDefinitions",
             "scheduledDeleteFactory", "entsTableFactory", "addEntRules")
    return {n: VBuiltin("ents." + n) for n in names}


def _object(fields: dict[str, ir.Validator], raw: str = "") -> ir.Validator:
    return ir.Validator("object", fields=object_fields(fields), raw=raw)


def new_ent(fields: dict[str, ir.Validator], span: ast.Span = (0, 0), module=None, origin: str | None = None) -> VEnt:
    """``new EntDefinitionImpl(fields)`` (schema.ts ``defineEnt``)."""
    doc = _object(fields)
    return VEnt(doc, (), origin=origin, span=span, module=module, fields=dict(fields), initial=doc)


def _set_field(t: VEnt, name: str, v: ir.Validator) -> None:
    """``this.documentSchema = {...this.documentSchema, [name]: v}``: an existing key keeps
    its position."""
    t.fields[name] = v
    t.document = _object(t.fields)


def _at(mod, args: list[ast.Node], node: ast.Call) -> tuple[object, int]:
    """Where a builder call's diagnostics point: its first argument (the name), else the call."""
    return (mod, args[0].span[0] if args else node.span[0])


def _push_index(t: VEnt, name: str, fields: list[str], mod, offset: int) -> None:
    line, col = mod.lines.position(offset) if mod is not None else (0, 0)
    t.indexes = t.indexes + (ir.Index("index", name, tuple(fields), line=line, column=col),)


# ---------------------------------------------------------------- calls


def call(ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
    """A call of a ``convex-ents`` export ``name``."""
    if name == "defineEnt":
        return define_ent(ev, mod, args, node)
    if name == "defineEntSchema":
        return define_ent_schema(ev, mod, args, node)
    if name == "defineEntFromTable":
        t = ev.eval(mod, args[0]) if args else VUnknown("no table")
        return _from_table(mod, t, node)
    if name == "defineEntsFromTables":
        obj = ev.eval(mod, args[0]) if args else VUnknown("no tables")
        if not isinstance(obj, VObj):
            return VUnknown("defineEntsFromTables(): tables not resolved")
        return VObj({k: _from_table(mod, t, node) for k, t in obj.entries.items()}, dict(obj.nodes))
    if name == "scheduledDeleteFactory":
        return scheduled_delete(mod)
    if name == "getEntDefinitions":
        return VUnknown("getEntDefinitions() result (runtime configuration)")
    return VUnknown(f"convex-ents {name}() result (runtime helper)")


def define_ent(ev, mod, args: list[ast.Node], node: ast.Call) -> Value:
    """``defineEnt(documentSchema)`` (schema.ts)."""
    val = ev.eval(mod, args[0]) if args else VObj({})
    if isinstance(val, VVal):
        v = val.v
        mod.diag(node.span[0], "CSX242", "defineEnt(validator): convex-ents 0.11.0 takes a fields object (a validator makes it throw); later releases accept an object validator, which the contract follows")
        if v.kind != "object":
            return VUnknown("defineEnt(): only object validators are modelled")
        fields = v.field_map()
    elif isinstance(val, VObj):
        f = fields_of(ev, mod, val)
        if isinstance(f, VUnknown):
            return f
        fields = f
    else:
        reason = val.reason if isinstance(val, VUnknown) else "not a fields object"
        return VUnknown(f"defineEnt(): argument not resolved ({reason})")
    ent = new_ent(fields, node.span, mod)
    ent.document = ent.document.with_raw(mod.raw(args[0].span)) if args else ent.document
    ent.initial = ent.document
    return ent


def _from_table(mod, t: Value, node: ast.Call) -> Value:
    """``defineEntFromTable(definition)``: fields of the table's object validator, its
    ``indexes``, ``searchIndexes`` and ``vectorIndexes`` (staged ones are not copied)."""
    if not isinstance(t, VTable):
        reason = t.reason if isinstance(t, VUnknown) else "not a table definition"
        return VUnknown(f"defineEntFromTable(): table not resolved ({reason})")
    if t.document.kind != "object":
        mod.diag(node.span[0], "CSX240", "convex-ents throws: Only tables with object definition are supported in Ents, not unions", "error")
        return VUnknown("defineEntFromTable() of a union table")
    ent = new_ent(t.document.field_map(), node.span, mod)
    ent.indexes = tuple(ix for ix in t.indexes if not ix.staged)
    return ent


def ent_member(base: VEnt, prop: str) -> Value:
    """A property of an ent definition."""
    if prop in ENT_METHODS or prop in _INDEX_METHODS:
        return VMethod(base, prop)
    if prop == "validator":
        return VVal(base.initial or base.document)
    return VUnknown(f"ent definition has no property `{prop}` the tool models")


def ent_method(ev, mod, t: VEnt, name: str, args: list[ast.Node], node: ast.Call) -> Value:
    """``ent.field/edge/edges/deletion/index/searchIndex/vectorIndex(...)``; like the real
    builders each changes the definition in place and returns it (applied once per call
    site, as the evaluator does for ``defineTable``)."""
    if name in _INDEX_METHODS:
        before = len(t.indexes)
        table_method(ev, mod, t, name, args, node)
        # EntDefinitionImpl keeps no staged lists: `staged` in a config is ignored.
        t.indexes = t.indexes[:before] + tuple(_unstaged(ix) for ix in t.indexes[before:])
        return t
    key = (mod.rel, node.span)
    if key in t.applied:
        return t
    t.applied.add(key)
    try:
        if name == "field":
            _field(ev, mod, t, args, node)
        elif name == "edge":
            _edge(ev, mod, t, args, node)
        elif name == "edges":
            _edges(ev, mod, t, args, node)
        elif name == "deletion":
            _deletion(ev, mod, t, args, node)
    except EntsError as exc:
        emod, off = exc.at
        emod.diag(off, "CSX240", f"convex-ents throws: {exc}; skipped", "error")
    except _Unread as exc:
        mod.diag(_at(mod, args, node)[1], "CSX241", f".{name}(): {exc}; its fields, indexes and join tables are missing from the contract")
    return t


def _unstaged(ix: ir.Index) -> ir.Index:
    from dataclasses import replace

    return replace(ix, staged=False) if ix.staged else ix


def _name(ev, mod, args: list[ast.Node], what: str) -> str:
    val = ev.eval(mod, args[0]) if args else VUnknown("missing")
    if not isinstance(val, VStr):
        raise _Unread(f"the {what} is not a string literal")
    return val.value


def _options(ev, mod, args: list[ast.Node], i: int) -> dict[str, object]:
    """Literal options (``undefined`` → absent, ``null`` → JSNULL). ``default`` is kept as
    ``True`` when given (only its presence matters)."""
    if i >= len(args):
        return {}
    val = ev.eval(mod, args[i])
    if isinstance(val, VUndefined):
        return {}
    if not isinstance(val, VObj) or val.spread_unknown:
        raise _Unread("options are not an object literal the tool reads")
    out: dict[str, object] = {}
    for k, x in val.entries.items():
        if isinstance(x, VUndefined):
            continue
        if k == "default":
            out[k] = True
        elif isinstance(x, (VStr, VBool)):
            out[k] = x.value
        elif isinstance(x, VNum):
            out[k] = x.value
        elif isinstance(x, VNull):
            out[k] = JSNULL
        elif isinstance(x, (VObj, VArr)):
            out[k] = x
        else:
            raise _Unread(f"option `{k}` is not a literal")
    return out


def _field(ev, mod, t: VEnt, args: list[ast.Node], node: ast.Call) -> None:
    name = _name(ev, mod, args, "field name")
    opts = _options(ev, mod, args, 2)
    if name in t.fields:
        raise EntsError(f'Duplicate field "{name}"', _at(mod, args, node))
    v = validator(ev, mod, args[1] if len(args) > 1 else None)
    if isinstance(v, VUnknown):
        off = args[1].span[0] if len(args) > 1 else node.span[0]
        mod.diag(off, "CSX200", f".field(\"{name}\"): validator not resolved ({v.reason}); recorded as v.any()")
        v = ir.Validator("any", raw=mod.raw(args[1].span) if len(args) > 1 else "")
    if opts.get("default") is not None:
        v = v.as_optional(True)
    _set_field(t, name, v)
    if opts.get("unique") is True or opts.get("index") is True:
        _push_index(t, name, [name], mod, _at(mod, args, node)[1])


def _edge(ev, mod, t: VEnt, args: list[ast.Node], node: ast.Call) -> None:
    name = _name(ev, mod, args, "edge name")
    opts = _options(ev, mod, args, 1)
    if "optional" in opts or "ref" in opts:
        mod.diag(_at(mod, args, node)[1], "CSX242", f".edge(\"{name}\", {{optional/ref}}): modelled as convex-ents 0.11.0 (`optional: true` stores no field; `ref` alone is ignored); later releases store an optional field for `optional` and use `ref` for the edge that stores none")
    if name in t.edge_configs:
        raise EntsError(f'Duplicate edge "{name}"', _at(mod, args, node))
    to = opts.get("to") if isinstance(opts.get("to"), str) else name + "s"
    at = _at(mod, args, node)
    if opts.get("optional") is not True:
        fname = opts.get("field") if isinstance(opts.get("field"), str) else name + "Id"
        _set_field(t, fname, ir.Validator("id", table=to))
        t.edge_configs[name] = {"name": name, "to": to, "cardinality": "single", "type": "field", "field": fname, "_at": at}
        _push_index(t, fname, [fname], mod, _at(mod, args, node)[1])
        return
    ref = opts.get("ref")
    t.edge_configs[name] = {"name": name, "to": to, "cardinality": "single", "type": "ref", "ref": JSNULL if ref is None else ref, "_at": at}


def _edges(ev, mod, t: VEnt, args: list[ast.Node], node: ast.Call) -> None:
    name = _name(ev, mod, args, "edge name")
    opts = _options(ev, mod, args, 1)
    at = _at(mod, args, node)
    to = opts.get("to") if opts.get("to") is not None else name
    ref, table = opts.get("ref"), opts.get("table")
    if ref is not None and table is not None:
        raise EntsError("Cannot specify both `ref` and `table` for the same edge, as the former is for 1:many edges and the latter for many:many edges", at)
    fld, inverse_field = opts.get("field"), opts.get("inverseField")
    if (fld is not None or inverse_field is not None) and table is None:
        raise EntsError("Specify `table` if you're customizing the `field` or `inverseField` for a many:many edge", at)
    inverse_name = opts.get("inverse")
    if ref is not None:
        cfg = {"name": name, "to": to, "cardinality": "multiple", "type": "field", "ref": ref, "deletion": opts.get("deletion")}
    else:
        cfg = {"name": name, "to": to, "cardinality": "multiple", "type": "ref", "table": table, "field": fld, "inverseField": inverse_field}
    cfg["_at"] = at
    t.edge_configs[name] = cfg
    if inverse_name is not None:
        t.edge_configs[str(inverse_name)] = {"name": inverse_name, "to": to, "cardinality": "multiple", "type": "ref", "inverse": name, "table": table, "_at": at}


def _deletion(ev, mod, t: VEnt, args: list[ast.Node], node: ast.Call) -> None:
    kind = _name(ev, mod, args, "deletion type")
    if "deletionTime" in t.fields:
        raise EntsError(f'Cannot enable "{kind}" deletion because "deletionTime" field was already defined.', _at(mod, args, node))
    if t.deletion_config is not None:
        raise EntsError("Deletion behavior can only be specified once.", _at(mod, args, node))
    _set_field(t, "deletionTime", ir.Validator("float64", optional=True))
    t.deletion_config = kind


# ---------------------------------------------------------------- defineEntSchema


def define_ent_schema(ev, mod, args: list[ast.Node], node: ast.Call) -> Value:
    """``defineEntSchema(tables, options)``: links every edge to its inverse, adds the join
    tables of many:many edges to the tables object, then ``defineSchema`` (schema.ts)."""

    if not args:
        return VUnknown("defineEntSchema() without argument")
    tables_val = ev.eval(mod, args[0])
    if isinstance(tables_val, VObj):
        schema = tables_val.entries
        for table_name in js_key_order(list(schema)):
            table = schema[table_name]
            if not isinstance(table, VEnt):
                if isinstance(table, VTable):
                    tnode = tables_val.nodes.get(table_name)
                    mod.diag(tnode.span[0] if tnode is not None else node.span[0], "CSX240", f"convex-ents throws: table \"{table_name}\" is not an ent (defineEntSchema reads the edges of every table; a defineTable table has none, a TypeError); use defineEnt or defineEntFromTable", "error")
                continue
            for edge in list(table.edge_configs.values()):
                try:
                    _link(schema, table_name, edge)
                except EntsError as exc:
                    emod, off = exc.at
                    emod.diag(off, "CSX240", f"convex-ents throws: {exc}; edge skipped", "error")
                except _Unread as exc:
                    emod, off = edge["_at"]
                    emod.diag(off, "CSX241", f"edge \"{edge['name']}\" in table \"{table_name}\": {exc}; its join table may be missing")
                except _LaterRelease as exc:
                    emod, off = edge["_at"]
                    emod.diag(off, "CSX242", str(exc))
    return define_schema(ev, mod, args, node, tables_val)


def _single(e: dict, typ: str) -> bool:
    return e["cardinality"] == "single" and e["type"] == typ


def _multiple(e: dict, typ: str) -> bool:
    return e["cardinality"] == "multiple" and e["type"] == typ


def _can_be_inverse(table_name: str, edge: dict, self_directed: bool, c: dict) -> bool:
    """``canBeInverseEdge`` (schema.ts)."""
    if c["to"] != table_name:
        return False
    if self_directed:
        return _multiple(c, "ref") and c.get("inverse") == edge["name"]
    if (_single(edge, "ref") and edge.get("ref") is not JSNULL) or (_multiple(edge, "field") and edge.get("ref") is not True):
        if _single(c, "field"):
            return _js_eq(edge.get("ref"), c.get("field"))
    if _single(edge, "field") and edge.get("field") is not JSNULL:
        if (_single(c, "ref") and c.get("ref") is not JSNULL) or (_multiple(c, "field") and c.get("ref") is not True):
            return _js_eq(edge.get("field"), c.get("ref"))
    if _multiple(edge, "ref") and edge.get("table") is not None:
        return _multiple(c, "ref") and _js_eq(edge.get("table"), c.get("table"))
    if _multiple(c, "ref") and c.get("table") is not None:
        return _multiple(edge, "ref") and _js_eq(edge.get("table"), c.get("table"))
    return True


def _js_eq(a: object, b: object) -> bool:
    """``===`` on config values (strings, booleans, null, undefined)."""
    return type(a) is type(b) and a == b


def _link(schema: dict[str, Value], table_name: str, edge: dict) -> None:
    """One iteration of ``defineEntSchema``'s edge loop (schema.ts), mutating the edge
    configs as the package does and adding a join table to ``schema`` when needed."""
    at = edge["_at"]
    if (_multiple(edge, "ref") and edge.get("inverse") is not None) or edge.get("symmetric") is not None:
        return  # inverse edges are handled with their forward edge; symmetric: pair done
    other_name = edge["to"]
    if not isinstance(other_name, str):
        raise _Unread("its target table is not a string")
    if other_name.startswith("_"):
        # 0.11.0 throws (no such table in the schema); 0.20.0 accepts a required 1:1 edge
        # that stores the system document's ID and skips pairing it.
        if _single(edge, "field") and edge.get("deletion") != "soft":
            raise _LaterRelease(f'edge "{edge["name"]}" in table "{table_name}" points to the system table "{other_name}": convex-ents 0.11.0 throws, later releases accept it (the field and index stay)')
        raise EntsError(f'Edge "{edge["name"]}" in table "{table_name}" points to the system table "{other_name}"; only 1:1 edges that store the ID can (later releases; 0.11.0 rejects any)', at)
    other = schema.get(other_name)
    if other is None:
        raise EntsError(f'Edge "{edge["name"]}" in table "{table_name}" points to an undefined table "{other_name}"', at)
    if not isinstance(other, VEnt):
        if isinstance(other, VTable):
            raise EntsError(f'Edge "{edge["name"]}" in table "{table_name}" points to table "{other_name}", which is not an ent (a TypeError in defineEntSchema)', at)
        raise _Unread(f'its target table "{other_name}" is not resolved')
    self_directed = other_name == table_name
    candidates = [c for c in other.edge_configs.values() if _can_be_inverse(table_name, edge, self_directed, c)]
    if len(candidates) > 1:
        names = ", ".join(f'"{c["name"]}"' for c in candidates)
        raise EntsError(f'Edge "{edge["name"]}" in table "{table_name}" has too many potential inverse edges in table "{other_name}": {names}', at)
    inv = candidates[0] if candidates else None
    if _single(edge, "field") and inv is None:
        raise EntsError(f'Missing inverse edge in table "{other_name}" for edge "{edge["name"]}" in table "{table_name}"', at)
    if _single(edge, "ref"):
        if inv is None:
            with_field = f'with field "{edge["ref"]}" ' if edge.get("ref") is not JSNULL else ""
            raise EntsError(f'Missing inverse edge in table "{other_name}" {with_field}for edge "{edge["name"]}" in table "{table_name}"', at)
        if _single(inv, "ref"):
            raise EntsError(f'Both edge "{edge["name"]}" in table "{inv["to"]}" and edge "{inv["name"]}" in table "{edge["to"]}" are marked as optional, choose one to be required.', at)
        if not _single(inv, "field"):
            raise EntsError(f'Unexpected inverse edge type {edge["name"]}, {inv["name"]}', at)
        if edge.get("ref") is JSNULL:
            edge["ref"] = inv["field"]
        inv["unique"] = True
    if _single(edge, "ref") or _multiple(edge, "field"):
        if edge.get("deletion") is not None and other.deletion_config is None:
            raise EntsError(f'Cannot specify soft deletion behavior for edge "{edge["name"]}" in table "{table_name}" because the target table "{other_name}" does not have a "soft" or "scheduled" deletion behavior configured.', at)
    if edge["cardinality"] != "multiple":
        return
    if not self_directed and inv is None:
        raise EntsError(f'Missing inverse edge in table "{other_name}" for edge "{edge["name"]}" in table "{table_name}"', at)
    if inv is not None and inv["cardinality"] == "single":
        if inv["type"] == "ref":
            raise EntsError(f'The edge "{inv["name"]}" in table "{other_name}" cannot be optional, as it must store the 1:many edge as a field. Check the its inverse edge "{edge["name"]}" in table "{table_name}".', at)
        if edge["type"] == "ref":
            raise EntsError(f'The edge "{inv["name"]}" in table "{other_name}" cannot be singular, as the edge "{edge["name"]}" in table "{table_name}" did not specify the `ref` option.', at)
        edge["type"] = "field"
        edge["ref"] = inv["field"]
    if (inv is not None and inv["cardinality"] == "multiple") or self_directed:
        if not self_directed and edge["type"] == "field":
            raise EntsError(f'The edge "{edge["name"]}" in table "{table_name}" specified `ref`, but its inverse edge "{inv["name"]}" in table "{other_name}" is not the singular end of a 1:many edge.', at)
        if inv is not None and inv["type"] == "field":
            raise EntsError(f'The edge "{inv["name"]}" in table "{other_name}" specified `ref`, but its inverse edge "{edge["name"]}" in table "{table_name}" is not the singular end of a 1:many edge.', at)
        is_ref = edge["type"] == "ref"
        if is_ref and edge.get("table") is not None:
            join_name = edge["table"]
        elif inv is None:
            join_name = f"{table_name}_{edge['name']}"
        elif inv["name"] != table_name:
            join_name = f"{table_name}_{inv['name']}_to_{edge['name']}"
        else:
            join_name = f"{inv['name']}_to_{edge['name']}"
        if is_ref and edge.get("field") is not None:
            forward_id = edge["field"]
        elif inv is None:
            forward_id = "aId"
        else:
            forward_id = inv["name"] + "Id" if table_name == other_name else table_name + "Id"
        if self_directed and is_ref and edge.get("inverseField") is not None:
            inverse_id = edge["inverseField"]
        elif inv is None:
            inverse_id = "bId"
        elif inv["type"] == "ref" and inv.get("field") is not None:
            inverse_id = inv["field"]
        else:
            inverse_id = edge["name"] + "Id" if table_name == other_name else other_name + "Id"
        for x in (join_name, forward_id, inverse_id):
            if not isinstance(x, str):
                raise _Unread("a join table or field name is not a string")
        join = new_ent({forward_id: ir.Validator("id", table=table_name), inverse_id: ir.Validator("id", table=other_name)}, origin=ENTS_PACKAGE)
        _push_index(join, forward_id, [forward_id], None, 0)
        _push_index(join, inverse_id, [inverse_id], None, 0)
        _push_index(join, f"{forward_id}_{inverse_id}", [forward_id, inverse_id], None, 0)
        if inv is not None:
            _push_index(join, f"{inverse_id}_{forward_id}", [inverse_id, forward_id], None, 0)
        schema[join_name] = join
        edge.update(type="ref", table=join_name, field=forward_id, ref=inverse_id, symmetric=inv is None)
        if inv is not None:
            inv.update(type="ref", table=join_name, field=inverse_id, ref=forward_id, symmetric=False)


# ---------------------------------------------------------------- scheduledDeleteFactory


def scheduled_delete(mod) -> VRegistration:
    """``scheduledDeleteFactory(entDefinitions, options?)`` (deletion.ts): an
    ``internalMutationGeneric`` with these args; the options only name the function
    reference it schedules itself under."""
    s, num = ir.Validator("string"), ir.Validator("float64")
    approach = ir.Validator("union", members=(
        ir.Validator("literal", literal=ir.LiteralValue("string", "cascade")),
        ir.Validator("literal", literal=ir.LiteralValue("string", "paginate")),
    ))
    edge_args = _object({"approach": approach, "table": s, "indexName": s})
    stack_item = ir.Validator("union", members=(
        _object({"id": s, "table": s, "edges": ir.Validator("array", element=edge_args)}),
        _object({"approach": approach, "cursor": ir.Validator("union", members=(s, ir.Validator("null"))), "table": s,
                 "indexName": s, "fieldValue": ir.Validator("any")}),
    ))
    args = _object({
        "origin": _object({"id": s, "table": s, "deletionTime": num}),
        "stack": ir.Validator("array", element=stack_item),
        "inProgress": ir.Validator("boolean"),
    })
    builder = VBuilder("mutation", "internal", "internalMutation", ("scheduledDeleteFactory", "internalMutationGeneric"))
    return VRegistration(builder, None, mod, "scheduledDeleteFactory", args=VVal(args))
