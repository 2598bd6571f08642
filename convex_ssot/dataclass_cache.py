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

The cache: the entries of kind ``"dataclass"`` of the start-up code cache
(:mod:`.code_cache`: one :mod:`marshal` file per interpreter, the format of ``.pyc``
files, so a code object is only ever read by the interpreter, and in the mode, that
compiled it), ``{source text: code object}`` per defining module. Missing, unreadable or
foreign entries are an empty cache. It is written only by :func:`.code_cache.save` (the command-line
entry points call it after a command, unless caching is off): for each module that
compiled anything, exactly the texts that module used, so entries of classes since
changed or removed drop out. Where :mod:`dataclasses` does not call ``exec`` by that name
(a future Python), nothing is cached and nothing changes.
"""

from __future__ import annotations

import builtins
import dataclasses
from types import CodeType

from . import code_cache

__all__ = ["dataclass"]

_KIND = "dataclass"


def _valid(source, code) -> bool:
    return isinstance(source, str) and isinstance(code, CodeType)


def _exec_for(module: str):
    known, used = code_cache.table(_KIND, module, _valid)

    def cached_exec(source, globals=None, locals=None):
        if not isinstance(source, str):
            return builtins.exec(source, globals, locals)
        code = known.get(source)
        if code is None:
            # ``exec(str)`` in dataclasses inherits the future flags of dataclasses.py (none)
            code = known[source] = compile(source, "<string>", "exec", dont_inherit=True)
            code_cache.compiled(_KIND, module)
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
