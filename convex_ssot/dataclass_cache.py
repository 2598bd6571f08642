"""``dataclasses.dataclass`` with the bytecode of the methods it generates kept on disk.

Creating a dataclass compiles the source of its ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``/``__delattr__`` (frozen) with ``exec``: about 370 methods
for the ~100 dataclasses an edit run imports, 55–65 ms of compiling on every start-up
(docs/performance.md, "Session 5: s5-imports"). :func:`dataclass` is the standard
decorator, run with ``exec`` replaced for the duration of the call by one that looks the
source text up in a cache of compiled code objects first. The class is built by
:mod:`dataclasses` itself, from the same source text, compiled with the same flags: what
comes out is the same class (``tests/unit/test_dataclass_cache.py`` compares every method
of every dataclass of the package, code object for code object).

The cache: one file per defining module, ``<cache dir>/dataclass-code/<interpreter>/<module>.marshal``
(:mod:`.code_cache`), a :mod:`marshal`-ed ``{source text: code object}``
(marshal is the format of ``.pyc`` files; the interpreter directory is named by
``sys.implementation.cache_tag``, ``sys.hexversion`` and the ``-O`` level, so a code
object is only ever read by the interpreter, and in the mode, that compiled it). It is read when a module defines its first
dataclass; a missing, unreadable or foreign file is an empty cache. It is written only by
:func:`save` (the command-line entry points call it after a command, unless caching is
off): for each module that compiled anything, exactly the texts that module used, so
entries of classes since changed or removed drop out. Where :mod:`dataclasses` does not
call ``exec`` by that name (a future Python), nothing is cached and nothing changes.
"""

from __future__ import annotations

import builtins
import dataclasses
from types import CodeType

from . import code_cache

__all__ = ["dataclass", "save"]

_KIND = "dataclass-code"

#: module name -> {source text: code}: what the module's file held, then what was compiled.
_loaded: dict[str, dict[str, CodeType]] = {}
#: module name -> the source texts its dataclasses used in this process.
_used: dict[str, set[str]] = {}
#: modules that compiled at least one text (their file is rewritten by :func:`save`).
_missed: set[str] = set()


def _directory():
    return code_cache.directory(_KIND)


def _read(module: str) -> dict[str, CodeType]:
    return code_cache.read(_KIND, module, lambda k, v: isinstance(k, str) and isinstance(v, CodeType))


def _exec_for(module: str):
    known = _loaded.get(module)
    if known is None:
        known = _loaded[module] = _read(module)
    used = _used.setdefault(module, set())

    def cached_exec(source, globals=None, locals=None):
        if not isinstance(source, str):
            return builtins.exec(source, globals, locals)
        code = known.get(source)
        if code is None:
            # ``exec(str)`` in dataclasses inherits the future flags of dataclasses.py (none)
            code = known[source] = compile(source, "<string>", "exec", dont_inherit=True)
            _missed.add(module)
        used.add(source)
        return builtins.exec(code, globals, locals)

    return cached_exec


def dataclass(cls=None, /, **options):
    """:func:`dataclasses.dataclass` (same arguments, same class), with the generated
    methods' code read from the cache (module docstring)."""

    def wrap(c):
        namespace = vars(dataclasses)
        before = namespace.get("exec")
        namespace["exec"] = _exec_for(c.__module__)
        try:
            return dataclasses.dataclass(c, **options)
        finally:
            if before is None:
                namespace.pop("exec", None)
            else:
                namespace["exec"] = before

    return wrap if cls is None else wrap(cls)


def save() -> None:
    """Write the cache file of each module that compiled something in this process (when
    the cache is on: :func:`convex_ssot.cache.cache_dir`); errors are ignored (a cache that
    cannot be written is just not used)."""
    code_cache.save(_KIND, _missed, _loaded, _used)
