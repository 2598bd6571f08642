"""package.json as esbuild reads it: ``exports``/``imports`` maps, main fields, workspaces.

The ``exports``/``imports`` algorithm is Node's ESM resolution (PACKAGE_EXPORTS_RESOLVE,
PACKAGE_IMPORTS_RESOLVE, PACKAGE_TARGET_RESOLVE: https://nodejs.org/api/esm.html) as
esbuild 0.28 implements it (``internal/resolver/package_json.go``: ``esmPackageExportsResolve``,
``esmPackageImportsExportsResolve``, ``esmPackageTargetResolve``, expansion-key order
``expansionKeysArray.Less``). Workspaces are npm/yarn/bun ``package.json`` ``workspaces``
(an array, or ``{"packages": [...]}``) and pnpm's ``pnpm-workspace.yaml`` ``packages``.

Nothing here touches a file outside what the caller hands it; reading goes through
:func:`read_jsonc`, which records the file as an input of the build (``cache.note_input``).
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import field
from ..dataclass_cache import dataclass
from pathlib import Path

from ..cache import note_input, probe
from .. import regex_cache

__all__ = ["PackageJSON", "read_jsonc", "read_package_json", "exports_resolve", "imports_resolve",
           "parse_package_name", "workspace_packages", "EXACT", "INEXACT", "PACKAGE"]

_TRAILING_COMMA = regex_cache.compile(r",(\s*[}\]])")

#: Outcomes of the map algorithms (esbuild's pjStatus, reduced to what resolution needs).
EXACT = "exact"        # a file path that must exist as written (or .js → .ts)
INEXACT = "inexact"    # a folder mapping ("./x/"): CommonJS-style extensions and index files
PACKAGE = "package"    # an ``imports`` target naming another package: resolve it as a package


def read_jsonc(path: str | Path):
    """The JSON value of ``path`` with comments and trailing commas allowed (as tsc reads
    tsconfig files), or None when the file is absent, unreadable or not JSON."""
    from ..emit.jsonout import loads
    from ..parse.lexer import mask

    note_input(path)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return loads(text)
    except ValueError:
        pass
    try:
        return loads(_TRAILING_COMMA.sub(r"\1", mask(text).clean))
    except ValueError:
        return None


@dataclass(slots=True)
class PackageJSON:
    """The fields of one ``package.json`` that resolution reads; ``dir`` is its directory."""

    dir: str
    name: str | None = None
    version: str | None = None
    main_fields: dict[str, str] = field(default_factory=dict)
    exports: object = None  # None when absent (a JSON null "exports" is also None, as in esbuild)
    imports: object = None
    tsconfig: str | None = None
    workspaces: list[str] | None = None


def read_package_json(directory: str) -> PackageJSON | None:
    """``directory/package.json`` parsed, or None (absent or not a JSON object)."""
    data = read_jsonc(os.path.join(directory, "package.json"))
    if not isinstance(data, dict):
        return None
    pj = PackageJSON(directory)
    if isinstance(data.get("name"), str):
        pj.name = data["name"]
    if isinstance(data.get("version"), str):
        pj.version = data["version"]
    for key in ("browser", "module", "main"):
        val = data.get(key)
        if isinstance(val, str) and val:
            pj.main_fields[key] = val
    pj.exports = data.get("exports")
    pj.imports = data.get("imports")
    if isinstance(data.get("tsconfig"), str):
        pj.tsconfig = data["tsconfig"]
    ws = data.get("workspaces")
    if isinstance(ws, dict):
        ws = ws.get("packages")
    if isinstance(ws, list):
        pj.workspaces = [w for w in ws if isinstance(w, str)]
    return pj


def parse_package_name(specifier: str) -> tuple[str, str] | None:
    """``(name, "./subpath" or ".")`` of a bare specifier (esbuild ``esmParsePackageName``)."""
    if not specifier:
        return None
    slash = specifier.find("/")
    if not specifier.startswith("@"):
        name = specifier if slash < 0 else specifier[:slash]
    else:
        if slash < 0:
            return None
        slash2 = specifier.find("/", slash + 1)
        name = specifier if slash2 < 0 else specifier[:slash2]
    if name.startswith(".") or "\\" in name or "%" in name:
        return None
    return name, "." + specifier[len(name):]


# ---------------------------------------------------------------- exports / imports maps


def _keys_start_with_dot(obj: dict) -> bool:
    return bool(obj) and next(iter(obj)).startswith(".")


def _expansion_keys(obj: dict) -> list[str]:
    keys = [k for k in obj if k.endswith("/") or "*" in k]

    def sort_key(k: str):
        star = k.find("*")
        base = star if star >= 0 else len(k)
        # longer base first; with equal bases, keys with "*" first, then longer keys first
        return (-base, 0 if star >= 0 else 1, -len(k) if star >= 0 else 0)

    return sorted(keys, key=sort_key)  # sorted() is stable, as Go's sort.Stable


def _invalid_segment(path: str) -> bool:
    """True when ``path`` after its first segment holds ``.``, ``..`` or ``node_modules``."""
    parts = re.split(r"[/\\]", path)
    return any(p in (".", "..", "node_modules") for p in parts[1:])


def _target_resolve(target, subpath: str, pattern: bool, internal: bool, conditions: frozenset):
    """PACKAGE_TARGET_RESOLVE: ``(path or specifier, status)``; status None means
    undefined/null (try the next alternative), "invalid" an invalid target."""
    if isinstance(target, str):
        if not pattern and subpath and not target.endswith("/"):
            return None, "invalid"
        if not target.startswith("./"):
            if internal and not target.startswith("../") and not target.startswith("/"):
                return (target.replace("*", subpath) if pattern else target + subpath), PACKAGE
            return None, "invalid"
        if _invalid_segment(target) or _invalid_segment(subpath):
            return None, "invalid"
        resolved = posixpath.normpath("/" + target[2:])  # Go's path.Join("/", target)
        if pattern:
            return resolved.replace("*", subpath), EXACT
        return (posixpath.normpath(resolved + "/" + subpath) if subpath else resolved), EXACT
    if isinstance(target, dict):
        for key, value in target.items():
            if key == "default" or key in conditions:
                resolved, status = _target_resolve(value, subpath, pattern, internal, conditions)
                if status is None:
                    continue
                return resolved, status
        return None, None
    if isinstance(target, list):
        if not target:
            return None, None
        last = None
        for item in target:
            resolved, status = _target_resolve(item, subpath, pattern, internal, conditions)
            if status in ("invalid", "null"):
                last = status
                continue
            if status is None:
                continue
            return resolved, status
        return None, last
    if target is None:
        return None, "null"
    return None, "invalid"


def _map_resolve(match_key: str, obj: dict, internal: bool, conditions: frozenset):
    if not match_key.endswith("/") and "*" not in match_key and match_key in obj:
        return _target_resolve(obj[match_key], "", False, internal, conditions)
    for key in _expansion_keys(obj):
        star = key.find("*")
        if star >= 0:
            base, trailer = key[:star], key[star + 1:]
            if match_key.startswith(base) and (trailer == "" or (match_key.endswith(trailer) and len(match_key) >= len(key))):
                sub = match_key[len(base): len(match_key) - len(trailer)]
                return _target_resolve(obj[key], sub, True, internal, conditions)
        elif match_key.startswith(key):
            resolved, status = _target_resolve(obj[key], match_key[len(key):], False, internal, conditions)
            return resolved, (INEXACT if status == EXACT else status)
    return None, None


def _post_conditions(resolved, status):
    if status not in (EXACT, INEXACT):
        return resolved, status
    if re.search(r"%2f|%5c", resolved, re.IGNORECASE):
        return None, "invalid"
    from urllib.parse import unquote

    resolved = unquote(resolved)
    if resolved.endswith(("/", "\\")):
        return None, "invalid"
    return resolved, status


def exports_resolve(exports, subpath: str, conditions: frozenset):
    """PACKAGE_EXPORTS_RESOLVE of ``subpath`` (``"."`` or ``"./x"``): ``(path, status)``
    where path starts with ``/`` (relative to the package directory) and status is
    :data:`EXACT` or :data:`INEXACT`; ``(None, reason)`` when the package does not export it."""
    if subpath == ".":
        main = None
        if isinstance(exports, (str, list)) or (isinstance(exports, dict) and not _keys_start_with_dot(exports)):
            main = exports
        elif isinstance(exports, dict) and "." in exports:
            main = exports["."]
        if main is not None:
            resolved, status = _target_resolve(main, "", False, False, conditions)
            if status in (EXACT, INEXACT):
                return _post_conditions(resolved, status)
            return None, status or "not exported"
    elif isinstance(exports, dict) and _keys_start_with_dot(exports):
        resolved, status = _map_resolve(subpath, exports, False, conditions)
        if status in (EXACT, INEXACT):
            return _post_conditions(resolved, status)
        return None, status or "not exported"
    return None, "not exported"


def imports_resolve(imports, specifier: str, conditions: frozenset):
    """PACKAGE_IMPORTS_RESOLVE of a ``#`` specifier: ``(path, status)`` with status
    :data:`EXACT`/:data:`INEXACT` (a path relative to the package directory, starting
    with ``/``) or :data:`PACKAGE` (another specifier to resolve as a package)."""
    if not isinstance(imports, dict) or specifier == "#":
        return None, "invalid"
    resolved, status = _map_resolve(specifier, imports, True, conditions)
    if status in (EXACT, INEXACT, PACKAGE):
        return _post_conditions(resolved, status) if status != PACKAGE else (resolved, status)
    return None, status or "not defined"


# ---------------------------------------------------------------- workspaces


def _pnpm_packages(root: str) -> list[str] | None:
    path = os.path.join(root, "pnpm-workspace.yaml")
    note_input(path)
    if not os.path.isfile(path):
        return None
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    pkgs = data.get("packages") if isinstance(data, dict) else None
    return [p for p in pkgs if isinstance(p, str)] if isinstance(pkgs, list) else None


def workspace_packages(root: str) -> dict[str, str]:
    """Package name → directory of every workspace member declared at ``root``
    (``package.json`` ``workspaces`` or ``pnpm-workspace.yaml`` ``packages``; ``!`` patterns
    exclude), as the package managers link them into ``node_modules``. Empty when ``root``
    declares no workspace. Members are directories with a ``package.json`` naming a package."""
    patterns = _pnpm_packages(root)
    if patterns is None:
        pj = read_package_json(root)
        patterns = pj.workspaces if pj is not None and pj.workspaces else []
    include, exclude = set(), set()
    for pat in patterns:
        neg = pat.startswith("!")
        pat = pat[1:] if neg else pat
        pat = pat.rstrip("/")
        for hit in probe("glob", os.path.join(root, pat)):  # the listing is a probe of the build
            if "node_modules" in Path(os.path.relpath(hit, root)).parts:
                continue
            if probe("isdir", hit):
                (exclude if neg else include).add(os.path.normpath(hit))
    out: dict[str, str] = {}
    for d in sorted(include - exclude):
        pj = read_package_json(d)
        if pj is not None and pj.name and pj.name not in out:
            out[pj.name] = d
    return out
