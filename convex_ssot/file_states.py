"""SHA-256 of source files without reading them when their ``stat`` shows no change.

A :class:`StateTable` keeps, per file (absolute path), what ``os.stat`` said of it when its
bytes were last read — size, ``st_mtime_ns``, ``st_ctime_ns``, inode, device — beside the
SHA-256 of those bytes (and, optionally, one boolean fact derived from the bytes: whether a
candidate function module has an import or export statement). A later run that finds the
same five values takes the recorded hash instead of reading and hashing the file. Content
hashes stay the keys of every cache (parsed modules, evaluation records, the project entry):
the table only spares the reading.

The racy-timestamp rule is git's (``Documentation/technical/racy-git.txt``): a file changed
again within the timestamp granularity of the change that was recorded keeps the same
``stat``; git therefore content-compares every entry whose mtime is not older than the index
file. Here a state is *recorded* only when the file's mtime and ctime are at least
:data:`RACY_MARGIN_NS` older than the moment this run started taking states (taken before
any ``stat``): any later write then gives the file a newer ctime (which no program can set
back, unlike mtime), so a matching ``stat`` proves the bytes are the recorded ones. A file
changed within the margin is read and hashed on every run until it is old enough (Mercurial
does the same with its "ambiguous" mtimes). The margin covers filesystems with 1–2 s
timestamps (FAT: 2 s) and the kernel's coarse clock; it assumes the filesystem's clock and
this machine's agree to within it (a network filesystem whose server clock runs behind by
more could hide a same-size edit; ``--no-cache`` reads everything).

The table is stored per project (:meth:`StateTable.open` / :meth:`StateTable.save`) as
``marshal`` data behind a header naming :data:`FORMAT`, the interpreter and the SHA-256 of
the payload: a damaged, foreign or partial
file is not used (every file is then read, as without it).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

__all__ = ["StateTable", "RACY_MARGIN_NS", "FORMAT"]

#: A state is recorded only when the file's mtime and ctime are this much older than the
#: start of the run (git racy-git.txt; see the module docstring): 3 s.
RACY_MARGIN_NS = 3_000_000_000
#: Version of the stored table's layout; bump on any change.
FORMAT = 1
_MAGIC = b"convex-ssot file states"


def _version() -> bytes:
    """The header's version line: :data:`FORMAT` and the interpreter's cache tag (the
    table is ``marshal`` data, which needs no import on an unchanged project's fast path
    but is only read back by the interpreter that wrote it)."""
    return f"{FORMAT} {sys.implementation.cache_tag}".encode()


def _now_ns() -> int:
    return time.time_ns()


class StateTable:
    """Recorded file states (``{absolute path: (size, mtime_ns, ctime_ns, ino, dev, sha256,
    fact)}``) and this run's answers.

    ``path``: where the table is stored (None: not stored); ``write(path, pieces)`` writes
    it atomically (:func:`convex_ssot.cache.write_atomic`). ``since``: the time (ns since
    the epoch) this run started taking states, before its first ``stat``.
    """

    def __init__(self, path: Path | None = None, entries: dict | None = None, write=None) -> None:
        self.path = path
        self.write = write
        self.entries: dict[str, tuple] = entries or {}
        self.since = _now_ns()
        #: this run's answers: path -> (sha256 or None, fact or None)
        self.memo: dict[str, tuple] = {}
        #: states to store: path -> entry (trusted old ones and new ones)
        self.kept: dict[str, tuple] = {}
        self.dirty = False

    # ---- storage
    @classmethod
    def open(cls, path: Path | None, write=None) -> "StateTable":
        """The table stored at ``path``, or an empty one when there is none or it is not
        whole (wrong header, format or checksum, undecodable payload)."""
        entries = None
        if path is not None:
            try:
                import hashlib
                import marshal

                data = path.read_bytes()
                magic, version, digest, payload = data.split(b"\n", 3)
                if magic == _MAGIC and version == _version() and hashlib.sha256(payload).hexdigest().encode() == digest:
                    entries = marshal.loads(payload)
                    if not isinstance(entries, dict):
                        entries = None
            except Exception:  # noqa: BLE001 - missing or damaged: every file is read
                entries = None
        return cls(path, entries, write)

    def save(self) -> bool:
        """Store the states this run trusted or recorded (only when they differ from what
        was loaded), atomically; False when nothing was written."""
        if self.path is None or self.write is None or not (self.dirty or len(self.kept) != len(self.entries)):
            return False
        import hashlib
        import marshal

        payload = marshal.dumps(self.kept, 4)
        header = b"\n".join([_MAGIC, _version(), hashlib.sha256(payload).hexdigest().encode()])
        ok = self.write(self.path, [header, b"\n", payload])
        if ok:
            self.entries, self.dirty = dict(self.kept), False
        return ok

    # ---- states
    def sha256(self, path: str) -> str | None:
        """SHA-256 (hex) of the bytes of the file at absolute ``path`` (symlinks followed),
        from the recorded state when ``stat`` matches it, else read and hashed; None when
        it cannot be read. Memoised for the run."""
        got = self.memo.get(path)
        if got is None:
            got = self._state(path)
        return got[0]

    def fact(self, path: str) -> tuple[str | None, bool | None]:
        """``(sha256, fact)`` of the file at ``path`` when its recorded state still holds
        (``fact`` None when none was noted), else ``(None, None)`` without reading it."""
        got = self.memo.get(path)
        if got is not None:
            return got
        try:
            st = os.stat(path)
        except OSError:
            return None, None
        rec = self.entries.get(path)
        if rec is not None and rec[:5] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev):
            self.kept[path] = rec
            got = self.memo[path] = (rec[5], rec[6])
            return got
        return None, None

    def read(self, path: str) -> tuple[bytes, str]:
        """The bytes of the file at ``path`` and their SHA-256, recorded (with the ``stat``
        taken on the open file before reading) when the file is old enough (module
        docstring). Raises OSError when it cannot be read."""
        import hashlib

        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
        h = hashlib.sha256(data).hexdigest()
        self._record(path, st, h, None)
        return data, h

    def note_fact(self, path: str, sha256: str, fact: bool) -> None:
        """Keep ``fact`` (derived from the bytes whose hash is ``sha256``) with the state
        of ``path`` recorded in this run, if any and for those bytes."""
        rec = self.kept.get(path)
        if rec is not None and rec[5] == sha256 and rec[6] != fact:
            self.kept[path] = rec[:6] + (fact,)
            self.dirty = True
        got = self.memo.get(path)
        if got is not None and got[0] == sha256:
            self.memo[path] = (sha256, fact)

    def _state(self, path: str) -> tuple:
        """``(sha256, fact)`` from the recorded state, else from reading the file."""
        got = self.fact(path)
        if got[0] is not None:
            return got
        try:
            self.read(path)
        except OSError:
            got = self.memo[path] = (None, None)
            return got
        return self.memo[path]

    def _record(self, path: str, st: os.stat_result, h: str, fact) -> None:
        self.memo[path] = (h, fact)
        old = self.entries.get(path)
        if max(st.st_mtime_ns, st.st_ctime_ns) < self.since - RACY_MARGIN_NS:
            rec = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev, h, fact)
            self.kept[path] = rec
            if rec != old:
                self.dirty = True
        else:
            self.kept.pop(path, None)  # racy: read again next run
            if old is not None:
                self.dirty = True
