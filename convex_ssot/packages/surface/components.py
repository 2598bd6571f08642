"""Components: ``defineApp()``, ``app.use(definition, options?)``, ``defineComponent(name)``
and the component definitions ``convex.config.ts`` imports.

Rules from convex 1.48 ``src/server/components/index.ts``:

* ``use(definition, {name?, httpPrefix?, env?})``: the installed name is ``options.name``,
  else the definition's ``defaultName`` — the name its own ``convex.config`` passes to
  ``defineComponent(name)``; it must be a non-empty string; ``httpPrefix`` must start
  with ``/``. Throws become error diagnostics (CSX521).
* An import is a component definition when its specifier matches ``/.*convex.config.*/``
  (``src/cli/lib/components/definition/bundle.ts``). For a package the definition file
  is found through the package's ``package.json`` ``exports`` (conditions ``convex``,
  ``module``, ``import``, ``browser``, ``default``, in the order the map lists them, as
  esbuild picks them), or the file of that subpath; its ``defineComponent("…")`` name is
  read from its text. The version is the installed ``package.json``'s. A definition that
  cannot be read gets ``name: null`` (without a ``name`` option) and CSX520.
"""

from __future__ import annotations

import os
from dataclasses import field
from ...dataclass_cache import dataclass
from pathlib import Path

from ...cache import note_input
from ..versions import read_input_json
from ...interp.values import VCallable, VObj, VStr, VUndefined, VUnknown, Value
from ...parse.mask import mask
from .values import SurfaceValue
from ... import regex_cache

__all__ = ["VApp", "VComponentDef", "UseEntry", "CONFIG_SPECIFIER", "member", "define_app", "define_component", "definition", "package_name"]

#: bundle.ts: imports matching this are component definitions.
CONFIG_SPECIFIER = regex_cache.compile(r".*convex.config.*")
_DEFINE = regex_cache.compile(r"""defineComponent\s*(?:<[^()]*>)?\(\s*(["'])([^"'\\\n]*)\1""")
_CONDITIONS = ("convex", "module", "import", "browser", "default")
_EXTENSIONS = ("", ".js", ".ts", ".mjs", ".tsx", ".jsx", "/index.js", "/index.ts")


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
        return member(self, prop)


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


def member(app: VApp, prop: str) -> Value:
    """Properties of an app or component definition: ``use`` (modelled)."""
    if prop == "use":
        return VCallable("app.use", lambda ev, mod, args, node: _use(ev, mod, app, args, node))
    return VUnknown(f"{'defineApp()' if app.name is None else 'defineComponent()'}.{prop} is not modelled")


def define_app(ev, mod, args: list, node) -> Value:
    """``defineApp(options?)``; ``httpPrefix`` must start with ``/``."""
    opts = ev.eval(mod, args[0]) if args else VUndefined()
    if isinstance(opts, VObj):
        hp = opts.entries.get("httpPrefix")
        if isinstance(hp, VStr) and not hp.value.startswith("/"):
            mod.diag(node.span[0], "CSX521", f'Convex rejects this app definition: httpPrefix must start with "/". Received: "{hp.value}" (convex src/server/components/index.ts)', "error")
    return VApp(mod, node.span[0])


def define_component(ev, mod, args: list, node) -> Value:
    """``defineComponent(name, options?)`` (a component's own definition)."""
    name = ev.eval(mod, args[0]) if args else VUndefined()
    return VApp(mod, node.span[0], name.value if isinstance(name, VStr) else "?")


def _use(ev, mod, app: VApp, args: list, node) -> Value:
    off = node.span[0]
    d = ev.eval(mod, args[0]) if args else VUndefined()
    opts = ev.eval(mod, args[1]) if len(args) > 1 else VUndefined()
    if not isinstance(d, VComponentDef):
        reason = d.reason if isinstance(d, VUnknown) else "not a component definition imported from a convex.config module"
        mod.diag(off, "CSX520", f"app.use(...): component definition not resolved ({reason}); the component is missing from components")
        return VUndefined()
    name: str | None = None
    http_prefix: str | None = None
    if isinstance(opts, VObj):
        n = opts.entries.get("name", VUndefined())
        if isinstance(n, VStr):
            name = n.value
        elif not isinstance(n, VUndefined):
            mod.diag(off, "CSX520", "app.use(...): the `name` option is not a string the tool resolves; the component is listed without a name")
        hp = opts.entries.get("httpPrefix")
        if isinstance(hp, VStr):
            if not hp.value.startswith("/"):
                mod.diag(off, "CSX521", f'Convex rejects this component: httpPrefix must start with "/". Received: "{hp.value}" (convex src/server/components/index.ts)', "error")
                return VUndefined()
            http_prefix = hp.value
    elif not isinstance(opts, VUndefined):
        mod.diag(off, "CSX520", "app.use(...): options not resolved; the component's name may differ")
    if name is None:
        name = d.default_name
        if name is None:
            mod.diag(off, "CSX520", f"app.use({d.specifier}): the component's default name is not known ({d.reason}); it is listed with name null")
    if name == "":
        mod.diag(off, "CSX521", "Convex rejects this component: Component name cannot be empty. (convex src/server/components/index.ts)", "error")
        return VUndefined()
    app.uses.append(UseEntry(name, d, http_prefix, mod, off))
    return VUndefined()


def package_name(spec: str) -> str:
    """``@scope/pkg/sub`` → ``@scope/pkg``; ``pkg/sub`` → ``pkg``."""
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]


def _inside(root: str, path: str) -> bool:
    real = os.path.realpath(path)
    root_real = os.path.realpath(root)
    return real == root_real or real.startswith(root_real + os.sep)


def _export_target(exports, subpath: str) -> str | None:
    """The file ``exports`` maps ``subpath`` to (conditions in the map's own order)."""
    if isinstance(exports, str):
        return exports if subpath == "." else None
    if not isinstance(exports, dict):
        return None
    entry = exports.get(subpath)
    if entry is None and subpath.endswith(".js"):
        entry = exports.get(subpath[:-3])
    if entry is None and not subpath.endswith(".js"):
        entry = exports.get(subpath + ".js")
    while isinstance(entry, dict):
        for k, val in entry.items():
            if k in _CONDITIONS:
                entry = val
                break
        else:
            return None
    return entry if isinstance(entry, str) else None


def _first_file(base: str) -> str | None:
    for ext in _EXTENSIONS:
        p = base + ext
        note_input(p)
        if os.path.isfile(p):
            return p
    return None


def definition(repo_root: Path | None, mod, specifier: str, load=None) -> VComponentDef:
    """The component definition ``specifier`` (imported by ``mod``) names: its default name
    and, for a package, the package and installed version. ``load(specifier)`` is the
    project's own resolution (relative paths, tsconfig ``paths``, which esbuild tries before
    ``node_modules``) and returns the parsed module or None."""
    root = os.path.abspath(repo_root) if repo_root is not None else None
    if root is None:
        return VComponentDef(specifier, None, reason="no repository root")
    here = os.path.dirname(os.path.join(root, mod.rel))
    target = load(specifier) if load is not None else None
    if specifier.startswith(".") or target is not None:
        if target is None:
            return VComponentDef(specifier, None, reason=f"{specifier} was not found")
        out = VComponentDef(specifier, None)
        if not specifier.startswith("."):
            out.package = package_name(specifier)
            data = _installed_package_json(root, here, out.package)
            out.version = data.get("version") if isinstance(data, dict) and isinstance(data.get("version"), str) else None
        return _named_in(out, target.mk.clean, target.rel)
    pkg = package_name(specifier)
    sub = "." + specifier[len(pkg):]
    d = here
    while True:
        pkg_dir = os.path.join(d, "node_modules", *pkg.split("/"))
        data = read_input_json(os.path.join(pkg_dir, "package.json"))
        if isinstance(data, dict) and _inside(root, pkg_dir):
            version = data.get("version") if isinstance(data.get("version"), str) else None
            out = VComponentDef(specifier, None, pkg, version)
            target = _export_target(data.get("exports"), sub) if "exports" in data else None
            path = _first_file(os.path.normpath(os.path.join(pkg_dir, target))) if target else _first_file(os.path.join(pkg_dir, sub))
            if path is None:
                out.reason = f"{pkg} {version} has no file for {sub}"
                return out
            return _with_name(out, path)
        if d == root or len(d) <= len(root):
            break
        d = os.path.dirname(d)
    return VComponentDef(specifier, None, pkg, None, reason=f"package {pkg} is not installed (no node_modules/{pkg} in the repository)")


def _installed_package_json(root: str, here: str, pkg: str):
    d = here
    while True:
        path = os.path.join(d, "node_modules", *pkg.split("/"), "package.json")
        data = read_input_json(path)
        if data is not None and _inside(root, path):
            return data
        if d == root or len(d) <= len(root):
            return None
        d = os.path.dirname(d)


def _with_name(out: VComponentDef, path: str) -> VComponentDef:
    note_input(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        out.reason = f"{os.path.basename(path)} cannot be read"
        return out
    return _named_in(out, mask(text, jsx=path.endswith((".tsx", ".jsx"))).clean, os.path.basename(path))


def _named_in(out: VComponentDef, clean: str, where: str) -> VComponentDef:
    """``out`` with the name of the first ``defineComponent("…")`` in ``clean`` (comment-free text)."""
    m = _DEFINE.search(clean)
    if m is None:
        out.reason = f"no defineComponent(\"…\") in {where}"
    else:
        out.default_name = m.group(2)
    return out
