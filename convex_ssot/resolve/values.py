"""Abstract values the evaluator computes for expressions.

The evaluator (:mod:`.evaluator`) is a small abstract interpreter over :mod:`..parse.ast`:
it knows what ``v.string()``, ``defineTable(...)``, ``query`` and friends *return* in the
real ``convex`` package, and follows constants and imports, but runs no user code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from ..parse import ast


@dataclass(slots=True)
class Value:
    """Base class of evaluation results."""


@dataclass(slots=True)
class VUnknown(Value):
    """Not understood; ``reason`` says why (used in diagnostics)."""

    reason: str


@dataclass(slots=True)
class VVal(Value):
    """A validator."""

    v: ir.Validator


@dataclass(slots=True)
class VObj(Value):
    """An object literal: ordered ``entries`` name → Value; ``spread_unknown`` lists
    reasons for spreads that could not be resolved; ``node`` the literal (if any).

    ``keys_known`` is True only where ``entries`` are known to be *all* the object's own
    properties, of a plain object (an object literal of the project whose spreads and keys
    all resolved, a validator's ``fields``, a schema's ``tables``); models of package
    exports may list only the properties the tool models. ``for…in`` and the ``in``
    operator are evaluated only on such objects (:mod:`.statements`)."""

    entries: dict[str, Value]
    nodes: dict[str, ast.Node] = field(default_factory=dict)
    spread_unknown: list[tuple[str, ast.Node]] = field(default_factory=list)
    node: ast.Node | None = None
    keys_known: bool = False


@dataclass(slots=True)
class VArr(Value):
    items: list[Value]


@dataclass(slots=True)
class VStr(Value):
    value: str


@dataclass(slots=True)
class VNum(Value):
    value: float | int


@dataclass(slots=True)
class VBigInt(Value):
    value: int


@dataclass(slots=True)
class VBool(Value):
    value: bool


@dataclass(slots=True)
class VNull(Value):
    pass


@dataclass(slots=True)
class VUndefined(Value):
    pass


@dataclass(slots=True)
class VTable(Value):
    """A ``defineTable`` result (``TableDefinition``)."""

    document: ir.Validator
    indexes: tuple[ir.Index, ...] = ()
    origin: str | None = None
    span: ast.Span = (0, 0)
    module: object = None
    staged_document: ir.Validator | None = None
    applied: set = field(default_factory=set)  # builder calls already applied (by position)


@dataclass(slots=True)
class VSchema(Value):
    """A ``defineSchema`` result."""

    tables: list[tuple[str, VTable]]
    schema_validation: bool = True
    strict_table_name_types: bool = True


@dataclass(slots=True)
class VBuilder(Value):
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


@dataclass(slots=True)
class VBuiltin(Value):
    """A known library export, e.g. ``v``, ``v.string``, ``defineTable``, ``customQuery``."""

    name: str


@dataclass(slots=True)
class VMethod(Value):
    """A method bound to a value: ``target.name`` (e.g. ``obj.pick``, ``x.optional``)."""

    target: Value
    name: str


@dataclass(slots=True)
class VNamespace(Value):
    """``import * as ns from "./module"``: the module's exports."""

    module: object


@dataclass(slots=True)
class VFunction(Value):
    """A user function (arrow / function expression / declaration) and the module it is
    in; ``env`` holds the local variables it closes over when it was created inside an
    applied function (a mapping, see :mod:`.statements`), else None."""

    node: ast.Function | ast.Method
    module: object
    env: object = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class VZod(Value):
    """A zod schema (see :mod:`.zod`)."""

    schema: object


@dataclass(slots=True)
class VRegistration(Value):
    """A registered Convex function: the builder and the definition (object or function)."""

    builder: VBuilder
    definition: ast.Node | None
    module: object
    constructor_text: str
    args: Value | None = None
    returns: Value | None = None
    span: ast.Span | None = None  # where a library factory registered it (no definition)


@dataclass(slots=True)
class VCallable(Value):
    """A function a modelled package returns (e.g. convex-helpers' ``makeMigration(...)``
    gives ``migration``): calling it runs ``call(evaluator, module, args, node)``, the
    package model's Python rule, and returns its Value."""

    name: str
    call: object  # Callable[[Evaluator, Module, list[ast.Node], ast.Call], Value]
