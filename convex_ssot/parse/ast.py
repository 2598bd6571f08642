"""The syntax tree the grammar's Transformer builds: JavaScript expressions and module items.

These classes know nothing of Convex; ``convex_ssot.resolve`` gives them meaning. Every
node carries ``span = (start, end)``: 0-based character offsets into the module's source
text (the parser's outline has the same offsets), so raw source text can be recovered.
Expressions the extractor never needs to understand (binary operators, conditionals,
``typeof``, templates with substitutions …) become :class:`Opaque`.

The classes are written out rather than made by ``dataclasses`` (which generates and
compiles three methods per class at import, about 20 ms for these 33 classes): each
declares its ``__slots__`` and ``__init__``; :class:`Node` gives them the dataclass
behaviour they had (field-wise ``==``, unhashable, ``Ident(span=(0, 1), name='v')`` repr).
"""

from __future__ import annotations

from operator import attrgetter

Span = tuple[int, int]


class Node:
    """Base of every node. ``_fields`` lists a class's fields in ``__init__`` order (its
    base's, then its own ``__slots__``). Nodes pickle as their constructor call with those
    fields (the module cache stores them)."""

    __slots__ = ("span",)
    span: Span
    _fields: tuple[str, ...] = ("span",)

    def __init_subclass__(cls) -> None:
        cls._fields = cls.__mro__[1]._fields + cls.__slots__
        if len(cls._fields) > 1:  # read in C: pickling calls __reduce__ once per node
            cls._values = attrgetter(*cls._fields)
            cls.__reduce__ = Node._reduce_fields  # type: ignore[method-assign]

    def __init__(self, span: Span) -> None:
        self.span = span

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self._fields)})"

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, f) for f in self._fields) == tuple(getattr(other, f) for f in other._fields)

    __hash__ = None  # mutable and compared by value

    def __reduce__(self):
        return (self.__class__, (self.span,))

    def _reduce_fields(self):
        return (self.__class__, self._values(self))  # type: ignore[attr-defined]


class Ident(Node):
    """An identifier reference ``name``."""

    __slots__ = ("name",)
    name: str

    def __init__(self, span: Span, name: str) -> None:
        self.span = span
        self.name = name


class Str(Node):
    """A string literal; ``value`` with escapes decoded."""

    __slots__ = ("value",)
    value: str

    def __init__(self, span: Span, value: str) -> None:
        self.span = span
        self.value = value


class Num(Node):
    """A number literal: ``value`` as JavaScript reads it, ``text`` as written."""

    __slots__ = ("value", "text")
    value: float | int
    text: str

    def __init__(self, span: Span, value: float | int, text: str) -> None:
        self.span = span
        self.value = value
        self.text = text


class BigInt(Node):
    """A BigInt literal ``123n``."""

    __slots__ = ("value",)
    value: int

    def __init__(self, span: Span, value: int) -> None:
        self.span = span
        self.value = value


class Bool(Node):
    """``true`` or ``false``."""

    __slots__ = ("value",)
    value: bool

    def __init__(self, span: Span, value: bool) -> None:
        self.span = span
        self.value = value


class Null(Node):
    """``null``."""

    __slots__ = ()


class Member(Node):
    """``obj.prop`` (also ``obj?.prop``)."""

    __slots__ = ("obj", "prop")
    obj: Node
    prop: str

    def __init__(self, span: Span, obj: Node, prop: str) -> None:
        self.span = span
        self.obj = obj
        self.prop = prop


class Index(Node):
    """``obj[index]``."""

    __slots__ = ("obj", "index")
    obj: Node
    index: Node

    def __init__(self, span: Span, obj: Node, index: Node) -> None:
        self.span = span
        self.obj = obj
        self.index = index


class Call(Node):
    """``callee(args…)``."""

    __slots__ = ("callee", "args")
    callee: Node
    args: list[Node]

    def __init__(self, span: Span, callee: Node, args: list[Node]) -> None:
        self.span = span
        self.callee = callee
        self.args = args


class New(Node):
    """``new target``: ``target`` is the constructor call (or the bare constructor)."""

    __slots__ = ("target",)
    target: Node

    def __init__(self, span: Span, target: Node) -> None:
        self.span = span
        self.target = target


class Spread(Node):
    """``...expr`` in an array, an object or an argument list."""

    __slots__ = ("expr",)
    expr: Node

    def __init__(self, span: Span, expr: Node) -> None:
        self.span = span
        self.expr = expr


class Prop(Node):
    """``key: value``; shorthand ``a`` is ``a: a``. A computed key ``[expr]: value`` has
    ``key`` None and ``computed`` the key expression (``key`` is the string of ``["k"]``)."""

    __slots__ = ("key", "value", "shorthand", "computed")
    key: str | None
    value: Node
    shorthand: bool
    computed: Node | None

    def __init__(self, span: Span, key: str | None, value: Node, shorthand: bool = False, computed: Node | None = None) -> None:
        self.span = span
        self.key = key
        self.value = value
        self.shorthand = shorthand
        self.computed = computed


class Method(Node):
    """``name(params) { … }``: a method in an object literal (its body is elided)."""

    __slots__ = ("key", "params", "body", "is_async")
    key: str | None
    params: list[Node]
    body: Span
    is_async: bool

    def __init__(self, span: Span, key: str | None, params: list[Node], body: Span, is_async: bool) -> None:
        self.span = span
        self.key = key
        self.params = params
        self.body = body
        self.is_async = is_async


class Obj(Node):
    """An object literal: ``members`` are :class:`Prop`, :class:`Spread` and :class:`Method`."""

    __slots__ = ("members",)
    members: list[Node]  # Prop | Spread | Method

    def __init__(self, span: Span, members: list[Node]) -> None:
        self.span = span
        self.members = members


class Arr(Node):
    """An array literal; a hole is None."""

    __slots__ = ("items",)
    items: list[Node | None]

    def __init__(self, span: Span, items: list[Node | None]) -> None:
        self.span = span
        self.items = items


class Function(Node):
    """An arrow function or function expression.

    ``body`` is the ``(open, close)`` span of an elided block body, or None when the arrow
    has an expression body (then ``expr`` holds it). ``params`` are the parameter
    expressions as written (identifiers, object patterns as :class:`Obj`, typed params).
    """

    __slots__ = ("params", "body", "expr", "is_async", "name")
    params: list[Node]
    body: Span | None
    expr: Node | None
    is_async: bool
    name: str | None  # a function declaration's (or named expression's) name

    def __init__(self, span: Span, params: list[Node], body: Span | None, expr: Node | None, is_async: bool, name: str | None = None) -> None:
        self.span = span
        self.params = params
        self.body = body
        self.expr = expr
        self.is_async = is_async
        self.name = name


class Paren(Node):
    """``( … )``: a parenthesised expression, or the parameter list of an arrow function."""

    __slots__ = ("items",)
    items: list[Node]

    def __init__(self, span: Span, items: list[Node]) -> None:
        self.span = span
        self.items = items


class Opaque(Node):
    """An expression that is tolerated but not understood; ``what`` names its form.

    ``parts`` keeps the operands of the forms a function body's evaluation may need
    (:mod:`convex_ssot.resolve.statements`): ``("binary", (op, left, right))`` for the
    ``BIN_OP`` operators (``===``, ``&&``, ``??`` …), ``("unary", ("!", operand))`` and
    ``("assignment", (op, target, value))``, ``("conditional", (test, then, other))``,
    ``("param-default", (name, default))``; empty otherwise."""

    __slots__ = ("what", "parts")
    what: str
    parts: tuple

    def __init__(self, span: Span, what: str, parts: tuple = ()) -> None:
        self.span = span
        self.what = what
        self.parts = parts


# ---------------------------------------------------------------- module items


class Import(Node):
    """``import d, * as ns, {a as b} from "spec"``; ``named`` holds (imported, local)."""

    __slots__ = ("specifier", "default", "namespace", "named", "type_only")
    specifier: str
    default: str | None
    namespace: str | None
    named: list[tuple[str, str]]
    type_only: bool

    def __init__(self, span: Span, specifier: str, default: str | None = None, namespace: str | None = None, named: list[tuple[str, str]] = None, type_only: bool = False) -> None:
        self.span = span
        self.specifier = specifier
        self.default = default
        self.namespace = namespace
        self.named = list() if named is None else named
        self.type_only = type_only


class ExportFrom(Node):
    """``export {a as b} from "spec"`` (``names`` holds (imported, exported)) or ``export * [as ns] from``."""

    __slots__ = ("specifier", "names", "star_as")
    specifier: str
    names: list[tuple[str, str]] | None
    star_as: str | None

    def __init__(self, span: Span, specifier: str, names: list[tuple[str, str]] | None, star_as: str | None = None) -> None:
        self.span = span
        self.specifier = specifier
        self.names = names
        self.star_as = star_as


class ExportNamed(Node):
    """``export { a, b as c }``: ``names`` holds (local, exported)."""

    __slots__ = ("names",)
    names: list[tuple[str, str]]

    def __init__(self, span: Span, names: list[tuple[str, str]]) -> None:
        self.span = span
        self.names = names


class Declarator(Node):
    """One ``name = init`` of a declaration; ``name`` is None for a destructuring pattern,
    whose (property, local) pairs are in ``pattern``."""

    __slots__ = ("name", "init", "pattern", "pattern_complete")
    name: str | None
    init: Node | None
    pattern: list[tuple[str, str]] | None
    pattern_complete: bool  # False when a nested pattern or a default was left out

    def __init__(self, span: Span, name: str | None, init: Node | None, pattern: list[tuple[str, str]] | None = None, pattern_complete: bool = True) -> None:
        self.span = span
        self.name = name
        self.init = init
        self.pattern = pattern
        self.pattern_complete = pattern_complete


class VarDecl(Node):
    """``const``/``let``/``var`` with its :class:`Declarator` list; ``exported`` for ``export const …``."""

    __slots__ = ("exported", "declarators")
    exported: bool
    declarators: list[Declarator]

    def __init__(self, span: Span, exported: bool, declarators: list[Declarator]) -> None:
        self.span = span
        self.exported = exported
        self.declarators = declarators


class ExportDefault(Node):
    """``export default expr``."""

    __slots__ = ("expr",)
    expr: Node

    def __init__(self, span: Span, expr: Node) -> None:
        self.span = span
        self.expr = expr


class ExprStatement(Node):
    """A top-level expression statement the outline keeps: ``t.index("by_x", ["x"]);``."""

    __slots__ = ("expr",)
    expr: Node

    def __init__(self, span: Span, expr: Node) -> None:
        self.span = span
        self.expr = expr


# ---------------------------------------------------------------- function-body statements
# Produced only by the grammar's ``body`` start rule (a statement body parsed on demand).


class Block(Node):
    """A braced block (``if (…) { … }``, a loop body) elided to the ``BODY`` terminal:
    ``span`` covers ``@ … }``; its statements are parsed when needed."""

    __slots__ = ()


class Return(Node):
    """``return [expr]``; ``keyword_end`` is the offset just after ``return`` (a line break
    between it and ``expr`` would end the statement in JavaScript)."""

    __slots__ = ("expr", "keyword_end")
    expr: Node | None
    keyword_end: int

    def __init__(self, span: Span, expr: Node | None, keyword_end: int) -> None:
        self.span = span
        self.expr = expr
        self.keyword_end = keyword_end


class Throw(Node):
    """``throw expr`` (in a function body)."""

    __slots__ = ("expr",)
    expr: Node

    def __init__(self, span: Span, expr: Node) -> None:
        self.span = span
        self.expr = expr


class If(Node):
    """``if (test) then else other`` (in a function body; ``other`` None without ``else``)."""

    __slots__ = ("test", "then", "other")
    test: Node
    then: Node
    other: Node | None

    def __init__(self, span: Span, test: Node, then: Node, other: Node | None) -> None:
        self.span = span
        self.test = test
        self.then = then
        self.other = other


class ForOf(Node):
    """``for (const|let|var binding of iterable) body``: ``name`` or ``pattern`` pairs."""

    __slots__ = ("name", "pattern", "pattern_complete", "iterable", "body")
    name: str | None
    pattern: list[tuple[str, str]] | None
    pattern_complete: bool
    iterable: Node
    body: Node

    def __init__(self, span: Span, name: str | None, pattern: list[tuple[str, str]] | None, pattern_complete: bool, iterable: Node, body: Node) -> None:
        self.span = span
        self.name = name
        self.pattern = pattern
        self.pattern_complete = pattern_complete
        self.iterable = iterable
        self.body = body


class ForIn(Node):
    """``for (const|let|var binding in object) body``: ``name`` or ``pattern`` pairs."""

    __slots__ = ("name", "pattern", "pattern_complete", "obj", "body")
    name: str | None
    pattern: list[tuple[str, str]] | None
    pattern_complete: bool
    obj: Node
    body: Node

    def __init__(self, span: Span, name: str | None, pattern: list[tuple[str, str]] | None, pattern_complete: bool, obj: Node, body: Node) -> None:
        self.span = span
        self.name = name
        self.pattern = pattern
        self.pattern_complete = pattern_complete
        self.obj = obj
        self.body = body
