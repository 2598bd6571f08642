"""The ``ctl-db-ssot status`` report: mode, where it came from, key paths and whether they exist."""

from __future__ import annotations

from pathlib import Path

from .config import CONFIG_REL, DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, load_config_lenient

__all__ = ["status_data"]


def status_data(root: Path) -> dict:
    """The status report as a dict: ``mode``, ``source`` (config | infer (no config) |
    infer (invalid config)), ``configPath``, ``paths`` and ``exists`` (keys prismaSchema,
    dbMirror, contextContract, convexSchema, convexFunctions), ``ssotSource`` (the source
    the mode reads: ``{kind: "convex schema" | "prisma schema" | "db mirror" | "none",
    path, exists, files}``, :func:`convex_ssot.modes.ssot_source`), ``errors``,
    ``warnings``. Never raises for a bad configuration: it is reported in ``errors``."""
    from .modes import ssot_source

    cfg = load_config_lenient(root)
    source = ssot_source(cfg)
    paths = {
        "prismaSchema": "prisma/schema.prisma",
        "dbMirror": "db/schema/tables.json",
        "contextContract": DB_CONTRACT_REL,
        "convexSchema": cfg.schema_rel,
        "convexFunctions": FUNCTIONS_CONTRACT_REL,
    }
    exists = {k: (root / v).exists() for k, v in paths.items()}
    if cfg.mode == "repo-prisma":
        paths["prismaSchema"], exists["prismaSchema"] = source["path"], source["exists"]
    warnings = list(cfg.warnings) + source.pop("warnings")
    if cfg.mode in ("repo-prisma", "database") and not source["exists"]:
        warnings.append(f"{source['kind'].capitalize()} {source['path']} is missing")
    if cfg.mode == "convex" and not exists["convexSchema"]:
        warnings.append(f"Convex schema {cfg.schema_rel} is missing")
    if not exists["contextContract"]:
        warnings.append(f"{DB_CONTRACT_REL} is missing: run `ctl-db-ssot sync-to-context`")
    return {
        "mode": cfg.mode,
        "source": cfg.mode_source,
        "configPath": CONFIG_REL,
        "paths": paths,
        "exists": exists,
        "ssotSource": source,
        "errors": list(cfg.errors),
        "warnings": warnings,
    }
