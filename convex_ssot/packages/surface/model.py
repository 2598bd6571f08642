"""The package model of the callable surface (:class:`SurfaceModel`): the exports of
``convex/server`` it models, imports of ``_generated/api``, of component definitions and of
convex-helpers' ``corsRouter``, and calls that hand the router or the cron jobs to code the
tool does not run.

Sources: convex 1.48 ``src/server/router.ts`` (``httpRouter``), ``src/server/cron.ts``
(``cronJobs``), ``src/server/components/index.ts`` (``defineApp``, ``defineComponent``,
``componentsGeneric``), ``src/server/api.ts`` (``anyApi``, ``makeFunctionReference``) and
the codegen template ``src/cli/codegen_templates/api.ts`` (``api``/``internal`` are
``anyApi``, ``components`` is ``componentsGeneric()``).
"""

from __future__ import annotations


from ...interp.packages import PackageModel
from ...interp.values import VCallable, VFunction, VStr, VUndefined, VUnknown, Value
from ...parse import ast
from . import components, libraries
from .crons import VCrons
from .routes import VRouter
from .values import VFunctionRef
from ... import regex_cache

__all__ = ["SurfaceModel", "server_exports", "import_value", "call", "is_generated_api"]

_EXT = regex_cache.compile(r"\.(?:js|ts|mjs|cjs|d\.ts)$")


def is_generated_api(specifier: str) -> bool:
    """``./_generated/api``, ``../convex/_generated/api.js``, ``@/convex/_generated/api``."""
    s = _EXT.sub("", specifier)
    return s == "_generated/api" or s.endswith("/_generated/api")


def _make_function_reference(ev, mod, args, node) -> Value:
    name = ev.eval(mod, args[0]) if args else VUndefined()
    if isinstance(name, VStr):
        return VFunctionRef("name", (name.value,))
    return VUnknown("makeFunctionReference(...) with a name the tool does not resolve")


def _created(ev, value: Value) -> Value:
    """Count routers and cron jobs on the evaluator: until one exists, :func:`call` has
    nothing to look for."""
    ev.state["surface.targets"] = ev.state.get("surface.targets", 0) + 1
    return value


def server_exports() -> dict[str, Value]:
    """The ``convex/server`` exports of the callable surface."""
    return {
        "httpRouter": VCallable("httpRouter", lambda ev, mod, args, node: _created(ev, VRouter(mod, node.span[0]))),
        "cronJobs": VCallable("cronJobs", lambda ev, mod, args, node: _created(ev, VCrons(mod, node.span[0]))),
        "defineApp": VCallable("defineApp", components.define_app),
        "defineComponent": VCallable("defineComponent", components.define_component),
        "makeFunctionReference": VCallable("makeFunctionReference", _make_function_reference),
        "anyApi": VFunctionRef("anyApi"),
        "componentsGeneric": VCallable("componentsGeneric", lambda ev, mod, args, node: VFunctionRef("components")),
    }


_SERVER = server_exports()


def import_value(ev, mod, specifier: str, imported: str) -> Value | None:
    """``api``/``internal``/``components`` of ``_generated/api``; the default export of a
    component definition (``…/convex.config``); ``corsRouter``; the ``convex/server``
    exports of :func:`server_exports`; None for anything else."""
    if specifier == "convex/server":
        return _SERVER.get(imported)
    if is_generated_api(specifier):
        if imported in ("api", "internal", "components"):
            return VFunctionRef(imported)
        return None
    if specifier == "convex-helpers/server/cors" and imported == "corsRouter":
        return VCallable("corsRouter", libraries.cors_router)
    if imported == "default" and components.CONFIG_SPECIFIER.match(specifier):
        return components.definition(ev.repo_root, mod, specifier, lambda spec: ev.load(mod, spec))
    return None


class SurfaceModel(PackageModel):
    """Routes, cron jobs, components and function references (asked before the models of
    ``convex/server`` and the generated modules, for the names above only)."""

    def export(self, ev, mod, specifier: str, name: str) -> Value | None:
        return import_value(ev, mod, specifier, name)

    def intercept(self, ev, mod, callee: Value, node: ast.Call) -> Value | None:
        return call(ev, mod, callee, node)


def call(ev, mod, callee: Value, node: ast.Call) -> Value | None:
    """A call of a value the evaluator does not model that receives the HTTP router or the
    cron jobs: a modelled library registrar (:mod:`.libraries`) adds its routes; any other
    such call is reported (CSX502) and evaluates to ``undefined`` so the module goes on.
    None when no argument is the router or the cron jobs."""
    if not ev.state.get("surface.targets"):
        return None
    target = None
    for a in node.args:
        if isinstance(a, ast.Ident):
            val = ev.eval(mod, a)
            if isinstance(val, (VRouter, VCrons)):
                target = val
                break
    if target is None:
        return None
    if isinstance(target, VRouter) and libraries.register(ev, mod, target, node):
        return VUndefined()
    if isinstance(callee, VFunction):
        return None  # a function read from an installed package: it runs (its routes are read)
    what = "HTTP router" if isinstance(target, VRouter) else "cron jobs"
    listed = "httpRoutes" if isinstance(target, VRouter) else "crons"
    mod.diag(node.span[0], "CSX502", f"`{mod.raw(node.callee.span)}(...)` receives the {what} but is not modelled; what it registers is missing from {listed}")
    return VUndefined()
