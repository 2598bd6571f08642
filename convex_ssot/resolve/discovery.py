"""Which files are Convex function modules — the rule of Convex's own bundler.

``entryPoints`` in convex ``src/bundler/index.ts``: every ``.ts .tsx .js .jsx .mjs .cjs
.mts .cts`` file under the Convex directory except ``_generated/``, dot-files and
dot-directories, ``schema.ts`` / ``schema.js`` at any depth, base names with more than
one dot (``auth.config.ts``, ``*.test.ts``, ``*.d.ts``), paths containing a space,
directories that hold their own ``convex.config.ts`` (components), and ``.ts`` files with
no import or export statement (that last check needs the text; see
:func:`convex_ssot.resolve.project.build_project`). Light module: imported on the
cache-hit path, so it imports nothing heavy.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from .. import regex_cache

__all__ = ["discover_modules", "discover_module_rels", "has_import_or_export", "SOURCE_EXTENSIONS"]

SOURCE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")


def discover_modules(convex_dir: Path) -> list[Path]:
    """Candidate function modules under ``convex_dir``, sorted (before the import/export
    check of :func:`has_import_or_export`, which needs the text).

    The rules of ``entryPoints`` (convex 1.48 ``src/bundler/index.ts``, checked against the
    real function by tests/conformance/selftest/check_entry_points.mjs): ``_generated`` is
    skipped at the top level only; a file is skipped when its own name starts with ``.``
    or ``#``, contains a space or more than one dot, or is ``schema.ts``/``schema.js``;
    directories are skipped when they hold a ``convex.config.ts`` (a component), never
    for being dot-directories; symlinks are never modules; extensions match exactly.
    """
    return [Path(p) for p in _discover(convex_dir)]


def discover_module_rels(convex_dir: Path, repo_root: Path) -> list[str]:
    """:func:`discover_modules` as ``/``-separated paths relative to ``repo_root`` (the
    whole-project cache's key; no :class:`~pathlib.Path` objects on the fast path)."""
    root = os.fspath(repo_root)
    prefix = os.path.join(root, "")
    out = []
    for p in _discover(convex_dir):
        if p.startswith(prefix) and os.sep + ".." + os.sep not in p and os.sep + "." + os.sep not in p:
            rel = p[len(prefix):]  # what os.path.relpath gives here, without its work per file
        else:
            rel = os.path.relpath(p, root)
        out.append(rel.replace(os.sep, "/"))
    return out


def _discover(convex_dir: Path) -> list[str]:
    """The paths of :func:`discover_modules`, as strings, in the same order.

    One ``os.scandir`` per directory: whether an entry is a directory (symlinks followed,
    as ``os.walk`` decides) or a symlink comes from the listing itself, not from a ``stat``
    per file; unreadable directories are skipped, as ``os.walk`` skips them."""
    found: list[str] = []
    if not os.path.isdir(convex_dir):
        return []
    top = os.fspath(convex_dir)
    join, isfile = os.path.join, os.path.isfile
    stack = [(top, True, False)]  # (directory, is the top, a directory name on the way holds a space)
    while stack:
        dirpath, at_top, space_in_dir = stack.pop()
        try:
            entries = list(os.scandir(dirpath))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name == "node_modules" or (at_top and name == "_generated"):
                    continue
                if _is_symlink(entry) or isfile(join(entry.path, "convex.config.ts")):
                    continue
                stack.append((entry.path, False, space_in_dir or " " in name))
                continue
            if name.startswith((".", "#")) or " " in name or space_in_dir:
                continue
            if not name.endswith(SOURCE_EXTENSIONS):
                continue
            if name.count(".") > 1:
                continue
            if name in ("schema.ts", "schema.js"):
                continue
            if _is_symlink(entry):
                continue
            found.append(entry.path)
    return sorted(found, key=lambda p: p.split(os.sep))  # Path order: by parts


def _is_symlink(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


_IMPORT_EXPORT = regex_cache.compile(r"^\s{0,100}(import|export)", re.M)


def has_import_or_export(path: Path, text: str) -> bool:
    """Convex skips ``.ts``/``.tsx`` files in which no line starts with ``import`` or
    ``export`` (the bundler's own regex, applied to the raw text, comments included)."""
    if path.suffix not in (".ts", ".tsx"):
        return True
    return _IMPORT_EXPORT.search(text) is not None
