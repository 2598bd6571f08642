"""Per-module cache files of start-up work: what :mod:`.dataclass_cache` (the code of
generated dataclass methods) and :mod:`.regex_cache` (compiled regular-expression
programs) keep between runs.

Each kind of cache is a directory ``<cache dir>/<kind>/<interpreter>/`` of one
:mod:`marshal` file per defining module, ``<module>.marshal``, holding a dictionary. The
interpreter directory is named by ``sys.implementation.cache_tag``, ``sys.hexversion`` and
the ``-O`` level, so an entry is only ever read by the interpreter, and in the mode, that
made it. A missing, unreadable or malformed file reads as empty; files are written
through a temporary file and a rename (:func:`convex_ssot.cache.write_atomic`), only when
the cache is on, and errors are ignored (a cache that cannot be written is just not used).
"""

from __future__ import annotations

import marshal
import sys

__all__ = ["INTERPRETER", "directory", "read", "save"]

INTERPRETER = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-O{sys.flags.optimize}"


def directory(kind: str):
    """``<cache root>/<kind>/<interpreter>`` (a :class:`~pathlib.Path`, not created), or
    None when caching is off."""
    from .cache import cache_root

    root = cache_root()
    return None if root is None else root / kind / INTERPRETER


def read(kind: str, module: str, valid) -> dict:
    """The dictionary of ``module``'s file, or ``{}`` when there is none or it is not a
    dictionary whose every ``(key, value)`` satisfies ``valid``."""
    d = directory(kind)
    if d is None:
        return {}
    try:
        with open(d / f"{module}.marshal", "rb") as fh:
            data = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict) or not all(valid(k, v) for k, v in data.items()):
        return {}
    return data


def save(kind: str, missed: set[str], loaded: dict[str, dict], used: dict[str, set]) -> None:
    """Write, for each module in ``missed`` (then emptied), the entries of ``loaded[module]``
    whose keys are in ``used[module]``: entries of what has since changed drop out."""
    if not missed:
        return
    from .cache import cache_dir, write_atomic

    if cache_dir() is None:
        return
    d = directory(kind)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    for module in sorted(missed):
        entries = {key: loaded[module][key] for key in used[module]}
        write_atomic(d / f"{module}.marshal", marshal.dumps(entries))
    missed.clear()
