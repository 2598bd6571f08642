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

The standard library and our dependencies compile their own module-level patterns with
:func:`re.compile` as they are imported (``platform``, ``gettext``, ``json``, ``email``,
``string``, ``tokenize``, click…: 27 in a gen-350 edit run, about 7 ms). The command-line
entry points call :func:`prime_re` first, which puts the patterns earlier runs saw compiled
during an import into :mod:`re`'s own cache, so that those ``re.compile`` calls find them
(kind ``"re-cache"`` of the start-up code cache, kept and verified as above).
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

__all__ = ["compile", "prime_re"]

_KIND = "regex"
#: the start-up code cache's table of patterns compiled during imports (prime_re)
_PRIMED = ("re-cache", "imports")
#: more entries than this: the table is rebuilt from what the next run compiles
_PRIMED_LIMIT = 256

_sre = getattr(_compiler, "_sre", None)
_construct = getattr(_sre, "compile", None)


def _valid(key, args) -> bool:
    return isinstance(key, tuple) and isinstance(args, tuple) and len(args) == 6 and args[0] == key[0]


def _valid_primed(key, args) -> bool:
    return _valid(key, args) and len(key) == 2 and isinstance(key[0], (str, bytes)) and type(key[1]) is int


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
    return _checked(watch.calls[0], compiled) if len(watch.calls) == 1 else None


def _checked(args: tuple, compiled: re.Pattern):
    """The constructor arguments ``args`` in the form :mod:`marshal` keeps, if the pattern
    they make compares equal to ``compiled``; else None."""
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


def prime_re() -> None:
    """Put the patterns modules compiled while being imported in earlier runs of this
    interpreter into :mod:`re`'s own cache, and record those still compiled during an
    import from now on (saved by :func:`.code_cache.save` like every entry of the cache).

    For the command-line entry points only, before they import anything else: :mod:`re`'s
    cache (``re._cache``, private) is process-wide. What goes into it is the pattern object
    :func:`re.compile` would make (each entry was kept only if the pattern it makes compared
    equal to the one :mod:`re` compiled, module docstring), under the key ``re._compile``
    looks up, ``(type(pattern), pattern, flags)`` on CPython 3.10–3.13. That key is checked
    once per process: where :func:`re.compile` does not return the object put there, every
    entry is taken out again and nothing is recorded (``tests/unit/test_regex_cache.py``).
    Only patterns compiled while an import runs are recorded, fixed in their module's
    source, never made from a project's text; not the package's own (:func:`compile` keeps
    those)."""
    global _recording
    cache = getattr(re, "_cache", None)
    if _construct is None or _recording or not isinstance(cache, dict) or not hasattr(_compiler, "compile"):
        return
    known, used = code_cache.table(*_PRIMED, _valid_primed)
    placed = []
    for key, args in known.items():
        pattern, flags = key
        try:
            compiled = _construct(*args)
        except Exception:  # noqa: BLE001 - a foreign entry: left to re
            continue
        if (type(pattern), pattern, flags) not in cache:
            cache[type(pattern), pattern, flags] = compiled
            placed.append(((type(pattern), pattern, flags), compiled))
    if placed:
        (_, pattern, flags), compiled = placed[0]
        if re.compile(pattern, flags) is not compiled:  # re looks elsewhere: undo
            for key, compiled in placed:
                if cache.get(key) is compiled:
                    del cache[key]
            return
    if len(known) <= _PRIMED_LIMIT:
        used.update(known)
    _recording = _compiler.compile

    def compile_recording(pattern, flags=0):
        if not (isinstance(pattern, (str, bytes)) and isinstance(flags, int)) or not _importing(sys._getframe(1)):
            return _recording(pattern, flags)
        watch = _Watch()
        saved, _compiler._sre = _compiler._sre, watch
        try:
            compiled = _recording(pattern, flags)
        finally:
            _compiler._sre = saved
        if saved is _sre and len(watch.calls) == 1 and not flags & re.DEBUG:
            _keep(known, used, (pattern, flags), watch.calls[0], compiled)
        return compiled

    _compiler.compile = compile_recording


#: re's compiler while prime_re records (None: not recording)
_recording = None


def _importing(frame) -> bool:
    """Whether ``frame`` runs inside an import (a frame of importlib's bootstrap below it)
    without one of this module's (whose patterns :func:`compile` keeps) in between."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib._bootstrap"):
            return True
        if frame.f_globals.get("__name__") == __name__:
            return False
        frame = frame.f_back
    return False


def _keep(known: dict, used: set, key: tuple, args: tuple, compiled) -> None:
    args = _checked(args, compiled)
    if args is None:
        return
    if len(known) > _PRIMED_LIMIT:
        known.clear()
        used.clear()
    known[key] = args
    used.add(key)
    code_cache.compiled(*_PRIMED)
