"""Abstract values of the interpreter core: JavaScript's own values (objects, arrays,
strings, numbers, functions, module namespaces), "not understood" (:class:`VUnknown`), and
the two ways package knowledge enters: :class:`VBuiltin` (an export of a modelled package,
answered by the :class:`~.packages.PackageModel` that owns its name) and
:class:`ModelValue` (a value a package model made — a validator, a table, a function
builder — which answers member access and calls itself).

The core (:mod:`.core`) follows constants, imports and calls over these, but runs no user
code and knows no package.
"""

from __future__ import annotations

from dataclasses import field
from ..dataclass_cache import dataclass

from ..parse import ast


@dataclass(slots=True)
class Value:
    """Base class of evaluation results."""


@dataclass(slots=True)
class VUnknown(Value):
    """Not understood; ``reason`` says why (used in diagnostics)."""

    reason: str


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
    """A JavaScript array of known elements."""

    items: list[Value]


@dataclass(slots=True)
class VStr(Value):
    """A JavaScript string."""

    value: str


@dataclass(slots=True)
class VNum(Value):
    """A JavaScript number (``float``; an ``int`` where the literal was one)."""

    value: float | int


@dataclass(slots=True)
class VBigInt(Value):
    """A JavaScript BigInt."""

    value: int


@dataclass(slots=True)
class VBool(Value):
    """A JavaScript boolean."""

    value: bool


@dataclass(slots=True)
class VNull(Value):
    """JavaScript ``null``."""


@dataclass(slots=True)
class VUndefined(Value):
    """JavaScript ``undefined``."""


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
class VClass(Value):
    """A class declared at the top level of ``module`` (read on demand: :mod:`.classes`)."""

    name: str
    module: object


@dataclass(slots=True)
class VInstance(VObj):
    """``new C(...)`` of a :class:`VClass`: ``entries`` are its own properties (fields and
    what the constructor assigned to ``this``); methods are looked up on ``cls``."""

    cls: VClass | None = None
    made_by: object = field(default=None, compare=False, repr=False)  # (module, ``new`` node)


@dataclass(slots=True)
class VCallable(Value):
    """A function a modelled package returns (e.g. convex-helpers' ``makeMigration(...)``
    gives ``migration``): calling it runs ``call(evaluator, module, args, node)``, the
    package model's Python rule, and returns its Value."""

    name: str
    call: object  # Callable[[Evaluator, Module, list[ast.Node], ast.Call], Value]


@dataclass(slots=True)
class ModelValue(Value):
    """A value made by a package model (:mod:`convex_ssot.packages`): the core hands member
    access, calls and method calls of it to the value itself. Subclasses override what
    they support; the defaults are what the core says of a value it does not model."""

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        """``self.prop`` (``ev`` the :class:`~.core.Evaluator`, ``mod`` the module)."""
        return VUnknown(f"property `{prop}` of a value the tool does not model")

    def call(self, ev, mod, node: ast.Call) -> Value:
        """``self(...args)`` for the call expression ``node``."""
        return VUnknown("call of a value the tool does not model")

    def call_method(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
        """``self.name(...args)`` where ``member`` gave ``VMethod(self, name)``; None when
        the method is not modelled."""
        return None

    def bound_to(self, name: str) -> Value:
        """This value reached through the binding ``name`` (``const q = query``)."""
        return self

    def js_typeof(self) -> str | None:
        """``typeof self`` when the model knows it (``"object"``, ``"function"``); None
        when it does not."""
        return None

    def has_property(self, key: str) -> bool | None:
        """``key in self`` when the model knows it; None when it does not."""
        return None


def js_key_order(keys):
    """Keys in JavaScript's own-property order (ECMA-262 OrdinaryOwnPropertyKeys):
    array-index keys ascending, then the other keys in insertion order."""
    keys = list(keys)
    if not any(k[:1].isdigit() for k in keys):
        return keys
    idx = sorted((k for k in keys if _is_array_index(k)), key=int)
    return idx + [k for k in keys if not _is_array_index(k)]


def _is_array_index(key: str) -> bool:
    return key.isdigit() and (key == "0" or key[0] != "0") and int(key) < 2**32 - 1
