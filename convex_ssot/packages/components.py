"""Convex component client packages whose factories register functions.

A component's client object is built in a function module (``new Migrations(components.
migrations)``) and its methods return registered Convex functions that the module exports
(``export const run = migrations.runner()``). Convex lists them like any other function, so
the contract must too. What each package registers is data, read from the package's
published source and kept in ``models/components.json`` (package, verified versions,
source file, validators in Convex's export JSON); this module holds the behaviour:

* ``@convex-dev/migrations`` — ``new Migrations(component, {internalMutation?})``;
  ``.define({...})`` registers ``options.internalMutation ?? internalMutationGeneric``
  with ``args: migrationArgs``; ``.runner()`` / ``.runner(fnRef)`` / ``.runner([..])``
  registers ``internalMutationGeneric`` with the same args (src/client/index.ts,
  src/shared.ts).
* ``@convex-dev/workflow`` — ``new WorkflowManager(component)``; ``.define({args,
  returns?, handler})`` (and ``.define({...}).handler(fn)``, ``defineWorkflow(component,
  {...}).handler(fn)``) register ``internalMutationGeneric`` via ``workflowMutation``
  (src/client/workflowMutation.ts): before 0.4.6 without validators, from 0.4.6 with
  ``args``/``returns`` built from the workflow's own (:func:`.component_validators.workflow_validators_046`);
  ``vWorkflowId`` is ``v.string()`` (src/types.ts).
* ``@convex-dev/better-auth`` — ``createClient(component, config).triggersApi()`` returns
  ``{onCreate, onUpdate, onDelete}`` (src/client/create-client.ts); 0.7.7–0.7.15 ``new
  BetterAuth(component, config).createAuthFunctions(opts)`` five functions (src/client/index.ts).
* ``@convex-dev/workos-authkit`` — ``new AuthKit(component, opts)``; ``.events({...})``
  returns ``{authKitEvent}``, ``.actions({...})`` returns ``{authKitAction}``, ``.utils()``
  (0.2+) ``{backfillUsers}``
  (src/client/index.ts).
* ``@convex-dev/resend`` — the validator ``vOnEmailEventArgs`` (src/client/index.ts).
* ``@convex-dev/workpool`` — its exported validators (src/client/index.ts:
  ``vWorkIdValidator``/``workIdValidator``/``vWorkId`` = ``v.string()``,
  ``vResultValidator``/``resultValidator``/``vResult`` from src/component/shared.ts,
  ``vLogLevel`` (src/component/logging.ts), ``vRetryBehavior``, ``vOnComplete``) and
  ``vOnCompleteArgs(context?)`` (0.4.10+: ``(context?, runResult?)``) /
  ``vOnCompleteValidator`` (:func:`.component_validators.on_complete_args`); ``new Workpool(component,
  opts).defineOnComplete({context?, handler})`` registers ``internalMutationGeneric({args:
  vOnCompleteArgs(context), handler})`` (0.2.18–0.4.9). Its other methods enqueue work
  and register nothing.
* ``@convex-dev/polar`` — ``new Polar(component, config).api()`` returns six public actions
  and queries (src/client/index.ts, 0.4.0–0.7.3; ``generateCheckoutLink`` takes
  ``subscriptionId`` from 0.6.4).
* ``@convex-dev/rag`` — ``vEntryId``/``vNamespaceId`` (``v.string()``, src/shared.ts).

**A method the model does not cover** is read from the installed package when there is
one (issue 9 §2): the class the client was made from is constructed from the installed
JavaScript with the same arguments and the method applied (:func:`.component_reading.installed_method`); only
when that is not understood, or nothing is installed, is the export reported (CSX243).

**Which version.** The registered validators change between releases, so the version is
the one installed for the importing module: the nearest ``node_modules/<pkg>/package.json``
from the module's directory up to the repository root (as Node resolves it; pnpm's
symlinks included). Without an installed copy, an exact version pinned in the nearest
``package.json`` that declares the package is used; a range picks the newest verified
version it allows. Each model variant covers an inclusive version ``range`` whose ends
(and the ``verified`` versions in between) were read; a version outside every range, or
one that cannot be determined, is modelled as the nearest variant with a CSX244 warning.

**Unmodelled factories (CSX243).** These exported values may be Convex functions the tool
cannot list, so each such export gets a CSX243 warning (:func:`unlisted`):

* the result of calling a method of a component client the tool does not model — an
  object made by ``new X(...)`` or ``f(...)`` of a package import with a ``components.*``
  argument from ``_generated/api``;
* the result of a component's client API factory, ``f(components.x, …)`` of a package
  function, exported plainly, destructured (one per name) or through a property;
* an unmodelled method of a modelled client (not installed, or its installed code not
  understood), or an unmodelled ``@convex-dev/*`` function whose result is destructured.

Plain values (``new Resend(components.resend)`` itself, constants, library calls without
a component argument) get none (docs/diagnostics.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from ..dataclass_cache import dataclass

from .. import ir
from ..interp.core import callee_text
from ..interp.packages import PackageModel
from ..interp.values import ModelValue, VClass, VFunction, VInstance, VObj, VUndefined, VUnknown, Value
from ..parse import ast
from .versions import choose_variant, model, variant
from .convex_server import VBuilder, VRegistration
from .convex_values import VVal
from .component_reading import installed_method
from .component_values import Unlisted, VFactoryUnknown, unlisted
from .component_validators import on_complete_args, on_complete_object, workflow_validators_046
from .validator_ir import from_convex_json

__all__ = ["MODELLED_PACKAGES", "library_exports", "ComponentValue", "VFactoryUnknown", "new", "call", "member", "unlisted"]

#: Packages modelled here (the keys of the model file).
MODELLED_PACKAGES = ("@convex-dev/migrations", "@convex-dev/workflow", "@convex-dev/better-auth", "@convex-dev/workos-authkit", "@convex-dev/resend", "@convex-dev/workpool", "@convex-dev/polar", "@convex-dev/rag")


# ---------------------------------------------------------------- values


@dataclass(slots=True)
class ComponentValue(ModelValue, Unlisted):
    """Base of the values this module gives the evaluator; it dispatches member access
    and calls on them here (:func:`member`, :func:`call`)."""

    def member(self, ev, mod, prop: str, node: ast.Node | None) -> Value:
        return member(ev, mod, self, prop)

    def call(self, ev, mod, node: ast.Call) -> Value:
        out = call(ev, mod, self, node)
        return out if out is not None else VUnknown("call of a value the tool does not model")


@dataclass(slots=True)
class VExport(ComponentValue):
    """A callable export of a modelled package (``Migrations``, ``WorkflowManager``,
    ``defineWorkflow``, ``createClient``, ``AuthKit``)."""

    package: str
    name: str
    variant: dict
    version: str


@dataclass(slots=True)
class VClient(ComponentValue):
    """An instance of a modelled client; ``options`` is its evaluated options argument.
    ``variant`` is None until a modelled method needs it (``Workpool``: a client whose
    methods mostly register nothing, so its import alone reports no version assumption).
    ``made``: the module and ``new`` expression that built it (an unmodelled method is read
    from the installed class constructed with the same arguments)."""

    package: str
    cls: str
    variant: dict | None
    version: str
    options: Value | None = None
    made: tuple | None = None


@dataclass(slots=True)
class VClientMethod(ComponentValue):
    """Method ``name`` of a component client value (called through :func:`call`)."""

    client: ComponentValue
    name: str

    def unlisted(self) -> VFactoryUnknown | None:
        """A property of a component's client API (``export const {create, list} = f(components.x, …)``)."""
        if isinstance(self.client, VForeignClient) and self.client.called:
            what = f"{self.client.what}.{self.name}"
            return VFactoryUnknown(f"{what} of {self.client.package} is not modelled", self.client.package, what)
        return None


@dataclass(slots=True)
class VPendingWorkflow(ComponentValue):
    """``workflow.define({...})`` without a handler: an object whose ``.handler(fn)``
    registers the workflow (workflow src/client/index.ts ``defineWorkflow``)."""

    client: VClient
    config: VObj
    text: str


@dataclass(slots=True)
class VForeignClient(ComponentValue):
    """A client object of a package the tool does not model (made with a
    ``components.*`` argument), or a modelled package's unmodelled export."""

    package: str
    what: str
    #: Made by calling a package function with a ``components.*`` argument
    #: (``makeTenantsAPI(components.tenants, {...})``): a component's client API factory,
    #: whose result, or any property of it, may be a registered Convex function.
    called: bool = False

    def unlisted(self) -> VFactoryUnknown | None:
        """The result of a component's client API factory (``export const api = f(components.x, …)``)."""
        return VFactoryUnknown(f"{self.what} of {self.package} is not modelled", self.package, self.what) if self.called else None


# ---------------------------------------------------------------- imports


_CALLABLE_EXPORTS = {
    "@convex-dev/migrations": ("Migrations",),
    "@convex-dev/workflow": ("WorkflowManager", "defineWorkflow"),
    "@convex-dev/better-auth": ("createClient", "BetterAuth"),
    "@convex-dev/workos-authkit": ("AuthKit",),
    "@convex-dev/resend": (),
    "@convex-dev/workpool": ("vOnCompleteArgs", "vOnCompleteValidator"),
    "@convex-dev/polar": (),
    "@convex-dev/rag": (),
}

#: Classes whose version is looked up only when a modelled method is called.
_LAZY_CLASSES = {"@convex-dev/workpool": ("Workpool",), "@convex-dev/polar": ("Polar",), "@convex-dev/rag": ()}


class _LazyExports(Mapping):
    """The modelled exports of a package whose other exports are common (``Workpool``):
    the version is looked up, and a CSX244 reported, only when a modelled export is."""

    def __init__(self, ev, mod, specifier: str) -> None:
        self._args = (ev, mod, specifier)
        self._names = set(_CALLABLE_EXPORTS[specifier]).union(*(v.get("validators", {}) for v in model()["packages"][specifier]["variants"]))
        self._lazy = _LAZY_CLASSES.get(specifier, ())
        self._out: dict[str, Value] | None = None

    def _exports(self) -> dict[str, Value]:
        if self._out is None:
            self._out = _exports_of(*self._args)
        return self._out

    def __getitem__(self, name: str) -> Value:
        if name in self._lazy:
            return VExport(self._args[2], name, None, "")  # type: ignore[arg-type]
        if name not in self._names:
            raise KeyError(name)
        return self._exports()[name]

    def __iter__(self):
        return iter(self._exports())

    def __len__(self) -> int:
        return len(self._exports())


def library_exports(ev, mod, specifier: str) -> Mapping[str, Value] | None:
    """The modelled exports of ``specifier`` for the importing module, or None when the
    package is not modelled here. Exports not listed are left to the caller (unknown)."""
    if specifier not in _CALLABLE_EXPORTS:
        return None
    if specifier in _LAZY_CLASSES:
        return _LazyExports(ev, mod, specifier)
    return _exports_of(ev, mod, specifier)


def _exports_of(ev, mod, specifier: str) -> dict[str, Value]:
    out: dict[str, Value] = {}
    at = mod.mk.clean.find(specifier)
    var, version = variant(ev, mod, specifier, max(at - 1, 0))
    for name, j in var.get("validators", {}).items():
        out[name] = VVal(from_convex_json(j).with_raw(name))
    for name in _CALLABLE_EXPORTS[specifier]:
        out[name] = VExport(specifier, name, var, version)
    if specifier == "@convex-dev/workflow":
        out["vWorkflowId"] = VVal(ir.Validator("string", raw="vWorkflowId"))
    if specifier == "@convex-dev/resend":
        out["vOnEmailEventArgs"] = VVal(from_convex_json(var["vOnEmailEventArgs"]).with_raw("vOnEmailEventArgs"))
    return out


# ---------------------------------------------------------------- evaluation hooks


def _generated_api_components(mod, name: str) -> bool:
    imp = mod.imports.get(name)
    if imp is None or imp[1] != "components":
        return False
    s = re.sub(r"\.(js|ts|mjs|cjs)$", "", imp[0])
    return s.endswith("_generated/api")


def mentions_components(mod, nodes) -> bool:
    """True when an expression among ``nodes`` uses ``components`` imported from
    ``_generated/api`` (the sign of a component client's construction), also through a
    module-level constant (``const polar = (components as any).polar``)."""
    stack = list(nodes)
    followed: set[str] = set()
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Ident):
            if _generated_api_components(mod, n.name):
                return True
            d = mod.decls.get(n.name)
            if d is not None and d.init is not None and n.name not in followed and len(followed) < 8:
                followed.add(n.name)
                stack.append(d.init)
            continue
        if isinstance(n, ast.Node):
            for f in getattr(type(n), "__slots__", ()):
                x = getattr(n, f, None)
                if isinstance(x, ast.Node):
                    stack.append(x)
                elif isinstance(x, list):
                    stack.extend(i for i in x if isinstance(i, ast.Node))
                    stack.extend(i[1] for i in x if isinstance(i, tuple) and len(i) == 2 and isinstance(i[1], ast.Node))
    return False


def _package_name(spec: str) -> str:
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]


def _imported_package(ev, mod, node: ast.Node) -> str | None:
    """The package a callee (``X`` or ``ns.X``) is imported from, when it is a package
    (not a relative module, not one resolved inside the repository)."""
    while isinstance(node, ast.Member):
        node = node.obj
    if not isinstance(node, ast.Ident):
        return None
    imp = mod.imports.get(node.name)
    if imp is None or imp[0].startswith(".") or "_generated/" in imp[0]:
        return None
    target = ev.load(mod, imp[0])
    if target is not None and getattr(target, "package", None) is None:
        return None  # a project module
    return _package_name(imp[0])


def new(ev, mod, node: ast.New) -> Value:
    """``new X(args)``: a modelled client, a foreign client (component argument), or unknown."""
    target = node.target
    callee_node, args = (target.callee, target.args) if isinstance(target, ast.Call) else (target, [])
    base = callee_node
    while isinstance(base, ast.Member):
        base = base.obj
    imp = mod.imports.get(base.name) if isinstance(base, ast.Ident) else None
    if imp is None or imp[0].startswith(".") or "_generated/" in imp[0]:
        return VUnknown("`new` expression")  # a project class: its module is not read
    callee = ev.eval(mod, callee_node)
    if isinstance(callee, VClass):
        return None  # a class read from the installed package: the interpreter constructs it
    if isinstance(callee, VExport):
        out = _construct(ev, mod, callee, args, node)
        if isinstance(out, VClient):
            out.made = (mod, node)
        return out
    pkg = _imported_package(ev, mod, callee_node)
    if pkg is not None and mentions_components(mod, args):
        return VForeignClient(pkg, f"new {callee_text(callee_node)}(...)")
    return VUnknown("`new` expression")


def _construct(ev, mod, exp: VExport, args: list[ast.Node], node: ast.Node) -> Value:
    if exp.name in ("Migrations", "WorkflowManager", "AuthKit", "createClient", "BetterAuth", "Workpool", "Polar"):
        # Only Migrations reads an option (internalMutation); other options are not
        # evaluated, so nothing unrelated (e.g. better-auth's local schema) is reported.
        opts = ev.eval(mod, args[1]) if len(args) > 1 and exp.name == "Migrations" else None
        return VClient(exp.package, exp.name, exp.variant, exp.version, opts)
    return VForeignClient(exp.package, exp.name)


def member(ev, mod, base: ComponentValue, prop: str) -> Value:
    """Property ``prop`` of a component value."""
    if isinstance(base, (VClient, VForeignClient)):
        return VClientMethod(base, prop)
    if isinstance(base, VPendingWorkflow) and prop == "handler":
        return VClientMethod(base, "handler")
    return VUnknown(f"property `{prop}` of a component client value is not modelled")


def call(ev, mod, callee: Value, node: ast.Call) -> Value | None:
    """A call of ``callee`` (None when it is not a component value: the evaluator goes on)."""
    args = node.args
    if isinstance(callee, VFactoryUnknown):
        return callee
    if isinstance(callee, VExport):
        if callee.name == "defineWorkflow":
            cfg = ev.eval(mod, args[1]) if len(args) > 1 else None
            client = VClient(callee.package, "WorkflowManager", callee.variant, callee.version)
            if isinstance(cfg, VObj):
                return VPendingWorkflow(client, cfg, "defineWorkflow")
            return VFactoryUnknown("defineWorkflow(): configuration not resolved", callee.package, "defineWorkflow")
        if callee.name in ("vOnCompleteArgs", "vOnCompleteValidator"):
            return on_complete_args(ev, mod, callee, args, node)
        out = _construct(ev, mod, callee, args, node)
        if isinstance(out, VClient):
            out.made = (mod, node)  # `createClient(...)`: a factory function
        return out
    if isinstance(callee, VClientMethod):
        owner = callee.client
        if isinstance(owner, VClient):
            out = _client_method(ev, mod, owner, callee.name, args, node)
            if out is not None:
                return out
            read = installed_method(ev, mod, owner, callee.name, node)
            if read is not None and not isinstance(read, VUnknown):
                return read
            what = f"{owner.cls}.{callee.name}()" + (f", whose code in the installed package is not understood ({read.reason})," if isinstance(read, VUnknown) else "")
            return VFactoryUnknown(f"{what} of {owner.package} is not modelled", owner.package, what)
        if isinstance(owner, VPendingWorkflow):
            return _workflow_registration(ev, mod, owner.client, owner.config, node, f"{owner.text}.handler")
        if isinstance(owner, VForeignClient):
            return VFactoryUnknown(f"{owner.what}.{callee.name}() of {owner.package} is not modelled", owner.package, f"{owner.what}.{callee.name}()")
    if isinstance(callee, VForeignClient):
        return VFactoryUnknown(f"{callee.what}() of {callee.package} is not modelled", callee.package, callee.what)
    if isinstance(callee, VUnknown):
        pkg = _imported_package(ev, mod, node.callee)
        if pkg is not None and (pkg.startswith("@convex-dev/") or mentions_components(mod, args)):
            text = callee_text(node.callee)
            if mentions_components(mod, args):
                return VForeignClient(pkg, f"{text}(...)", called=True)
            return VFactoryUnknown(f"{text}() of {pkg} is not modelled", pkg, f"{text}()", "function")
    return None


# ---------------------------------------------------------------- registrations


def _builder(kind: str, visibility: str, chain_head: str) -> VBuilder:
    short = {"query": "Query", "mutation": "Mutation", "action": "Action"}[kind]
    canonical = ("internal" + short) if visibility == "internal" else kind
    generic = ("internal" + short + "Generic") if visibility == "internal" else kind + "Generic"
    return VBuilder(kind, visibility, canonical, (chain_head, generic))


def _registration(mod, builder: VBuilder, text: str, args_json, returns_json, node: ast.Node) -> VRegistration:
    reg = VRegistration(builder, None, mod, text)
    reg.args = VVal(from_convex_json(args_json)) if args_json is not None else None
    reg.returns = VVal(from_convex_json(returns_json)) if returns_json is not None else None
    reg.span = node.span
    return reg


def _registrations(mod, client: VClient, method: str, table: dict, node: ast.Node, text: str) -> VObj:
    """An object of registered functions, as listed in the model (``{name: {args, returns}}``)."""
    out: dict[str, Value] = {}
    for name, f in table.items():
        b = _builder(f.get("kind", "mutation"), f.get("visibility", "internal"), f"{client.cls}.{method}")
        out[name] = _registration(mod, b, text, f["args"], f["returns"], node)
    return VObj(out)


def _client_method(ev, mod, client: VClient, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
    text = callee_text(node.callee)
    var = client.variant
    if client.package == "@convex-dev/migrations":
        if name == "runner":
            return _registration(mod, _builder("mutation", "internal", "Migrations.runner"), text, var["migrationArgs"], None, node)
        if name == "define":
            b = _builder("mutation", "internal", "Migrations.define")
            opts = client.options
            if isinstance(opts, VObj) and "internalMutation" in opts.entries:
                given = opts.entries["internalMutation"]
                if isinstance(given, VBuilder):
                    # options.internalMutation ?? internalMutationGeneric (client/index.ts)
                    b = VBuilder(given.kind, given.visibility, given.canonical, ("Migrations.define",) + given.chain, given.custom_args, given.auth, given.zod, given.skip_validation)
                else:
                    reason = given.reason if isinstance(given, VUnknown) else "not a function builder"
                    mod.diag(node.span[0], "CSX230", f"{text}(): the `internalMutation` option is not resolved ({reason}); recorded as internalMutationGeneric")
            # A custom builder's args are merged where the function is listed (project.py).
            return _registration(mod, b, text, var["migrationArgs"], None, node)
        return None
    if client.package == "@convex-dev/workflow":
        if name == "define":
            cfg = ev.eval(mod, args[0]) if args else None
            if not isinstance(cfg, VObj):
                return VFactoryUnknown(f"{text}(): workflow definition not resolved", client.package, f"{text}()")
            if "handler" not in cfg.entries:
                return VPendingWorkflow(client, cfg, text)
            return _workflow_registration(ev, mod, client, cfg, node, text)
        return None
    if client.package == "@convex-dev/workpool" and name == "defineOnComplete":
        return _define_on_complete(ev, mod, client, args, node, text)
    if client.package == "@convex-dev/polar" and name == "api":
        table = _lazy_variant(ev, mod, client).get("api")
        return _registrations(mod, client, name, table, node, text) if table is not None else None
    if client.package == "@convex-dev/better-auth" and name in ("triggersApi", "createAuthFunctions") and name in var:
        return _registrations(mod, client, name, var[name], node, text)
    if client.package == "@convex-dev/workos-authkit" and name in ("events", "actions", "utils") and name in var:
        return _registrations(mod, client, name, var[name], node, text)
    return None


def _define_on_complete(ev, mod, client: VClient, args: list[ast.Node], node: ast.Call, text: str) -> Value | None:
    """``workpool.defineOnComplete({context?, handler})`` (src/client/index.ts, 0.2.18–0.4.9):
    ``internalMutationGeneric({args: vOnCompleteArgs(context), handler})``. The version is
    looked up here (the import of ``Workpool`` alone reports nothing); None where the variant
    does not model the method (it is then read from the installed package, else CSX243)."""
    spec = _lazy_variant(ev, mod, client)["onComplete"]
    if not spec.get("defineOnComplete"):
        return None
    cfg = ev.eval(mod, args[0]) if args else VUnknown("no argument")
    if not isinstance(cfg, VObj):
        return VFactoryUnknown(f"{text}(): its argument is not resolved", client.package, f"{text}()")
    context = cfg.entries.get("context")
    if isinstance(context, VUndefined):
        context = None
    if context is not None and not isinstance(context, VVal):
        reason = context.reason if isinstance(context, VUnknown) else "not a validator"
        at = cfg.nodes.get("context") or node
        mod.diag(at.span[0], "CSX230", f"{text}(): the `context` validator is not resolved ({reason}); recorded as v.any()")
        context = VVal(ir.Validator("any"))
    args_v = on_complete_object(spec, context.v.with_raw("") if context is not None else None, None)
    reg = VRegistration(_builder("mutation", "internal", "Workpool.defineOnComplete"), None, mod, text)
    reg.args = VVal(args_v)
    reg.span = node.span
    return reg


def _lazy_variant(ev, mod, client: VClient) -> dict:
    """The model variant of a client whose version is looked up only when a modelled
    method is called (:data:`_LAZY_CLASSES`), reported (CSX244) where its class is imported."""
    if client.variant is None:
        made_mod = client.made[0] if client.made is not None else mod
        client.variant = variant(ev, made_mod, client.package, max(made_mod.mk.clean.find(client.package) - 1, 0))[0]
    return client.variant


def _workflow_registration(ev, mod, client: VClient, cfg: VObj, node: ast.Node, text: str) -> Value:
    var = client.variant
    b = _builder("mutation", "internal", "workflowMutation")
    if var["registration"] == "no-validators":
        # internalMutationGeneric({handler}) without args/returns: Convex exports args
        # {"type":"any"} and returns null (the library-registration path lists it so).
        reg = VRegistration(b, None, mod, text)
        reg.span = node.span
        return reg
    args_v, returns_v = workflow_validators_046(ev, mod, cfg, text, node)
    reg = VRegistration(b, None, mod, text)
    reg.args, reg.returns = VVal(args_v), VVal(returns_v)
    reg.span = node.span
    return reg


class ComponentsModel(PackageModel):
    """The component client packages of ``models/components.json``; also what a call of an
    unmodelled ``@convex-dev/*`` factory or a client built with a ``components.*`` argument
    means (:func:`unlisted`)."""

    reads_installed = True

    def handles(self, specifier: str) -> bool:
        return specifier in MODELLED_PACKAGES

    def covers(self, specifier: str, version: str | None) -> bool:
        """Exact where the installed version is one a model variant was read from."""
        return version is not None and choose_variant(specifier, version, "installed")[2] is None

    def exports(self, ev, mod, specifier: str):
        return library_exports(ev, mod, specifier) if specifier in MODELLED_PACKAGES else None

    def new(self, ev, mod, node: ast.New) -> Value | None:
        return new(ev, mod, node)

    def call_unknown(self, ev, mod, callee: VUnknown, node: ast.Call) -> Value | None:
        return call(ev, mod, callee, node)

    def call_failed(self, ev, mod, callee: Value, node: ast.Call, result: VUnknown) -> Value | None:
        """A method of a client read from an installed package (an instance built with a
        ``components.*`` argument) whose result is not understood: possibly functions the
        contract cannot list (CSX243 where exported), never a silent loss."""
        inst = callee.env.get("this") if isinstance(callee, VFunction) and isinstance(callee.env, dict) else None
        if not isinstance(inst, VInstance) or inst.cls is None or inst.made_by is None:
            return None
        pkg = getattr(inst.cls.module, "package", None)
        made_mod, made_node = inst.made_by
        args = made_node.target.args if isinstance(made_node.target, ast.Call) else []
        if pkg is None or not mentions_components(made_mod, args):
            return None
        what = f"{inst.cls.name}.{getattr(callee.node, 'key', None) or '?'}()"
        return VFactoryUnknown(f"{what} of {pkg} read from the installed package is not understood ({result.reason})", pkg, what)
