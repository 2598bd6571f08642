"""The DB contract in the modes other than Convex: ``repo-prisma`` (the Prisma schema is the
SSOT), ``database`` (the real database is; the repository holds the mirror
``db/schema/tables.json``) and ``none``.

:func:`derive_db` builds the contract in memory for :func:`convex_ssot.pipeline.derive`
(which validates and writes it with the one writer, :mod:`convex_ssot.fsutil`);
:func:`ssot_source` says which source a mode reads, for both ``status`` commands.
"""

from __future__ import annotations

from .config import Config, check_inside
from .errors import InputError, byte_position

__all__ = ["derive_db", "ssot_source", "SOURCE_KINDS"]

#: mode → (status label, contract ``ssot.source.kind``)
SOURCE_KINDS = {
    "convex": ("convex schema", "convex-schema"),
    "repo-prisma": ("prisma schema", "prisma-schema"),
    "database": ("db mirror", "db-mirror"),
    "none": ("none", "none"),
}


def ssot_source(cfg: Config) -> dict:
    """The source the mode reads: ``{"kind": label, "path": repo-relative or None,
    "exists": bool, "files": [...], "warnings": [...]}`` (``files`` lists a multi-file
    Prisma schema). Never raises: a path outside the repository is a warning."""
    from .config import ConfigError

    label = SOURCE_KINDS[cfg.mode][0]
    if cfg.mode == "convex":
        return {"kind": label, "path": cfg.schema_rel, "exists": (cfg.repo_root / cfg.schema_rel).is_file(), "files": [cfg.schema_rel], "warnings": []}
    if cfg.mode == "database":
        from .emit.mirror_contract import MIRROR_REL

        return {"kind": label, "path": MIRROR_REL, "exists": (cfg.repo_root / MIRROR_REL).is_file(), "files": [MIRROR_REL], "warnings": _mirror_warnings(cfg)}
    if cfg.mode == "repo-prisma":
        from .prisma.sources import locate

        try:
            loc = locate(cfg.repo_root, cfg.source_path)
        except ConfigError as exc:
            return {"kind": label, "path": cfg.source_path, "exists": False, "files": [], "warnings": [str(exc)]}
        return {"kind": label, "path": loc.path, "exists": loc.exists, "files": loc.files, "warnings": list(loc.warnings)}
    return {"kind": label, "path": None, "exists": False, "files": [], "warnings": []}


def _mirror_warnings(cfg: Config) -> list[str]:
    from .emit.mirror_contract import MIRROR_REL

    raw = cfg.raw or {}
    db = raw.get("db") if isinstance(raw.get("db"), dict) else {}
    src = db.get("source") if isinstance(db.get("source"), dict) else {}
    path = src.get("path")
    if isinstance(path, str) and path.strip() and path.strip() != MIRROR_REL:
        return [f"db.source.path={path.strip()} is ignored in database mode; the DB mirror path is fixed to {MIRROR_REL}"]
    return []


def derive_db(cfg: Config, updated_at: str, use_cache: bool = True) -> tuple[dict, list[str]]:
    """The DB contract of a ``repo-prisma``, ``database`` or ``none`` repository and the
    warnings to print. Raises :class:`~convex_ssot.errors.InputError` (a Prisma schema
    Prisma rejects, a mirror that is not JSON or of neither shape: file:line:column) and
    :class:`~convex_ssot.errors.ConfigError` (a path outside the repository)."""
    if cfg.mode == "repo-prisma":
        return _prisma(cfg, updated_at, use_cache)
    if cfg.mode == "database":
        return _mirror(cfg, updated_at)
    from .emit.db_contract import db_contract

    return db_contract(None, [], updated_at, mode="none"), []


def _prisma(cfg: Config, updated_at: str, use_cache: bool) -> tuple[dict, list[str]]:
    from .emit.prisma_contract import empty_prisma_contract, prisma_contract
    from .prisma import load_schema
    from .prisma.sources import locate

    loc = locate(cfg.repo_root, cfg.source_path)
    warnings = list(loc.warnings)
    if not loc.exists:
        warnings.append(f"Missing Prisma schema: {loc.path}")
        return empty_prisma_contract(loc.path, updated_at), warnings
    schema = load_schema(cfg.repo_root, loc.files, use_cache)
    return prisma_contract(schema, loc.path, updated_at), warnings


def _mirror(cfg: Config, updated_at: str) -> tuple[dict, list[str]]:
    from .emit.jsonout import loads
    from .emit.mirror_contract import MIRROR_REL, mirror_contract, missing_mirror_contract

    check_inside(cfg.repo_root, MIRROR_REL, "DB mirror path")
    warnings = _mirror_warnings(cfg)
    path = cfg.repo_root / MIRROR_REL
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return missing_mirror_contract(MIRROR_REL, updated_at), warnings + [f"Missing DB mirror: {MIRROR_REL}"]
    except OSError as exc:
        raise InputError(f"{MIRROR_REL}: cannot read the DB mirror ({exc.strerror}); nothing was written") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = byte_position(data, exc.start)
        raise InputError(f"{MIRROR_REL}:{line}:{col}: not valid UTF-8; save the DB mirror as UTF-8 JSON. Nothing was written") from None
    try:
        raw = loads(text)
    except ValueError:
        import json

        try:
            raw = json.loads(text)
        except json.JSONDecodeError as jexc:
            raise InputError(f"{MIRROR_REL}:{jexc.lineno}:{jexc.colno}: not valid JSON ({jexc.msg}); fix the DB mirror. Nothing was written") from None
    return mirror_contract(raw, MIRROR_REL, text, updated_at), warnings
