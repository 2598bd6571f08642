"""``re.compile`` with the compiled program of each pattern kept on disk.

Compiling a regular expression runs :mod:`re`'s parser and code generator, written in
Python: about 70 module-level patterns and the outline lexer's master expression cost an
edit run 19 ms of its start-up (docs/performance.md, "Session 6: s6-imports"), on every
run, because :mod:`re` keeps what it compiled only for the life of the process.
:func:`compile` is :func:`re.compile`, except that the arguments :mod:`re`'s compiler gives
the C constructor of the pattern object (``_sre.compile(pattern, flags, code, groups,
groupindex, indexgroup)``: the pattern's program as a list of integers, its group names)
are read from a cache first. On a miss, the pattern is compiled by :mod:`re` itself, with
that constructor watched for the duration of the call, and the arguments are kept only if
the pattern object they make again compares equal to :func:`re.compile`'s (pattern
objects compare their flags, pattern and program word for word). What comes out is the
same pattern object (``tests/unit/test_regex_cache.py`` compares every pattern of the
package).

The cache: the entries of kind ``"regex"`` of the start-up code cache (:mod:`.code_cache`:
one :mod:`marshal` file per interpreter version, so a program is only ever read by the
interpreter that compiled it), ``{(pattern, flags): arguments}`` per defining module.
Missing, unreadable or foreign entries are an empty cache. It is written only by
:func:`.code_cache.save` (the command-line entry points call it after a command, unless caching is
off): for each module that compiled anything, exactly the patterns that module used. Where :mod:`re`'s compiler does not build
pattern objects through ``_sre.compile`` (another Python implementation or version),
nothing is cached and :func:`compile` is :func:`re.compile`.

Use it for patterns fixed in the source (module level, or read from the package's own
tables), never for patterns made from a project's text: those would be written to the cache.
"""

from __future__ import annotations

import marshal
import re
import sys

from . import code_cache

try:  # Python >= 3.11
    from re import _compiler
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _compiler  # type: ignore[no-redef]

__all__ = ["compile"]

_KIND = "regex"

_sre = getattr(_compiler, "_sre", None)
_construct = getattr(_sre, "compile", None)


def _valid(key, args) -> bool:
    return isinstance(key, tuple) and isinstance(args, tuple) and len(args) == 6 and args[0] == key[0]


class _Watch:
    """Stands for the ``_sre`` module inside :mod:`re`'s compiler while one pattern is
    compiled: records the arguments of ``compile`` and passes everything through."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __getattr__(self, name):
        return getattr(_sre, name)

    def compile(self, *args):
        self.calls.append(args)
        return _construct(*args)


def _program(pattern, flags: int, compiled: re.Pattern):
    """The constructor arguments that make ``compiled`` again, or None."""
    if _construct is None or getattr(_compiler, "_sre", None) is not _sre:
        return None
    watch = _Watch()
    _compiler._sre = watch
    try:
        _compiler.compile(pattern, flags)
    except Exception:  # noqa: BLE001 - not cacheable; re.compile's own result is used
        return None
    finally:
        _compiler._sre = _sre
    if len(watch.calls) != 1:
        return None
    args = watch.calls[0]
    try:
        # the program's opcodes are int subclasses (named constants), marshal wants ints
        args = (args[0], args[1], [int(word) for word in args[2]], *args[3:])
        marshal.dumps(args)
        ok = _construct(*args) == compiled
    except Exception:  # noqa: BLE001
        return None
    return args if ok else None


def compile(pattern, flags=0) -> re.Pattern:  # noqa: A001 - the name of what it stands for
    """:func:`re.compile` (same arguments, an equal pattern object), with the compiled
    program read from the cache of the calling module (module docstring). Raises
    :class:`re.error` for an invalid pattern, as :func:`re.compile` does."""
    module = sys._getframe(1).f_globals.get("__name__", "?")
    key = (pattern, int(flags))
    known, used = code_cache.table(_KIND, module, _valid)
    args = known.get(key)
    if args is not None:
        try:
            compiled = _construct(*args)
        except Exception:  # noqa: BLE001 - a foreign entry: compiled again below
            args = None
    if args is None:
        compiled = re.compile(pattern, flags)
        args = _program(pattern, key[1], compiled)
        if args is None:
            return compiled
        known[key] = args
        code_cache.compiled(_KIND, module)
    used.add(key)
    return compiled
