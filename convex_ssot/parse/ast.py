"""The syntax tree the grammar's Transformer builds: JavaScript expressions and module items.

These classes know nothing of Convex; ``convex_ssot.resolve`` gives them meaning. Every
node carries ``span = (start, end)``: 0-based character offsets into the module's source
text (the parser's outline has the same offsets), so raw source text can be recovered.
Expressions the extractor never needs to understand (binary operators, conditionals,
``typeof``, templates with substitutions …) become :class:`Opaque`.
"""

from __future__ import annotations

from dataclasses import field
from ..dataclass_cache import dataclass

Span = tuple[int, int]


@dataclass(slots=True)
class Node:
    """Base of every node: ``span`` is its ``(start, end)`` in the module's source text."""

    span: Span


@dataclass(slots=True)
class Ident(Node):
    """An identifier reference ``name``."""

    name: str


@dataclass(slots=True)
class Str(Node):
    """A string literal; ``value`` with escapes decoded."""

    value: str


@dataclass(slots=True)
class Num(Node):
    """A number literal: ``value`` as JavaScript reads it, ``text`` as written."""

    value: float | int
    text: str


@dataclass(slots=True)
class BigInt(Node):
    """A BigInt literal ``123n``."""

    value: int


@dataclass(slots=True)
class Bool(Node):
    """``true`` or ``false``."""

    value: bool


@dataclass(slots=True)
class Null(Node):
    """``null``."""


@dataclass(slots=True)
class Member(Node):
    """``obj.prop`` (also ``obj?.prop``)."""

    obj: Node
    prop: str


@dataclass(slots=True)
class Index(Node):
    """``obj[index]``."""

    obj: Node
    index: Node


@dataclass(slots=True)
class Call(Node):
    """``callee(args…)``."""

    callee: Node
    args: list[Node]


@dataclass(slots=True)
class New(Node):
    """``new target``: ``target`` is the constructor call (or the bare constructor)."""

    target: Node


@dataclass(slots=True)
class Spread(Node):
    """``...expr`` in an array, an object or an argument list."""

    expr: Node


@dataclass(slots=True)
class Prop(Node):
    """``key: value``; shorthand ``a`` is ``a: a``. A computed key ``[expr]: value`` has
    ``key`` None and ``computed`` the key expression (``key`` is the string of ``["k"]``)."""

    key: str | None
    value: Node
    shorthand: bool = False
    computed: Node | None = None


@dataclass(slots=True)
class Method(Node):
    """``name(params) { … }``: a method in an object literal (its body is elided)."""

    key: str | None
    params: list[Node]
    body: Span
    is_async: bool


@dataclass(slots=True)
class Obj(Node):
    """An object literal: ``members`` are :class:`Prop`, :class:`Spread` and :class:`Method`."""

    members: list[Node]  # Prop | Spread | Method


@dataclass(slots=True)
class Arr(Node):
    """An array literal; a hole is None."""

    items: list[Node | None]


@dataclass(slots=True)
class Function(Node):
    """An arrow function or function expression.

    ``body`` is the ``(open, close)`` span of an elided block body, or None when the arrow
    has an expression body (then ``expr`` holds it). ``params`` are the parameter
    expressions as written (identifiers, object patterns as :class:`Obj`, typed params).
    """

    params: list[Node]
    body: Span | None
    expr: Node | None
    is_async: bool
    name: str | None = None  # a function declaration's (or named expression's) name


@dataclass(slots=True)
class Paren(Node):
    """``( … )``: a parenthesised expression, or the parameter list of an arrow function."""

    items: list[Node]


@dataclass(slots=True)
class Opaque(Node):
    """An expression that is tolerated but not understood; ``what`` names its form.

    ``parts`` keeps the operands of the forms a function body's evaluation may need
    (:mod:`convex_ssot.resolve.statements`): ``("binary", (op, left, right))`` for the
    ``BIN_OP`` operators (``===``, ``&&``, ``??`` …), ``("unary", ("!", operand))`` and
    ``("assignment", (op, target, value))``, ``("conditional", (test, then, other))``,
    ``("param-default", (name, default))``; empty otherwise."""

    what: str
    parts: tuple = ()


# ---------------------------------------------------------------- module items


@dataclass(slots=True)
class Import(Node):
    """``import d, * as ns, {a as b} from "spec"``; ``named`` holds (imported, local)."""

    specifier: str
    default: str | None = None
    namespace: str | None = None
    named: list[tuple[str, str]] = field(default_factory=list)
    type_only: bool = False


@dataclass(slots=True)
class ExportFrom(Node):
    """``export {a as b} from "spec"`` (``names`` holds (imported, exported)) or ``export * [as ns] from``."""

    specifier: str
    names: list[tuple[str, str]] | None
    star_as: str | None = None


@dataclass(slots=True)
class ExportNamed(Node):
    """``export { a, b as c }``: ``names`` holds (local, exported)."""

    names: list[tuple[str, str]]


@dataclass(slots=True)
class Declarator(Node):
    """One ``name = init`` of a declaration; ``name`` is None for a destructuring pattern,
    whose (property, local) pairs are in ``pattern``."""

    name: str | None
    init: Node | None
    pattern: list[tuple[str, str]] | None = None
    pattern_complete: bool = True  # False when a nested pattern or a default was left out


@dataclass(slots=True)
class VarDecl(Node):
    """``const``/``let``/``var`` with its :class:`Declarator` list; ``exported`` for ``export const …``."""

    exported: bool
    declarators: list[Declarator]


@dataclass(slots=True)
class ExportDefault(Node):
    """``export default expr``."""

    expr: Node


@dataclass(slots=True)
class ExprStatement(Node):
    """A top-level expression statement the outline keeps: ``t.index("by_x", ["x"]);``."""

    expr: Node


# ---------------------------------------------------------------- function-body statements
# Produced only by the grammar's ``body`` start rule (a statement body parsed on demand).


@dataclass(slots=True)
class Block(Node):
    """A braced block (``if (…) { … }``, a loop body) elided to the ``BODY`` terminal:
    ``span`` covers ``@ … }``; its statements are parsed when needed."""


@dataclass(slots=True)
class Return(Node):
    """``return [expr]``; ``keyword_end`` is the offset just after ``return`` (a line break
    between it and ``expr`` would end the statement in JavaScript)."""

    expr: Node | None
    keyword_end: int


@dataclass(slots=True)
class Throw(Node):
    """``throw expr`` (in a function body)."""

    expr: Node


@dataclass(slots=True)
class If(Node):
    """``if (test) then else other`` (in a function body; ``other`` None without ``else``)."""

    test: Node
    then: Node
    other: Node | None


@dataclass(slots=True)
class ForOf(Node):
    """``for (const|let|var binding of iterable) body``: ``name`` or ``pattern`` pairs."""

    name: str | None
    pattern: list[tuple[str, str]] | None
    pattern_complete: bool
    iterable: Node
    body: Node


@dataclass(slots=True)
class ForIn(Node):
    """``for (const|let|var binding in object) body``: ``name`` or ``pattern`` pairs."""

    name: str | None
    pattern: list[tuple[str, str]] | None
    pattern_complete: bool
    obj: Node
    body: Node
