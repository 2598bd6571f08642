"""The library's main flow: config → read sources → IR → contracts → validate → write.

Functions here return result objects and raise :class:`~convex_ssot.errors.SsotError`
subclasses; they never print or exit (the CLI does that).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

import re
import sys

from .config import DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, Config, check_inside
from .emit.jsonout import dumps, loads
from .errors import ContractError

if TYPE_CHECKING:  # the IR and the emitters are imported only when sources are read
    from . import ir

EPOCH = "1970-01-01T00:00:00.000Z"

__all__ = ["Derived", "SyncResult", "derive", "sync", "check_layout", "now_iso", "read_json_file", "fingerprint", "summarize"]


def now_iso() -> str:
    """Current UTC time as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (JavaScript's ``toISOString``)."""
    t = _dt.datetime.now(_dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


_TOP_UPDATED_AT = re.compile(rb'^  "updatedAt": "[^"\\\n]*"', re.M)


def fingerprint(data: bytes) -> str:
    """SHA-256 (hex) of a contract's bytes with its top-level ``updatedAt`` value replaced
    by :data:`EPOCH`. Two contracts written by :func:`sync` have the same fingerprint
    exactly when they differ in nothing but ``updatedAt`` (the top-level keys are the only
    lines indented by two spaces in :func:`convex_ssot.emit.jsonout.dumps` output). Bytes
    written otherwise simply get another fingerprint, so a comparison can say "equal"
    wrongly never, "different" only for reformatted files."""
    import hashlib

    h = hashlib.sha256()
    m = _TOP_UPDATED_AT.search(data)
    view = memoryview(data)
    if m is None:
        h.update(view)
    else:  # the same digest as of the bytes with the value replaced, without copying them
        h.update(view[: m.start()])
        h.update(b'  "updatedAt": "' + EPOCH.encode() + b'"')
        h.update(view[m.end() :])
    return h.hexdigest()


def summarize(db: dict, functions: dict | None) -> dict:
    """What the CLI reports of a derivation: ``tables`` and ``functions`` counts
    (``functions`` None without a function contract), ``diagnostics`` (both contracts')
    and ``schemaFound`` (a ``defineSchema(...)`` was read)."""
    return {
        "tables": len(db.get("tables", [])),
        "functions": None if functions is None else len(functions.get("functions", [])),
        "diagnostics": list(db.get("diagnostics", [])) + list((functions or {}).get("diagnostics", [])),
        "schemaFound": db.get("schemaOptions") is not None,
    }


class Derived:
    """Both contracts derived from the sources (``updatedAt`` = the :data:`EPOCH` placeholder).

    ``summary`` is :func:`summarize` of them, ``fingerprints`` maps ``"db"`` /
    ``"functions"`` to their :func:`fingerprint`. When the whole-project cache answered,
    the contracts themselves (``db``, ``functions``) are read from the cache only if
    someone asks for them, and rebuilt from the sources if that copy is unusable.
    """

    __slots__ = ("_db", "_functions", "project", "summary", "fingerprints", "_load", "warnings", "serialized", "previous")

    def __init__(self, db: dict | None, functions: dict | None, project: "ir.Project | None", *,
                 summary: dict | None = None, fingerprints: dict | None = None, load=None, warnings: list[str] | None = None) -> None:
        self._db, self._functions, self.project, self._load = db, functions, project, load
        self.warnings = list(warnings or [])
        #: the contracts' :func:`~convex_ssot.emit.jsonout.dumps` bytes, by name, when they were
        #: serialised to compute the fingerprints (reused for the project cache entry, then
        #: dropped)
        self.serialized: dict[str, bytes] = {}
        #: fingerprints of the contracts the previous run derived (from the project cache)
        self.previous: dict[str, str] = {}
        if db is not None:
            summary = summary or summarize(db, functions)
            if fingerprints is None:
                self.serialized["db"] = dumps(db)
                fingerprints = {"db": fingerprint(self.serialized["db"])}
                if functions is not None:
                    self.serialized["functions"] = dumps(functions)
                    fingerprints["functions"] = fingerprint(self.serialized["functions"])
        self.summary = summary or {}
        self.fingerprints = fingerprints or {}

    def _ensure(self) -> None:
        if self._db is None and self._load is not None:
            self._db, self._functions = self._load()
            self._load = None

    @property
    def db(self) -> dict:
        self._ensure()
        return self._db

    @property
    def functions(self) -> dict | None:
        if self.summary.get("functions", 0) is None:
            return None
        self._ensure()
        return self._functions

    def doc(self, name: str) -> dict | None:
        """The contract ``"db"`` or ``"functions"``."""
        return self.db if name == "db" else self.functions


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
        return list(self.derived.summary["diagnostics"])


def check_layout(cfg: Config) -> None:
    """Raise ConfigError ("outside repo root") when the schema or its directory escape the repository."""
    check_inside(cfg.repo_root, cfg.schema_rel, "Convex schema path")
    check_inside(cfg.repo_root, cfg.convex_dir_rel or ".", "Convex directory")
    for rel in (DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL):
        check_inside(cfg.repo_root, rel, "contract path")


def derive(cfg: Config, use_cache: bool = True) -> Derived:
    """Read the sources and build the contracts in memory: both in convex mode, the DB
    contract alone in the other modes (:func:`convex_ssot.modes.derive_db`)."""
    if cfg.mode != "convex":
        from .modes import derive_db

        db, warnings = derive_db(cfg, EPOCH, use_cache)
        return Derived(db, None, None, warnings=warnings)
    check_layout(cfg)
    from .resolve.discovery import discover_module_rels

    cache = None
    discovered: list[str] = []
    if use_cache:
        from .cache import ModuleCache

        cache = ModuleCache.open()
    if cache is not None and (cfg.repo_root / cfg.schema_rel).is_file():
        convex_dir = (cfg.repo_root / cfg.schema_rel).parent
        discovered = discover_module_rels(convex_dir, cfg.repo_root)
        hit = cache.load_project(cfg.repo_root, cfg.schema_rel, discovered)
        if hit is not None:

            def load() -> tuple[dict, dict | None]:
                stored = hit.contracts()
                if stored is not None:
                    return stored
                fresh = _build(cfg, cache, discovered)  # the stored copy is unusable: rebuild
                return fresh.db, fresh.functions

            return Derived(None, None, None, summary=hit.summary, fingerprints=hit.fingerprints, load=load)
    early = None
    if cache is not None and discovered:  # parse what changed while the rest is imported (source_files.py)
        from .resolve.source_files import EARLY_MAX_BYTES, EarlyParse

        early = EarlyParse.start(cfg.repo_root, cache, discovered, cache.previous_files, EARLY_MAX_BYTES)
    return _build(cfg, cache, discovered, early)


def _build(cfg: Config, cache, discovered: list[str], early=None) -> Derived:
    """Read the sources (through the per-file cache, if any) and build both contracts."""
    from . import cache as cache_mod
    from .allocator import keep_large_blocks_returnable, return_free_memory
    from .emit.db_contract import db_contract
    from .emit.functions_contract import functions_contract
    from .resolve.project import build_project

    keep_large_blocks_returnable()  # peak memory of the reading run (allocator.py)
    cache_mod.begin_inputs()
    try:
        project = build_project(cfg.repo_root, cfg.schema_rel, module_cache=cache, early=early)
    finally:
        inputs = cache_mod.end_inputs()
    if "convex_ssot.parse.parser" in sys.modules:  # the parser is not needed again in this run
        sys.modules["convex_ssot.parse.parser"].get_parser.cache_clear()
    return_free_memory()  # the build's modules are freed: their pages go back (allocator.py)
    db = db_contract(project.schema, project.schema_diagnostics, EPOCH)
    fc = functions_contract(project.convex_dir, project.functions, project.function_diagnostics, EPOCH,
                            http_routes=project.http_routes, crons=project.crons, components=project.components)
    derived = Derived(db, fc, project)
    if cache is not None:
        derived.previous = cache.previous_fingerprints
    if cache is not None and discovered:
        cache.store_project(cfg.repo_root, cfg.schema_rel, discovered, derived.serialized, derived.summary, derived.fingerprints, inputs)
    # Kept no longer: holding 10 MB of a large project's contracts while they are validated
    # and written raised the peak more than serialising them again costs (docs/performance.md).
    derived.serialized.clear()
    return derived


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
    """An exclusive advisory lock per repository (``fcntl.flock`` on a file in the cache
    directory, :func:`convex_ssot.cache.lock_file`, named after the repository's real
    path), so concurrent syncs of one repository run one after the other and the second
    finds nothing to change. Where ``fcntl`` does not exist the lock is a no-op; atomic
    renames still keep files whole."""

    def __init__(self, repo_root: Path) -> None:
        import hashlib
        import os

        from .cache import lock_file

        key = hashlib.sha256(os.path.realpath(repo_root).encode()).hexdigest()[:16]  # one lock per real directory
        self.path = lock_file(key)
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
    from .allocator import return_free_memory
    from .validate import validate

    derived = derive(cfg, use_cache)
    now = now or now_iso()
    outputs: list[tuple[str, str]] = [("db", DB_CONTRACT_REL)]
    if derived.summary.get("functions") is not None:
        outputs.append(("functions", FUNCTIONS_CONTRACT_REL))
    result = SyncResult(cfg.mode, derived, warnings=list(derived.warnings))
    checks: list[tuple[str, str, dict]] = []
    pairs: list[tuple[Path, Path]] = []
    try:
        for name, rel in outputs:
            path = cfg.repo_root / rel
            try:
                on_disk = path.read_bytes()
            except OSError:
                on_disk = None
            on_disk_fp = fingerprint(on_disk) if on_disk is not None else None
            if on_disk_fp is not None and on_disk_fp == derived.fingerprints.get(name):
                result.unchanged.append(rel)  # the same contract, its updatedAt kept
                continue
            existing = None
            # The file is the previous run's contract, serialised by us: other content, so a
            # new updatedAt without parsing it. Else (edited or formatted by hand, or unknown)
            # its updatedAt is kept when nothing but formatting differs.
            if on_disk is not None and on_disk_fp != derived.previous.get(name):
                try:
                    existing = loads(on_disk)
                except ValueError:
                    pass
            final = _with_updated_at(derived.doc(name), existing, now)
            existing = None  # the parsed copy is not held while the new one is serialised
            data = dumps(final)
            if data == on_disk:
                result.unchanged.append(rel)
                continue
            # Every contract is staged (written beside its target, not yet renamed) before
            # any is validated, so no serialised bytes are held while the validator is
            # loaded (peak memory); an invalid contract discards every staged file below.
            target = cfg.repo_root / rel
            pairs.append((fsutil.stage(cfg.repo_root, target, data), target))
            del data, on_disk
            checks.append((name, rel, final))
        if checks:
            return_free_memory()  # before the validator is loaded (allocator.py)
        for name, rel, final in checks:
            errors = validate(name, final)
            if errors:
                raise ContractError(
                    f"internal error: the generated {rel} does not match its JSON Schema ({errors[0]}); "
                    "nothing was written. Please report this with the input that caused it."
                )
        fsutil.commit_staged(pairs)
    except BaseException:
        fsutil.discard_staged(pairs)
        raise
    result.written = [rel for _, rel, _ in checks]
    if cfg.mode == "convex" and not derived.summary.get("schemaFound"):
        result.warnings.append(f"no defineSchema(...) found in {cfg.schema_rel}; the DB contract lists no tables")
    return result
