"""Safe file system writes: inside the repository only, atomically (temp file + rename).

Every file convex-ssot writes goes through :func:`write_atomic`: the bytes go to a
temporary file in the target's directory, are flushed and fsync'ed, then renamed over the
target (``os.replace``, atomic on POSIX), so a reader sees the old file or the new one,
never a truncated one. Targets and their directories are checked against the repository
root after resolving symlinks.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import inside
from .errors import ConfigError
from .temp_files import temp_file

__all__ = ["write_atomic", "ensure_dir", "stage", "fsync_in_background", "commit_staged", "discard_staged"]


def _check(repo_root: Path, path: Path) -> None:
    if not inside(repo_root, path):
        rel = os.path.relpath(path, repo_root)
        raise ConfigError(f"'{rel}' is outside repo root {repo_root} (through a symlink?); nothing was written there")


def ensure_dir(repo_root: Path, directory: Path) -> None:
    """Create ``directory`` (and parents) after checking it lies inside ``repo_root``."""
    _check(repo_root, directory)
    directory.mkdir(parents=True, exist_ok=True)
    _check(repo_root, directory)


def stage(repo_root: Path, path: Path, data: bytes | list, fsync: bool = True) -> Path:
    """Write ``data`` (bytes, or pieces written one after the other) to a temporary file
    beside ``path``, flushed and, with ``fsync``, fsync'ed; return it. Without ``fsync``
    the caller must fsync the file before renaming it (:func:`fsync_in_background`)."""
    _check(repo_root, path)
    ensure_dir(repo_root, path.parent)
    fd, tmp = temp_file(path.parent, f".{path.name}.", ".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in [data] if isinstance(data, (bytes, bytearray, memoryview)) else data:
                fh.write(piece)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        if path.exists():
            try:
                os.chmod(tmp, path.stat().st_mode & 0o777)
            except OSError:
                pass
        else:
            os.chmod(tmp, 0o644)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return Path(tmp)


def fsync_in_background(paths: list[Path]):
    """Start fsync'ing ``paths`` (staged files) on a thread; returns ``wait()``, which
    blocks until they are on disk and raises the OSError fsync raised, if any. fsync
    releases the GIL, so the disk writes overlap whatever the caller does meanwhile (a
    sync validates its contracts: docs/performance.md, session 5)."""
    import threading

    errors: list[BaseException] = []

    def run() -> None:
        for path in paths:
            try:
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                errors.append(exc)
                return

    thread = threading.Thread(target=run, name="convex-ssot-fsync", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if errors:
            raise errors[0]

    return wait


def commit_staged(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each staged temp file over its target, all or none.

    Before the first rename, every existing target gets a backup (a hard link, or a copy
    where links are not possible, beside it). If a later rename fails, the targets already
    replaced are restored from their backups (and ones that did not exist are removed), so
    the set of files is either all new or all old; then the error is raised again.
    """
    backups: list[tuple[Path, Path | None]] = []
    try:
        for _, target in pairs:
            if target.exists():
                fd, bak = temp_file(target.parent, f".{target.name}.", ".bak")
                os.close(fd)
                os.unlink(bak)
                try:
                    os.link(target, bak)
                except OSError:
                    import shutil

                    shutil.copy2(target, bak)
                backups.append((target, Path(bak)))
            else:
                backups.append((target, None))
        done: list[int] = []
        try:
            for i, (tmp, target) in enumerate(pairs):
                os.replace(tmp, target)
                done.append(i)
        except BaseException:
            for i in reversed(done):
                target, bak = backups[i]
                try:
                    if bak is not None:
                        os.replace(bak, target)
                    else:
                        os.unlink(target)
                except OSError:
                    pass
            raise
    finally:
        for _, bak in backups:
            if bak is not None:
                try:
                    os.unlink(bak)
                except OSError:
                    pass


def discard_staged(pairs: list[tuple[Path, Path]]) -> None:
    for tmp, _ in pairs:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def write_atomic(repo_root: Path, path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data`` (see the module docstring)."""
    tmp = stage(repo_root, path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        discard_staged([(tmp, path)])
        raise
