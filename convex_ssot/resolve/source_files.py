"""Source files as the loader reads them: the repository boundary, text decoding, and
parsing in a worker process (``parse_chunk``) into the slim modules the parse cache stores.

Split from :mod:`.project` so that module stays the assembly step only.
"""

from __future__ import annotations

import os
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


# A streaming run shares one page with its child: byte 0 is the stop flag, byte 1 + i the
# state of the i-th discovered module: nobody has taken it, the child or the build is
# parsing it, or the child is done with it (stored, or nothing to store).
_FREE, _CHILD, _BUILD, _DONE = 0, 1, 2, 3
#: The build waits at most this many 0.2 ms sleeps (some 5–10 s with the calls between
#: them) for the child to finish one module, then parses it itself.
_MAX_WAITS = 25_000


class EarlyParse:
    """Parsing in a forked process beside a cold run's build (no previous run known).

    The child loads the parser itself, parses modules and stores them in the parse cache
    (:class:`~convex_ssot.cache.ModuleCache`), where the loader finds them by their bytes'
    SHA-256 (a file changed in between simply misses and is parsed by this process).
    Nothing else passes between the processes, so a child that fails, or a cache that
    cannot be written, costs only the parse done again here.

    The child and the build take the function modules in the order the build evaluates
    them, each the next one nobody has taken (a shared page of one state byte per module,
    ``mmap``): the child parses and stores, the build evaluates, and parses a module itself
    when it reaches one nobody has taken, or parses ahead while the child is busy with the
    one it needs (:meth:`take`). Both cores stay busy whether parsing or evaluation is the
    larger share (a child parsing from the last module backwards stopped where the two met
    and then left its core idle while the build evaluated the rest: docs/performance.md,
    "Session 6: s6-cold"). An edit run starts no child: it paid nothing there
    (docs/performance.md, "Session 6: s6-tail").

    Started only where ``os.fork`` exists, this process may run on two CPUs or more and
    runs no other thread.
    """

    __slots__ = ("pid", "_shared", "_index", "_rels")

    def __init__(self, pid: int, shared=None, rels: list[str] | None = None) -> None:
        self.pid = pid
        self._shared = shared
        self._rels = rels or []
        self._index = {rel: i for i, rel in enumerate(self._rels)}

    @classmethod
    def start(cls, repo_root: Path, module_cache, discovered: list[str],
              schema_rel: str | None = None) -> "EarlyParse | None":
        """Fork a child parsing every discovered module (``discovered``, repo-relative)
        into ``module_cache``, streaming, starting with the schema at ``schema_rel``
        (repo-relative) and the modules it imports. None when no child was started."""
        if not _two_cpus() or not hasattr(os, "fork") or _threads():
            return None
        import mmap

        # the schema (evaluated first) has a state too, though it is not a function module
        if schema_rel is not None and schema_rel not in discovered:
            discovered = [*discovered, schema_rel]
        shared = mmap.mmap(-1, 1 + len(discovered))  # anonymous, zero-filled: all _FREE
        try:
            pid = os.fork()
        except OSError:
            return None
        if pid:
            return cls(pid, shared, list(discovered))
        code = 1
        try:
            _parse_forward(os.fspath(repo_root), module_cache, discovered, shared, schema_rel)
            code = 0
        finally:
            os._exit(code)  # never the parent's exit handlers or buffered output

    def take(self, rel: str, parse_ahead) -> None:
        """The build is about to read the module at ``rel`` (repo-relative). On
        return, either the child is done with it (look it up in the parse cache) or it is
        the build's to parse. While the child is parsing it, the build calls
        ``parse_ahead(other_rel)`` for the next module nobody has taken (after ``rel``, else
        from the first; taken for the build), or waits when none is left; a child that ended is not waited for."""
        i = self._index.get(rel)
        shared = self._shared
        if i is None or shared is None:
            return
        waited = 0
        while shared[1 + i] == _CHILD:
            if not self._alive() or waited > _MAX_WAITS:
                break  # parsed here (a child stopped or stuck on it gains nothing by waiting)
            j = shared.find(b"\x00", 2 + i)  # the next module nobody has taken,
            if j < 0:
                j = shared.find(b"\x00", 1)  # or the first (the schema comes last)
            if j >= 0:
                shared[j] = _BUILD
                parse_ahead(self._rels[j - 1])
            else:
                import time

                time.sleep(0.0002)
                waited += 1
        if shared[1 + i] == _FREE:
            shared[1 + i] = _BUILD

    def _alive(self) -> bool:
        if not self.pid:
            return False
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except (ChildProcessError, OSError):
            pid = self.pid
        if pid:
            self.pid = 0  # ended (and reaped)
            return False
        return True

    def wait(self) -> None:
        """Wait for the child to end (it is told to stop first; idempotent)."""
        if self._shared is not None:
            self._shared[0] = 1
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


def _parse_forward(root: str, module_cache, discovered: list[str], shared, schema_rel: str | None = None) -> None:
    """The streaming child's work: modules of ``discovered`` nobody has taken (``shared``,
    see :meth:`EarlyParse.take`), until none is left, the build says stop or the build's
    process is gone. In the order the build will ask for them: the modules the schema
    imports (the build evaluates the schema first), then each discovered module in turn,
    each followed by the project modules it imports, depth first."""
    from .discovery import has_import_or_export

    index = {rel: i for i, rel in enumerate(discovered)}
    parent = os.getppid()
    nxt: list[str] = [schema_rel] if schema_rel in index else []  # to take next, the nearest last
    k = 1
    while not shared[0] and os.getppid() == parent:
        at = -1
        while nxt and at < 0:
            i = 1 + index[nxt.pop()]
            if shared[i] == _FREE:
                at = i
        if at < 0:
            k = shared.find(b"\x00", k)
            if k < 0:
                return  # every module is taken
            at = k
        shared[at] = _CHILD
        rel = discovered[at - 1]
        data = _read(root, rel)
        mod = None
        if data is not None and has_import_or_export(Path(rel), data.decode("utf-8", errors="replace")):
            mod = _parse_module(module_cache, rel, data)
        shared[at] = _DONE
        if mod is not None:
            nxt += _imported(mod, index)


def _imported(mod: "Module", index: dict[str, int]) -> list[str]:
    """The discovered modules (keys of ``index``) that ``mod`` imports or re-exports by a
    relative specifier, the first one last (a scheduling hint for :func:`_parse_forward`:
    extensions and index files are tried the usual way; a specifier missed here is only
    parsed in its turn)."""
    import posixpath

    base = posixpath.dirname(mod.rel)
    specs = [spec for spec, _ in mod.imports.values()] + [spec for spec, _ in mod.reexports.values()] + list(mod.star_exports)
    out: list[str] = []
    for spec in dict.fromkeys(specs):
        if not spec.startswith("."):
            continue
        p = posixpath.normpath(posixpath.join(base, spec))
        stem = p[:-3] if p.endswith(".js") else p
        for cand in (p, stem + ".ts", stem + ".tsx", p + ".js", p + "/index.ts", p + "/index.tsx", p + "/index.js"):
            if cand in index:
                out.append(cand)
                break
    out.reverse()
    return out


def _read(root: str, rel: str) -> bytes | None:
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _parse_module(module_cache, rel: str, data: bytes) -> "Module | None":
    """The module for ``data`` (the file at ``rel``): from ``module_cache``, else parsed
    and stored there; None when it is not clean text."""
    return module_cache.lookup(rel, data) or _parse_new(module_cache, rel, data)


def _parse_new(module_cache, rel: str, data: bytes) -> "Module | None":
    from .modules import load_module

    text = clean_text(data)
    if text is None:
        return None
    mod = load_module(rel, text)
    module_cache.store(rel, data, slim(mod))
    return mod
