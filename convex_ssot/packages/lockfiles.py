"""The version of a package a committed lockfile pins, for a fresh clone (no
``node_modules``): what ``npm ci`` / ``pnpm install --frozen-lockfile`` / ``bun install
--frozen-lockfile`` / ``yarn install --immutable`` would install, so a model can be chosen
for that version (and a warning can name it) instead of assuming one from the declared range.

Read, each as its package manager writes it (only the fields named):

* ``package-lock.json`` (npm, lockfileVersion 2/3): ``packages["<importer>/node_modules/<pkg>"]``
  then ``packages["node_modules/<pkg>"]`` → ``version``; lockfileVersion 1:
  ``dependencies["<pkg>"].version``.
* ``pnpm-lock.yaml`` (lockfileVersion 6–9): ``importers["<importer>"].(dev|optional)dependencies
  ["<pkg>"].version``, the peer suffix ``(…)`` dropped; lockfileVersion 5: the inline
  ``<pkg>: <version>`` form, with ``_peer`` suffixes dropped.
* ``bun.lock`` (text lockfile, bun ≥ 1.2): ``packages["<pkg>"] = ["<pkg>@<version>", …]`` (a
  workspace's own copy ``"<workspace>/<pkg>"`` first).
* ``yarn.lock`` (v1 and berry): the entry whose header names ``<pkg>@<declared range>`` →
  ``version``.

``<importer>`` is the directory of the ``package.json`` declaring the package, relative to the
lockfile's directory (``.`` for the root). The text is scanned line by line (a YAML parse of a
large ``pnpm-lock.yaml`` costs a second); every lockfile consulted is an input of the run.
"""

from __future__ import annotations

import json
import os
import re

from ..cache import note_input
from .. import regex_cache

__all__ = ["locked_version", "catalog_spec", "LOCKFILES"]

LOCKFILES = ("package-lock.json", "pnpm-lock.yaml", "bun.lock", "yarn.lock")

_VERSION = regex_cache.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?")


def _read(path: str) -> str | None:
    note_input(path)
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None


def locked_version(lock_dir: str, importer: str, package: str, declared: str | None) -> str | None:
    """The version of ``package`` the lockfile in ``lock_dir`` pins for the workspace member
    at ``importer`` (relative POSIX path, ``.`` for the root), or None (no lockfile there, or
    the package is not in it). ``declared`` is the range ``package.json`` gives (yarn.lock
    entries are keyed by it)."""
    for name in LOCKFILES:
        text = _read(os.path.join(lock_dir, name))
        if text is None:
            continue
        if name == "package-lock.json":
            found = _npm(text, importer, package)
        elif name == "pnpm-lock.yaml":
            found = _pnpm(text, importer, package)
        elif name == "bun.lock":
            found = _bun(text, package)
        else:
            found = _yarn(text, package, declared)
        if found is not None:
            m = _VERSION.match(found)
            return m.group(0) if m else None
    return None


def _npm(text: str, importer: str, package: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    pkgs = data.get("packages")
    if isinstance(pkgs, dict):
        keys = ([f"{importer}/node_modules/{package}"] if importer != "." else []) + [f"node_modules/{package}"]
        for k in keys:
            entry = pkgs.get(k)
            if isinstance(entry, dict) and isinstance(entry.get("version"), str):
                return entry["version"]
    deps = data.get("dependencies")
    entry = deps.get(package) if isinstance(deps, dict) else None
    return entry.get("version") if isinstance(entry, dict) and isinstance(entry.get("version"), str) else None


def _unquote(key: str) -> str:
    key = key.strip()
    return key[1:-1] if len(key) > 1 and key[0] == key[-1] and key[0] in "'\"" else key


def _pnpm(text: str, importer: str, package: str) -> str | None:
    """Line scan of ``importers:`` → ``<importer>:`` → ``dependencies:`` → ``<pkg>:``."""
    lines = text.split("\n")
    in_importers = importer_found = False
    single = False  # lockfileVersion 5 without workspaces: top-level `dependencies:`
    for i, line in enumerate(lines):
        if not line or line.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            in_importers = line.startswith("importers:")
            single = line.rstrip() in ("dependencies:", "devDependencies:", "optionalDependencies:") and importer == "."
            importer_found = False
            if single:
                importer_found = True
            continue
        if in_importers and indent == 2:
            importer_found = _unquote(line.strip().rstrip(":")) == importer
            continue
        if not importer_found:
            continue
        key, _, rest = line.strip().partition(":")
        if _unquote(key) != package:
            continue
        rest = rest.strip()
        if rest:  # lockfileVersion 5: `pkg: 1.2.3_peer@x`
            return _unquote(rest).split("_", 1)[0]
        for nxt in lines[i + 1 : i + 4]:
            k, _, v = nxt.strip().partition(":")
            if k == "version":
                return _unquote(v).split("(", 1)[0]
    return None


def _bun(text: str, package: str) -> str | None:
    q = re.escape(package)
    m = re.search(rf'^\s*"{q}": \["{q}@([^"]+)"', text, re.M)
    if m is None:
        m = re.search(rf'^\s*"[^"\n]*/{q}": \["{q}@([^"]+)"', text, re.M)
    return m.group(1) if m else None


def _yarn(text: str, package: str, declared: str | None) -> str | None:
    if declared is None:
        return None
    q = re.escape(package)
    header = re.compile(rf'^"?[^\n]*(?:^|[\s,"]){q}@(?:npm:)?{re.escape(declared)}(?:[",:]|$)[^\n]*$', re.M)
    m = header.search(text)
    if m is None:
        return None
    v = re.compile(r'^\s+version:? "?([^"\n]+)"?\s*$', re.M).search(text, m.end())
    return v.group(1) if v else None


def catalog_spec(workspace_root: str, spec: str, package: str) -> str | None:
    """The range a pnpm ``catalog:`` / ``catalog:<name>`` dependency spec stands for
    (``pnpm-workspace.yaml`` ``catalog:`` and ``catalogs:``), or None."""
    path = os.path.join(workspace_root, "pnpm-workspace.yaml")
    text = _read(path)
    if text is None:
        return None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    name = spec[len("catalog:") :].strip() or "default"
    catalogs = data.get("catalogs") if isinstance(data.get("catalogs"), dict) else {}
    table = data.get("catalog") if name == "default" and isinstance(data.get("catalog"), dict) else catalogs.get(name)
    value = table.get(package) if isinstance(table, dict) else None
    return value if isinstance(value, str) else None
