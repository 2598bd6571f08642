"""The syntax tree of a Prisma schema, as built by :mod:`convex_ssot.prisma.parse`.

Plain, immutable-by-convention dataclasses. Every node has ``pos``: ``(file, line, column)``,
1-based, of its first character (the file a repository-relative POSIX path). Expressions
keep their source text (``text``) because the contract's ``default`` is the source text of
the ``@default`` argument (the representation the tool we replace writes).

Terms follow Prisma's documentation (https://www.prisma.io/docs/orm/reference/prisma-schema-reference):
block (model, view, type, enum, datasource, generator), field, field attribute (``@x``),
block attribute (``@@x``), argument, expression (function call, array, string, number,
constant path such as ``Cascade`` or ``true``).
"""

from __future__ import annotations

from dataclasses import field
from ..dataclass_cache import dataclass

__all__ = ["Pos", "Expr", "Arg", "Attribute", "Field", "EnumValue", "Setting", "Block", "SchemaFile"]

Pos = tuple  # (file: str, line: int, column: int)


@dataclass(slots=True)
class Expr:
    """An expression. ``kind`` is ``call`` (``name``, ``args``), ``array`` (``items``),
    ``string`` (``value``: the unescaped text), ``number`` (``value``: the source digits)
    or ``path`` (``value``: dotted name such as ``Cascade``, ``true``, ``db.VarChar``).
    ``text`` is the expression's exact source text."""

    kind: str
    pos: Pos
    text: str
    value: str | None = None
    name: str | None = None
    args: list["Arg"] = field(default_factory=list)
    items: list["Expr"] = field(default_factory=list)


@dataclass(slots=True)
class Arg:
    """A call or attribute argument: ``name`` None for a positional one; ``value`` None for
    an empty named argument (``name:``, which Prisma's parser accepts for completion)."""

    name: str | None
    value: Expr | None
    pos: Pos


@dataclass(slots=True)
class Attribute:
    """``@name(args)`` or ``@@name(args)``; ``name`` is dotted (``db.VarChar``).
    ``args_text`` is the source text between the parentheses, stripped (None without
    parentheses)."""

    name: str
    args: list[Arg]
    pos: Pos
    args_text: str | None = None

    def arg(self, name: str, position: int | None = 0) -> Expr | None:
        """The argument called ``name``, else the positional one at ``position`` (counting
        positional arguments only), else None."""
        for a in self.args:
            if a.name == name:
                return a.value
        if position is None:
            return None
        positional = [a for a in self.args if a.name is None]
        return positional[position].value if position < len(positional) else None


class _Attributed:
    """The attribute look-ups fields and blocks share (``attributes`` is a list of
    :class:`Attribute` in source order)."""

    __slots__ = ()

    def attrs(self, name: str) -> list[Attribute]:
        """Every attribute called ``name`` (``id``, ``@@index``, ...), in source order."""
        return [a for a in self.attributes if a.name == name]

    def attr(self, name: str) -> Attribute | None:
        """The first attribute called ``name``, or None."""
        for a in self.attributes:
            if a.name == name:
                return a
        return None


@dataclass(slots=True)
class Field(_Attributed):
    """A field of a model, view or composite type. ``type`` is the type name (for
    ``Unsupported("x")`` the text ``Unsupported("x")`` and ``unsupported`` True);
    ``optional`` for ``?``, ``list`` for ``[]``. ``doc`` is the ``///`` documentation
    (lines joined by newlines) or None."""

    name: str
    type: str
    optional: bool
    list: bool
    unsupported: bool
    attributes: list[Attribute]
    pos: Pos
    type_pos: Pos
    doc: str | None = None


@dataclass(slots=True)
class EnumValue:
    """A value of an enum (``name`` then field attributes such as ``@map``)."""

    name: str
    attributes: list[Attribute]
    pos: Pos
    doc: str | None = None

    def attr(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(slots=True)
class Setting:
    """``key = value`` in a datasource or generator block."""

    name: str
    value: Expr
    pos: Pos


@dataclass(slots=True)
class Block(_Attributed):
    """A top-level block. ``kind`` is ``model``, ``view``, ``type``, ``enum``,
    ``datasource`` or ``generator``; the members are in source order."""

    kind: str
    name: str
    pos: Pos
    name_pos: Pos
    fields: list[Field] = field(default_factory=list)
    values: list[EnumValue] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    doc: str | None = None

    def setting(self, name: str) -> Setting | None:
        return next((s for s in self.settings if s.name == name), None)


@dataclass(slots=True)
class SchemaFile:
    """One parsed ``.prisma`` file: its repository-relative path and its blocks. ``rel`` is
    its identity in the parse cache (:func:`convex_ssot.prisma.load_schema`)."""

    path: str
    blocks: list[Block]
    rel: str = ""
