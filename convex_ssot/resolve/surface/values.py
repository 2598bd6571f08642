"""Abstract values of the callable surface: function references, the HTTP router, cron jobs
and the app definition.

Each class models the runtime object of the ``convex`` package (1.48) it stands for:

* :class:`VFunctionRef` — ``api``/``internal`` (``createApi``, ``src/server/api.ts``),
  ``components`` (``createChildComponents``, ``src/server/components/index.ts``) and
  ``makeFunctionReference(name)`` (``src/server/api.ts``);
* :class:`VRouter` — ``HttpRouter`` (``src/server/router.ts``), see :mod:`.routes`;
* :class:`VCrons` — ``Crons`` (``src/server/cron.ts``), see :mod:`.crons`;
* :class:`VApp` / :class:`VComponentDef` — ``defineApp`` / ``defineComponent``
  (``src/server/components/index.ts``), see :mod:`.components`.

The evaluator asks a :class:`SurfaceValue` for its properties (:meth:`SurfaceValue.member`);
methods are :class:`~..values.VCallable` values whose Python rule is the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import ir
from ..values import Value, VStr, VUnknown

__all__ = ["SurfaceValue", "VFunctionRef", "ref_of", "name_target", "VRouter", "VCrons", "VApp", "VComponentDef", "RouteEntry"]


@dataclass(slots=True, eq=False)
class SurfaceValue(Value):
    """A value of this package; the evaluator delegates property access to :meth:`member`."""

    def member(self, ev, mod, prop: str, node=None) -> Value:
        return VUnknown(f"property `{prop}` of {type(self).__name__[1:]} is not modelled")


@dataclass(slots=True, eq=False)
class VFunctionRef(SurfaceValue):
    """A function reference: ``root`` is ``api``, ``internal``, ``components``, ``anyApi``
    or ``name`` (a ``makeFunctionReference``/string name, whose ``parts`` hold the name);
    ``parts`` the property path read so far."""

    root: str
    parts: tuple[str, ...] = ()

    def member(self, ev, mod, prop: str, node=None) -> Value:
        if self.root == "name":
            return VUnknown(f"property `{prop}` of a function reference")
        return VFunctionRef(self.root, self.parts + (prop,))

    def ref(self, expression: str) -> ir.FunctionRef:
        """The :class:`~convex_ssot.ir.FunctionRef` this value stands for."""
        return ir.FunctionRef(self.target(), _VISIBILITY.get(self.root), expression)

    def target(self) -> str | None:
        """``module/path:export`` (createApi: all parts but the last joined with ``/``),
        ``components.<name>.<path>``, or None for a path too short to name a function
        (createApi throws for fewer than two parts, ``api.x``)."""
        if self.root == "name":
            return name_target(self.parts[0]) if self.parts else None
        if self.root == "components":
            return "components." + ".".join(self.parts) if len(self.parts) >= 2 else None
        if len(self.parts) < 2:
            return None
        return "/".join(self.parts[:-1]) + ":" + self.parts[-1]


_VISIBILITY = {"api": "public", "internal": "internal", "components": "component"}


def ref_of(val: Value, expression: str) -> ir.FunctionRef:
    """The :class:`~convex_ssot.ir.FunctionRef` a value stands for (``getFunctionAddress``:
    a reference, or a string name that is not a function handle); target None otherwise."""
    if isinstance(val, VFunctionRef):
        return val.ref(expression)
    if isinstance(val, VStr) and not val.value.startswith("function://"):
        return ir.FunctionRef(name_target(val.value), None, expression)
    return ir.FunctionRef(None, None, expression)


def name_target(name: str) -> str:
    """A function name as Convex writes it (``dir/mod:fn``, ``dir/mod`` for a default
    export, ``mod.js:fn`` in older code) → ``dir/mod:export``."""
    path, _, export = name.partition(":")
    for ext in (".js", ".ts"):
        if path.endswith(ext):
            path = path[: -len(ext)]
    return f"{path}:{export or 'default'}"


@dataclass(slots=True)
class RouteEntry:
    """A route as ``HttpRouter.route`` stored it: the handler value and where it came from."""

    method: str
    path: str | None
    path_prefix: str | None
    handler: Value
    module: object
    offset: int
    registered_by: str | None = None
    handler_package: str | None = None


@dataclass(slots=True, eq=False)
class VRouter(SurfaceValue):
    """``httpRouter()``: ``exact`` maps path → method → entry, ``prefix`` method → prefix →
    entry (``exactRoutes``/``prefixRoutes`` of router.ts); ``module`` where it was created."""

    module: object
    offset: int
    exact: dict[str, dict[str, RouteEntry]] = field(default_factory=dict)
    prefix: dict[str, dict[str, RouteEntry]] = field(default_factory=dict)

    def member(self, ev, mod, prop: str, node=None) -> Value:
        from . import routes

        return routes.member(self, prop)


@dataclass(slots=True)
class CronEntry:
    """A job as ``Crons.schedule`` stored it."""

    name: str
    schedule: dict
    ref: ir.FunctionRef
    args: object
    module: object
    offset: int


@dataclass(slots=True, eq=False)
class VCrons(SurfaceValue):
    """``cronJobs()``: ``jobs`` by identifier in registration order (``Crons.crons``)."""

    module: object
    offset: int
    jobs: dict[str, CronEntry] = field(default_factory=dict)

    def member(self, ev, mod, prop: str, node=None) -> Value:
        from . import crons

        return crons.member(self, prop)


@dataclass(slots=True)
class UseEntry:
    """One ``app.use(definition, options)``."""

    name: str | None
    definition: "VComponentDef"
    http_prefix: str | None
    module: object
    offset: int


@dataclass(slots=True, eq=False)
class VApp(SurfaceValue):
    """``defineApp()`` / ``defineComponent(name)``: ``uses`` in call order
    (``_childComponents``); ``name`` is the component's own name (None for an app)."""

    module: object
    offset: int
    name: str | None = None
    uses: list[UseEntry] = field(default_factory=list)

    def member(self, ev, mod, prop: str, node=None) -> Value:
        from . import components

        return components.member(self, prop)


@dataclass(slots=True, eq=False)
class VComponentDef(SurfaceValue):
    """A component definition imported into ``convex.config.ts``: ``specifier`` as
    imported, ``default_name`` its ``defineComponent`` name (None when not read),
    ``package``/``version`` when it comes from an installed package, ``reason`` why the
    name could not be read."""

    specifier: str
    default_name: str | None
    package: str | None = None
    version: str | None = None
    reason: str | None = None
