"""The on-disk cache: compiled grammar tables and per-file parse results.

Location: ``$CONVEX_SSOT_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/convex-ssot``, else
``~/.cache/convex-ssot``. ``--no-cache`` (or ``CONVEX_SSOT_CACHE_DIR=""``) switches it
off. Every entry is keyed by a SHA-256 of its inputs and the tool version; a missing,
stale or unreadable entry is rebuilt, never trusted.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "set_enabled", "grammar_cache_file"]

_enabled = True


def set_enabled(enabled: bool) -> None:
    """Switch the cache on or off for this process (``--no-cache``)."""
    global _enabled
    _enabled = enabled


def cache_dir() -> Path | None:
    """The cache directory (created on demand), or None when caching is off or impossible."""
    if not _enabled:
        return None
    env = os.environ.get("CONVEX_SSOT_CACHE_DIR")
    if env is not None:
        if env == "":
            return None
        base = Path(env)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) / "convex-ssot" if xdg else Path.home() / ".cache" / "convex-ssot"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base


def grammar_cache_file(key: str) -> Path | None:
    """File where Lark keeps the LALR tables for the grammar with hash ``key``."""
    d = cache_dir()
    return None if d is None else d / f"grammar-{key}.lark-cache"


def _tool_key() -> str:
    """Tool version + grammar text hash: any change invalidates every cached result."""
    import hashlib

    from . import __version__
    from .resources import grammar_path

    h = hashlib.sha256(__version__.encode())
    try:
        h.update(grammar_path().read_bytes())
    except OSError:
        pass
    return h.hexdigest()[:16]


def _contracts_digest(db, functions) -> str:
    """SHA-256 of both contracts' canonical bytes, stored with a project entry and checked
    when it is read back: an entry whose contracts were damaged is not used."""
    import hashlib

    from .emit.jsonout import dumps

    return hashlib.sha256(dumps(db) + b"\0" + dumps(functions)).hexdigest()


class ModuleCache:
    """Per-file parse results (pickled :class:`~convex_ssot.resolve.modules.Module`),
    keyed by SHA-256 of the tool key, the repo-relative path and the file's bytes; and a
    per-project entry with the contracts of the last run and the hashes of every file
    it read. Unreadable entries are ignored and rewritten."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.tool = _tool_key()
        self.hashes: dict[str, str] = {}

    @classmethod
    def open(cls) -> "ModuleCache | None":
        d = cache_dir()
        if d is None:
            return None
        try:
            (d / "modules").mkdir(exist_ok=True)
            (d / "projects").mkdir(exist_ok=True)
        except OSError:
            return None
        return cls(d)

    def digest(self, rel: str, data: bytes) -> str:
        """SHA-256 of a file's bytes (computed once per file and run)."""
        import hashlib

        if rel in self.hashes:
            return self.hashes[rel]
        h = hashlib.sha256(data).hexdigest()
        self.hashes[rel] = h
        return h

    def _module_path(self, rel: str, file_hash: str) -> Path:
        import hashlib

        key = hashlib.sha256(f"{self.tool}\0{rel}\0{file_hash}".encode()).hexdigest()[:40]
        return self.dir / "modules" / f"{key}.pkl"

    def lookup(self, rel: str, data: bytes):
        """The cached parsed module for these bytes, or None."""
        import pickle

        path = self._module_path(rel, self.digest(rel, data))
        try:
            with open(path, "rb") as fh:
                mod = pickle.load(fh)
            if getattr(mod, "rel", None) == rel:
                return mod
        except Exception:  # noqa: BLE001 - any unreadable entry is rebuilt, never trusted
            pass
        return None

    def load(self, rel: str, data: bytes, text: str):
        """The parsed module for ``data`` (from the cache, or parsed and stored)."""
        from .resolve.modules import load_module

        mod = self.lookup(rel, data)
        if mod is not None:
            return mod
        mod = load_module(rel, text)
        self.store(rel, data, mod)
        return mod

    def store(self, rel: str, data: bytes, mod) -> None:
        """Store a parsed module (a slim copy) for these bytes."""
        import os
        import pickle
        import tempfile

        from .resolve.project import slim

        path = self._module_path(rel, self.digest(rel, data))
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(slim(mod), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # noqa: BLE001 - a cache that cannot be written is just not used
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    # ---- whole-project entries
    def _project_path(self, repo_root: Path, schema_rel: str) -> Path:
        import hashlib

        key = hashlib.sha256(f"{self.tool}\0{repo_root}\0{schema_rel}".encode()).hexdigest()[:40]
        return self.dir / "projects" / f"{key}.json"

    def load_project(self, repo_root: Path, schema_rel: str, discovered: list[str]):
        """The cached ``(db, functions)`` contracts if every file the last run read is
        unchanged and the set of module files is the same; else None."""
        import hashlib

        from .emit.jsonout import loads

        try:
            entry = loads(self._project_path(repo_root, schema_rel).read_bytes())
            if entry.get("discovered") != discovered:
                return None
            for rel, h in entry["files"].items():
                try:
                    data = (repo_root / rel).read_bytes()
                except OSError:
                    return None
                if hashlib.sha256(data).hexdigest() != h:
                    return None
            db, functions = entry["db"], entry["functions"]
            if entry.get("digest") != _contracts_digest(db, functions):
                return None  # damaged (or edited) entry: rebuild, never trust
            return db, functions
        except Exception:  # noqa: BLE001 - missing or corrupt: rebuild
            return None

    def store_project(self, repo_root: Path, schema_rel: str, discovered: list[str], db: dict, functions: dict | None) -> None:
        import os
        import tempfile

        from .emit.jsonout import dumps

        path = self._project_path(repo_root, schema_rel)
        entry = {
            "discovered": discovered,
            "files": dict(sorted(self.hashes.items())),
            "db": db,
            "functions": functions,
            "digest": _contracts_digest(db, functions),
        }
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(dumps(entry))
            os.replace(tmp, path)
        except Exception:  # noqa: BLE001
            pass
