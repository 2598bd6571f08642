"""Prisma Schema Language: locating (:mod:`.sources`), parsing (:mod:`.parse`, grammar
``grammars/prisma.lark``) and understanding (:mod:`.semantics`) a repository's Prisma
schema for the ``repo-prisma`` mode. The contract is built in
:mod:`convex_ssot.emit.prisma_contract`."""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_schema"]


def _cache_rel(rel: str) -> str:
    """A file's identity in the parse cache: the grammar's digest and its path (the cache
    key also holds the tool version, the package's modules and the file's bytes)."""
    import hashlib

    from ..resources import grammar_path

    return f"prisma:{hashlib.sha256(grammar_path('prisma.lark').read_bytes()).hexdigest()[:16]}:{rel}"


def load_schema(root: Path, files: list[str], use_cache: bool = True):
    """Read, parse and check the schema files ``files`` (repo-relative) of the repository
    at ``root``; returns a :class:`.semantics.Schema`. Parsed files are kept in the
    per-file cache (:class:`convex_ssot.cache.ModuleCache`, keyed by the file's bytes), so
    an unchanged schema is not parsed again (``use_cache`` False: neither read nor written).

    Raises :class:`~convex_ssot.errors.InputError` (unreadable, not UTF-8, too large) and
    :class:`.semantics.PrismaSchemaError` (a schema Prisma rejects), both naming
    file:line:column."""
    from .parse import PrismaSyntaxError, parse_file
    from .semantics import PrismaSchemaError, analyse
    from .sources import read_schema_files

    import pickle

    from ..cache import ModuleCache

    cache = ModuleCache.open() if use_cache else None
    parsed = []
    for rel, text in read_schema_files(root, files):
        key, data = _cache_rel(rel), text.encode("utf-8")
        hit = cache.lookup(key, data) if cache is not None else None
        if hit is not None:
            parsed.append(hit)
            continue
        try:
            parsed_file = parse_file(rel, text)
        except PrismaSyntaxError as exc:
            raise PrismaSchemaError(exc.file, exc.line, exc.column, exc.message) from None
        parsed_file.rel = key
        if cache is not None:
            cache.store_blob(key, data, pickle.dumps(parsed_file, protocol=pickle.HIGHEST_PROTOCOL))
        parsed.append(parsed_file)
    return analyse(parsed)
