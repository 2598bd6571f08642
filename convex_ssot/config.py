"""``docs/project/db-ssot.json``: the DB SSOT mode and where things are.

Mode resolution (first that applies): ``db.ssot``, top-level ``ssot``, top-level ``mode``
of the configuration; else inferred from files, in the precedence of the tool we replace:
``convex/schema.ts`` → convex, ``prisma/schema.prisma`` → repo-prisma (also a
``prisma/schema/`` folder of ``.prisma`` files, our addition), ``db/schema/tables.json``
→ database, else none. In convex mode the Convex schema path is ``db.source.path`` (or
``paths.convexSchema``), default ``convex/schema.ts``; the Convex (functions) directory is
its parent. In repo-prisma mode ``db.source.path`` is the Prisma schema (``source_path``;
see :mod:`convex_ssot.prisma.sources`). Contract paths are fixed in v1.

Errors here are :class:`ConfigError` (exit 1 in the CLI). Nothing in this module writes.
"""

from __future__ import annotations

import os
from dataclasses import field
from .dataclass_cache import dataclass
from pathlib import Path

from .errors import ConfigError

__all__ = [
    "Config",
    "load_config",
    "CONFIG_REL",
    "DB_CONTRACT_REL",
    "FUNCTIONS_CONTRACT_REL",
    "REGISTRY_REL",
    "MODES",
    "inside",
    "check_inside",
]

CONFIG_REL = "docs/project/db-ssot.json"
DB_CONTRACT_REL = "docs/context/db/schema.json"
FUNCTIONS_CONTRACT_REL = "docs/context/convex/functions.json"
REGISTRY_REL = "docs/context/registry.json"
DEFAULT_SCHEMA_REL = "convex/schema.ts"
MODES = ("none", "repo-prisma", "database", "convex")


@dataclass(slots=True)
class Config:
    """The resolved configuration of one repository.

    ``mode_source`` is ``config``, ``infer (no config)`` or ``infer (invalid config)``.
    Paths are repo-relative POSIX strings; ``repo_root`` is absolute.
    """

    repo_root: Path
    mode: str
    mode_source: str
    config_path: str
    config_exists: bool
    schema_rel: str
    raw: dict | None = None
    source_path: str | None = None  # db.source.path in repo-prisma mode (the Prisma schema)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def convex_dir_rel(self) -> str:
        parent = Path(self.schema_rel).parent.as_posix()
        return "" if parent == "." else parent

    def path(self, rel: str) -> Path:
        return self.repo_root / rel

    def contract_overrides(self) -> list[tuple[str, str, str]]:
        """Configured contract paths that differ from the fixed ones: (key, value, fixed)."""
        out = []
        raw = self.raw or {}
        db = raw.get("db") if isinstance(raw.get("db"), dict) else {}
        contracts = db.get("contracts") if isinstance(db.get("contracts"), dict) else {}
        paths = raw.get("paths") if isinstance(raw.get("paths"), dict) else {}
        for key, val, fixed in (
            ("db.contracts.dbSchema", contracts.get("dbSchema"), DB_CONTRACT_REL),
            ("db.contracts.convexFunctions", contracts.get("convexFunctions"), FUNCTIONS_CONTRACT_REL),
            ("paths.dbContextContract", paths.get("dbContextContract"), DB_CONTRACT_REL),
            ("paths.convexFunctionsContract", paths.get("convexFunctionsContract"), FUNCTIONS_CONTRACT_REL),
        ):
            if isinstance(val, str) and _norm(val) != fixed:
                out.append((key, val, fixed))
        return out


def _norm(p: str) -> str:
    return Path(os.path.normpath(p.replace("\\", "/"))).as_posix()


def inside(repo_root: Path, path: Path) -> bool:
    """True when ``path`` (after resolving symlinks, also of missing tails) is inside ``repo_root``."""
    root = os.path.realpath(repo_root)
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


def check_inside(repo_root: Path, rel: str, what: str) -> None:
    """Raise :class:`ConfigError` ("… outside repo root") when ``rel`` escapes the repository."""
    if os.path.isabs(rel) or not inside(repo_root, repo_root / rel):
        raise ConfigError(
            f"{what} '{rel}' is outside repo root {repo_root}; configure a path inside the repository "
            f"(in {CONFIG_REL}) or pass the right --repo-root"
        )


def _infer(repo_root: Path) -> str:
    if (repo_root / DEFAULT_SCHEMA_REL).is_file():
        return "convex"
    if (repo_root / "prisma/schema.prisma").is_file():
        return "repo-prisma"
    folder = repo_root / "prisma/schema"
    if folder.is_dir() and any(p.suffix == ".prisma" for p in folder.iterdir()):
        return "repo-prisma"
    if (repo_root / "db/schema/tables.json").is_file():
        return "database"
    return "none"


def _type_name(x) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}.get(type(x), type(x).__name__)


def load_config(repo_root: Path) -> Config:
    """Read and resolve the configuration of the repository at ``repo_root``.

    Raises :class:`ConfigError` for invalid JSON (naming file, line and column) and for
    values of the wrong type (naming the key); never falls back to inference silently.
    """
    from .emit.jsonout import loads  # orjson: fast, already a dependency

    repo_root = Path(os.path.abspath(repo_root))
    cfg_path = repo_root / CONFIG_REL
    raw: dict | None = None
    if cfg_path.is_file():
        try:
            data = cfg_path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{CONFIG_REL}: cannot read ({exc.strerror})") from None
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ConfigError(f"{CONFIG_REL}: not valid UTF-8 (byte {exc.start}, line {line}); save it as UTF-8 JSON") from None
        try:
            parsed = loads(data)
        except ValueError as exc:
            import json

            try:
                json.loads(data.decode("utf-8", errors="replace"))
                where = str(exc)
            except json.JSONDecodeError as jexc:
                where = f"line {jexc.lineno} column {jexc.colno}: {jexc.msg}"
            raise ConfigError(f"{CONFIG_REL}: invalid JSON at {where}; fix the file (it is not used until then)") from None
        if not isinstance(parsed, dict):
            raise ConfigError(f"{CONFIG_REL}: must be a JSON object, found {_type_name(parsed)}")
        raw = parsed
    cfg = Config(repo_root, "none", "infer (no config)", CONFIG_REL, raw is not None, DEFAULT_SCHEMA_REL, raw)
    mode = None
    if raw is not None:
        db = raw.get("db")
        if db is not None and not isinstance(db, dict):
            raise ConfigError(f"{CONFIG_REL}: 'db' must be an object, found {_type_name(db)}")
        db = db or {}
        for key, val in (("db.ssot", db.get("ssot")), ("ssot", raw.get("ssot")), ("mode", raw.get("mode"))):
            if val is None:
                continue
            if not isinstance(val, str):
                raise ConfigError(f"{CONFIG_REL}: '{key}' must be a string (one of {', '.join(MODES)}), found {_type_name(val)}")
            if val not in MODES:
                raise ConfigError(f"{CONFIG_REL}: '{key}' is '{val}', expected one of {', '.join(MODES)}")
            mode = val
            break
        source = db.get("source")
        if source is not None and not isinstance(source, dict):
            raise ConfigError(f"{CONFIG_REL}: 'db.source' must be an object, found {_type_name(source)}")
        paths = raw.get("paths")
        if paths is not None and not isinstance(paths, dict):
            raise ConfigError(f"{CONFIG_REL}: 'paths' must be an object, found {_type_name(paths)}")
        schema_path = (source or {}).get("path")
        key = "db.source.path"
        if schema_path is None:
            schema_path = (paths or {}).get("convexSchema")
            key = "paths.convexSchema"
        if schema_path is not None and mode in ("repo-prisma", "database"):
            if mode == "repo-prisma" and key == "db.source.path" and isinstance(schema_path, str) and schema_path.strip():
                if os.path.isabs(schema_path):
                    raise ConfigError(f"{CONFIG_REL}: '{key}' ('{schema_path}') is outside repo root {repo_root}: use a repo-relative path")
                cfg.source_path = _norm(schema_path)
            schema_path = None  # not a Convex schema: never shown or read as one
        if schema_path is not None:
            if not isinstance(schema_path, str) or not schema_path.strip():
                raise ConfigError(f"{CONFIG_REL}: '{key}' must be a non-empty string, found {_type_name(schema_path)}")
            if os.path.isabs(schema_path):
                raise ConfigError(f"{CONFIG_REL}: '{key}' ('{schema_path}') is outside repo root {repo_root}: use a repo-relative path")
            cfg.schema_rel = _norm(schema_path)
            try:
                check_inside(repo_root, cfg.schema_rel, f"Convex schema path ({key} in {CONFIG_REL})")
            except ConfigError as exc:
                cfg.mode, cfg.mode_source = (mode or "convex"), ("config" if mode else "infer (no config)")
                exc.config = cfg  # type: ignore[attr-defined]  # read-only views still show the layout
                raise
    if mode is not None:
        cfg.mode, cfg.mode_source = mode, "config"
    else:
        cfg.mode = _infer(repo_root) if cfg.schema_rel == DEFAULT_SCHEMA_REL else ("convex" if (repo_root / cfg.schema_rel).is_file() else _infer(repo_root))
        cfg.mode_source = "infer (no config)"
    return cfg


def load_config_lenient(repo_root: Path) -> Config:
    """Like :func:`load_config`, but an invalid configuration is reported in ``errors`` and
    the mode is inferred from files (``mode_source`` = ``infer (invalid config)``).
    For read-only views (``status``)."""
    try:
        return load_config(repo_root)
    except ConfigError as exc:
        partial = getattr(exc, "config", None)
        if partial is not None:  # valid file, but the layout leaves the repository
            partial.errors.append(str(exc))
            return partial
        root = Path(os.path.abspath(repo_root))
        cfg = Config(root, _infer(root), "infer (invalid config)", CONFIG_REL, True, DEFAULT_SCHEMA_REL, None)
        cfg.errors.append(str(exc))
        return cfg
