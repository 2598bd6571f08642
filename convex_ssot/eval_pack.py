"""The evaluation entry on disk (docs/architecture.md, "Incremental evaluation"): an
*index* rewritten whole by every run that stores one, and a *pack* of the records' parts
that a run appends to, so that an edit run writes the records it made afresh and not the
thousands it reused.

- Pack (``<key>.eval.pack``): ``convex-ssot evaluation parts``, a line with the pack's
  token (random, new whenever the pack is written afresh), then parts one after the other.
  A part is never changed once written; parts no index points at any more are dropped
  when the pack is written afresh (when it has grown to more than twice what the index
  points at).
- Index (``<key>.eval.idx``): a header of four lines (name, version line, tool key, SHA-256
  of the payload), then the payload (the caller's bytes; they name the pack's token and,
  per part, its offset, length and SHA-256).

Both are written by one process at a time (``flock`` on the pack while it is appended to,
where it exists); the index by a temporary file and a rename. A reader checks the index's
header and checksum here, the pack's token and each part's SHA-256 where it reads them
(:func:`convex_ssot.resolve.entry.load_entry`): a damaged, partial, foreign or replaced
file is never used, it only costs the evaluation its records would have saved.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["PACK_MAGIC", "read", "write", "pack_token"]

PACK_MAGIC = b"convex-ssot evaluation parts"
INDEX_MAGIC = b"convex-ssot evaluation"
_TOKEN_LEN = 32


def pack_token(pack: bytes | memoryview) -> str | None:
    """The token in a pack's header, or None when it is not a pack."""
    head = bytes(pack[: len(PACK_MAGIC) + 2 + _TOKEN_LEN])
    if not head.startswith(PACK_MAGIC + b"\n") or head[-1:] != b"\n":
        return None
    return head[len(PACK_MAGIC) + 1 : -1].decode("ascii", "replace")


def read(index: Path, pack: Path, version: bytes, tool: bytes) -> tuple[str, bytes, bytes] | None:
    """``(SHA-256 of the index payload, index payload, pack bytes)``, or None when the
    index is missing, of another version or tool key, or does not match its checksum, or
    the pack cannot be read."""
    try:
        magic, ver, key, digest, payload = index.read_bytes().split(b"\n", 4)
        if magic != INDEX_MAGIC or ver != version or key != tool:
            return None
        if hashlib.sha256(payload).hexdigest() != digest.decode():
            return None
        return digest.decode(), payload, pack.read_bytes()
    except Exception:  # noqa: BLE001 - missing, foreign or damaged: evaluate everything
        return None


def write(index: Path, pack: Path, version: bytes, tool: bytes, token: str | None, parts: list, index_of, write_atomic) -> str | None:
    """Store the entry: ``parts`` are ``(location or None, bytes)``, a location being
    ``(offset, …)`` of a part already in the pack whose token is ``token``; the parts
    without one are appended (or, when the pack is not that one any more or has grown to
    more than twice what the parts take, every part is written to a new pack). Then the
    index ``index_of(token, locations)`` (``locations``: one ``(offset, length)`` per part,
    in order) is written. The SHA-256 of the index payload, or None when nothing could
    be written."""
    live = sum(len(data) for _, data in parts)
    fresh = [i for i, (loc, _) in enumerate(parts) if loc is None]
    locations: list = [loc[:2] if loc is not None else None for loc, _ in parts]
    done = False
    if token is not None and len(fresh) < len(parts):
        done = _append(pack, token, parts, fresh, locations, live)
    if not done:
        token = os.urandom(_TOKEN_LEN // 2).hex()
        pieces = [PACK_MAGIC + b"\n" + token.encode() + b"\n"]
        at = len(pieces[0])
        for i, (_, data) in enumerate(parts):
            locations[i] = (at, len(data))
            pieces.append(data)
            at += len(data)
        if not write_atomic(pack, pieces):
            return None
    payload = index_of(token, locations)
    digest = hashlib.sha256(payload).hexdigest()
    header = b"\n".join([INDEX_MAGIC, version, tool, digest.encode()])
    return digest if write_atomic(index, [header, b"\n", payload]) else None


def _append(pack: Path, token: str, parts: list, fresh: list[int], locations: list, live: int) -> bool:
    """Append the ``fresh`` parts to the pack with ``token`` (under an exclusive lock),
    filling in their ``locations``; False when the pack is another one, cannot be
    appended to, or would hold more than twice ``live`` bytes."""
    try:
        fcntl = __import__("fcntl")
    except ImportError:
        fcntl = None
    try:
        with open(pack, "r+b") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # released when the file is closed
            head = fh.read(len(PACK_MAGIC) + 2 + _TOKEN_LEN)
            if pack_token(head) != token:
                return False
            end = fh.seek(0, os.SEEK_END)
            added = sum(len(parts[i][1]) for i in fresh)
            if end + added - len(head) > 2 * live:
                return False  # mostly parts no index points at: written afresh
            at = end
            for i in fresh:
                locations[i] = (at, len(parts[i][1]))
                at += len(parts[i][1])
            fh.write(b"".join(parts[i][1] for i in fresh))
        return True
    except OSError:
        return False
