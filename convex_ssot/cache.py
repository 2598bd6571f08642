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
