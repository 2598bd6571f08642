"""Reading installed packages: a file the resolver found in ``node_modules`` (:mod:`.paths`,
kind ``package``) becomes a lazily parsed :class:`~.modules.Module` the interpreter follows
like project code (docs/architecture.md, "Installed packages").

Boundary rule (docs/reliability.md): a package is read through its ``node_modules`` entry
wherever the entry's symlinks lead (pnpm's ``node_modules/.pnpm`` store, a workspace member
linked into ``node_modules``), for reading only: nothing is ever written there, and the
package's own syntax problems are not reported as the project's.
"""

from __future__ import annotations

import os
from pathlib import Path

from .modules import Module, load_package_module
from .source_files import clean_text, slim

__all__ = ["read_package", "PACKAGE_MAX_BYTES"]

#: Installed package files larger than this are not read (a bundle of a whole library).
PACKAGE_MAX_BYTES = 2_000_000


def _load(rel: str, text: str, package: str | None, version: str | None) -> Module:
    """A package file, lazily parsed; a CommonJS file (no ``import``/``export``, uses
    ``exports``/``require``) indexed into ES module terms (:mod:`.commonjs`, imported only
    by a run that reads an installed package: its fifteen regular expressions cost ~5 ms)."""
    from .commonjs import blank_annotation, index_commonjs, is_commonjs, looks_commonjs

    cjs = looks_commonjs(text)
    mod = load_package_module(rel, blank_annotation(text) if cjs else text, package, version)
    if cjs and is_commonjs(mod):
        mod.commonjs = True
        index_commonjs(mod)
    return mod


def read_package(loader, path: Path, package: str | None, version: str | None) -> Module | None:
    """A file of an installed package, read (never written) wherever its ``node_modules``
    entry leads (pnpm's store, a linked workspace member; docs/reliability.md), parsed
    lazily (:func:`.modules.load_package_module`) and cached by content like project
    modules. Files over :data:`PACKAGE_MAX_BYTES` are not read (None)."""
    key = os.path.normpath(str(path))
    if key in loader.modules:
        loader.accessed.add(key)
        return loader.modules[key]
    loader.modules[key] = None
    try:
        if os.path.getsize(path) > PACKAGE_MAX_BYTES:
            return None
        data = Path(path).read_bytes()
    except OSError:
        return None
    text = clean_text(data)
    if text is None:
        return None
    rel = loader.rel(path)
    mod = loader.module_cache.lookup(rel, data) if loader.module_cache is not None else None
    if mod is None:
        mod = _load(rel, text, package, version)
        if loader.module_cache is not None:
            loader.module_cache.store(rel, data, slim(mod))
    else:
        # The parse cache is keyed by path and bytes, and one cache serves every repository:
        # the same file (same bytes, same node_modules path) ships in several versions of a
        # package, so the package and version are this run's, not the run's that stored it.
        mod.package, mod.package_version = package, version
    if mod.commonjs:
        from .commonjs import bind_globals

        bind_globals(mod)
    loader.modules[key] = mod
    loader.accessed.add(key)
    return mod
