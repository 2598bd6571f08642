"""What a parsed Prisma schema means: field kinds, relations, defaults, and the checks
that make us refuse a schema Prisma refuses.

:func:`analyse` takes the parsed files (one schema, possibly split over several files,
as Prisma merges them) and returns a :class:`Schema`, or raises
:class:`PrismaSchemaError` naming the file, line and column of the first problem.

The rules are Prisma's (psl-core, ``validate/validation_pipeline`` and
``transform/ast_to_dml``; https://www.prisma.io/docs/orm/reference/prisma-schema-reference).
The checks implemented here are the ones listed in docs/reliability.md ("Prisma schemas
Prisma rejects"); tests/conformance/test_prisma_conformance.py runs every rejected fixture
through Prisma's own ``validate`` as well.
"""

from __future__ import annotations

from dataclasses import field
from ..dataclass_cache import dataclass

from ..errors import InputError
from . import ast

__all__ = ["SCALARS", "Schema", "Relation", "PrismaSchemaError", "analyse", "dmmf_default", "field_names", "relation_args"]

#: Prisma's built-in scalar types.
SCALARS = frozenset({"String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"})

FIELD_ATTRIBUTES = frozenset({"id", "default", "unique", "map", "updatedAt", "relation", "ignore", "shardKey"})
BLOCK_ATTRIBUTES = frozenset({"id", "unique", "index", "map", "schema", "ignore", "fulltext", "shardKey"})
ENUM_VALUE_ATTRIBUTES = frozenset({"map"})
ENUM_ATTRIBUTES = frozenset({"map", "schema"})
REFERENTIAL_ACTIONS = frozenset({"Cascade", "Restrict", "NoAction", "SetNull", "SetDefault"})


class PrismaSchemaError(InputError):
    """A schema Prisma rejects: ``file``, ``line``, ``column`` (1-based) and ``message``."""

    def __init__(self, file: str, line: int, column: int, message: str, more: int = 0) -> None:
        text = f"{file}:{line}:{column}: {message}"
        if more:
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(text + "; fix the Prisma schema (`prisma validate` reports the same); nothing was written")
        self.file, self.line, self.column, self.message = file, line, column, message


@dataclass(slots=True)
class Relation:
    """A relation field resolved: ``name`` as written (None when unnamed), ``resolved_name``
    as Prisma names it (``AToB``, the two model names in code-unit order, when unnamed),
    ``fields``/``references`` (empty on the back-relation side), referential actions
    (None unless written) and the constraint name ``map``."""

    name: str | None
    resolved_name: str
    fields: list[str]
    references: list[str]
    on_delete: str | None
    on_update: str | None
    map: str | None


@dataclass(slots=True)
class Schema:
    """A whole Prisma schema. Blocks are in source order (files in path order).

    ``provider`` is the datasource provider (None without a datasource); ``schemas`` the
    datasource's ``schemas`` list; ``relations`` maps ``(model, field)`` to a
    :class:`Relation` for every relation field."""

    files: list[str]
    provider: str | None
    schemas: list[str]
    models: list[ast.Block] = field(default_factory=list)
    views: list[ast.Block] = field(default_factory=list)
    types: list[ast.Block] = field(default_factory=list)
    enums: list[ast.Block] = field(default_factory=list)
    relations: dict = field(default_factory=dict)
    preview_features: list[str] = field(default_factory=list)
    enum_names: set = field(default_factory=set)
    type_names: set = field(default_factory=set)

    def kind_of(self, f: ast.Field) -> str:
        """``scalar``, ``enum``, ``object`` (a relation to a model or view), ``composite``
        (a composite type) or ``unsupported``."""
        if f.unsupported:
            return "unsupported"
        if f.type in SCALARS:
            return "scalar"
        if f.type in self.enum_names:
            return "enum"
        if f.type in self.type_names:
            return "composite"
        return "object"

    def index(self) -> None:
        """Fill ``enum_names`` and ``type_names`` (after the blocks are collected)."""
        self.enum_names = {e.name for e in self.enums}
        self.type_names = {t.name for t in self.types}


def _strings(e: ast.Expr | None) -> list[str] | None:
    if e is None or e.kind != "array":
        return None
    return [i.value if i.kind in ("string", "path") else i.name or i.text for i in e.items]


def field_names(e: ast.Expr | None) -> list[tuple[str, ast.Expr]]:
    """Field references of an attribute's ``fields`` list (``[a, b(sort: Desc)]``)."""
    if e is None:
        return []
    items = e.items if e.kind == "array" else [e]
    return [((i.name if i.kind == "call" else i.value) or i.text, i) for i in items]


def relation_args(attr: ast.Attribute | None) -> dict:
    """``name``, ``fields``, ``references``, ``onDelete``, ``onUpdate``, ``map`` of a
    ``@relation(...)`` attribute (None/[] where absent)."""
    out = {"name": None, "fields": [], "references": [], "onDelete": None, "onUpdate": None, "map": None}
    if attr is None:
        return out
    name = attr.arg("name", 0)
    if name is not None and name.kind == "string":
        out["name"] = name.value
    for key in ("fields", "references"):
        out[key] = [n for n, _ in field_names(attr.arg(key, None))]
    for key in ("onDelete", "onUpdate"):
        v = attr.arg(key, None)
        out[key] = v.value if v is not None else None
    m = attr.arg("map", None)
    out["map"] = m.value if m is not None and m.kind == "string" else None
    return out


def _version_arg(e: ast.Expr, default: int) -> list:
    return [int(e.args[0].value.value)] if e.args and e.args[0].value is not None and e.args[0].value.kind == "number" else [default]


def _rfc3339(text: str) -> str:
    """A DateTime default as Prisma's DMMF prints it (chrono's ``to_rfc3339``:
    ``2024-01-01T00:00:00+00:00``); text that is no date stays as written."""
    import datetime as dt

    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return text
    if t.tzinfo is None:
        return text
    frac = ""
    if t.microsecond:
        frac = f".{t.microsecond:06d}"
        if frac.endswith("000"):
            frac = frac[:4]
    off = t.utcoffset()
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _number(text: str):
    """A Float/Decimal default as the DMMF prints it: an integer when it has no fraction
    (``2.00`` → 2), else the float."""
    v = float(text)
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _literal(e: ast.Expr, scalar: str):
    if e.kind == "string":
        if scalar == "DateTime":
            return _rfc3339(e.value)
        if scalar == "Decimal":
            try:
                return _number(e.value)
            except ValueError:
                return e.value
        return e.value
    if e.kind == "number":
        if scalar == "BigInt":
            return e.value
        return _number(e.value) if scalar in ("Float", "Decimal") or "." in e.value else int(e.value)
    if e.kind == "path":
        return {"true": True, "false": False}.get(e.value, e.value)
    if e.kind == "array":
        return [_literal(i, scalar) for i in e.items]
    return dmmf_default(e, scalar)


def dmmf_default(e: ast.Expr, scalar: str):
    """The ``@default`` argument as Prisma's DMMF gives it (``field.default``): a literal
    (string, number — a BigInt as a string —, boolean, enum value name, list) or a function
    ``{"name", "args"}`` (``cuid()`` → args ``[1]``, ``uuid()`` → ``[4]``, as Prisma
    fills in the version)."""
    if e.kind != "call":
        return _literal(e, scalar)
    if e.name == "cuid":
        args = _version_arg(e, 1)
    elif e.name == "uuid":
        args = _version_arg(e, 4)
    else:  # named arguments (sequence(maxValue: 10)) are not in the DMMF's args
        args = [_literal(a.value, scalar) for a in e.args if a.value is not None and a.name is None]
    return {"name": e.name, "args": args}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[tuple[tuple, str]] = []

    def err(self, pos: tuple, msg: str) -> None:
        self.errors.append((pos, msg))

    def raise_first(self) -> None:
        if self.errors:
            (file, line, col), msg = self.errors[0]
            raise PrismaSchemaError(file, line, col, msg, len(self.errors) - 1)


def _preview(gens: list[ast.Block]) -> list[str]:
    out: list[str] = []
    for g in gens:
        s = g.setting("previewFeatures")
        if s is not None:
            out.extend(_strings(s.value) or [])
    return out


def analyse(files: list[ast.SchemaFile]) -> Schema:
    """Merge the files of one schema and check them (see the module doc).

    Raises :class:`PrismaSchemaError` for the first problem found (the message counts the rest).
    """
    chk = _Checker()
    blocks = [b for f in files for b in f.blocks]
    sources = [b for b in blocks if b.kind == "datasource"]
    gens = [b for b in blocks if b.kind == "generator"]
    provider = None
    schemas: list[str] = []
    for extra in sources[1:]:
        chk.err(extra.pos, "you defined more than one datasource; Prisma supports exactly one")
    if sources:
        ds = sources[0]
        p = ds.setting("provider")
        if p is None:
            chk.err(ds.pos, f'argument "provider" is missing in data source block "{ds.name}"')
        elif p.value.kind == "string":
            provider = p.value.value
        s = ds.setting("schemas")
        if s is not None:
            schemas = _strings(s.value) or []
    out = Schema([f.path for f in files], provider, schemas, preview_features=_preview(gens))
    seen: dict[str, ast.Block] = {}
    for b in blocks:
        if b.kind in ("datasource", "generator"):
            continue
        _check_names(b, chk)
        if b.name in seen:
            chk.err(b.name_pos, f"the {b.kind} `{b.name}` cannot be defined because a {seen[b.name].kind} with that name already exists")
            continue
        if b.name in SCALARS:
            chk.err(b.name_pos, f"the {b.kind} name `{b.name}` is a reserved scalar type name")
        seen[b.name] = b
        {"model": out.models, "view": out.views, "type": out.types, "enum": out.enums}[b.kind].append(b)
    if out.views and "views" not in out.preview_features:
        chk.err(out.views[0].pos, "view definitions are only available with the `views` preview feature (add it to the generator's previewFeatures)")
    out.index()
    for e in out.enums:
        _check_enum(e, schemas, chk)
    models = {b.name: b for b in out.models + out.views}
    for b in out.models + out.views + out.types:
        _check_block(b, out, models, schemas, chk)
    chk.raise_first()
    _resolve_relations(out, models, chk)
    chk.raise_first()
    return out


_KIND_WORDS = {"model": "Model", "view": "View", "type": "Composite type", "enum": "Enum"}


def _check_names(b: ast.Block, chk: _Checker) -> None:
    """Prisma's grammar lets `-` into identifiers; its validation rejects it in names."""
    if "-" in b.name:
        chk.err(b.name_pos, f"the character `-` is not allowed in {_KIND_WORDS[b.kind]} names")
    for m in b.fields + b.values:
        if "-" in m.name:
            chk.err(m.pos, f"the character `-` is not allowed in {'Enum Value' if b.kind == 'enum' else 'Field'} names")


def _check_enum(e: ast.Block, schemas: list[str], chk: _Checker) -> None:
    if not e.values:
        chk.err(e.pos, f"the enum `{e.name}` has no values; an enum must have at least one value")
    names: set[str] = set()
    for v in e.values:
        if v.name in names:
            chk.err(v.pos, f"value `{v.name}` is already defined on enum `{e.name}`")
        names.add(v.name)
        for a in v.attributes:
            if a.name not in ENUM_VALUE_ATTRIBUTES:
                chk.err(a.pos, f"attribute not known: `@{a.name}` (an enum value takes only @map)")
    for a in e.attributes:
        if a.name not in ENUM_ATTRIBUTES:
            chk.err(a.pos, f"attribute not known: `@@{a.name}` (an enum takes @@map and @@schema)")
    _check_schema_attr(e, schemas, chk)


def _check_schema_attr(b: ast.Block, schemas: list[str], chk: _Checker) -> None:
    attr = b.attr("schema")
    if attr is not None:
        v = attr.arg("name", 0)
        if not schemas:
            chk.err(attr.pos, "@@schema needs the datasource's `schemas` list (multiSchema)")
        elif v is None or v.kind != "string" or v.value not in schemas:
            chk.err(attr.pos, f"this schema is not defined in the datasource's `schemas` list ({', '.join(schemas)})")
    elif schemas and b.kind != "type":
        chk.err(b.pos, f"this {b.kind} is missing an `@@schema` attribute (the datasource lists `schemas`)")


def _check_block(b: ast.Block, out: Schema, models: dict, schemas: list[str], chk: _Checker) -> None:
    known_types = SCALARS | set(models) | out.enum_names | out.type_names
    names: dict[str, ast.Field] = {}
    ignored_block = b.attr("ignore") is not None
    for f in b.fields:
        if f.name in names:
            chk.err(f.pos, f"field `{f.name}` is already defined on {b.kind} `{b.name}`")
        names[f.name] = f
        if not f.unsupported and f.type not in known_types:
            chk.err(f.type_pos, f'type "{f.type}" is neither a built-in type, nor refers to another model, composite type, or enum')
        for a in f.attributes:
            if a.name not in FIELD_ATTRIBUTES and not a.name.startswith("db."):
                chk.err(a.pos, f"attribute not known: `@{a.name}`")
        if f.attr("id") is not None and f.optional:
            chk.err(f.attr("id").pos, "fields that are marked as id must be required")
        if f.attr("updatedAt") is not None and f.type != "DateTime":
            chk.err(f.attr("updatedAt").pos, "fields that are marked with @updatedAt must be of type DateTime")
        if f.attr("ignore") is not None and ignored_block:
            chk.err(f.attr("ignore").pos, "fields on an already ignored model do not need an `@ignore` annotation")
        seen_attrs: set[str] = set()
        for a in f.attributes:
            key = "db" if a.name.startswith("db.") else a.name  # one native type per field
            if key in seen_attrs:
                chk.err(a.pos, f'attribute "@{a.name}" can only be defined once')
            seen_attrs.add(key)
    for a in b.attributes:
        if a.name not in BLOCK_ATTRIBUTES:
            chk.err(a.pos, f"attribute not known: `@@{a.name}`")
            continue
        if a.name in ("id", "unique", "index", "fulltext"):
            for name, e in field_names(a.arg("fields", 0)):
                head = name.split(".", 1)[0]  # `address.city`: a field of a composite type (MongoDB)
                if "." in name and head in names and out.kind_of(names[head]) == "composite":
                    continue
                if name not in names:
                    chk.err(e.pos, f"the {a.name} definition refers to the unknown field `{name}` of {b.kind} `{b.name}`")
                elif out.kind_of(names[name]) == "object":
                    chk.err(e.pos, f"the {a.name} definition refers to the relation field `{name}`; use its scalar fields")
    if b.kind == "type":
        return
    _check_schema_attr(b, schemas, chk)
    ids = [f for f in b.fields if f.attr("id") is not None]
    if b.kind == "view" and (ids or b.attrs("id")):
        chk.err((ids[0].attr("id") if ids else b.attr("id")).pos, "views cannot have primary keys (use @unique / @@unique)")
    if len(ids) + len(b.attrs("id")) > 1:
        chk.err(b.pos, f"at most one field must be marked as the id field with the `@id` attribute (model `{b.name}`)")
    if b.kind == "model" and not ignored_block and not ids and not b.attrs("id"):
        required_unique = any(f.attr("unique") is not None and not f.optional and out.kind_of(f) in ("scalar", "enum") for f in b.fields)
        for u in b.attrs("unique"):
            refs = [names.get(n) for n, _ in field_names(u.arg("fields", 0))]
            if refs and all(r is not None and not r.optional for r in refs):
                required_unique = True
        if not required_unique:
            chk.err(b.pos, f"each model must have at least one unique criteria that has only required fields: add @id or @@id to `{b.name}` (or @unique, @@unique on required fields)")


def _resolve_relations(out: Schema, models: dict, chk: _Checker) -> None:
    pending: list[tuple[ast.Block, ast.Field, dict]] = []
    for b in out.models + out.views:
        for f in b.fields:
            if out.kind_of(f) != "object":
                if f.attr("relation") is not None:
                    chk.err(f.attr("relation").pos, f"@relation is only allowed on relation fields (`{f.name}` is of type {f.type})")
                continue
            args = relation_args(f.attr("relation"))
            fields_by_name = {x.name: x for x in b.fields}
            target = models[f.type]
            target_fields = {x.name for x in target.fields}
            for n in args["fields"]:
                if n not in fields_by_name:
                    chk.err(f.attr("relation").pos, f"the argument fields must refer only to existing fields; `{n}` does not exist on `{b.name}`")
            for n in args["references"]:
                if n not in target_fields:
                    chk.err(f.attr("relation").pos, f"the argument references must refer only to existing fields in the related model `{target.name}`; `{n}` does not exist")
            if len(args["fields"]) != len(args["references"]):
                chk.err(f.attr("relation").pos, "you must specify the same number of fields in `fields` and `references`")
            for key in ("onDelete", "onUpdate"):
                if args[key] is not None and args[key] not in REFERENTIAL_ACTIONS:
                    chk.err(f.attr("relation").pos, f"invalid referential action `{args[key]}` for {key} (one of {', '.join(sorted(REFERENTIAL_ACTIONS))})")
            pending.append((b, f, args))
    by_pair: dict[tuple, list] = {}
    for b, f, args in pending:
        by_pair.setdefault((frozenset((b.name, f.type)), args["name"]), []).append((b, f, args))
    for (pair, name), sides in by_pair.items():
        models_in = sorted(pair) if len(pair) == 2 else [next(iter(pair))] * 2
        resolved = name or f"{models_in[0]}To{models_in[1]}"
        for b, f, args in sides:
            out.relations[(b.name, f.name)] = Relation(args["name"], resolved, args["fields"], args["references"], args["onDelete"], args["onUpdate"], args["map"])
        if len(sides) == 1:
            b, f, _ = sides[0]
            chk.err(f.pos, f"the relation field `{f.name}` on {b.kind} `{b.name}` is missing an opposite relation field on the model `{f.type}`; add a field of type `{b.name}` there (or name both sides with @relation)")
        elif len(sides) > 2 and len(pair) == 2:
            b, f, _ = sides[2]
            chk.err(f.pos, f"ambiguous relation between `{models_in[0]}` and `{models_in[1]}`: give each pair of relation fields its own @relation name")
        elif len(sides) == 2:
            (b1, f1, a1), (b2, f2, a2) = sides
            if f1.list and f2.list:
                if a1["fields"] or a2["fields"]:
                    chk.err(f1.pos, "an implicit many-to-many relation must not define `fields` or `references`")
            elif not a1["fields"] and not a2["fields"]:
                holder = f1 if not f1.list else f2
                chk.err(holder.pos, f"the relation field `{holder.name}` must specify the `fields` and `references` arguments in @relation (the side that stores the foreign key)")
            elif (f1.list and a1["fields"]) or (f2.list and a2["fields"]):
                lst = f1 if f1.list else f2
                chk.err(lst.pos, f"the list relation field `{lst.name}` must not specify `fields` or `references`; put them on the other side")
