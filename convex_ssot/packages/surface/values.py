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
methods are :class:`~convex_ssot.interp.values.VCallable` values whose Python rule is the
model.
"""

from __future__ import annotations

from ...dataclass_cache import dataclass

from ... import ir
from ...interp.values import ModelValue, Value, VStr, VUnknown

__all__ = ["SurfaceValue", "VFunctionRef", "ref_of", "name_target"]


@dataclass(slots=True, eq=False)
class SurfaceValue(ModelValue):
    """A value of this package; the evaluator hands property access to :meth:`member`
    (:class:`~convex_ssot.interp.values.ModelValue`)."""

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
