"""Where a repository's Prisma schema is, and reading it safely.

:func:`locate` answers, first that applies (the Prisma CLI's own lookup, docs
"Prisma schema location", plus the configuration of this tool):

1. ``db.source.path`` in ``docs/project/db-ssot.json`` (a ``.prisma`` file or a folder);
2. ``prisma.config.ts`` (also ``.mts``/``.cts``/``.js``/``.mjs``/``.cjs``) at the root,
   its ``schema:`` property when it is a string literal (anything else is reported as a
   warning and the lookup continues);
3. ``package.json``'s ``"prisma": {"schema": "…"}``;
4. ``prisma/schema.prisma``; else the folder ``prisma/schema/`` (``prismaSchemaFolder``,
   multi-file schemas); else ``schema.prisma`` at the root.

A folder means every ``*.prisma`` file below it, in path order. Every path must stay
inside the repository (symlinks resolved); a file that is not UTF-8 or larger than
:data:`MAX_BYTES` is an :class:`~convex_ssot.errors.InputError` naming it.
"""

from __future__ import annotations

import os
from dataclasses import field
from ..dataclass_cache import dataclass
from pathlib import Path

from ..config import check_inside
from ..errors import InputError, byte_position
from .. import regex_cache

__all__ = ["Located", "locate", "read_schema_files", "MAX_BYTES", "DEFAULT_REL"]

DEFAULT_REL = "prisma/schema.prisma"
FOLDER_REL = "prisma/schema"
#: Largest schema file read (bytes). Real schemas are well under 1 MB.
MAX_BYTES = 32 * 1024 * 1024
_CONFIG_NAMES = ("prisma.config.ts", "prisma.config.mts", "prisma.config.cts", "prisma.config.js", "prisma.config.mjs", "prisma.config.cjs")
_SCHEMA_PROP = regex_cache.compile(r"""(?<![\w.$])schema\s*:\s*(?:(["'`])([^"'`\n]+)\1|([^,\n}]+))""")


@dataclass(slots=True)
class Located:
    """The schema's location: ``path`` (repo-relative, a file or a folder), ``files`` (the
    ``.prisma`` files, repo-relative; empty when the location does not exist), ``origin``
    (which rule of :func:`locate` chose it) and ``warnings``."""

    path: str
    files: list[str]
    origin: str
    warnings: list[str] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return bool(self.files)


def _rel(root: Path, p: str, base: str = "") -> str:
    joined = os.path.normpath(os.path.join(base, p.replace("\\", "/")))
    return Path(joined).as_posix()


def _from_prisma_config(root: Path, warnings: list[str]) -> str | None:
    for name in _CONFIG_NAMES:
        p = root / name
        if not p.is_file():
            continue
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        m = _SCHEMA_PROP.search(text)
        if m is None:
            return None
        if m.group(2) is None:
            warnings.append(f"{name}: `schema: {m.group(3).strip()}` is not a string literal; convex-ssot reads only literal paths (set db.source.path in docs/project/db-ssot.json instead)")
            return None
        return _rel(root, m.group(2))
    return None


def _from_package_json(root: Path, warnings: list[str]) -> str | None:
    from ..emit.jsonout import loads

    p = root / "package.json"
    if not p.is_file():
        return None
    try:
        data = loads(p.read_bytes())
    except (OSError, ValueError):
        warnings.append("package.json is not valid JSON; its `prisma.schema` setting was not read")
        return None
    prisma = data.get("prisma") if isinstance(data, dict) else None
    schema = prisma.get("schema") if isinstance(prisma, dict) else None
    return _rel(root, schema) if isinstance(schema, str) and schema.strip() else None


def _files_under(root: Path, rel: str) -> list[str]:
    """The ``.prisma`` files of ``rel`` (itself when a file), repo-relative, path order."""
    p = root / rel
    if p.is_file():
        return [rel]
    if not p.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != "node_modules" and not d.startswith("."))
        for name in filenames:
            if name.endswith(".prisma"):
                out.append(Path(os.path.relpath(os.path.join(dirpath, name), root)).as_posix())
    return sorted(out)


def locate(root: Path, configured: str | None = None) -> Located:
    """Find the schema of the repository at ``root`` (see the module doc).

    Raises :class:`~convex_ssot.errors.ConfigError` when a configured path or a found file
    is outside the repository."""
    warnings: list[str] = []
    candidates: list[tuple[str | None, str]] = [
        (configured, "db.source.path"),
        (_from_prisma_config(root, warnings), "prisma.config"),
        (_from_package_json(root, warnings), "package.json prisma.schema"),
    ]
    for rel, origin in candidates:
        if rel is None:
            continue
        check_inside(root, rel, f"Prisma schema path ({origin})")
        files = _files_under(root, rel)
        for f in files:
            check_inside(root, f, "Prisma schema file")
        if not files:
            warnings.append(f"{origin} points to {rel}, which does not exist or holds no .prisma file")
        return Located(rel, files, origin, warnings)
    for rel in (DEFAULT_REL, FOLDER_REL, "schema.prisma"):
        files = _files_under(root, rel)
        if files:
            for f in files:
                check_inside(root, f, "Prisma schema file")
            return Located(rel, files, "default", warnings)
    return Located(DEFAULT_REL, [], "default", warnings)


def read_schema_files(root: Path, files: list[str]) -> list[tuple[str, str]]:
    """``(path, text)`` of each file. Raises :class:`InputError` for a file that cannot be
    read, is larger than :data:`MAX_BYTES` or is not UTF-8 (naming line and column)."""
    out = []
    for rel in files:
        p = root / rel
        try:
            size = p.stat().st_size
            if size > MAX_BYTES:
                raise InputError(f"{rel}:1:1: the Prisma schema is {size} bytes, more than the {MAX_BYTES} convex-ssot reads; nothing was written")
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"{rel}: cannot read the Prisma schema ({exc.strerror}); nothing was written") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = byte_position(data, exc.start)
            raise InputError(f"{rel}:{line}:{col}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the schema as UTF-8. Nothing was written") from None
        out.append((rel, text))
    return out
