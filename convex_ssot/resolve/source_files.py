"""Source files as the loader reads them: the repository boundary, text decoding, and
parsing in a worker process (``parse_chunk``) into the slim modules the parse cache stores.

Split from :mod:`.project` so that module stays the assembly step only.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .modules import Module

# .modules (and the IR, AST and lexer under it) is imported where it is used: a child of
# EarlyParse is forked before this process imports them.

__all__ = ["inside_real", "clean_text", "parse_chunk", "slim", "EarlyParse"]


def inside_real(root_real: str, path: Path) -> bool:
    """Whether ``path``, symlinks resolved, is ``root_real`` or inside it (the repository boundary)."""
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real + os.sep)


def clean_text(data: bytes) -> str | None:
    """``data`` as text, or None when it is not UTF-8 or holds NUL bytes (get() reports those)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def parse_chunk(jobs: list[tuple[str, bytes]]) -> list[tuple[str, bytes | None]]:
    """Worker: parse each (rel, bytes) into a pickled slim :class:`Module` (the bytes the
    module cache stores, so the parent neither parses nor pickles it again); None where
    the bytes are not clean UTF-8 text."""
    import pickle

    from .modules import load_module

    out: list[tuple[str, bytes | None]] = []
    for rel, data in jobs:
        text = clean_text(data)
        if text is None:
            out.append((rel, None))
            continue
        out.append((rel, pickle.dumps(slim(load_module(rel, text)), protocol=pickle.HIGHEST_PROTOCOL)))
    return out


def slim(mod: "Module") -> "Module":
    """A copy without the texts only the lexing stage needs (smaller to pickle)."""
    import copy

    s = copy.copy(mod)
    s.text = ""
    s.mk = copy.copy(mod.mk)
    s.mk.text = ""
    s.values = {}
    s.slices = {}
    s.diagnostics = list(mod.diagnostics)
    return s


_POS = struct.Struct("q")


class EarlyParse:
    """Parsing in a forked process beside a cold run's build (no previous run known).

    The child loads the parser itself, parses the function modules from the last one
    backwards while the build evaluates them from the first one, and stores them in the
    parse cache (:class:`~convex_ssot.cache.ModuleCache`), where the loader finds them by
    their bytes' SHA-256; the build parses whatever the child has not stored yet, tells
    the child where it is (:meth:`progress`) and the child stops where they meet. Nothing
    else passes between the processes, so a child that fails, or a cache that cannot be
    written, costs only the parse done again here. An edit run starts no child: it paid
    nothing there (docs/performance.md, "Session 6: s6-tail").

    Started only where ``os.fork`` exists, this process may run on two CPUs or more and
    runs no other thread.
    """

    __slots__ = ("pid", "_pos", "_index")

    def __init__(self, pid: int, pos, index: dict[str, int]) -> None:
        self.pid = pid
        self._pos = pos
        self._index = index

    @classmethod
    def start(cls, repo_root: Path, module_cache, discovered: list[str]) -> "EarlyParse | None":
        """Fork a child parsing every discovered module (``discovered``, repo-relative)
        into ``module_cache``, streaming. None when no child was started."""
        if not _two_cpus() or not hasattr(os, "fork") or _threads():
            return None
        import mmap

        pos = mmap.mmap(-1, _POS.size)  # shared with the child: the build's position
        _POS.pack_into(pos, 0, -1)
        try:
            pid = os.fork()
        except OSError:
            return None
        if pid:
            return cls(pid, pos, {rel: i for i, rel in enumerate(discovered)})
        code = 1
        try:
            _parse_backwards(os.fspath(repo_root), module_cache, discovered, pos)
            code = 0
        finally:
            os._exit(code)  # never the parent's exit handlers or buffered output

    def progress(self, rel: str) -> None:
        """The build is about to evaluate the function module at ``rel``."""
        i = self._index.get(rel)
        if i is not None:
            _POS.pack_into(self._pos, 0, i)

    def wait(self) -> None:
        """Wait for the child to end (it is told to stop first; idempotent)."""
        _POS.pack_into(self._pos, 0, len(self._index))
        if self.pid:
            try:
                os.waitpid(self.pid, 0)
            except (ChildProcessError, InterruptedError, OSError):
                pass
            self.pid = 0


def _threads() -> bool:
    """Whether this process runs other threads (a library caller's): a forked child would
    inherit their locks in whatever state they are, so no child is started then."""
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _two_cpus() -> bool:
    return _cpus() >= 2


def _parse_backwards(root: str, module_cache, discovered: list[str], pos) -> None:
    """The streaming child's work: ``discovered`` from the last module backwards, until
    the build's position (``pos``) reaches the next one or the build's process ends."""
    from .discovery import has_import_or_export

    parent = os.getppid()
    for i in range(len(discovered) - 1, -1, -1):
        if _POS.unpack_from(pos, 0)[0] >= i or os.getppid() != parent:
            return  # met the build, or the build is gone
        rel = discovered[i]
        data = _read(root, rel)
        if data is not None and has_import_or_export(Path(rel), data.decode("utf-8", errors="replace")):
            _parse_into(module_cache, rel, data)


def _read(root: str, rel: str) -> bytes | None:
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _parse_into(module_cache, rel: str, data: bytes) -> int:
    """Parse ``data`` (the file at ``rel``) into ``module_cache`` unless it is there or not
    clean text; the number of bytes parsed."""
    from .modules import load_module

    if module_cache.lookup(rel, data) is not None:
        return 0
    text = clean_text(data)
    if text is None:
        return 0
    module_cache.store(rel, data, slim(load_module(rel, text)))
    return len(data)
