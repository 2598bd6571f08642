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

__all__ = ["inside_real", "clean_text", "parse_chunk", "slim", "EarlyParse", "EARLY_MAX_BYTES"]


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


#: At most this many bytes of changed files are parsed by :class:`EarlyParse`; more (a
#: checkout, a formatter run) are parsed by the build's own two-process split.
EARLY_MAX_BYTES = 200_000

_POS = struct.Struct("q")


class EarlyParse:
    """Parsing started in a forked process as soon as the files to parse are known, while
    this process imports the rest of the tool and loads the evaluation entry.

    The child loads the parser itself, parses modules and stores them in the parse cache
    (:class:`~convex_ssot.cache.ModuleCache`), where the loader finds them by their bytes'
    SHA-256 (a file changed in between simply misses and is parsed by this process).
    Nothing else passes between the processes, so a child that fails, or a cache that
    cannot be written, costs only the parse done again here. Two modes (:meth:`start`):

    - *changed files* (a previous run is known): the child parses what changed; the build
      waits for it (:meth:`wait`) before it looks anything up in the cache. Not started
      unless a core is idle on average (:func:`_busy`);
    - *streaming* (``streaming`` True, a cold run): the child parses the function modules
      from the last one backwards while the build evaluates them from the first one,
      parsing here whatever the child has not stored yet; the build tells the child where
      it is (:meth:`progress`) and the child stops where they meet.

    Started only where ``os.fork`` exists, this process may run on two CPUs or more and
    runs no other thread.
    """

    __slots__ = ("pid", "streaming", "_pos", "_index")

    def __init__(self, pid: int, streaming: bool, pos=None, index: dict[str, int] | None = None) -> None:
        self.pid = pid
        self.streaming = streaming
        self._pos = pos
        self._index = index or {}

    @classmethod
    def start(cls, repo_root: Path, module_cache, discovered: list[str], previous_files: dict[str, str] | None,
              budget: int) -> "EarlyParse | None":
        """Fork a child parsing into ``module_cache``. With ``previous_files`` (the
        previous run's ``{rel: SHA-256}`` of the files it read), the project files a run
        that reuses the previous evaluation will parse: the discovered function modules
        (``discovered``, repo-relative) missing from it and the source files in it whose
        bytes changed (installed packages' files excepted: they are read another way), at
        most ``budget`` bytes of them (what is left is parsed by the build as usual).
        Without, every discovered module, streaming. None when no child was started."""
        if not _two_cpus() or not hasattr(os, "fork") or _threads():
            return None
        streaming = previous_files is None
        if not streaming and _busy():
            return None  # the child would only add its own start-up to a saturated machine
        pos = None
        if streaming:
            import mmap

            pos = mmap.mmap(-1, _POS.size)  # shared with the child: the build's position
            _POS.pack_into(pos, 0, -1)
        try:
            pid = os.fork()
        except OSError:
            return None
        if pid:
            return cls(pid, streaming, pos, {rel: i for i, rel in enumerate(discovered)} if streaming else None)
        code = 1
        try:
            if streaming:
                _parse_backwards(os.fspath(repo_root), module_cache, discovered, pos)
            else:
                _parse_changed(os.fspath(repo_root), module_cache, discovered, previous_files, budget)
            code = 0
        finally:
            os._exit(code)  # never the parent's exit handlers or buffered output

    def progress(self, rel: str) -> None:
        """Streaming: the build is about to evaluate the function module at ``rel``."""
        i = self._index.get(rel)
        if i is not None and self._pos is not None:
            _POS.pack_into(self._pos, 0, i)

    def wait(self) -> None:
        """Wait for the child to end (a streaming child is told to stop first; idempotent)."""
        if self._pos is not None:
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


def _busy() -> bool:
    """Whether the system's load average over the last minute reaches its CPU count less
    one (no core left idle on average): an edit run's child only pays by running beside
    the build on a core nothing else wants (docs/performance.md, "Session 5: s5-overlap")."""
    try:
        return os.getloadavg()[0] >= _cpus() - 1
    except (AttributeError, OSError):
        return False


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _two_cpus() -> bool:
    return _cpus() >= 2


def _parse_changed(root: str, module_cache, discovered: list[str], previous_files: dict[str, str], budget: int) -> None:
    """The child's work of :meth:`EarlyParse.start` when a previous run is known."""
    import hashlib

    from .discovery import SOURCE_EXTENSIONS

    rels = [rel for rel in discovered if rel not in previous_files]
    rels += sorted(rel for rel in previous_files  # the repository's own source files
                   if rel.endswith(SOURCE_EXTENSIONS) and not os.path.isabs(rel)
                   and not {"node_modules", ".."} & set(rel.split("/")))
    done = 0
    states = getattr(module_cache, "states", None)  # recorded file states (file_states.py), if opened
    for rel in rels:
        if states is not None and rel in previous_files and states.fact(os.path.join(root, rel))[0] == previous_files[rel]:
            continue  # stat as recorded for the bytes the previous run read: unchanged, not read
        data = _read(root, rel)
        if data is None:
            continue
        digest = hashlib.sha256(data).hexdigest()
        if previous_files.get(rel) == digest:
            continue
        if done + len(data) > budget:
            break
        module_cache.hashes[rel] = digest
        done += _parse_into(module_cache, rel, data)


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
