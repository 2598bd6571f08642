"""The library's main flow: config → read sources → IR → contracts → validate → write.

Functions here return result objects and raise :class:`~convex_ssot.errors.SsotError`
subclasses; they never print or exit (the CLI does that).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import field
from .dataclass_cache import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

import sys

from .config import DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, Config, check_inside
from .emit.jsonout import Fragment, dumps, dumps_nested, has_fragments, loads
from .errors import ContractError
from . import stored_contracts as last
from .stored_contracts import TOP_UPDATED_AT, EPOCH, fingerprint

if TYPE_CHECKING:  # the IR and the emitters are imported only when sources are read
    from . import ir


__all__ = ["Derived", "SyncResult", "derive", "sync", "check_layout", "now_iso", "read_json_file", "fingerprint", "summarize"]


def now_iso() -> str:
    """Current UTC time as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (JavaScript's ``toISOString``)."""
    t = _dt.datetime.now(_dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


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

    __slots__ = ("_db", "_functions", "project", "summary", "fingerprints", "_load", "warnings", "serialized", "previous",
                 "reused", "entry_counts", "remember", "store", "_plain", "seen")

    def __init__(self, db: dict | None, functions: dict | None, project: "ir.Project | None", *,
                 summary: dict | None = None, fingerprints: dict | None = None, load=None, warnings: list[str] | None = None) -> None:
        self._db, self._functions, self.project, self._load = db, functions, project, load
        self.warnings = list(warnings or [])
        #: the contracts' :func:`~convex_ssot.emit.jsonout.dumps` bytes, by name, when they were
        #: serialised to compute the fingerprints (reused for the project cache entry and
        #: written by :func:`sync`, which drops them once they are staged)
        self.serialized: dict[str, bytes] = {}
        #: fingerprints of the contracts the previous run derived (from the project cache)
        self.previous: dict[str, str] = {}
        #: ``(calls, calledBy)`` of the function entries taken from a validated contract
        #: (``functions_contract(bodies=…)``): what validation must still check of them
        self.reused: list = []
        #: how many function entries each item of the built ``functions`` stands for (a
        #: Fragment may hold a run of stored entries: ``functions_contract(counts=…)``);
        #: empty when one each
        self.entry_counts: list[int] = []
        #: stores where each function entry lies in the project cache's contracts file,
        #: once the function contract has passed validation (:func:`_remember_entries`)
        self.remember = None
        #: stores the project cache entry (:meth:`~convex_ssot.cache.ModuleCache.store_project`)
        #: when :meth:`settle` is called (sync: once the contracts are staged)
        self.store = None
        self._plain: dict[str, dict] = {}
        #: ``{name: (bytes, fingerprint)}`` of the contract files this run read and
        #: fingerprinted already (:func:`_contract_finder`)
        self.seen: dict[str, tuple[bytes, str]] = {}
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

    def settle(self) -> None:
        """Store the project cache entry, if not done yet (:attr:`store`)."""
        store, self.store = self.store, None
        if store is not None:
            store()

    def _ensure(self) -> None:
        if self._db is None and self._load is not None:
            self._db, self._functions = self._load()
            self._load = None

    @property
    def db(self) -> dict:
        self._ensure()
        if self._db is not None and has_fragments(self._db.get("tables", ())):
            return self._parsed("db", self._db)
        return self._db

    def _parsed(self, name: str, doc: dict) -> dict:
        """``doc`` with its :data:`~convex_ssot.emit.jsonout.Fragment` entries parsed (once)."""
        if name not in self._plain:
            data = self.serialized.get(name)
            self._plain[name] = loads(data if data is not None else dumps(doc))
        return self._plain[name]

    @property
    def functions(self) -> dict | None:
        if self.summary.get("functions", 0) is None:
            return None
        self._ensure()
        if self._functions is not None and has_fragments(self._functions.get("functions", ())):
            return self._parsed("functions", self._functions)
        return self._functions

    def doc(self, name: str) -> dict | None:
        """The contract ``"db"`` or ``"functions"`` (plain JSON values)."""
        return self.db if name == "db" else self.functions

    def built(self, name: str) -> dict | None:
        """The contract as built: entries of ``tables`` and ``functions`` may be
        :data:`~convex_ssot.emit.jsonout.Fragment` bytes (taken from the last validated
        contracts)."""
        self._ensure()
        return self._db if name == "db" else self._functions


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


def derive(cfg: Config, use_cache: bool = True, *, stamp: bool = True) -> Derived:
    """Read the sources and build the contracts in memory: both in convex mode, the DB
    contract alone in the other modes (:func:`convex_ssot.modes.derive_db`). With
    ``stamp`` False, the caller calls ``derived.remember`` (when not None) itself, with
    the names of the contracts it validated (:func:`sync` does)."""
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
                stored = last.stored_contracts(last.contract_finder(cfg, cache, {}), hit.fingerprints)
                if stored is not None:
                    return stored
                fresh = _build(cfg, cache, discovered, True)  # no intact copy of a contract: rebuild
                return fresh.db, fresh.functions

            return Derived(None, None, None, summary=hit.summary, fingerprints=hit.fingerprints, load=load)
    early = None
    if cache is not None and discovered and cache.previous_files is None:  # a cold run: parse beside the build (source_files.py)
        from .resolve.source_files import EarlyParse

        early = EarlyParse.start(cfg.repo_root, cache, discovered, cfg.schema_rel)
    return _build(cfg, cache, discovered, stamp, early)


def _build(cfg: Config, cache, discovered: list[str], stamp: bool, early=None) -> Derived:
    """Read the sources (through the per-file cache, if any) and build both contracts."""
    from . import cache as cache_mod
    from .allocator import keep_large_blocks_returnable, return_free_memory
    from .emit.db_contract import db_contract
    from .emit.functions_contract import functions_contract
    from .resolve.project import build_project

    if cache is None or cache.previous_files is None:
        # a run reading the whole project (cold, or --no-cache): its peak memory is a
        # target. A run after an edit reads little and skips the tuning and the trims
        # (return_free_memory does nothing untuned): about 10 ms (docs/performance.md).
        keep_large_blocks_returnable()
    seen: dict = {}
    stored_entries = cache.prefetch_entries(cfg.repo_root, cfg.schema_rel, last.contract_finder(cfg, cache, seen)) if cache is not None else None
    cache_mod.begin_inputs()
    try:
        # the modules derive() found are not looked for again (None: it did not look)
        project = build_project(cfg.repo_root, cfg.schema_rel, module_cache=cache, early=early, discovered=discovered or None)
    finally:
        inputs = cache_mod.end_inputs()
    if "convex_ssot.parse.parser" in sys.modules:  # the parser is not needed again in this run
        sys.modules["convex_ssot.parse.parser"].get_parser.cache_clear()
    return_free_memory()  # the build's modules are freed: their pages go back (allocator.py)
    stored = last.stored_index(cache, project, stored_entries)
    schema, tables = last.stored_tables(stored, project.schema)
    db = db_contract(schema, project.schema_diagnostics, EPOCH, tables=tables)
    table_sizes = None if tables is None else list(map(len, tables))
    bodies, functions = last.stored_entries(stored, project.functions)
    settled = last.settled(functions, bodies, cache)
    reused: list = []
    counts: list = []
    fc = functions_contract(project.convex_dir, functions, project.function_diagnostics, EPOCH,
                            http_routes=project.http_routes, crons=project.crons, components=project.components,
                            bodies=bodies, reused=reused, settled=settled, counts=counts)
    reused_ids = set(bodies)
    stored = tables = bodies = None  # the contracts file read back is not held while these are serialised
    summary = summarize(db, fc)
    summary["functions"] = len(functions)  # an item of fc["functions"] may hold a run of entries
    derived = Derived(db, fc, project, summary=summary)
    derived.reused, derived.seen = reused, seen
    derived.entry_counts = counts if len(counts) != len(functions) else []
    if cache is not None:
        derived.previous = cache.previous_fingerprints
    if cache is not None and discovered:
        # a sync writes the contracts to the repository: they are the copy the next run reads
        copies = dict(derived.serialized) if stamp else None
        derived.store = lambda: cache.store_project(cfg.repo_root, cfg.schema_rel, discovered, derived.summary,
                                                    derived.fingerprints, inputs, copies)
        derived.remember = last.remember_entries(cfg, cache, derived, functions, reused_ids, table_sizes)
        if stamp:
            derived.settle()
            if derived.remember is not None and (reused_ids or table_sizes is not None):
                derived.remember(())  # the entries reused now stay reusable, whatever comes next
    # The serialised contracts are kept for sync, which writes them and drops them once they
    # are staged, before validation (docs/performance.md: not held while the validator loads).
    return derived


def read_json_file(path: Path):
    """Parsed JSON of ``path``, or None when missing or not valid JSON."""
    try:
        return loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _updated_at(doc: dict, existing, now: str) -> str:
    """The existing ``updatedAt`` when nothing else changed; else ``now``."""
    if isinstance(existing, dict) and isinstance(existing.get("updatedAt"), str):
        if {**existing, "updatedAt": EPOCH} == doc:
            return existing["updatedAt"]
    return now


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

    derived = derive(cfg, use_cache, stamp=False)
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
            seen = derived.seen.get(name)  # read and fingerprinted during the build: not hashed again
            if on_disk is not None and seen is not None and len(seen[0]) == len(on_disk) and seen[0] == on_disk:
                on_disk_fp = seen[1]
            else:
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
            updated_at = _updated_at(derived.doc(name), existing, now) if existing is not None else now
            existing = None  # the parsed copy is not held while the new one is written
            data = _with_updated_at_bytes(derived.serialized.get(name), updated_at)
            if data is None:  # not serialised in this run (the project cache answered)
                data = [dumps({**derived.doc(name), "updatedAt": updated_at})]
            if on_disk is not None and sum(map(len, data)) == len(on_disk) and b"".join(data) == on_disk:
                result.unchanged.append(rel)
                continue
            # Every contract is staged (written beside its target, not yet renamed) before
            # any is validated, so no serialised bytes are held while the validator is
            # loaded (peak memory); an invalid contract discards every staged file below.
            # The staged files reach the disk (fsync) while the contracts are validated.
            target = cfg.repo_root / rel
            pairs.append((fsutil.stage(cfg.repo_root, target, data, fsync=False), target))
            del data, on_disk
            checks.append((name, rel, {**derived.built(name), "updatedAt": updated_at}))
        wait = fsutil.fsync_in_background([tmp for tmp, _ in pairs]) if pairs else None
        try:
            derived.settle()  # the project cache entry is written while the staged files reach the disk
            derived.serialized.clear()  # not held while the validator is loaded (peak memory)
            if checks:
                return_free_memory()  # before the validator is loaded (allocator.py)
            for name, rel, final in checks:
                errors = _validation_errors(name, final, derived)
                if errors:
                    raise ContractError(
                        f"internal error: the generated {rel} does not match its JSON Schema ({errors[0]}); "
                        "nothing was written. Please report this with the input that caused it."
                    )
        finally:
            if wait is not None:
                wait()
        fsutil.commit_staged(pairs)
    except BaseException:
        fsutil.discard_staged(pairs)
        raise
    result.written = [rel for _, rel, _ in checks]
    if derived.remember is not None:
        validated = {name for name, _, _ in checks}
        # An unchanged contract is validated too, so that its entries become reusable as
        # well, when the validator is loaded anyway (typically the DB contract of an edit
        # run) or when this run took no entry from the index (a cold run on contracts
        # already up to date: else the next edit run would emit every entry afresh).
        took = derived.reused or has_fragments(derived.built("db").get("tables", ()))
        for name, rel in outputs if checks or not took else ():
            # one whose every entry came from the index has nothing to add to it (they stay
            # reusable: remember keeps them), so its schema is not even compiled
            if name not in validated and not _all_from_index(name, derived) and not _validation_errors(name, derived.built(name), derived):
                validated.add(name)
        derived.remember(validated)  # these passed validation: their entries may be reused
    if cfg.mode == "convex" and not derived.summary.get("schemaFound"):
        result.warnings.append(f"no defineSchema(...) found in {cfg.schema_rel}; the DB contract lists no tables")
    return result


def _all_from_index(name: str, derived: Derived) -> bool:
    """Whether every table (``"db"``) or function entry (``"functions"``) of the contract as
    built was taken from the last validated contract (:data:`~convex_ssot.emit.jsonout.Fragment`
    bytes), and there is at least one."""
    items = derived.built(name).get("tables" if name == "db" else "functions", ())
    return bool(items) and all(type(x) is Fragment for x in items)


def _validation_errors(name: str, doc: dict, derived: Derived) -> list[str]:
    """:func:`~convex_ssot.validate.validate` of a contract as built: entries taken from the
    last validated contract (:data:`~convex_ssot.emit.jsonout.Fragment` bytes, which passed
    the same schema then) are left out, and the ``calls``/``calledBy`` of reused function
    entries are checked (:func:`~convex_ssot.validate.validate_links`)."""
    from .validate import validate, validate_links

    if name == "functions" and derived.reused:
        fresh = [e for e in doc["functions"] if type(e) is not Fragment]
        return validate(name, {**doc, "functions": fresh}) or validate_links(derived.reused)
    if name == "db" and has_fragments(doc.get("tables", ())):
        return validate(name, {**doc, "tables": [t for t in doc["tables"] if type(t) is not Fragment]})
    return validate(name, doc)


def _with_updated_at_bytes(data: bytes | None, updated_at: str) -> list | None:
    """``data`` (a contract serialised by :func:`dumps` with :data:`EPOCH`) with its
    top-level ``updatedAt`` set to ``updated_at``, as pieces that are written one after the
    other (no copy of the contract); None when ``data`` is None or has no such line."""
    m = TOP_UPDATED_AT.search(data) if data is not None else None
    if m is None:
        return None
    view = memoryview(data)
    return [view[: m.start()], b'  "updatedAt": ' + dumps_nested(updated_at, 0), view[m.end() :]]
