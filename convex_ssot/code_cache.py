"""The start-up code cache: work a process repeats at every start, kept on disk between
runs. :mod:`.dataclass_cache` keeps the code of generated dataclass methods there and
:mod:`.regex_cache` the compiled programs of regular expressions.

One file per interpreter, ``<cache dir>/start-up-code/<interpreter>.marshal``, named by
``sys.implementation.cache_tag``, ``sys.hexversion`` and the ``-O`` level, so an entry is
only ever read by the interpreter, and in the mode, that made it. It is a :mod:`marshal`-ed
``{(kind, module): marshal-ed {key: entry}}``: for each kind of cache (``"dataclass"``,
``"regex"``) and defining module, what that module compiled, itself marshal-ed. The file
is read once, when a module first asks for its entries (:func:`table`), and each module's
entries are unmarshalled when that module asks: one file rather than one per module
because opening ~40 files cost an edit run 3–4 ms more, and entries unmarshalled on demand
because a run that imports few modules (nothing changed) would otherwise pay for all
(docs/performance.md, "Session 6: s6-imports"). A missing, unreadable or malformed file,
or a module's entries that are malformed or do not pass the kind's check, read as empty.

It is written only by :func:`save` (the command-line entry points call it after a command,
unless caching is off), when a module compiled something in this process: the file as it
is on disk then, with the entries of every module this process used replaced by exactly
the entries it used (so those of classes or patterns since changed or removed drop out),
through a temporary file and a rename (:func:`convex_ssot.cache.write_atomic`); errors
are ignored (a cache that cannot be written is just not used).
"""

from __future__ import annotations

import marshal
import sys

__all__ = ["INTERPRETER", "path", "table", "compiled", "save"]

INTERPRETER = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-O{sys.flags.optimize}"

#: (kind, module) -> the marshal-ed entries the file held; None until the file is read.
_file: dict[tuple[str, str], bytes] | None = None
#: (kind, module) -> {key: entry}: what the file held (checked when first asked for), then
#: what was compiled.
_tables: dict[tuple[str, str], dict] = {}
#: (kind, module) -> the keys used in this process.
_used: dict[tuple[str, str], set] = {}
#: (kind, module) pairs that compiled at least one entry in this process.
_missed: set[tuple[str, str]] = set()


def path():
    """``<cache root>/start-up-code/<interpreter>.marshal`` (a :class:`~pathlib.Path`; not
    created), or None when caching is off."""
    from .cache import cache_root

    root = cache_root()
    return None if root is None else root / "start-up-code" / f"{INTERPRETER}.marshal"


def _read_file() -> dict:
    p = path()
    if p is None:
        return {}
    try:
        with open(p, "rb") as fh:
            data = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, tuple) and len(k) == 2 and isinstance(v, bytes)}


def _entries(blob: bytes | None, valid) -> dict:
    if blob is None:
        return {}
    try:
        entries = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict) or not all(valid(k, v) for k, v in entries.items()):
        return {}
    return entries


def table(kind: str, module: str, valid) -> tuple[dict, set]:
    """``(entries, used)`` of ``module`` for the cache ``kind``: ``entries`` is what the
    file holds for it (``{}`` unless every ``(key, entry)`` satisfies ``valid``), to which
    the caller adds what it compiles (and then calls :func:`compiled`); ``used`` is the set
    the caller adds every key it uses to. The same two objects for the rest of the process."""
    global _file
    if _file is None:
        _file = _read_file()
    key = (kind, module)
    used = _used.get(key)
    if used is None:
        _tables[key] = _entries(_file.get(key), valid)
        used = _used[key] = set()
    return _tables[key], used


def compiled(kind: str, module: str) -> None:
    """Note that ``module`` added an entry to its :func:`table` of ``kind``."""
    _missed.add((kind, module))


def save() -> None:
    """Write the file when something was compiled in this process and the cache is on
    (module docstring)."""
    if not _missed:
        return
    from .cache import cache_dir, write_atomic

    if cache_dir() is None:
        return
    p = path()
    merged = _read_file()  # with what other processes wrote since this one read it
    for key, used in _used.items():
        entries = _tables[key]
        merged[key] = marshal.dumps({k: entries[k] for k in used if k in entries})
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    if write_atomic(p, marshal.dumps(merged)):
        _missed.clear()
