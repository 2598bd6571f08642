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
  ``args``/``returns`` built from the workflow's own (:func:`_workflow_validators_046`);
  ``vWorkflowId`` is ``v.string()`` (src/types.ts).
* ``@convex-dev/better-auth`` — ``createClient(component, config).triggersApi()`` returns
  ``{onCreate, onUpdate, onDelete}`` (src/client/create-client.ts).
* ``@convex-dev/workos-authkit`` — ``new AuthKit(component, opts)``; ``.events({...})``
  returns ``{authKitEvent}``, ``.actions({...})`` returns ``{authKitAction}``
  (src/client/index.ts).
* ``@convex-dev/resend`` — the validator ``vOnEmailEventArgs`` (src/client/index.ts).
* ``@convex-dev/workpool`` — its exported validators (src/client/index.ts:
  ``vWorkIdValidator``/``workIdValidator``/``vWorkId`` = ``v.string()``,
  ``vResultValidator``/``resultValidator``/``vResult`` from src/component/shared.ts,
  ``vLogLevel`` (src/component/logging.ts), ``vRetryBehavior``, ``vOnComplete``) and
  ``vOnCompleteArgs(context?)`` (0.4.10+: ``(context?, runResult?)``) /
  ``vOnCompleteValidator`` (:func:`_on_complete_args`). The ``Workpool`` class is not
  modelled (its methods enqueue work; they register nothing).

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
* the result of a component's client API factory itself, ``f(components.x, …)`` of a
  package function (not a relative module, not ``_generated``), whatever the package's
  scope: exported plainly, destructured (``export const {createOrganization, …} =
  makeTenantsAPI(components.tenants, {...})``, one per name) or through a property;
* an unmodelled method of a modelled client, or an unmodelled function of an
  ``@convex-dev/*`` package whose result is destructured into several exports
  (``export const {create, findOne} = createApi(...)``).

Plain values (``new Resend(components.resend)`` itself and its properties, constants,
library calls without a component argument) get none, so projects without component
factories see no new diagnostics.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import ir
from ..cache import note_input
from ..parse import ast
from .values import VBuilder, VObj, VRegistration, VUndefined, VUnknown, VVal, Value

__all__ = ["MODELLED_PACKAGES", "library_exports", "ComponentValue", "VFactoryUnknown", "new", "call", "member", "unlisted"]

_MODEL_PATH = Path(__file__).parent / "models" / "components.json"
_model_cache: dict | None = None


def model() -> dict:
    """The data of ``models/components.json`` (loaded once)."""
    global _model_cache
    if _model_cache is None:
        _model_cache = json.loads(_MODEL_PATH.read_text(encoding="utf-8"))
    return _model_cache


#: Packages modelled here (the keys of the model file).
MODELLED_PACKAGES = ("@convex-dev/migrations", "@convex-dev/workflow", "@convex-dev/better-auth", "@convex-dev/workos-authkit", "@convex-dev/resend", "@convex-dev/workpool")


# ---------------------------------------------------------------- values


@dataclass(slots=True)
class ComponentValue(Value):
    """Base of the values this module gives the evaluator; it dispatches member access
    and calls on them here (:func:`member`, :func:`call`)."""


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
    """An instance of a modelled client; ``options`` is its evaluated options argument."""

    package: str
    cls: str
    variant: dict
    version: str
    options: Value | None = None


@dataclass(slots=True)
class VClientMethod(ComponentValue):
    client: ComponentValue
    name: str


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


@dataclass(slots=True)
class VFactoryUnknown(VUnknown):
    """The result of calling a method of an unmodelled client: possibly a Convex
    function the tool cannot list (reported as CSX243 where it is exported)."""

    package: str = ""
    what: str = ""
    #: ``"method"`` (a client's method: always reported) or ``"function"`` (a package
    #: function: reported only for destructured exports, ``export const {a, b} = f()``,
    #: the shape of an API object; a single value such as agent's ``createTool()`` is not).
    via: str = "method"


# ---------------------------------------------------------------- versions

_EXACT = re.compile(r"^[=v]*(\d+)\.(\d+)\.(\d+)$")
_RANGE = re.compile(r"^([\^~]|>=)?\s*v?(\d+)\.(\d+)\.(\d+)$")


def _vt(s: str) -> tuple[int, int, int] | None:
    m = re.match(r"^(\d+)\.(\d+)\.(\d+)$", s)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _read_json(path: str):
    note_input(path)
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _dirs_up(repo_root: Path, mod_rel: str) -> list[str]:
    """The module's directory and its parents up to the repository root (inclusive)."""
    root = os.path.abspath(repo_root)
    d = os.path.dirname(os.path.join(root, mod_rel))
    out = []
    while True:
        out.append(d)
        if d == root or len(d) <= len(root):
            break
        d = os.path.dirname(d)
    return out


def find_version(repo_root: Path | None, mod_rel: str, package: str) -> tuple[str | None, str]:
    """``(version, how)``: the installed version (``how`` = ``"installed"``), an exact
    version declared in the nearest package.json (``"declared"``), or None with ``how``
    naming the declared range (``"declared <spec>"``) or ``"not found"``."""
    if repo_root is None:
        return None, "not found"
    root_real = os.path.realpath(repo_root)
    dirs = _dirs_up(repo_root, mod_rel)
    for d in dirs:
        pj = os.path.join(d, "node_modules", *package.split("/"), "package.json")
        note_input(pj)
        if os.path.isfile(pj):
            real = os.path.realpath(pj)
            if not (real == root_real or real.startswith(root_real + os.sep)):
                continue  # outside the repository: not read
            data = _read_json(pj)
            if isinstance(data, dict) and isinstance(data.get("version"), str) and _vt(data["version"]):
                return data["version"], "installed"
    for d in dirs:
        data = _read_json(os.path.join(d, "package.json"))
        if not isinstance(data, dict):
            continue
        for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            deps = data.get(key)
            if isinstance(deps, dict) and isinstance(deps.get(package), str):
                spec = deps[package].strip()
                m = _EXACT.match(spec)
                if m:
                    return ".".join(m.groups()), "declared"
                return None, f"declared {spec}"
    return None, "not found"


def _satisfies(v: tuple[int, int, int], spec: str) -> bool:
    m = _RANGE.match(spec)
    if not m:
        return False
    op, base = m.group(1) or "", (int(m.group(2)), int(m.group(3)), int(m.group(4)))
    if v < base:
        return False
    if op == ">=":
        return True
    if op == "~":
        return v[:2] == base[:2]
    if op == "^":
        if base[0] > 0:
            return v[0] == base[0]
        if base[1] > 0:
            return v[:2] == base[:2]
        return v == base
    return v == base


def choose_variant(package: str, version: str | None, how: str) -> tuple[dict, str, str | None]:
    """``(variant, version modelled, warning or None)`` for a package version.

    A version inside a variant's inclusive ``range`` is exact. A declared range picks the
    newest verified version it allows. Anything else takes the variant nearest below (or
    the lowest) with a warning naming the assumption."""
    variants = model()["packages"][package]["variants"]
    if version is None and how.startswith("declared "):
        spec = how[len("declared "):]
        allowed = [(_vt(x), x) for var in variants for x in var["verified"] if _satisfies(_vt(x), spec)]  # type: ignore[arg-type]
        if allowed:
            version = max(allowed)[1]
            var = next(v for v in variants if version in v["verified"])
            return var, version, f"{package} is not installed; its declared range {spec!r} was taken as {version}, the newest version the tool has verified in it"
    if version is not None:
        vt = _vt(version)
        for var in variants:
            lo, hi = _vt(var["range"][0]), _vt(var["range"][1])
            if vt is not None and lo <= vt <= hi:  # type: ignore[operator]
                return var, version, None
        below = [var for var in variants if vt is not None and _vt(var["range"][1]) < vt]  # type: ignore[operator]
        var = below[-1] if below else variants[0]
        near = var["range"][1] if below else var["range"][0]
        return var, near, f"{package} {version} is not a version the tool has verified; modelled as {near} (what it registers may differ)"
    var = variants[-1]
    near = var["range"][1]
    if how == "not found":
        reason = "is not installed and no package.json declares it"
    else:
        reason = f"is not installed and its declared version {how[len('declared '):]!r} names no version the tool has verified"
    return var, near, f"{package} {reason}; modelled as {near}, the newest version the tool has verified"


def _variant(ev, mod, package: str, offset: int) -> tuple[dict, str]:
    """The model variant for ``package`` as seen from ``mod`` (cached per directory);
    a CSX244 warning at ``offset`` when the version is assumed."""
    cache = ev.__dict__.setdefault("_component_versions", {})
    key = (os.path.dirname(mod.rel), package)
    if key not in cache:
        cache[key] = choose_variant(package, *find_version(getattr(ev, "repo_root", None), mod.rel, package))
    var, version, warning = cache[key]
    if warning:
        mod.diag(offset, "CSX244", warning)
    return var, version


# ---------------------------------------------------------------- imports


_CALLABLE_EXPORTS = {
    "@convex-dev/migrations": ("Migrations",),
    "@convex-dev/workflow": ("WorkflowManager", "defineWorkflow"),
    "@convex-dev/better-auth": ("createClient",),
    "@convex-dev/workos-authkit": ("AuthKit",),
    "@convex-dev/resend": (),
    "@convex-dev/workpool": ("vOnCompleteArgs", "vOnCompleteValidator"),
}


class _LazyExports(Mapping):
    """The modelled exports of a package whose other exports are common (``Workpool``):
    the version is looked up, and a CSX244 reported, only when a modelled export is."""

    def __init__(self, ev, mod, specifier: str) -> None:
        self._args = (ev, mod, specifier)
        self._names = set(_CALLABLE_EXPORTS[specifier]).union(*(v.get("validators", {}) for v in model()["packages"][specifier]["variants"]))
        self._out: dict[str, Value] | None = None

    def _exports(self) -> dict[str, Value]:
        if self._out is None:
            self._out = _exports_of(*self._args)
        return self._out

    def __getitem__(self, name: str) -> Value:
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
    if specifier == "@convex-dev/workpool":
        return _LazyExports(ev, mod, specifier)
    return _exports_of(ev, mod, specifier)


def _exports_of(ev, mod, specifier: str) -> dict[str, Value]:
    from .evaluator import from_convex_json

    out: dict[str, Value] = {}
    at = mod.mk.clean.find(specifier)
    var, version = _variant(ev, mod, specifier, max(at - 1, 0))
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
    ``_generated/api`` (the sign of a component client's construction)."""
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Ident):
            if _generated_api_components(mod, n.name):
                return True
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
    if ev._load(mod, imp[0]) is not None:
        return None
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
    if isinstance(callee, VExport):
        return _construct(ev, mod, callee, args, node)
    pkg = _imported_package(ev, mod, callee_node)
    if pkg is not None and mentions_components(mod, args):
        return VForeignClient(pkg, f"new {ev._callee_text(callee_node)}(...)")
    return VUnknown("`new` expression")


def _construct(ev, mod, exp: VExport, args: list[ast.Node], node: ast.Node) -> Value:
    if exp.name in ("Migrations", "WorkflowManager", "AuthKit", "createClient"):
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
            return _on_complete_args(ev, mod, callee, args, node)
        return _construct(ev, mod, callee, args, node)
    if isinstance(callee, VClientMethod):
        owner = callee.client
        if isinstance(owner, VClient):
            out = _client_method(ev, mod, owner, callee.name, args, node)
            if out is not None:
                return out
            return VFactoryUnknown(f"{owner.cls}.{callee.name}() of {owner.package} is not modelled", owner.package, f"{owner.cls}.{callee.name}()")
        if isinstance(owner, VPendingWorkflow):
            return _workflow_registration(ev, mod, owner.client, owner.config, node, f"{owner.text}.handler")
        if isinstance(owner, VForeignClient):
            return VFactoryUnknown(f"{owner.what}.{callee.name}() of {owner.package} is not modelled", owner.package, f"{owner.what}.{callee.name}()")
    if isinstance(callee, VForeignClient):
        return VFactoryUnknown(f"{callee.what}() of {callee.package} is not modelled", callee.package, callee.what)
    if isinstance(callee, VUnknown):
        pkg = _imported_package(ev, mod, node.callee)
        if pkg is not None and (pkg.startswith("@convex-dev/") or mentions_components(mod, args)):
            text = ev._callee_text(node.callee)
            if mentions_components(mod, args):
                return VForeignClient(pkg, f"{text}(...)", called=True)
            return VFactoryUnknown(f"{text}() of {pkg} is not modelled", pkg, f"{text}()", "function")
    return None


def unlisted(val: Value) -> VFactoryUnknown | None:
    """What an exported value says about functions the contract cannot list: a
    :class:`VFactoryUnknown` for an unmodelled factory's result, for the result of a
    component's client API factory (``export const api = f(components.x, …)``), and for a
    property of it (``export const {create, list} = f(components.x, …)``, whatever the
    package's scope); None for anything else (``new X(components.x)`` itself is a client)."""
    if isinstance(val, VFactoryUnknown):
        return val
    if isinstance(val, VForeignClient) and val.called:
        return VFactoryUnknown(f"{val.what} of {val.package} is not modelled", val.package, val.what)
    if isinstance(val, VClientMethod) and isinstance(val.client, VForeignClient) and val.client.called:
        what = f"{val.client.what}.{val.name}"
        return VFactoryUnknown(f"{what} of {val.client.package} is not modelled", val.client.package, what)
    return None


def _on_complete_args(ev, mod, exp: VExport, args: list[ast.Node], node: ast.Call) -> Value:
    """``vOnCompleteArgs(context?)`` of @convex-dev/workpool (src/client/index.ts):
    ``v.object({workId: vWorkId, context: context ?? v.optional(v.any()), result:
    vResult})``; from 0.4.10 ``(context?, runResult?)`` with ``result:
    vRunResult(runResult ?? v.optional(v.any()))`` (src/component/shared.ts ``vRunResult``:
    the ``success`` member's ``returnValue``). The variant's ``onComplete`` gives the
    argument-free result (``workId``, ``context`` and ``result`` fields in Convex JSON) and
    whether the second argument exists."""
    from .evaluator import from_convex_json

    spec = exp.variant["onComplete"]
    base = from_convex_json(spec["noArguments"])
    fields = dict((f.name, f.validator) for f in base.fields)
    given: list[ir.Validator | None] = []
    for i, a in enumerate(args[: 2 if spec["runResultArgument"] else 1]):
        val = ev.eval(mod, a)
        if isinstance(val, VUndefined):
            given.append(None)
            continue
        if not isinstance(val, VVal):
            reason = val.reason if isinstance(val, VUnknown) else "not a validator"
            return VUnknown(f"{exp.name}(): argument {i + 1} is not a validator the tool resolves ({reason})")
        given.append(val.v.with_raw(""))
    if given and given[0] is not None:
        fields["context"] = given[0]
    if len(given) > 1 and given[1] is not None:
        success, *rest = fields["result"].members
        ok = tuple(ir.ObjectField(f.name, given[1] if f.name == "returnValue" else f.validator) for f in success.fields)
        fields["result"] = ir.Validator("union", members=(ir.Validator("object", fields=ok), *rest))
    return VVal(ir.Validator("object", fields=tuple(ir.ObjectField(k, v) for k, v in fields.items()), raw=mod.raw(node.span)))


# ---------------------------------------------------------------- registrations


def _builder(kind: str, visibility: str, chain_head: str) -> VBuilder:
    short = {"query": "Query", "mutation": "Mutation", "action": "Action"}[kind]
    canonical = ("internal" + short) if visibility == "internal" else kind
    generic = ("internal" + short + "Generic") if visibility == "internal" else kind + "Generic"
    return VBuilder(kind, visibility, canonical, (chain_head, generic))


def _registration(mod, builder: VBuilder, text: str, args_json, returns_json, node: ast.Node) -> VRegistration:
    from .evaluator import from_convex_json

    reg = VRegistration(builder, None, mod, text)
    reg.args = VVal(from_convex_json(args_json)) if args_json is not None else None
    reg.returns = VVal(from_convex_json(returns_json)) if returns_json is not None else None
    reg.span = node.span
    return reg


def _registrations(mod, client: VClient, method: str, table: dict, node: ast.Node, text: str) -> VObj:
    """An object of registered functions, as listed in the model (``{name: {args, returns}}``)."""
    out: dict[str, Value] = {}
    for name, f in table.items():
        out[name] = _registration(mod, _builder("mutation", "internal", f"{client.cls}.{method}"), text, f["args"], f["returns"], node)
    return VObj(out)



def _client_method(ev, mod, client: VClient, name: str, args: list[ast.Node], node: ast.Call) -> Value | None:
    text = ev._callee_text(node.callee)
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
    if client.package == "@convex-dev/better-auth" and name == "triggersApi":
        return _registrations(mod, client, name, var["triggersApi"], node, text)
    if client.package == "@convex-dev/workos-authkit" and name in ("events", "actions"):
        return _registrations(mod, client, name, var[name], node, text)
    return None


def _workflow_registration(ev, mod, client: VClient, cfg: VObj, node: ast.Node, text: str) -> Value:
    var = client.variant
    b = _builder("mutation", "internal", "workflowMutation")
    if var["registration"] == "no-validators":
        # internalMutationGeneric({handler}) without args/returns: Convex exports args
        # {"type":"any"} and returns null (the library-registration path lists it so).
        reg = VRegistration(b, None, mod, text)
        reg.span = node.span
        return reg
    args_v, returns_v = _workflow_validators_046(ev, mod, cfg, text, node)
    reg = VRegistration(b, None, mod, text)
    reg.args, reg.returns = VVal(args_v), VVal(returns_v)
    reg.span = node.span
    return reg


def _lit(s: str) -> ir.Validator:
    return ir.Validator("literal", literal=ir.LiteralValue("string", s))


def _as_object(ev, mod, val: Value | None, node, what: str, text: str, at: ast.Node) -> ir.Validator | None:
    """``asObjectValidator(x)``: a validator stays, a fields map becomes ``v.object``."""
    if val is None:
        return None
    v = ev.to_validator(mod, val, node)
    if isinstance(v, VUnknown):
        mod.diag((node or at).span[0], "CSX230", f"{text}(): workflow {what} not resolved ({v.reason}); recorded as v.any()")
        return ir.Validator("any")
    return v.with_raw("")


def _workflow_validators_046(ev, mod, cfg: VObj, text: str, node: ast.Node) -> tuple[ir.Validator, ir.Validator]:
    """``workflowMutation`` args and returns of @convex-dev/workflow 0.4.6–0.4.8
    (src/client/workflowMutation.ts): ``{...vWorkflowArgs.members[0].partial().fields,
    ...members[1].partial().fields, args: v.optional(asObjectValidator(registered.args ??
    v.any())), docs: v.optional(v.literal(...))}`` and ``v.union(vWorkflowId,
    v.object({kind: "complete", runResult: vRunResult(returns)}))``."""
    s, n, any_, b = ir.Validator("string"), ir.Validator("float64"), ir.Validator("any"), ir.Validator("boolean")
    reg_args = _as_object(ev, mod, cfg.entries.get("args"), cfg.nodes.get("args"), "args", text, node) or any_
    reg_returns = _as_object(ev, mod, cfg.entries.get("returns"), cfg.nodes.get("returns"), "returns", text, node)
    fields = [
        ("workflowId", s), ("generationNumber", n), ("args", reg_args), ("startAsync", b), ("onComplete", s), ("context", any_),
        ("docs", _lit("To call a workflow directly, nest its arguments: { args: { ...yourWorkflowArgs } }")),
    ]
    args_v = ir.Validator("object", fields=tuple(ir.ObjectField(k, v.as_optional(True)) for k, v in fields))

    def obj(**kw: ir.Validator) -> ir.Validator:
        return ir.Validator("object", fields=tuple(ir.ObjectField(k, v) for k, v in kw.items()))

    run_result = ir.Validator("union", members=(
        obj(kind=_lit("success"), returnValue=reg_returns if reg_returns is not None else any_),
        obj(kind=_lit("failed"), error=s),
        obj(kind=_lit("canceled")),
    ))
    returns_v = ir.Validator("union", members=(s, obj(kind=_lit("complete"), runResult=run_result)))
    return args_v, returns_v
