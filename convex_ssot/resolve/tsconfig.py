"""tsconfig.json as esbuild reads it for resolution: ``baseUrl``, ``paths``, ``extends``.

Rules (esbuild 0.28 ``internal/resolver/resolver.go`` ``dirInfoUncached``/``parseTSConfig``
and ``tsconfig_json.go`` ``ParseTSConfigJSON``):

- the config of a file is the ``tsconfig.json`` (else ``jsconfig.json``) of the nearest
  directory above it that has one, never one inside ``node_modules``; a nearer config
  without ``paths`` hides a farther one that has them;
- ``extends`` (a string or an array, applied in order, later ones winning) names a
  relative file (``"."``/``".."`` mean ``./tsconfig.json``; ``.json`` is tried when the
  name has no extension) or a package: ``node_modules/<pkg>`` walking up (its
  ``package.json`` ``tsconfig`` field, its ``exports`` under the ``require`` conditions, then
  ``<pkg>/tsconfig.json``, ``<pkg>``, ``<pkg>.json``);
- an extended config's ``baseUrl`` and ``paths`` apply unless the extending one sets its
  own; ``paths`` targets are relative to ``baseUrl`` when set, else to the directory of the
  config that declares ``paths``; ``${configDir}`` is the directory of the config the file
  uses; without ``baseUrl``, targets that are not relative (``"src/*"``) are ignored.

Beyond esbuild, as TypeScript does (editors and ``tsc`` follow it, esbuild does not): when
the nearest config is a solution root (``references``), the referenced config whose
``files``/``include`` cover the importing file supplies ``paths`` when esbuild's own config
resolves nothing (:meth:`TSConfigs.reference_for`). A package preset that is not installed
is looked up among the repository's workspace packages (a fresh clone before install).
"""

from __future__ import annotations

import os
import re
from ..dataclass_cache import dataclass

from ..cache import note_input, probe
from .package_json import EXACT, exports_resolve, parse_package_name, read_jsonc, read_package_json

__all__ = ["TSConfig", "TSConfigs"]


@dataclass(slots=True)
class TSConfig:
    """What resolution uses of one effective config. ``base_url`` is absolute or None;
    ``paths`` maps a pattern to its targets; ``paths_base`` is the directory targets are
    relative to when there is no ``base_url``; ``path`` is the config file; ``references``
    are the referenced configs' paths; ``files``/``include``/``exclude`` as written."""

    path: str
    base_url: str | None = None
    paths: dict[str, list[str]] | None = None
    paths_base: str = ""
    references: tuple[str, ...] = ()
    files: list | None = None
    include: list | None = None
    exclude: list | None = None


def _config_dir_subst(value: str, config_dir: str) -> str:
    if value.startswith("${configDir}"):
        return os.path.normpath(os.path.join(config_dir, "./" + value[12:]))
    return value


class TSConfigs:
    """Loads configs once; ``workspaces`` maps package names to directories (a fallback
    for ``extends`` of a workspace preset when ``node_modules`` is absent);
    ``require_conditions`` are the ``exports`` conditions of a ``require``."""

    def __init__(self, root: str, require_conditions: frozenset, workspaces) -> None:
        self.root = root
        self.require_conditions = require_conditions
        self.workspaces = workspaces  # callable () -> dict[str, str]
        self._by_dir: dict[str, TSConfig | None] = {}
        self._files: dict[tuple[str, str], TSConfig | None] = {}

    # ---- the config of a directory
    def for_dir(self, directory: str) -> TSConfig | None:
        """The config esbuild uses for files in ``directory`` (None: no config)."""
        if directory in self._by_dir:
            return self._by_dir[directory]
        found = None
        if "node_modules" not in directory.split(os.sep):
            for name in ("tsconfig.json", "jsconfig.json"):
                cand = os.path.join(directory, name)
                note_input(cand)  # present or absent: the project cache depends on it
                if os.path.isfile(cand):
                    # an unreadable config still hides the farther ones (esbuild sets the
                    # directory's enclosing config to the failed parse: none)
                    found = self.load(cand, os.path.dirname(cand))
                    break
            else:
                if directory != self.root and directory.startswith(self.root + os.sep):
                    found = self.for_dir(os.path.dirname(directory))
        self._by_dir[directory] = found
        return found

    def load(self, path: str, config_dir: str, _visited: frozenset = frozenset()) -> TSConfig | None:
        """The effective config of file ``path`` (extends applied)."""
        key = (path, config_dir)
        if key in self._files and not _visited:
            return self._files[key]
        real = probe("realpath", path)
        if real in _visited:
            return None  # an extends cycle (esbuild warns and ignores it)
        data = read_jsonc(path)
        if not isinstance(data, dict):
            result = None
        else:
            result = self._parse(path, data, config_dir, _visited | {real}, top=not _visited)
        if not _visited:
            self._files[key] = result
        return result

    def _parse(self, path: str, data: dict, config_dir: str, visited: frozenset, top: bool) -> TSConfig:
        file_dir = os.path.dirname(path)
        cfg = TSConfig(path)
        ext = data.get("extends")
        for item in ([ext] if isinstance(ext, str) else ext if isinstance(ext, list) else []):
            if not isinstance(item, str):
                continue
            base = self._extends(item, file_dir, config_dir, visited)
            if base is not None:
                if base.base_url is not None:
                    cfg.base_url = base.base_url
                if base.paths is not None:
                    cfg.paths, cfg.paths_base = base.paths, base.paths_base
        opts = data.get("compilerOptions")
        if isinstance(opts, dict):
            bu = opts.get("baseUrl")
            if isinstance(bu, str):
                bu = _config_dir_subst(bu, config_dir)
                cfg.base_url = os.path.normpath(os.path.join(file_dir, bu))
            paths = opts.get("paths")
            if isinstance(paths, dict):
                cfg.paths_base = file_dir
                cfg.paths = {}
                for k, targets in paths.items():
                    if k.count("*") > 1 or not isinstance(targets, list):
                        continue
                    cfg.paths[k] = [_config_dir_subst(t, config_dir) for t in targets if isinstance(t, str) and t.count("*") <= 1]
        if top and cfg.paths is not None and cfg.base_url is None:
            # "paths" without "baseUrl": only relative or absolute targets (esbuild
            # isValidTSConfigPathNoBaseURLPattern)
            cfg.paths = {k: [t for t in ts if re.match(r"^(\.\.?(?:[/\\]|$)|[/\\]|[A-Za-z]:[/\\])", t)] for k, ts in cfg.paths.items()}
        refs = data.get("references")
        if isinstance(refs, list):
            out = []
            for r in refs:
                p = r.get("path") if isinstance(r, dict) else None
                if isinstance(p, str):
                    full = os.path.normpath(os.path.join(file_dir, p))
                    out.append(full if full.endswith(".json") else os.path.join(full, "tsconfig.json"))
            cfg.references = tuple(out)
        for k in ("files", "include", "exclude"):
            if isinstance(data.get(k), list):
                setattr(cfg, k, [x for x in data[k] if isinstance(x, str)])
        return cfg

    def _extends(self, ext: str, file_dir: str, config_dir: str, visited: frozenset) -> TSConfig | None:
        if ext.startswith("/") or ext in (".", "..") or ext.startswith(("./", "../")):
            target = ext + "/tsconfig.json" if ext in (".", "..") else ext
            target = os.path.normpath(os.path.join(file_dir, target))
            if probe("isfile", target):
                return self.load(target, config_dir, visited)
            if not target.endswith(".json") and probe("isfile", target + ".json"):
                return self.load(target + ".json", config_dir, visited)
            return None
        parsed = parse_package_name(ext)
        current = file_dir
        while True:
            if os.path.basename(current) != "node_modules":
                pkg_dir = os.path.join(current, "node_modules", parsed[0]) if parsed else None
                hit = self._extends_in_package(ext, pkg_dir, os.path.join(current, "node_modules", ext), config_dir, visited)
                if hit is not None:
                    return hit
            nxt = os.path.dirname(current)
            if nxt == current or not (nxt == self.root or nxt.startswith(self.root + os.sep)):
                break
            current = nxt
        if parsed and parsed[0] in self.workspaces():  # not installed: the workspace member
            pkg_dir = self.workspaces()[parsed[0]]
            return self._extends_in_package(ext, pkg_dir, os.path.normpath(os.path.join(pkg_dir, parsed[1])), config_dir, visited)
        return None

    def _extends_in_package(self, ext, pkg_dir, join, config_dir, visited):
        if pkg_dir is not None and probe("isfile", os.path.join(pkg_dir, "package.json")):
            pj = read_package_json(pkg_dir)
            if pj is not None:
                if pj.tsconfig:
                    join = os.path.join(pkg_dir, pj.tsconfig)
                if pj.exports is not None:
                    sub = parse_package_name(ext)[1]
                    resolved, status = exports_resolve(pj.exports, sub, self.require_conditions)
                    if status == EXACT and probe("isfile", pkg_dir + resolved):
                        return self.load(pkg_dir + resolved, config_dir, visited)
        for cand in (os.path.join(join, "tsconfig.json"), join, join + ".json"):
            if probe("isfile", cand):
                return self.load(cand, config_dir, visited)
        return None

    # ---- TypeScript's solution roots
    def reference_for(self, cfg: TSConfig, file: str) -> TSConfig | None:
        """The config among ``cfg.references`` (followed one level deep and recursively
        through nested solution roots) whose file set includes ``file``, or None."""
        seen: set[str] = set()
        stack = list(cfg.references)
        while stack:
            ref = stack.pop(0)
            if ref in seen or not probe("isfile", ref):
                continue
            seen.add(ref)
            sub = self.load(ref, os.path.dirname(ref))
            if sub is None:
                continue
            if _includes(sub, file):
                return sub
            stack.extend(sub.references)
        return None


def _glob_re(pattern: str, base: str) -> re.Pattern:
    full = os.path.normpath(os.path.join(base, pattern)).replace(os.sep, "/")
    out, i = "", 0
    while i < len(full):
        if full.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif full[i] == "*":
            out += "[^/]*"
            i += 1
        elif full[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(full[i])
            i += 1
    return re.compile(out + "(?:/.*)?$")  # a directory includes what is below it


def _includes(cfg: TSConfig, file: str) -> bool:
    """True when TypeScript's ``files``/``include``/``exclude`` of ``cfg`` cover ``file``
    (defaults: ``include`` is ``**/*`` unless ``files`` is given)."""
    base = os.path.dirname(cfg.path)
    f = file.replace(os.sep, "/")
    if cfg.files and any(os.path.normpath(os.path.join(base, x)) == os.path.normpath(file) for x in cfg.files):
        return True
    include = cfg.include if cfg.include is not None else ([] if cfg.files is not None else ["**/*"])
    if not any(_glob_re(p, base).match(f) for p in include):
        return False
    exclude = cfg.exclude if cfg.exclude is not None else ["node_modules"]
    return not any(_glob_re(p, base).match(f) for p in exclude)
