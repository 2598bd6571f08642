"""Incremental evaluation: what evaluating each part of a project produced, kept across runs.

A project is evaluated in *roots*: the schema (``("schema",)``), each function module
(``("module", rel)``) and the callable surface (``("surface",)``: HTTP routes, cron jobs,
components). :class:`Recorder` turns the :mod:`~convex_ssot.interp.journal` events written
while one root was evaluated into a :class:`RootRecord`: its result (``payload``), the
diagnostics its evaluation recorded (on any module), and everything it read — the module
files asked for, each ``(importer, specifier, platform)`` resolution, each file whose
existence was looked at. Because memoised values replay their events (journal.py), a
record does not depend on which roots were evaluated before it in the same run.

The records of a run are stored in one entry (:mod:`.entry`, :mod:`convex_ssot.eval_pack`)
with the state (SHA-256 and whether it lies inside the repository) of every file a root
read, the diagnostics each such file produced when it was loaded (parse problems, read
errors), the resolutions, and the configuration files the run consulted
(``cache.note_input``) and the file-system questions the resolutions asked, with their
answers (``cache.probe``). The next run reuses a record when every file it read has the
same state, every resolution it made gives the same result and every existence check the
same answer; any change of a configuration file discards every record (docs/architecture.md,
"Incremental evaluation"). Checking needs no parsing and mostly no reading: file states
come from ``stat`` (:mod:`convex_ssot.file_states`), and resolutions are done again only
when a probe's answer changed. The diagnostics of both contracts are then computed from the records alone
(:func:`split_diagnostics`), for fresh and reused roots alike, so a run that reuses records
writes the same bytes as one that evaluates everything.
"""

from __future__ import annotations

import hashlib
import os

from .. import ir
from ..interp import journal

__all__ = ["ROOT_SCHEMA", "ROOT_SURFACE", "RootRecord", "ReusedFunction", "ReusedSchema", "Recorder", "FileStates", "reusable_roots", "split_diagnostics",
           "link_changes", "settled_entries", "call_targets", "flat_calls", "calls_of", "flat_diagnostic", "diagnostic_of", "flat_resolution"]

ROOT_SCHEMA = ("schema",)
ROOT_SURFACE = ("surface",)


_UNSET = object()


class RootRecord:
    """What evaluating one root produced and read.

    ``accessed``: repo-relative paths of the module files it asked for (project modules and
    installed packages' files); ``diags``: ``(rel, diagnostic)`` pairs, the diagnostics it
    recorded on the module at ``rel``; ``edges``: ``(importer, specifier, platform)`` keys of
    the resolutions it made (results in the entry's ``edges``); ``probes``: ``(path,
    exists)`` existence checks; ``payload``: its result (a list of
    :class:`~convex_ssot.ir.Function` for a module, the :class:`~convex_ssot.ir.Schema`, or
    ``(http_routes, crons, components)``); ``http_actions``: for the surface, the
    ``(file, export name, functionId)`` of every HTTP action it matched routes against.

    A record read back from an entry (:func:`load_entry`) keeps its payload pickled
    (``blob``) until it is asked for; a module's record answers ``payload`` with
    :class:`ReusedFunction` stand-ins made from ``links`` (what other parts of a run read of
    its functions), so a reused module's functions are decoded only when something reads
    more of them (the emitter, when it has no emitted entry to reuse).
    """

    __slots__ = ("accessed", "diags", "edges", "probes", "http_actions", "links", "_payload", "_decoded", "_blob")

    def __init__(self, accessed: frozenset, diags: frozenset, edges: frozenset, probes: frozenset, payload=_UNSET,
                 http_actions: tuple | None = None, *, links: tuple | None = None, blob: bytes | None = None) -> None:
        self.accessed, self.diags, self.edges, self.probes = accessed, diags, edges, probes
        self.http_actions = http_actions
        self._payload = self._decoded = payload
        self._blob = blob
        if links is None and isinstance(payload, list):
            links = tuple((f.module_path, f.export_name, f.kind, f.visibility, f.file, flat_calls(f.calls)) for f in payload)
        elif links is None and isinstance(payload, ir.Schema):
            links = ("schema", payload.path, payload.found, payload.schema_validation, payload.strict_table_name_types,
                     len(payload.tables))
        self.links = links

    @property
    def payload(self):
        if self._payload is _UNSET:
            if self.links is None:
                self._payload = self.decoded()
            elif self.links[:1] == ("schema",):
                self._payload = ReusedSchema(self, self.links)
            else:
                self._payload = [ReusedFunction(self, i, link) for i, link in enumerate(self.links)]
        return self._payload

    def decoded(self):
        """The payload itself: a fresh record's, or unpickled from the entry on first use."""
        if self._decoded is _UNSET:
            import pickle

            self._decoded = pickle.loads(self._blob)
            self._blob = None
        return self._decoded

    def meta(self) -> tuple:
        """What :func:`reusable_roots`, the diagnostics and the function contract's links
        read, stored apart from the payload as plain values (:mod:`marshal` data: strings,
        numbers, tuples, frozensets; diagnostics as :func:`flat_diagnostic` tuples, calls
        as :func:`flat_calls` tuples), which decode some times faster than the
        :mod:`~convex_ssot.ir` objects they stand for."""
        diags = frozenset((rel, flat_diagnostic(d)) for rel, d in self.diags)
        return (self.accessed, diags, self.edges, self.probes, self.http_actions, self.links)


def flat_diagnostic(d: ir.Diagnostic) -> tuple:
    """An :class:`~convex_ssot.ir.Diagnostic` as plain values (:func:`diagnostic_of` reverses it)."""
    return (d.file, d.line, d.column, d.code, d.message, d.severity)


def diagnostic_of(t: tuple) -> ir.Diagnostic:
    """The :class:`~convex_ssot.ir.Diagnostic` of a :func:`flat_diagnostic` tuple."""
    return ir.Diagnostic(*t)


def flat_calls(calls) -> tuple:
    """A function's :class:`~convex_ssot.ir.Call` objects as plain tuples ``(via, target,
    reference visibility, expression, file, line)`` (:func:`calls_of` reverses it)."""
    return tuple((c.via, c.ref.target, c.ref.visibility, c.ref.expression, c.file, c.line) for c in calls)


def calls_of(flat: tuple) -> tuple:
    """The :class:`~convex_ssot.ir.Call` objects of :func:`flat_calls` tuples."""
    return tuple(ir.Call(via, ir.FunctionRef(target, vis, expr), file, line) for via, target, vis, expr, file, line in flat)


def call_targets(f) -> list:
    """The ``target`` of every call of ``f`` (an :class:`~convex_ssot.ir.Function` or a
    :class:`ReusedFunction`, whose calls are not decoded for this)."""
    if type(f) is ReusedFunction:
        return [c[1] for c in f.flat_calls]
    return [c.ref.target for c in f.calls]


class ReusedFunction:
    """One function of a reused module record, standing in for its
    :class:`~convex_ssot.ir.Function`: ``module_path``, ``export_name``, ``kind``,
    ``visibility``, ``file``, ``calls`` (as :func:`flat_calls` tuples, ``flat_calls``)
    and ``function_id`` are kept in the record's small part; any other attribute decodes the record's payload (once) and answers from
    the function itself."""

    __slots__ = ("module_path", "export_name", "kind", "visibility", "file", "flat_calls", "function_id", "_calls", "_record", "_index")

    def __init__(self, record: RootRecord, index: int, link: tuple) -> None:
        self.module_path, self.export_name, self.kind, self.visibility, self.file, self.flat_calls = link
        self.function_id = f"{self.module_path}:{self.export_name}"
        self._record, self._index = record, index
        self._calls = None

    @property
    def calls(self) -> tuple:
        """The function's :class:`~convex_ssot.ir.Call` objects (made from the record's
        small part on first use)."""
        if self._calls is None:
            self._calls = calls_of(self.flat_calls)
        return self._calls

    def function(self):
        """The :class:`~convex_ssot.ir.Function` itself (the record's payload decoded once)."""
        return self._record.decoded()[self._index]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.function(), name)


class ReusedSchema:
    """The schema of a reused record, standing in for its :class:`~convex_ssot.ir.Schema`:
    ``path``, ``found``, ``schema_validation``, ``strict_table_name_types`` and
    ``table_count`` are kept in the record's small part; any other attribute (``tables``)
    decodes the record's payload and answers from the schema itself."""

    __slots__ = ("path", "found", "schema_validation", "strict_table_name_types", "table_count", "_record")

    def __init__(self, record: RootRecord, link: tuple) -> None:
        _, self.path, self.found, self.schema_validation, self.strict_table_name_types, self.table_count = link
        self._record = record

    def schema(self) -> ir.Schema:
        """The :class:`~convex_ssot.ir.Schema` itself (the record's payload decoded once)."""
        return self._record.decoded()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.schema(), name)


class Recorder:
    """Records one root at a time from a fresh journal (started here, made current);
    ``edges`` collects the resolution results seen by every root finished so far."""

    def __init__(self, rel_of) -> None:
        self.rel_of = rel_of  # normalised absolute path -> repo-relative path
        self.journal = journal.start()
        self.edges: dict[tuple, object] = {}

    def finish(self, payload, http_actions: tuple | None = None) -> RootRecord:
        """The record of the root evaluated since the previous call; empties the journal."""
        accessed: set = set()
        diags: set = set()
        edges: set = set()
        probes: set = set()
        for e in self.journal.events:
            kind = e[0]
            if kind == "d":
                diags.add((e[1], e[2]))
            elif kind == "m":
                accessed.add(e[1])
            elif kind == "e":
                key = (e[1], e[2], e[3])
                edges.add(key)
                self.edges[key] = e[4]
            elif kind == "p":
                probes.add((e[1], e[2]))
        self.journal.events.clear()
        rels = frozenset(self.rel_of(k) for k in accessed)
        return RootRecord(rels, frozenset(diags), frozenset(edges), frozenset(probes), payload, http_actions)

    def close(self) -> None:
        journal.stop()


class FileStates:
    """The state of files by repo-relative path (memoised for the run): SHA-256 of the
    bytes (taken from ``hashes`` when the run already has it, else from the recorded file
    states ``table``, :class:`~convex_ssot.file_states.StateTable`, which reads a file only
    when its ``stat`` changed), with ``!outside`` appended when the file's real path leaves
    the repository; None when it cannot be read."""

    def __init__(self, repo_root, hashes: dict[str, str], table=None) -> None:
        self.root = os.fspath(repo_root)
        self.root_real = os.path.realpath(self.root)
        self.hashes = hashes
        self.table = table
        self.memo: dict[str, str | None] = {}
        self.dirs: dict[str, str] = {}
        self.prefix = os.path.join(self.root, "")

    def __call__(self, rel: str) -> str | None:
        if rel in self.memo:
            return self.memo[rel]
        path = rel if os.path.isabs(rel) else self.prefix + rel  # os.path.join, without its work per file
        h = self.hashes.get(rel)
        if h is None and self.table is not None:
            h = self.table.sha256(path)
            if h is None:
                self.memo[rel] = None
                return None
        elif h is None:
            try:
                with open(path, "rb") as fh:
                    h = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                self.memo[rel] = None
                return None
        if not self._inside(path):
            h += "!outside"
        self.memo[rel] = h
        return h

    def _inside(self, path: str) -> bool:
        """Whether the real path of ``path`` lies inside the repository (the real path of
        each directory is looked up once)."""
        if os.path.islink(path):
            real = os.path.realpath(path)
        else:
            i = path.rfind(os.sep) + 1
            d, name = path[:i].rstrip(os.sep) or path[:i], path[i:]  # os.path.split
            real = self._real_dir(d) + name
        return real == self.root_real or real.startswith(self.root_real + os.sep)

    def _real_dir(self, d: str) -> str:
        """``os.path.realpath(d)`` with a separator appended, memoised per directory and
        built from its parent's (one ``lstat`` per directory, not one per component)."""
        real = self.dirs.get(d)
        if real is None:
            parent, name = os.path.split(d)
            if d == self.root:
                real = os.path.join(self.root_real, "")
            elif parent == d or not name or name in (".", "..") or os.path.islink(d):
                real = os.path.join(os.path.realpath(d), "")
            else:
                real = self._real_dir(parent) + name + os.sep
            self.dirs[d] = real
        return real


def reusable_roots(entry, states: FileStates, resolve, module_rels: set[str]) -> dict:
    """The records of the previous run's ``entry`` (None: no entry) that still hold:
    ``{root id: RootRecord}``. ``resolve(specifier, importer, platform)`` re-resolves a
    recorded resolution; ``module_rels`` are the function modules discovered now (a record
    of a module no longer discovered is dropped). Records nothing is known about are
    dropped; a configuration file that changed drops them all. Reused records' configuration
    files are noted as inputs of this run (``cache.note_input``)."""
    from ..cache import input_state, note_input, renote

    if not isinstance(entry, dict):
        return {}
    try:
        inputs = entry["inputs"]
        if any(input_state(path) != st for path, st in inputs.items()):
            return {}
        changed = {rel for rel, st in entry["files"].items() if states(rel) != st}
        probes = entry["probes"]
        if all(input_state(key) == st for key, st in probes.items()):
            # every file-system question the resolutions asked has its recorded answer and
            # every configuration file they read is unchanged: each gives its recorded result
            bad_edges: set = set()
            for key, st in probes.items():
                renote(key, st)
        else:
            bad_edges = _bad_edges(entry["edges"], resolve)
        out = {}
        for rid, rec in entry["records"].items():
            if rid[0] == "module" and rid[1] not in module_rels:
                continue
            if rec.accessed & changed or rec.edges & bad_edges:
                continue
            if any(os.path.isfile(path) != found for path, found in rec.probes):
                continue
            out[rid] = rec
        for path in inputs:
            note_input(path)
        return out
    except Exception:  # noqa: BLE001 - an entry of an unexpected shape is not used
        return {}


def flat_resolution(res) -> tuple | None:
    """A :class:`~.paths.Resolution` as the entry stores it: a tuple of its fields with the
    path as a string (a ``Path`` costs ~10 µs to unpickle, and an entry holds thousands;
    equal tuples ⇔ equal resolutions on POSIX, and stricter where paths compare without
    case). None stays None."""
    if res is None:
        return None
    path = res.path
    return (res.kind, None if path is None else os.fspath(path), res.via, res.package, res.version, res.generated,
            res.esbuild)


def _bad_edges(edges: dict, resolve) -> set:
    """The keys of the recorded resolutions (``{(importer, specifier, platform): result}``,
    results as :func:`flat_resolution` gives them) whose result differs now. The resolver answers per importing directory (its own cache,
    :meth:`~.paths.Resolver.resolve`), so each ``(directory, specifier, platform)`` is
    resolved once, in the order the entry lists them (the first importer of a directory is
    the one the resolver sees, as when every key is asked for), and each distinct recorded
    result object (unpickled once: the results of one directory share it) is compared once."""
    dirname = os.path.dirname
    now: dict[tuple, object] = {}
    same: dict[tuple, bool] = {}
    bad = set()
    for key, res in edges.items():
        importer, spec, platform = key
        dkey = (dirname(importer), spec, platform)
        ckey = (dkey, id(res))
        ok = same.get(ckey)
        if ok is None:
            if dkey not in now:
                now[dkey] = flat_resolution(resolve(spec, importer, platform))
            ok = same[ckey] = now[dkey] == res
        if not ok:
            bad.add(key)
    return bad


def link_changes(previous, roots: dict) -> tuple[set[str], set[str]] | None:
    """What may have changed in the function contract's ``calls``/``calledBy`` since the
    run that wrote the ``previous`` entry, given this run's ``roots``: ``(functionIds,
    targets)`` — the functionIds of every function module record that is not the very
    record of that entry, then or now (edited, added, removed modules), and every target
    those functions' calls name, then or now. None when the callable surface's record is not
    the entry's (cron jobs, routes and components are inputs of every ``calledBy`` and
    ``resolved``). A function whose functionId is in neither set, whose record is
    reused, and none of whose calls names a functionId of the first set has the same
    ``calls`` and ``calledBy`` as in that run (:func:`settled_entries`)."""
    if not isinstance(previous, dict):
        return None
    old = previous.get("records") or {}
    surface = roots.get(ROOT_SURFACE)
    if surface is None or old.get(ROOT_SURFACE) is not surface:
        return None
    fids: set[str] = set()
    targets: set[str] = set()
    for rid, rec in old.items():
        if rid[0] == "module" and roots.get(rid) is not rec:
            for link in rec.links:
                fids.add(f"{link[0]}:{link[1]}")
                targets.update(c[1] for c in link[5])
    for rid, rec in roots.items():
        if rid[0] == "module" and old.get(rid) is not rec:
            for f in rec.payload:
                fids.add(f.function_id)
                targets.update(call_targets(f))
    targets.discard(None)
    return fids, targets


def settled_entries(functions: list, stored: set[str], changes: tuple[set[str], set[str]] | None) -> set[str]:
    """The functionIds among ``stored`` (functions whose entry of the last validated
    contract is at hand, each of a reused record) whose ``calls`` and ``calledBy`` are
    provably those of that entry (:func:`link_changes`, ``changes``): not a functionId or
    a call target of a changed record, and calling no functionId of a changed record
    (whose existence or visibility decides ``resolved``). Empty when ``changes`` is None
    or a functionId occurs twice now (which function a reference resolves to is then a
    matter of order)."""
    if changes is None or not stored:
        return set()
    fids, targets = changes
    ids = {f.function_id for f in functions}
    if len(ids) != len(functions):
        return set()
    out = set(stored) - fids - targets
    for f in functions:
        if f.function_id in out and (f.flat_calls if type(f) is ReusedFunction else f.calls) and not fids.isdisjoint(call_targets(f)):
            out.discard(f.function_id)
    return out


def note_files(roots: dict, states: FileStates, hashes: dict[str, str]) -> None:
    """Add the SHA-256 of every file the records read to ``hashes`` (the module cache's
    ``hashes``, which the whole-project entry is keyed by): a reused record's files are not
    read again by evaluation, yet an edit of any of them must miss that entry."""
    for rec in roots.values():
        for rel in rec.accessed:
            if rel not in hashes:
                st = states(rel)
                if st is not None and not st.endswith("!outside"):
                    hashes[rel] = st


def split_diagnostics(roots: dict, loads: dict, schema_rel: str) -> tuple[set[ir.Diagnostic], set[ir.Diagnostic]]:
    """``(schema contract's, function contract's)`` diagnostics from the records: a
    module's diagnostics (recorded by any root, or produced when it was loaded) go to the
    DB contract when the schema's evaluation reached the module, and to the function
    contract when a function module's or the surface's evaluation reached it (a function
    arg built from an unresolved schema-level validator). A file that could not be read
    reports in the schema's contract when it is the schema, else in the functions'."""
    schema = roots.get(ROOT_SCHEMA)
    schema_acc = schema.accessed if schema is not None else frozenset()
    fn_acc: set[str] = set()
    for rid, rec in roots.items():
        if rid != ROOT_SCHEMA:
            fn_acc.update(rec.accessed)
    schema_diags: set[ir.Diagnostic] = set()
    fn_diags: set[ir.Diagnostic] = set()

    def put(rel: str, d: ir.Diagnostic) -> None:
        if rel in schema_acc:
            schema_diags.add(d)
        if rel in fn_acc:
            fn_diags.add(d)

    for rec in roots.values():
        for rel, d in rec.diags:
            put(rel, d)
    for rel in schema_acc | fn_acc:
        read, parse = loads.get(rel, ((), ()))
        for d in parse:
            put(rel, d)
        for d in read:
            (schema_diags if d.file == schema_rel else fn_diags).add(d)
    return schema_diags, fn_diags
