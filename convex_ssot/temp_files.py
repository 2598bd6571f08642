"""A new temporary file beside the file it will replace, without :mod:`tempfile`.

:func:`tempfile.mkstemp` is all the tool needs of :mod:`tempfile`, whose import brings
:mod:`shutil` and the compression modules with it: about 4 ms of every run that writes a
file (docs/performance.md, "Session 7: s7-imports"). Used by :mod:`.fsutil` (repository
files) and :mod:`.cache` (cache files); imports nothing of the package.
"""

from __future__ import annotations

import os

__all__ = ["temp_file"]

_TEMP_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def temp_file(directory, prefix: str = "", suffix: str = ".tmp") -> tuple[int, str]:
    """``(fd, absolute path)`` of a new file ``<directory>/<prefix><12 random hex
    digits><suffix>``, created exclusively (``O_EXCL``, not through a symlink), readable
    and writable by its owner only: what :func:`tempfile.mkstemp` gives for the same
    arguments, without importing :mod:`tempfile` (which imports :mod:`shutil` and the
    compression modules: 4 ms of an edit run's start-up, docs/performance.md, "Session 7:
    s7-imports"). Raises :class:`OSError` as :func:`os.open` does (``FileExistsError``
    only after 100 names taken)."""
    for _ in range(100):
        path = os.path.abspath(os.path.join(directory, f"{prefix}{os.urandom(6).hex()}{suffix}"))
        try:
            return os.open(path, _TEMP_FLAGS, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {directory}")
