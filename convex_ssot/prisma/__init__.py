"""Prisma Schema Language: locating (:mod:`.sources`), parsing (:mod:`.parse`, grammar
``grammars/prisma.lark``) and understanding (:mod:`.semantics`) a repository's Prisma
schema for the ``repo-prisma`` mode. The contract is built in
:mod:`convex_ssot.emit.prisma_contract`."""

from __future__ import annotations

from pathlib import Path

__all__ = ["load_schema"]


def load_schema(root: Path, files: list[str]):
    """Read, parse and check the schema files ``files`` (repo-relative) of the repository
    at ``root``; returns a :class:`.semantics.Schema`.

    Raises :class:`~convex_ssot.errors.InputError` (unreadable, not UTF-8, too large) and
    :class:`.semantics.PrismaSchemaError` (a schema Prisma rejects), both naming
    file:line:column."""
    from .parse import PrismaSyntaxError, parse_file
    from .semantics import PrismaSchemaError, analyse
    from .sources import read_schema_files

    parsed = []
    for rel, text in read_schema_files(root, files):
        try:
            parsed.append(parse_file(rel, text))
        except PrismaSyntaxError as exc:
            raise PrismaSchemaError(exc.file, exc.line, exc.column, exc.message) from None
    return analyse(parsed)
