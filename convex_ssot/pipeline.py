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

import re
import sys

from .config import DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, Config, check_inside
from .emit.jsonout import Fragment, dumps, dumps_nested, has_fragments, loads
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

    __slots__ = ("_db", "_functions", "project", "summary", "fingerprints", "_load", "warnings", "serialized", "previous",
                 "reused", "remember", "store", "_plain")

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
        #: stores where each function entry lies in the project cache's contracts file,
        #: once the function contract has passed validation (:func:`_remember_entries`)
        self.remember = None
        #: stores the project cache entry (:meth:`~convex_ssot.cache.ModuleCache.store_project`)
        #: when :meth:`settle` is called (sync: once the contracts are staged)
        self.store = None
        self._plain: dict[str, dict] = {}
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
                stored = hit.contracts()
                if stored is not None:
                    return stored
                fresh = _build(cfg, cache, discovered, True)  # the stored copy is unusable: rebuild
                return fresh.db, fresh.functions

            return Derived(None, None, None, summary=hit.summary, fingerprints=hit.fingerprints, load=load)
    early = None
    if cache is not None and discovered:  # parse what changed while the rest is imported (source_files.py)
        from .resolve.source_files import EARLY_MAX_BYTES, EarlyParse

        early = EarlyParse.start(cfg.repo_root, cache, discovered, cache.previous_files, EARLY_MAX_BYTES, cfg.schema_rel)
    return _build(cfg, cache, discovered, stamp, early)


def _build(cfg: Config, cache, discovered: list[str], stamp: bool, early=None) -> Derived:
    """Read the sources (through the per-file cache, if any) and build both contracts."""
    from . import cache as cache_mod
    from .allocator import keep_large_blocks_returnable, return_free_memory
    from .emit.db_contract import db_contract
    from .emit.functions_contract import functions_contract
    from .resolve.project import build_project

    keep_large_blocks_returnable()  # peak memory of the reading run (allocator.py)
    stored_entries = cache.prefetch_entries(cfg.repo_root, cfg.schema_rel) if cache is not None else None
    cache_mod.begin_inputs()
    try:
        # the modules derive() found are not looked for again (None: it did not look)
        project = build_project(cfg.repo_root, cfg.schema_rel, module_cache=cache, early=early, discovered=discovered or None)
    finally:
        inputs = cache_mod.end_inputs()
    if "convex_ssot.parse.parser" in sys.modules:  # the parser is not needed again in this run
        sys.modules["convex_ssot.parse.parser"].get_parser.cache_clear()
    return_free_memory()  # the build's modules are freed: their pages go back (allocator.py)
    stored = _stored_index(cache, project, stored_entries)
    schema, tables = _stored_tables(stored, project.schema)
    db = db_contract(schema, project.schema_diagnostics, EPOCH, tables=tables)
    table_sizes = None if tables is None else list(map(len, tables))
    bodies, functions = _stored_entries(stored, project.functions)
    reused: list = []
    fc = functions_contract(project.convex_dir, functions, project.function_diagnostics, EPOCH,
                            http_routes=project.http_routes, crons=project.crons, components=project.components,
                            bodies=bodies, reused=reused)
    reused_ids = set(bodies)
    stored = tables = bodies = None  # the contracts file read back is not held while these are serialised
    derived = Derived(db, fc, project)
    derived.reused = reused
    if cache is not None:
        derived.previous = cache.previous_fingerprints
    if cache is not None and discovered:
        serialized = dict(derived.serialized)
        derived.store = lambda: cache.store_project(cfg.repo_root, cfg.schema_rel, discovered, serialized, derived.summary,
                                                    derived.fingerprints, inputs)
        derived.remember = _remember_entries(cfg, cache, derived, functions, reused_ids, table_sizes)
        if stamp:
            derived.settle()
            if derived.remember is not None and (reused_ids or table_sizes is not None):
                derived.remember(())  # the entries reused now stay reusable, whatever comes next
    # The serialised contracts are kept for sync, which writes them and drops them once they
    # are staged, before validation (docs/performance.md: not held while the validator loads).
    return derived


def _stored_index(cache, project, prefetched) -> tuple[dict, memoryview] | None:
    """The index of the entries of the last validated contracts and the contracts file it
    points into (``prefetched()``: :meth:`~convex_ssot.cache.ModuleCache.prefetch_entries`),
    when this run reuses evaluation records and the index is provably about them: it names the evaluation
    entry this run read (so a reused record is the very record whose functions and tables
    were emitted then). Its entries are used only under the schema they passed
    (``_stored_tables``, ``_stored_entries``; docs/architecture.md, "Emitted entries")."""
    from .resolve.incremental import ReusedFunction, ReusedSchema

    if cache is None or prefetched is None:
        return None
    stored = prefetched()  # waited for in every case: no thread outlives the build
    if cache.loaded_evaluation is None:
        return None
    if not isinstance(project.schema, ReusedSchema) and not any(isinstance(f, ReusedFunction) for f in project.functions):
        return None
    if stored is None or stored[0].get("evaluation") != cache.loaded_evaluation:
        return None
    return stored[0], memoryview(stored[1])  # entries are joined or written as slices: no copy of each


def _stored_tables(stored, schema) -> tuple:
    """``(schema, tables)`` for :func:`~convex_ssot.emit.db_contract.db_contract`: the
    stored entries of a reused schema's tables (None when there are none, and the schema
    itself decoded)."""
    from .resolve.incremental import ReusedSchema

    if not isinstance(schema, ReusedSchema):
        return schema, None
    if stored is not None:
        from .validate import schema_digest

        index, data = stored
        spans = index.get("tables")
        if index.get("dbSchema") == schema_digest("db") and spans is not None and len(spans) == schema.table_count:
            return schema, [bytes(data[a:b]) for a, b in spans]
    return schema.schema(), None


def _stored_entries(stored, functions: list) -> tuple[dict, list]:
    """``(bodies, functions)`` for :func:`~convex_ssot.emit.functions_contract.functions_contract`:
    functionId → the stored entry (body, and ``calls``/``calledBy`` as then) of each function
    of a reused evaluation record (:class:`~convex_ssot.resolve.incremental.ReusedFunction`)
    that the index holds, and
    the functions with every other reused one decoded. A functionId that occurs more than
    once, then or now, is emitted afresh."""
    from .resolve.incremental import ReusedFunction

    bodies: dict = {}
    reused = [f for f in functions if isinstance(f, ReusedFunction)]
    if reused and stored is not None:
        from .validate import schema_digest

        index, data = stored
        if index.get("schema") == schema_digest("functions"):
            spans = index["entries"]
            counts: dict[str, int] = {}
            for f in functions:
                counts[f.function_id] = counts.get(f.function_id, 0) + 1
            for f in reused:
                fid = f.function_id
                span = spans.get(fid)
                if span is not None and counts[fid] == 1:
                    bodies[fid] = (data[span[0]:span[1]], data[span[1]:span[2]])
    if reused:
        functions = [f.function() if isinstance(f, ReusedFunction) and f.function_id not in bodies else f for f in functions]
    return bodies, functions


def _remember_entries(cfg: Config, cache, derived: Derived, functions: list, reused: set[str], table_sizes: list | None):
    """``remember(validated)``, which stores where the tables' and the functions' entries
    (without ``calls``/``calledBy``) lie in the contracts file
    :meth:`~convex_ssot.cache.ModuleCache.store_project` wrote, stamped with the
    evaluation entry written in this run, that file's SHA-256 and the two schemas'. Kept:
    the entries of each contract named in ``validated`` (it passed validation in this
    run), else only the entries that came from the last validated contract (``reused``
    functionIds; the tables when ``table_sizes``, their lengths, says they were). None
    when there is nothing to stamp."""
    from .emit.db_contract import table_spans
    from .emit.functions_contract import entry_spans
    from .validate import schema_digest

    data, db = derived.serialized.get("functions"), derived.serialized.get("db")
    if data is None or db is None or cache.stored_evaluation is None:
        return None
    ids = sorted(f.function_id for f in functions)
    known = iter(derived.reused)
    spans = entry_spans(data, [next(known)[2:] if type(e) is Fragment else None for e in derived.built("functions")["functions"]])
    tables = table_spans(db, table_sizes if table_sizes is not None else [None] * len(derived.built("db")["tables"]))
    if spans is None or len(spans) != len(ids):
        return None
    counts: dict[str, int] = {}
    for fid in ids:
        counts[fid] = counts.get(fid, 0) + 1
    entries = {fid: (a, b, c) for fid, (a, b, c) in zip(ids, spans) if counts[fid] == 1}
    evaluation, db_offset = cache.stored_evaluation, len(b'{"db":')
    stamp = {"schema": schema_digest("functions"), "dbSchema": schema_digest("db")}

    def remember(validated) -> None:
        if cache.stored_contracts is None:
            return  # the contracts file was not written (derived.store)
        sha, offset = cache.stored_contracts
        kept = {fid: [offset + a, offset + b, offset + c] for fid, (a, b, c) in entries.items()
                if "functions" in validated or fid in reused}
        index = {"evaluation": evaluation, "contracts": sha, **stamp, "entries": kept}
        if tables is not None and ("db" in validated or table_sizes is not None):
            index["tables"] = [[db_offset + a, db_offset + b] for a, b in tables]
        cache.store_entries(cfg.repo_root, cfg.schema_rel, index)

    return remember


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
        # The validator is loaded anyway: an unchanged contract (typically the DB contract of
        # an edit run) is validated too, so that its entries become reusable as well.
        for name, rel in outputs if checks else ():
            if name not in validated and not _validation_errors(name, derived.built(name), derived):
                validated.add(name)
        derived.remember(validated)  # these passed validation: their entries may be reused
    if cfg.mode == "convex" and not derived.summary.get("schemaFound"):
        result.warnings.append(f"no defineSchema(...) found in {cfg.schema_rel}; the DB contract lists no tables")
    return result


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
    m = _TOP_UPDATED_AT.search(data) if data is not None else None
    if m is None:
        return None
    view = memoryview(data)
    return [view[: m.start()], b'  "updatedAt": ' + dumps_nested(updated_at, 0), view[m.end() :]]
