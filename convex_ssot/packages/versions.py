"""Which version of a component package a module sees, and the model variant for it
(:mod:`.components`): the nearest installed ``node_modules/<pkg>/package.json`` inside the
repository, else the version pinned in the nearest ``package.json`` declaring it; each
variant of ``models/components.json`` covers an inclusive range of read versions."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ..cache import note_input
from ..interp import journal
from .lockfiles import LOCKFILES, catalog_spec, locked_version
from .. import regex_cache

__all__ = ["model", "find_version", "choose_variant", "variant", "read_input_json", "version_tuple"]

_MODEL_PATH = Path(__file__).parent / "models" / "components.json"
_model_cache: dict | None = None


def model() -> dict:
    """The data of ``models/components.json`` (loaded once)."""
    global _model_cache
    if _model_cache is None:
        _model_cache = json.loads(_MODEL_PATH.read_text(encoding="utf-8"))
    return _model_cache


_EXACT = regex_cache.compile(r"^[=v]*(\d+)\.(\d+)\.(\d+)$")
_RANGE = regex_cache.compile(r"^([\^~]|>=)?\s*v?(\d+)\.(\d+)\.(\d+)$")


def version_tuple(s: str) -> tuple[int, int, int] | None:
    """``(major, minor, patch)`` of an ``x.y.z`` version; None for anything else."""
    return _vt(s)


def _vt(s: str) -> tuple[int, int, int] | None:
    m = re.match(r"^(\d+)\.(\d+)\.(\d+)$", s)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def read_input_json(path: str):
    """The JSON at ``path`` (None when absent or invalid), recorded as an input of the run
    (:func:`convex_ssot.cache.note_input`)."""
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
    """``(version, how)``: the installed version (``how`` = ``"installed"``), the version
    the nearest committed lockfile pins for the nearest package.json declaring the package
    (``"locked"``, :mod:`.lockfiles`), an exact version declared there (``"declared"``), or
    None with ``how`` naming the declared range (``"declared <spec>"``; a pnpm ``catalog:``
    spec is replaced by the catalog's range) or ``"not found"``."""
    if repo_root is None:
        return None, "not found"
    dirs = _dirs_up(repo_root, mod_rel)
    for d in dirs:
        pj = os.path.join(d, "node_modules", *package.split("/"), "package.json")
        note_input(pj)
        if os.path.isfile(pj):
            # read wherever node_modules leads, as the package's own files are
            # (docs/reliability.md, "Installed packages are read, never written, …")
            data = read_input_json(pj)
            if isinstance(data, dict) and isinstance(data.get("version"), str) and _vt(data["version"]):
                return data["version"], "installed"
    for d in dirs:
        data = read_input_json(os.path.join(d, "package.json"))
        if not isinstance(data, dict):
            continue
        for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            deps = data.get(key)
            if isinstance(deps, dict) and isinstance(deps.get(package), str):
                spec = deps[package].strip()
                if spec.startswith("catalog:"):  # pnpm catalogs (pnpm-workspace.yaml)
                    root_dir = next((x for x in dirs[dirs.index(d):] if os.path.isfile(os.path.join(x, "pnpm-workspace.yaml"))), None)
                    spec = (catalog_spec(root_dir, spec, package) if root_dir else None) or spec
                locked = _locked(dirs[dirs.index(d):], d, package, spec)
                if locked is not None:
                    return locked, "locked"
                m = _EXACT.match(spec)
                if m:
                    return ".".join(m.groups()), "declared"
                return None, f"declared {spec}"
    return None, "not found"


def _locked(up: list[str], importer_dir: str, package: str, spec: str) -> str | None:
    """The version the nearest committed lockfile (from ``importer_dir`` up to the
    repository root) pins for ``package`` as declared in ``importer_dir``'s package.json."""
    for d in up:
        if any(os.path.isfile(os.path.join(d, name)) for name in LOCKFILES):
            importer = os.path.relpath(importer_dir, d).replace(os.sep, "/")
            return locked_version(d, importer, package, spec)
        for name in LOCKFILES:
            note_input(os.path.join(d, name))
    return None


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
        pre = re.match(r"^(\d+)\.(\d+)\.(\d+)-", version)  # a prerelease comes just before its release
        order = (*vt, 1) if vt is not None else ((int(pre.group(1)), int(pre.group(2)), int(pre.group(3)), 0) if pre else None)
        below = [var for var in variants if order is not None and (*_vt(var["range"][1]), 1) < order]  # type: ignore[misc]
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


def variant(ev, mod, package: str, offset: int) -> tuple[dict, str]:
    """The model variant for ``package`` as seen from ``mod`` (cached per directory);
    a CSX244 warning at ``offset`` when the version is assumed."""
    cache = ev.state.setdefault("component_versions", {})
    key = (os.path.dirname(mod.rel), package)
    if key not in cache:
        cache[key] = choose_variant(package, *find_version(ev.repo_root, mod.rel, package))
    var, version, warning = cache[key]
    if warning:
        mod.diag(offset, "CSX244", warning)
    return var, version


def import_offset(mod, specifier: str) -> int:
    """Offset of the first ``"specifier"`` string in ``mod`` (its import), else 0."""
    text = mod.mk.clean
    for q in ('"', "'"):
        i = text.find(q + specifier + q)
        if i >= 0:
            return i
    return 0


def package_import_offset(mod, package: str, specifier: str) -> int:
    """Offset of ``mod``'s first static import of ``package`` or one of its subpaths (the
    text order, whichever import a run evaluates first), else of ``specifier``: a
    diagnostic reported once per module and package must not depend on which root of the
    project reached the module first, or an incremental run (some roots evaluated afresh)
    would place it elsewhere than a cold run (found by differential edit runs on a real
    project, session 7)."""
    best = None
    for item in getattr(mod, "items", ()):
        spec = getattr(item, "specifier", None)
        if isinstance(spec, str) and (spec == package or spec.startswith(package + "/")):
            offset = import_offset(mod, spec)
            if best is None or offset < best:
                best = offset
    return import_offset(mod, specifier) if best is None else best


def assume(ev, mod, package: str, modelled: str, specifier: str) -> None:
    """A hand-written or recorded model of ``package`` written from version ``modelled`` is
    used for an import of ``specifier`` in ``mod``: unless the version the module sees
    (installed, else pinned exactly: :func:`find_version`) is ``modelled``, a CSX245
    warning names the assumption — once per module and package, at the module's first import
    of the package (:func:`package_import_offset`). A model is never applied
    silently to another version than the one it was written from."""
    if getattr(mod, "package", None) is not None:
        return  # an installed package's own import: its dependency is not the project's to pin
    seen = ev.state.setdefault("assumed_versions", {})
    key = (mod.rel, package)
    if key in seen:  # reported already: journalled again, as a memoised value's would be
        if seen[key] is not None:
            journal.record(("d", mod.rel, seen[key]))
        return
    seen[key] = None
    cache = ev.state.setdefault("package_versions", {})
    vkey = (os.path.dirname(mod.rel), package)
    if vkey not in cache:
        cache[vkey] = find_version(ev.repo_root, mod.rel, package)
    version, how = cache[vkey]
    if version == modelled:
        return
    if how == "installed":
        what = f"{package} {version} is installed"
    elif how == "declared":
        what = f"{package} {version} is pinned"
    elif how == "locked":
        what = f"{package} {version} is pinned by the lockfile (not installed)"
    elif how.startswith("declared "):
        what = f"{package} is declared as {how[len('declared '):]!r} and not installed"
    else:
        what = f"{package} is neither installed nor declared in a package.json"
    seen[key] = mod.diag(package_import_offset(mod, package, specifier), "CSX245", f"{what}; it is modelled as {package}@{modelled}, the version the tool has read, so what it gives (tables, functions, validators) may differ")
