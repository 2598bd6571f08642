"""The ``ctl-db-ssot status`` report: mode, where it came from, key paths and whether they exist."""

from __future__ import annotations

from pathlib import Path

from .config import CONFIG_REL, DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, load_config_lenient

__all__ = ["status_data"]


def status_data(root: Path) -> dict:
    """The status report as a dict: ``mode``, ``source`` (config | infer (no config) |
    infer (invalid config)), ``configPath``, ``paths`` and ``exists`` (keys prismaSchema,
    dbMirror, contextContract, convexSchema, convexFunctions), ``errors``, ``warnings``.
    Never raises for a bad configuration: it is reported in ``errors``."""
    cfg = load_config_lenient(root)
    paths = {
        "prismaSchema": "prisma/schema.prisma",
        "dbMirror": "db/schema/tables.json",
        "contextContract": DB_CONTRACT_REL,
        "convexSchema": cfg.schema_rel,
        "convexFunctions": FUNCTIONS_CONTRACT_REL,
    }
    exists = {k: (root / v).exists() for k, v in paths.items()}
    warnings = list(cfg.warnings)
    if cfg.mode == "convex" and not exists["convexSchema"]:
        warnings.append(f"Convex schema {cfg.schema_rel} is missing")
    if cfg.mode in ("convex", "none") and not exists["contextContract"]:
        warnings.append(f"{DB_CONTRACT_REL} is missing: run `ctl-db-ssot sync-to-context`")
    return {
        "mode": cfg.mode,
        "source": cfg.mode_source,
        "configPath": CONFIG_REL,
        "paths": paths,
        "exists": exists,
        "errors": list(cfg.errors),
        "warnings": warnings,
    }
