"""The library's main flow: config → read sources → IR → contracts → validate → write.

Functions here return result objects and raise :class:`~convex_ssot.errors.SsotError`
subclasses; they never print or exit (the CLI does that).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from .config import DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, Config, check_inside
from .emit.jsonout import dumps, loads
from .errors import ConfigError, ContractError

if TYPE_CHECKING:  # the IR and the emitters are imported only when sources are read
    from . import ir

EPOCH = "1970-01-01T00:00:00.000Z"

__all__ = ["Derived", "SyncResult", "derive", "sync", "check_layout", "now_iso", "read_json_file"]


def now_iso() -> str:
    """Current UTC time as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (JavaScript's ``toISOString``)."""
    t = _dt.datetime.now(_dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@dataclass(slots=True)
class Derived:
    """Both contracts derived in memory (``updatedAt`` = the epoch placeholder)."""

    db: dict
    functions: dict | None
    project: "ir.Project | None"


@dataclass(slots=True)
class SyncResult:
    """What a sync did: ``written``/``unchanged`` repo-relative paths, warnings to print."""

    mode: str
    derived: Derived
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[dict]:
        out = list(self.derived.db.get("diagnostics", []))
        if self.derived.functions is not None:
            out += self.derived.functions.get("diagnostics", [])
        return out


def check_layout(cfg: Config) -> None:
    """Raise ConfigError ("outside repo root") when the schema or its directory escape the repository."""
    check_inside(cfg.repo_root, cfg.schema_rel, "Convex schema path")
    check_inside(cfg.repo_root, cfg.convex_dir_rel or ".", "Convex directory")
    for rel in (DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL):
        check_inside(cfg.repo_root, rel, "contract path")


def derive(cfg: Config, use_cache: bool = True) -> Derived:
    """Read the sources and build both contracts in memory. Mode must be convex or none."""
    if cfg.mode == "none":
        from .emit.db_contract import db_contract

        return Derived(db_contract(None, [], EPOCH, mode="none"), None, None)
    if cfg.mode != "convex":
        raise ConfigError(
            f"DB SSOT mode '{cfg.mode}' is not supported by convex-ssot yet (only 'convex' and 'none'); nothing was written"
        )
    check_layout(cfg)
    from .resolve.discovery import discover_modules

    cache = None
    discovered: list[str] = []
    if use_cache:
        from .cache import ModuleCache

        cache = ModuleCache.open()
    if cache is not None and (cfg.repo_root / cfg.schema_rel).is_file():
        convex_dir = (cfg.repo_root / cfg.schema_rel).parent
        discovered = [p.relative_to(cfg.repo_root).as_posix() for p in discover_modules(convex_dir)]
        hit = cache.load_project(cfg.repo_root, cfg.schema_rel, discovered)
        if hit is not None:
            return Derived(hit[0], hit[1], None)
    from .emit.db_contract import db_contract
    from .emit.functions_contract import functions_contract
    from .resolve.project import build_project

    project = build_project(cfg.repo_root, cfg.schema_rel, module_cache=cache)
    db = db_contract(project.schema, project.schema_diagnostics, EPOCH)
    fc = functions_contract(project.convex_dir, project.functions, project.function_diagnostics, EPOCH)
    if cache is not None and discovered:
        cache.store_project(cfg.repo_root, cfg.schema_rel, discovered, db, fc)
    return Derived(db, fc, project)


def read_json_file(path: Path):
    """Parsed JSON of ``path``, or None when missing or not valid JSON."""
    try:
        return loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _with_updated_at(doc: dict, existing, now: str) -> dict:
    """Keep the existing ``updatedAt`` when nothing else changed; else ``now``."""
    if isinstance(existing, dict) and isinstance(existing.get("updatedAt"), str):
        if {**existing, "updatedAt": EPOCH} == doc:
            return {**doc, "updatedAt": existing["updatedAt"]}
    return {**doc, "updatedAt": now}


class _RepoLock:
    """An exclusive advisory lock per repository (``fcntl.flock`` on a file in the system
    temp directory, named after the repository path), so concurrent syncs of one
    repository run one after the other and the second finds nothing to change. Where
    ``fcntl`` does not exist the lock is a no-op; atomic renames still keep files whole."""

    def __init__(self, repo_root: Path) -> None:
        import hashlib
        import tempfile

        import os

        key = hashlib.sha256(os.path.realpath(repo_root).encode()).hexdigest()[:16]  # one lock per real directory
        self.path = Path(tempfile.gettempdir()) / f"convex-ssot-{key}.lock"
        self.fh = None

    def __enter__(self) -> "_RepoLock":
        try:
            import fcntl
        except ImportError:
            return self
        try:
            self.fh = open(self.path, "a+b")
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX)
        except OSError:
            self.fh = None
        return self

    def __exit__(self, *exc) -> None:
        if self.fh is not None:
            import fcntl

            fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
            self.fh.close()


def sync(cfg: Config, use_cache: bool = True, now: str | None = None) -> SyncResult:
    """Refresh the contracts on disk (both or neither; see docs/reliability.md).

    Concurrent syncs of one repository are serialised (:class:`_RepoLock`). Raises
    ConfigError (unsupported mode, layout outside the repository) and ContractError (a
    contract fails its JSON Schema: nothing is written).
    """
    with _RepoLock(cfg.repo_root):
        return _sync_locked(cfg, use_cache, now)


def _sync_locked(cfg: Config, use_cache: bool, now: str | None) -> SyncResult:
    from . import fsutil
    from .validate import validate

    derived = derive(cfg, use_cache)
    now = now or now_iso()
    outputs: list[tuple[str, str, dict]] = [("db", DB_CONTRACT_REL, derived.db)]
    if derived.functions is not None:
        outputs.append(("functions", FUNCTIONS_CONTRACT_REL, derived.functions))
    result = SyncResult(cfg.mode, derived)
    staged_data: list[tuple[str, bytes]] = []
    for name, rel, doc in outputs:
        path = cfg.repo_root / rel
        final = _with_updated_at(doc, read_json_file(path), now)
        data = dumps(final)
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if same:
            result.unchanged.append(rel)
            continue
        errors = validate(name, final)
        if errors:
            raise ContractError(
                f"internal error: the generated {rel} does not match its JSON Schema ({errors[0]}); "
                "nothing was written. Please report this with the input that caused it."
            )
        staged_data.append((rel, data))
    pairs: list[tuple[Path, Path]] = []
    try:
        for rel, data in staged_data:
            target = cfg.repo_root / rel
            pairs.append((fsutil.stage(cfg.repo_root, target, data), target))
        fsutil.commit_staged(pairs)
    except BaseException:
        fsutil.discard_staged(pairs)
        raise
    result.written = [rel for rel, _ in staged_data]
    if cfg.mode == "convex" and derived.db.get("schemaOptions") is None:
        result.warnings.append(f"no defineSchema(...) found in {cfg.schema_rel}; the DB contract lists no tables")
    return result
