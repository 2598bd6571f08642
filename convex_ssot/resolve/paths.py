"""Module specifier → file, exactly as Convex's bundler (esbuild) resolves it.

Convex's CLI bundles the Convex directory with esbuild (convex ``src/bundler/index.ts``
``bundle`` → ``debugBundle.ts`` ``innerEsbuild``): ``bundle: true``, ``format: "esm"``,
``platform: "browser"`` for the Convex runtime and ``"node"`` for ``"use node"`` modules,
``conditions: ["convex", "module"]``, default ``mainFields`` and ``resolveExtensions``, plus
plugins that stub ``server-only`` and (browser only) shim ``async_hooks``. So an ``import``
statement resolves with the ``exports`` conditions ``import``, ``default``, ``convex``,
``module`` and ``browser`` (or ``node``); main fields ``browser, module, main`` (node:
``main, module``); extensions ``.tsx .ts .jsx .js .css .json`` (inside ``node_modules``:
``.jsx .js .tsx .ts .css .json``). The order of steps is esbuild 0.28's
(``internal/resolver/resolver.go``), checked against esbuild itself by
``tests/conformance/test_resolution.py``:

1. relative (``./x``, ``../lib/x.js``) and absolute specifiers: the file; the file plus each
   extension; ``.js``/``.jsx`` → ``.ts``/``.tsx``, ``.mjs`` → ``.mts``, ``.cjs`` → ``.cts``;
   then the directory: its ``package.json`` main field, else ``index`` plus each extension;
2. bare specifiers (``x``, ``@s/x``, ``~/x``, ``@/x``, ``#x``): ``paths`` of the importing
   file's tsconfig (:mod:`.tsconfig`), then ``baseUrl``; ``#`` specifiers through the nearest
   ``package.json`` ``imports``; a package importing itself by name through its own
   ``exports``; ``node_modules`` directories walking up (``exports`` when present, else the
   legacy file/directory rules); symlinks resolved (pnpm, linked workspace members);
3. where esbuild finds nothing, two fallbacks that agree with what the project would
   resolve once set up: the referenced config of a TypeScript solution root
   (``"files": [], "references": [...]``) that includes the file supplies ``paths``; a
   workspace member (npm/yarn/bun ``workspaces``, ``pnpm-workspace.yaml``) not linked into
   ``node_modules`` (a fresh clone) is resolved as its link would be.

The generated modules are recognised by where a specifier resolves: a file of the Convex
directory's ``_generated/`` named ``server``, ``api`` or ``dataModel`` (any extension),
whether or not it exists on disk (many projects do not commit ``_generated/``). Nothing is
read outside the repository root except through ``node_modules`` (packages, which the
interpreter does not execute).
"""

from __future__ import annotations

import os
from ..dataclass_cache import dataclass
from pathlib import Path

from ..cache import note_input, probe
from . import package_json as pjson
from .tsconfig import TSConfig, TSConfigs

__all__ = ["Resolution", "Resolver", "SpecifierResolver", "CONDITIONS", "GENERATED_MODULES"]

#: ``conditions`` Convex passes to esbuild (convex ``src/bundler/debugBundle.ts``).
CONDITIONS = ("convex", "module")
#: esbuild's default ``resolveExtensions``.
EXTENSIONS = (".tsx", ".ts", ".jsx", ".js", ".css", ".json")
#: esbuild's order inside ``node_modules``: TypeScript after JavaScript.
NODE_MODULES_EXTENSIONS = (".jsx", ".js", ".tsx", ".ts", ".css", ".json")
#: esbuild's default ``mainFields`` per platform.
MAIN_FIELDS = {"browser": ("browser", "module", "main"), "node": ("main", "module")}
#: TypeScript's rewriting of JavaScript extensions (esbuild ``rewrittenFileExtensions``).
_REWRITTEN = ((".js", (".ts", ".tsx")), (".jsx", (".ts", ".tsx")), (".mjs", (".mts",)), (".cjs", (".cts",)))
#: The modules ``npx convex codegen`` writes in ``<convexDir>/_generated/``.
GENERATED_MODULES = ("server", "api", "dataModel")
#: Node's built-in modules (esbuild ``BuiltInNodeModules``): external on the node platform.
NODE_BUILTINS = frozenset(
    "_http_agent _http_client _http_common _http_incoming _http_outgoing _http_server _stream_duplex "
    "_stream_passthrough _stream_readable _stream_transform _stream_wrap _stream_writable _tls_common "
    "_tls_wrap assert assert/strict async_hooks buffer child_process cluster console constants crypto "
    "dgram diagnostics_channel dns dns/promises domain events fs fs/promises http http2 https inspector "
    "module net os path path/posix path/win32 perf_hooks process punycode querystring readline repl "
    "stream stream/consumers stream/promises stream/web string_decoder sys timers timers/promises tls "
    "trace_events tty url util util/types v8 vm wasi worker_threads zlib".split()
)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a specifier leads.

    ``kind``: ``"project"`` (a source file of the repository, ``path`` set), ``"package"``
    (a file of an installed package, ``path`` set, ``package``/``version`` from its
    ``package.json``), ``"generated"`` (``generated`` is ``server``, ``api`` or ``dataModel``;
    ``path`` is the file when it exists, else the path it would have) or ``"builtin"``
    (a Node built-in or a module Convex's bundler stubs: ``server-only``, ``async_hooks``
    in the Convex runtime; ``path`` None). ``via`` names the rule that found it
    (``relative``, ``paths``, ``baseUrl``, ``imports``, ``self``, ``node_modules``,
    ``references``, ``workspace``, ``self-name``); ``esbuild`` is False for the fallbacks
    esbuild itself does not apply.
    """

    kind: str
    path: Path | None
    via: str
    package: str | None = None
    version: str | None = None
    generated: str | None = None
    esbuild: bool = True


class Resolver:
    """Resolves specifiers for files inside ``repo_root``.

    ``convex_dir`` (absolute) locates ``_generated/``. Results are cached per importing
    directory, specifier and platform; configuration files read are recorded as build
    inputs (``cache.note_input``).
    """

    def __init__(self, repo_root: Path, convex_dir: Path | None = None) -> None:
        self.root = os.path.abspath(repo_root)
        self.root_real = os.path.realpath(self.root)
        self.generated_dir = os.path.join(os.path.abspath(convex_dir), "_generated") if convex_dir is not None else None
        self._cache: dict[tuple[str, str, str], Resolution | None] = {}
        self._pj: dict[str, pjson.PackageJSON | None] = {}
        self._workspaces: dict[str, str] | None = None
        require = frozenset({"require", "default", *CONDITIONS, "browser"})
        self.tsconfigs = TSConfigs(self.root, require, self.workspaces)

    # ---- public API
    def resolve(self, specifier: str, importer: Path | str, platform: str = "browser") -> Resolution | None:
        """Resolve ``specifier`` imported by the file ``importer`` (absolute) with an
        ``import`` statement, for ``platform`` ``"browser"`` (Convex runtime) or ``"node"``
        (``"use node"`` modules). None when esbuild would fail to resolve it and no
        fallback applies."""
        directory = os.path.dirname(os.path.abspath(importer))
        key = (directory, specifier, platform)
        if key not in self._cache:
            self._cache[key] = self._resolve(specifier, directory, os.path.abspath(importer), platform)
        return self._cache[key]

    def workspaces(self) -> dict[str, str]:
        """Workspace package name → directory, declared at the repository root or at the
        nearest ancestor of the Convex directory that declares workspaces."""
        if self._workspaces is None:
            found: dict[str, str] = {}
            start = os.path.dirname(self.generated_dir) if self.generated_dir else self.root
            d = start
            while True:
                found = pjson.workspace_packages(d)
                if found or d == self.root or not d.startswith(self.root + os.sep):
                    break
                d = os.path.dirname(d)
            self._workspaces = found
        return self._workspaces

    # ---- the algorithm
    def _conditions(self, platform: str) -> frozenset:
        return frozenset({"import", "default", *CONDITIONS, platform})

    def _resolve(self, spec: str, directory: str, importer: str, platform: str) -> Resolution | None:
        if spec == "server-only" or (platform == "browser" and spec in ("async_hooks", "node:async_hooks")):
            return Resolution("builtin", None, "convex-plugin")
        if platform == "node" and (spec in NODE_BUILTINS or spec.startswith("node:")):
            return Resolution("builtin", None, "node")
        if spec.startswith("/"):
            cfg = self.tsconfigs.for_dir(directory)
            hit = self._match_paths(cfg, spec, platform) if cfg is not None and cfg.paths is not None else None
            return hit or self._finish(self._file_or_dir(spec, platform), "relative")
        if _is_relative(spec):
            target = os.path.normpath(os.path.join(directory, spec))
            if spec in (".", "..") or spec.endswith(("/", "/.", "/..")):
                return self._finish(self._directory(target, platform), "relative")
            return self._finish(self._file_or_dir(target, platform), "relative")
        hit = self._bare(spec, directory, platform)
        if hit is not None:
            return hit
        return self._fallbacks(spec, directory, importer, platform)

    def _bare(self, spec: str, directory: str, platform: str, forbid_imports: bool = False) -> Resolution | None:
        """esbuild ``loadNodeModules``."""
        cfg = self.tsconfigs.for_dir(directory)
        if cfg is not None:
            if cfg.paths is not None:
                hit = self._match_paths(cfg, spec, platform)
                if hit is not None:
                    return hit
            if cfg.base_url is not None:
                hit = self._finish(self._file_or_dir(os.path.join(cfg.base_url, spec), platform), "baseUrl")
                if hit is not None:
                    return hit
        pj_dir = self._enclosing_package_dir(directory)
        pj = self._package_json(pj_dir) if pj_dir else None
        if spec.startswith("#") and not forbid_imports and pj is not None and pj.imports is not None:
            return self._package_imports(spec, pj, platform)
        parsed = pjson.parse_package_name(spec)
        if parsed is None:
            return None
        name, sub = parsed
        if pj is not None and pj.name == name and pj.exports is not None:
            return self._via_exports(pj, sub, spec, platform, "self")
        d = directory
        while True:
            if os.path.basename(d) != "node_modules":
                nm = os.path.join(d, "node_modules")
                if probe("isdir", nm):
                    hit, stop = self._in_node_modules(nm, spec, name, sub, platform)
                    if stop:
                        return hit
            parent = os.path.dirname(d)
            if parent == d or not (parent == self.root or parent.startswith(self.root + os.sep)):
                return None
            d = parent

    def _in_node_modules(self, nm: str, spec: str, name: str, sub: str, platform: str) -> tuple[Resolution | None, bool]:
        pkg_dir = os.path.join(nm, name)
        if probe("isdir", pkg_dir):
            pj = self._package_json(pkg_dir)
            if pj is not None and pj.exports is not None:
                return self._via_exports(pj, sub, spec, platform, "node_modules"), True
        hit = self._finish(self._file_or_dir(os.path.join(nm, spec), platform), "node_modules")
        return hit, hit is not None

    def _via_exports(self, pj: pjson.PackageJSON, sub: str, spec: str, platform: str, via: str, esbuild: bool = True) -> Resolution | None:
        resolved, status = pjson.exports_resolve(pj.exports, sub, self._conditions(platform))
        if status not in (pjson.EXACT, pjson.INEXACT):
            return None
        return self._finish(self._exports_target(pj.dir + resolved, status, platform), via, esbuild)

    def _exports_target(self, path: str, status: str, platform: str) -> str | None:
        if status == pjson.INEXACT:
            return self._file_or_dir(path, platform)
        if probe("isfile", path):
            return path
        if probe("exists", path):
            return None  # a directory: esbuild refuses directory imports through "exports"
        if self._generated_name(path) is not None:
            return path
        return _rewritten(path)

    def _package_imports(self, spec: str, pj: pjson.PackageJSON, platform: str) -> Resolution | None:
        resolved, status = pjson.imports_resolve(pj.imports, spec, self._conditions(platform))
        if status == pjson.PACKAGE:
            if platform == "node" and (resolved in NODE_BUILTINS or resolved.startswith("node:")):
                return Resolution("builtin", None, "imports")
            hit = self._bare(resolved, pj.dir, platform, forbid_imports=True)
            return None if hit is None else Resolution(hit.kind, hit.path, "imports", hit.package, hit.version, hit.generated, hit.esbuild)
        if status not in (pjson.EXACT, pjson.INEXACT):
            return None
        return self._finish(self._exports_target(pj.dir + resolved, status, platform), "imports")

    def _match_paths(self, cfg: TSConfig, spec: str, platform: str, via: str = "paths", esbuild: bool = True) -> Resolution | None:
        """esbuild ``matchTSConfigPaths`` (TypeScript's ``tryLoadModuleUsingPaths``)."""
        base = cfg.base_url if cfg.base_url is not None else cfg.paths_base
        paths = cfg.paths or {}
        if spec in paths:
            candidates = [(t, None) for t in paths[spec]]
        else:
            best, best_p, best_s = None, -1, -1
            for key, targets in paths.items():
                star = key.find("*")
                if star < 0:
                    continue
                prefix, suffix = key[:star], key[star + 1:]
                if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix) + len(suffix):
                    if len(prefix) > best_p or (len(prefix) == best_p and len(suffix) > best_s):
                        best, best_p, best_s = targets, len(prefix), len(suffix)
            if best is None:
                return None
            matched = spec[best_p: len(spec) - best_s]
            candidates = [(t, matched) for t in best]
        for target, matched in candidates:
            if matched is not None:
                target = target.replace("*", matched, 1)
            if target.lower().endswith(".d.ts"):
                continue
            full = target if os.path.isabs(target) else os.path.normpath(os.path.join(base, target))
            hit = self._finish(self._file_or_dir(full, platform), via, esbuild)
            if hit is not None:
                return hit
        return None

    # ---- files and directories
    def _file_or_dir(self, path: str, platform: str, order: tuple[str, ...] | None = None) -> str | None:
        """esbuild ``loadAsFileOrDirectory``: a file path or None."""
        hit = self._file(path, order)
        return hit if hit is not None else self._directory(path, platform, order)

    def _order(self, path: str, order) -> tuple[str, ...]:
        if order is not None:
            return order
        return NODE_MODULES_EXTENSIONS if "node_modules" in path.split(os.sep) else EXTENSIONS

    def _file(self, path: str, order=None) -> str | None:
        if probe("isfile", path):
            return path
        for ext in self._order(path, order):
            if probe("isfile", path + ext):
                return path + ext
        hit = _rewritten(path)
        if hit is None and self._generated_name(path) is not None:
            return path  # <convexDir>/_generated/<name>: recognised whether or not it exists
        return hit

    def _directory(self, path: str, platform: str, order=None) -> str | None:
        if not probe("isdir", path):
            return None
        order = self._order(path, order)
        pj = self._package_json(path) if probe("isfile", os.path.join(path, "package.json")) else None
        if pj is not None:
            for fld in MAIN_FIELDS[platform]:
                rel = pj.main_fields.get(fld)
                if rel is None:
                    continue
                target = os.path.normpath(os.path.join(path, rel))
                hit = self._file(target, order)
                if hit is None and probe("isdir", target):
                    hit = self._index(target, order)
                if hit is not None:
                    return hit
        return self._index(path, order)

    def _index(self, directory: str, order) -> str | None:
        for ext in order:
            cand = os.path.join(directory, "index" + ext)
            if probe("isfile", cand):
                return cand
        return None

    def _generated_name(self, path: str) -> str | None:
        if self.generated_dir is None or os.path.dirname(path) != self.generated_dir:
            return None
        base = os.path.basename(path)
        for ext in (".d.ts", ".js", ".ts", ".mjs", ".cjs", ".mts", ".cts", ".jsx", ".tsx"):
            if base.endswith(ext):
                base = base[: -len(ext)]
                break
        return base if base in GENERATED_MODULES else None

    # ---- package.json lookups
    def _package_json(self, directory: str) -> pjson.PackageJSON | None:
        if directory not in self._pj:
            self._pj[directory] = pjson.read_package_json(directory)
        return self._pj[directory]

    def _enclosing_package_dir(self, directory: str) -> str | None:
        d = directory
        while True:
            note_input(os.path.join(d, "package.json"))  # present or absent (project cache)
            if probe("isfile", os.path.join(d, "package.json")) and self._package_json(d) is not None:
                return d
            parent = os.path.dirname(d)
            if parent == d or not (parent == self.root or parent.startswith(self.root + os.sep)):
                return None
            d = parent

    # ---- fallbacks where esbuild finds nothing
    def _fallbacks(self, spec: str, directory: str, importer: str, platform: str) -> Resolution | None:
        cfg = self.tsconfigs.for_dir(directory)
        if cfg is not None and cfg.references:
            sub = self.tsconfigs.reference_for(cfg, importer)
            if sub is not None and sub.paths is not None:
                hit = self._match_paths(sub, spec, platform, "references", False)
                if hit is not None:
                    return hit
        parsed = pjson.parse_package_name(spec)
        if parsed is None:
            return None
        name, sub_path = parsed
        ws = self.workspaces().get(name)
        if ws is not None:
            pj = self._package_json(ws)
            if pj is not None and pj.exports is not None:
                return self._via_exports(pj, sub_path, spec, platform, "workspace", False)
            target = os.path.normpath(os.path.join(ws, sub_path))
            return self._finish(self._file_or_dir(target, platform, NODE_MODULES_EXTENSIONS), "workspace", False)
        # A package importing its own files by name without "exports" (esbuild: only
        # through a node_modules link, which a fresh clone lacks).
        pj_dir = self._enclosing_package_dir(directory)
        pj = self._package_json(pj_dir) if pj_dir else None
        if pj is not None and pj.name == name:
            target = os.path.normpath(os.path.join(pj_dir, sub_path))
            return self._finish(self._file_or_dir(target, platform), "self-name", False)
        return None

    # ---- results
    def _finish(self, path: str | None, via: str, esbuild: bool = True) -> Resolution | None:
        if path is None:
            return None
        gen = self._generated_name(path)
        if gen is not None:
            return Resolution("generated", Path(path), via, generated=gen, esbuild=esbuild)
        parts = path.split(os.sep)
        if "node_modules" in parts:
            real = probe("realpath", path)
            inside = real == self.root_real or real.startswith(self.root_real + os.sep)
            if inside and "node_modules" not in os.path.relpath(real, self.root_real).split(os.sep):
                # a workspace member linked into node_modules: a project file
                rel = os.path.relpath(real, self.root_real)
                return self._finish(os.path.join(self.root, rel), via, esbuild)
            i = len(parts) - 1 - parts[::-1].index("node_modules")
            n = 2 if i + 1 < len(parts) and parts[i + 1].startswith("@") else 1
            pkg_dir = os.sep.join(parts[: i + 1 + n])
            pj = self._package_json(pkg_dir)
            return Resolution("package", Path(real), via, pj.name if pj else "/".join(parts[i + 1: i + 1 + n]), pj.version if pj else None, esbuild=esbuild)
        # A symlink leaving the repository is returned as it is: the loader refuses to
        # read it with CSX102 instead of reporting "not found".
        return Resolution("project", Path(path), via, esbuild=esbuild)



def _rewritten(path: str) -> str | None:
    """TypeScript's rule as esbuild applies it: ``x.js`` names ``x.ts`` or ``x.tsx``
    (first matching old extension only)."""
    for old, news in _REWRITTEN:
        if path.endswith(old):
            for new in news:
                if probe("isfile", path[: -len(old)] + new):
                    return path[: -len(old)] + new
            return None
    return None


def _is_relative(spec: str) -> bool:
    return spec in (".", "..") or spec.startswith(("./", "../"))


class SpecifierResolver(Resolver):
    """The resolver as the loader uses it: ``resolve(from_file, specifier)`` → the project
    file it names (None for packages, built-ins, generated modules and failures)."""

    def resolve_file(self, from_file: Path, specifier: str, platform: str = "browser") -> Path | None:
        r = self.resolve(specifier, from_file, platform)
        return r.path if r is not None and r.kind == "project" else None
