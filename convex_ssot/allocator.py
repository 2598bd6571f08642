"""Process-wide memory allocator tuning for the runs that read a whole project.

glibc's ``malloc`` serves a block of 128 KiB or more with its own ``mmap`` and gives it
back to the system when it is freed, but after the first such free it raises that
threshold to the freed block's size (its "dynamic mmap threshold", glibc
``malloc/malloc.c``, ``M_MMAP_THRESHOLD``). A cold run frees many large blocks (source
texts, the parse worker's pickled modules) and then serialises the contracts into
megabyte-sized ``bytes``; with the raised threshold those land on the heap and stay
resident after they are freed. Fixing the threshold at its default keeps every large block
returnable: 91 → 84 MB peak RSS on the 4 MB generated project (docs/performance.md).
"""

from __future__ import annotations

import sys

__all__ = ["keep_large_blocks_returnable", "return_free_memory"]

_M_MMAP_THRESHOLD = -3  # glibc malloc.h
_DEFAULT_THRESHOLD = 128 * 1024  # glibc's default (DEFAULT_MMAP_THRESHOLD_MIN)
_done = False


def keep_large_blocks_returnable() -> None:
    """Fix glibc's mmap threshold at its default (``mallopt(M_MMAP_THRESHOLD, 128 KiB)``),
    once per process; a forked worker inherits it. Does nothing off Linux, with another C
    library, or when the call is not available (never raises)."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return
    _done = True
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD)
    except (OSError, AttributeError, ImportError):
        pass  # not glibc (musl has no mallopt): the default behaviour stays


def return_free_memory() -> None:
    """Give the free pages of glibc's heap back to the system (``malloc_trim(0)``, which
    since glibc 2.8 also releases whole free pages inside the heap, not only at its top).
    Called when the build's modules are freed, so that what later stages allocate does
    not stack on memory nothing uses (docs/performance.md, "Session 4: peak memory").
    Does nothing off Linux, without glibc, or in a process where
    :func:`keep_large_blocks_returnable` was not called (a run that does not read the whole
    project: after an edit, a trim costs more than the little it returns); never raises."""
    if not _done or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, ImportError):
        pass
