"""From a repository to an :class:`~convex_ssot.ir.Project`: discovery, schema, functions.

Which files are function modules follows Convex's own bundler (``entryPoints`` in convex
``src/bundler/index.ts``): every ``.ts .tsx .js .jsx .mjs .cjs .mts .cts`` file under the
Convex directory except ``_generated/``, dot-files and dot-directories, ``schema.ts`` /
``schema.js`` at any depth, base names with more than one dot (``auth.config.ts``,
``*.test.ts``, ``*.d.ts``), paths containing a space, directories that hold their own
``convex.config.ts`` (components), and ``.ts`` files with no import or export statement.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from .. import ir
from ..allocator import return_free_memory
from ..errors import byte_position
from ..parse import ast
from ..interp import journal
from ..interp.core import Evaluator
from ..interp.values import VUnknown
from ..packages import default_registry
from ..packages.versions import import_offset
from ..packages.component_values import VFactoryUnknown, unlisted
from ..packages.convex_server import VBuilder, VRegistration, VSchema
from .modules import Module, load_module
from .installed import read_package
from .source_files import EarlyParse, inside_real as _inside_real, clean_text as _clean_text, parse_chunk as _parse_chunk, slim
from .discovery import SOURCE_EXTENSIONS, discover_modules, has_import_or_export
from .paths import SpecifierResolver
from .generated import generated_module
from . import entry, incremental
from .registrations import registered_function
from .completeness import registration_shape, report_star_exports, report_unknown_export
from .surface import read_surface

__all__ = ["discover_modules", "build_project", "SOURCE_EXTENSIONS"]

class _AccessLog:
    """``loader.accessed.add(key)``: a module file (normalised absolute path) was asked for.
    Journalled (``("m", key)``, interp/journal.py: which contract a module's diagnostics go
    to, and an input of the root being evaluated); the first time, the diagnostics the file
    produced when it was loaded are kept (``loader.loads``)."""

    __slots__ = ("loader",)

    def __init__(self, loader: "_Loader") -> None:
        self.loader = loader

    def add(self, key: str) -> None:
        journal.record(("m", key))
        loads = self.loader.loads
        if key not in loads and key in self.loader.modules:
            mod = self.loader.modules[key]
            loads[key] = ((), tuple(mod.diagnostics) if mod is not None else ())


class _Loader:
    """Reads and parses modules once per run; resolves relative specifiers."""

    def __init__(self, repo_root: Path, module_cache=None, convex_dir: Path | None = None) -> None:
        self.repo_root = repo_root
        self.root_real = os.path.realpath(repo_root)
        self.modules: dict[str, Module | None] = {}
        #: key -> (read diagnostics, parse diagnostics) of each file asked for, taken when
        #: it was loaded (before evaluation recorded anything on it)
        self.loads: dict[str, tuple] = {}
        self.module_cache = module_cache
        self.specifiers = SpecifierResolver(repo_root, convex_dir)
        self.generated: dict[str, Module] = {}  # stand-ins for <convexDir>/_generated/*
        self._pending_bytes: dict[str, bytes] = {}
        self.accessed = _AccessLog(self)
        self._rels: dict[str, str] = {}
        self._prefix = os.path.normpath(str(repo_root)) + os.sep
        self.early = None  # a cold run's EarlyParse, parsing beside the build (_parse)
        #: keys of the project modules some module imported (kept until the end of the build)
        self.imported: set[str] = set()
        #: modules parsed ahead while a streaming child was busy (:meth:`_parse_ahead`), by rel
        self._ahead: dict[str, Module] = {}
        self._real_dirs: dict[str, str] = {}  # directory -> its real path (_realpath)

    def rel_of(self, key: str) -> str:
        """The repo-relative path of the file at ``key`` (memoised)."""
        rel = self._rels.get(key)
        if rel is None:
            rel = self._rels[key] = self.rel(Path(key))
        return rel

    def _parse(self, rel: str, data: bytes, text: str) -> Module:
        """The parsed module for ``data`` (from the parse cache, or parsed and stored)."""
        if self.module_cache is None:
            return load_module(rel, text)
        early = self.early
        if early is not None:
            mod = self._ahead.pop(rel, None)
            if mod is not None:
                return mod
            early.take(rel, self._parse_ahead)
        mod = self.module_cache.lookup(rel, data)
        if mod is None:
            mod = load_module(rel, text)
            self.module_cache.store(rel, data, slim(mod))
        return mod

    def _parse_ahead(self, rel: str) -> None:
        """Parse and store the discovered module at ``rel`` before evaluation reaches it
        (a streaming child is busy with the one evaluation needs now); kept in memory
        (up to :data:`AHEAD_KEPT` modules) or read back from the parse cache. Outside any root's
        journal, as a module the child parsed: its diagnostics are the module's own."""
        data = self._pending_bytes.get(os.path.normpath(os.path.join(self.repo_root, rel)))
        text = _clean_text(data) if data is not None else None
        if text is None:
            return  # not a module the build reads, or one get() reports
        saved, journal.CURRENT = journal.CURRENT, None
        try:
            mod = load_module(rel, text)
        finally:
            journal.CURRENT = saved
        self.module_cache.store(rel, data, slim(mod))
        if len(self._ahead) < AHEAD_KEPT:
            self._ahead[rel] = mod  # else read back from the parse cache when reached

    def rel(self, path: Path) -> str:
        text = str(path)
        if text.startswith(self._prefix) and os.sep == "/" and "/../" not in text and "/./" not in text:
            return text[len(self._prefix):]  # the common case, without os.path.relpath
        return Path(os.path.relpath(path, self.repo_root)).as_posix()

    def prefetch(self, paths: list[Path]) -> None:
        """Parse ``paths`` ahead of evaluation, on both cores when there is enough work.

        Cached modules are taken from the cache. When the rest total more than
        :data:`PARALLEL_MIN_BYTES`, about half of them (by size) are lexed and parsed in one
        forked worker process (the compiled parser is inherited), which sends them back
        pickled, while this process parses the other half; otherwise :meth:`get` parses
        them one by one. Results are identical either way (tests/reliability/test_determinism_more.py).
        """
        todo: list[tuple[str, str, Path]] = []
        for path in paths:
            key = os.path.normpath(str(path))
            if key in self.modules:
                continue
            rel = self.rel(path)
            if not _inside_real(self.root_real, path):
                continue  # get() reports it
            try:
                data = self._pending_bytes[key] if key in self._pending_bytes else Path(path).read_bytes()
            except OSError:
                continue
            if self.module_cache is not None:
                cached = self.module_cache.lookup(rel, data)
                if cached is not None:
                    self.modules[key] = cached
                    continue
            todo.append((key, rel, path))
            self._pending_bytes[key] = data
        total = sum(len(self._pending_bytes[k]) for k, _, _ in todo)
        if total < PARALLEL_MIN_BYTES or (os.cpu_count() or 1) < 2 or len(todo) < 4:
            return  # get() parses them one by one
        # Two halves of about equal size: one for a forked worker, one for this process.
        todo.sort(key=lambda t: -len(self._pending_bytes[t[0]]))
        mine, theirs, mine_bytes, their_bytes = [], [], 0, 0
        for item in todo:
            size = len(self._pending_bytes[item[0]])
            if mine_bytes <= their_bytes:
                mine.append(item)
                mine_bytes += size
            else:
                theirs.append(item)
                their_bytes += size
        from ..parse.parser import get_parser

        get_parser()  # built once, before the fork, so the worker inherits it
        try:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
            # The worker's half in a few chunks, taken back one at a time: only one chunk's
            # pickled modules are in this process at once (peak memory).
            chunks = [theirs[i::WORKER_CHUNKS] for i in range(WORKER_CHUNKS)]
            futures = [(pool.submit(_parse_chunk, [(rel, self._pending_bytes[key]) for key, rel, _ in chunk]), chunk)
                       for chunk in chunks if chunk]
        except (OSError, ValueError, RuntimeError, ImportError):
            return  # no fork / no processes here: get() parses serially
        import pickle

        try:
            for key, rel, _ in mine:
                data = self._pending_bytes[key]
                text = _clean_text(data)
                if text is None:
                    continue  # decode problems: get() reports them
                mod = load_module(rel, text)
                self._pending_bytes.pop(key)
                if self.module_cache is not None:
                    self.module_cache.digest(rel, data)
                    self.module_cache.store(rel, data, slim(mod))
                self.modules[key] = mod
            return_free_memory()  # what parsing this half freed, before the worker's half arrives
            for future, chunk in futures:
                results = future.result()
                by_rel = {rel: key for key, rel, _ in chunk}
                results.reverse()
                while results:  # each pickled copy is dropped as soon as it is unpickled
                    rel, blob = results.pop()
                    key = by_rel[rel]
                    if blob is None:
                        continue  # decode problems: get() reports them
                    data = self._pending_bytes.pop(key)
                    if self.module_cache is not None:
                        self.module_cache.digest(rel, data)
                        self.module_cache.store_blob(rel, data, blob)
                    self.modules[key] = pickle.loads(blob)
        except (OSError, RuntimeError):
            return  # a broken worker: what it had not sent is parsed by get()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def get(self, path: Path) -> Module | None:
        key = os.path.normpath(str(path))
        self.accessed.add(key)
        if key in self.modules:
            return self.modules[key]
        self.modules[key] = None  # guards against import cycles while loading
        rel = self.rel(path)
        if not self._inside(str(path)):
            return self._unread(key, ir.Diagnostic(rel, 1, 1, "CSX102", "file resolves outside repo root (symlink?); not read", "error"))
        try:
            data = self._pending_bytes.pop(key) if key in self._pending_bytes else Path(path).read_bytes()
        except OSError as exc:
            return self._unread(key, ir.Diagnostic(rel, 1, 1, "CSX101", f"cannot read file: {exc.strerror}", "error"))
        if self.module_cache is not None:
            self.module_cache.digest(rel, data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = byte_position(data, exc.start)
            return self._unread(key, ir.Diagnostic(rel, line, col, "CSX101", "file is not valid UTF-8; save it as UTF-8 (it was skipped)", "error"))
        if "\x00" in text:
            return self._unread(key, ir.Diagnostic(rel, 1, 1, "CSX101", "file contains NUL bytes (binary?); skipped", "error"))
        mod = self._parse(rel, data, text)
        self.modules[key] = mod
        self.loads[key] = ((), tuple(mod.diagnostics))
        return mod

    def _inside(self, path: str) -> bool:
        """Whether ``path`` (absolute) resolves to a file inside the repository root."""
        real = self._realpath(path)
        return real == self.root_real or real.startswith(self.root_real + os.sep)

    def _realpath(self, path: str) -> str:
        """``os.path.realpath(path)``, resolving each directory once per run: a file that is
        not a symbolic link resolves to its directory's real path and its own name
        (``realpath`` looks at every component of the path, each time)."""
        d, name = os.path.split(path)
        if name in ("", ".", "..") or os.path.islink(path):
            return os.path.realpath(path)
        real_dir = self._real_dirs.get(d)
        if real_dir is None:
            real_dir = self._real_dirs[d] = os.path.realpath(d)
        return os.path.join(real_dir, name)

    def _unread(self, key: str, d: ir.Diagnostic) -> None:
        self.loads[key] = ((d,), ())
        return None

    def resolve(self, from_mod: Module, specifier: str) -> Module | None:
        """The module ``specifier`` names from ``from_mod``, resolved as Convex's bundler
        does (:mod:`.paths`): a project module, a generated module's stand-in
        (:mod:`.generated`), or None (a package, a built-in, not found)."""
        platform = "node" if from_mod.use_node else "browser"
        importer = os.path.join(self.repo_root, from_mod.rel)
        r = self.specifiers.resolve(specifier, importer, platform)
        journal.record(("e", importer, specifier, platform, r))
        if r is None:
            return None
        if r.kind == "generated":
            rel = self.rel(r.path.parent / r.generated)
            if rel not in self.generated:
                self.generated[rel] = generated_module(r.generated, rel)
            return self.generated[rel]
        if r.kind == "package" and r.path is not None:
            return read_package(self, r.path, r.package, r.version)
        if r.kind != "project":
            return None
        if from_mod.package is not None and not self._inside(str(r.path)):
            # a file of a workspace member linked into node_modules from outside the
            # repository (its real path has no node_modules): part of that package, read as
            # the bundler reads it (docs/reliability.md), not a project file
            return read_package(self, r.path, from_mod.package, from_mod.package_version)
        rel = self.rel(r.path)
        if rel.startswith("../") or os.path.isabs(rel):
            # a path out of the repository (no symlink inside it to report at, as get()
            # does): CSX102 at each import that reaches it, in the importing module
            from_mod.diag(import_offset(from_mod, specifier), "CSX102",
                          f"`{specifier}` resolves outside the repository root ({rel}); not read: keep sources inside "
                          "the repository, or link the directory into node_modules as a workspace package", "error")
            return None
        self.imported.add(os.path.normpath(str(r.path)))
        return self.get(r.path)

    def drop(self, path: Path) -> None:
        """Free the module at ``path`` once its own root is evaluated, unless a module
        imported it (then its values may be held elsewhere, and it is read again): read
        again later, it comes back from the parse cache and is evaluated afresh, which
        gives the same values and journal events (interp/journal.py). Keeps the build's
        memory to the modules still in use (peak memory, docs/performance.md)."""
        key = os.path.normpath(str(path))
        if key in self.imported:
            return
        mod = self.modules.pop(key, None)
        if mod is not None:
            mod.values = {}  # values point back at their module: no cycle left to collect
            mod.slices = {}


#: Below this many bytes of unparsed sources, a worker process does not pay for its start
#: and for sending the parsed modules back. At 0.42 MB (gen_project --modules 30) the worker
#: already takes 0.2 s of parsing off this process (docs/performance.md).
PARALLEL_MIN_BYTES = 200_000

#: At most this many modules parsed ahead are kept in memory until evaluation reaches
#: them (peak memory: a child slowed by other load can leave the build parsing ahead for long).
AHEAD_KEPT = 16

#: How many pieces the worker's half is sent back in.
WORKER_CHUNKS = 4


def module_evaluator(repo_root: Path, module_cache=None) -> tuple[Callable[[Path], Module | None], Evaluator]:
    """``(load, evaluator)`` over the repository at absolute ``repo_root``, as
    :func:`build_project` uses them: ``load(path)`` parses a module once per run (None
    when it cannot be read); for reading other modules (``ctl-convex check``'s Zod pairs)."""
    loader = _Loader(repo_root, module_cache)
    return loader.get, Evaluator(loader.resolve, default_registry(), repo_root)


def build_project(repo_root: Path, schema_rel: str, module_cache=None, keep_modules: bool = False,
                  early: EarlyParse | None = None, discovered: list[str] | None = None) -> ir.Project:
    """Read the schema at ``schema_rel`` and every function module beside it.

    ``repo_root`` must be absolute. Never raises for bad sources: problems become
    diagnostics on the project (``schema_diagnostics`` / ``function_diagnostics``).
    ``keep_modules``: keep the parsed modules in ``project.modules`` (by repo-relative path).
    With a ``module_cache``, what the previous run's evaluation of each module, of the
    schema and of the callable surface produced is reused when nothing it read changed
    (:mod:`.incremental`); only the other parts are loaded and evaluated. ``early``: a
    cold run's :class:`~.source_files.EarlyParse` streaming parsed modules into
    ``module_cache`` (told where evaluation is; waited for at the end). ``discovered``: the function modules the caller already found
    (:func:`~.discovery.discover_module_rels` of the schema's directory, repo-relative),
    so they are not looked for twice in one run; None: looked for here.
    """
    try:
        return _build_project(repo_root, schema_rel, module_cache, keep_modules, early, discovered)
    finally:
        if early is not None:
            early.wait()


def _build_project(repo_root: Path, schema_rel: str, module_cache, keep_modules: bool, early,
                   discovered: list[str] | None) -> ir.Project:
    schema_path = repo_root / schema_rel
    convex_dir = schema_path.parent
    loader = _Loader(repo_root, module_cache, convex_dir)
    loader.early = early
    # repo_root: component packages read the installed version inside it (packages/components.py)
    ev = Evaluator(loader.resolve, default_registry(), repo_root)
    convex_rel = loader.rel(convex_dir)
    project = ir.Project(convex_dir=convex_rel, schema=ir.Schema(path=schema_rel, found=False))

    module_paths = []
    candidates = discover_modules(convex_dir) if discovered is None else [repo_root / rel for rel in discovered]
    file_states = module_cache.file_states(repo_root, schema_rel) if module_cache is not None else None
    for path in candidates:
        # Convex skips .ts/.tsx files with no import or export line; they are not read.
        if file_states is not None:  # a file whose stat is as recorded is not read (file_states.py)
            key = os.fspath(path)
            sha, has_ie = file_states.fact(key)
            if has_ie is not None:
                if has_ie:
                    module_paths.append(path)
                    module_cache.hashes[loader.rel(path)] = sha
                continue
        try:
            data, sha = file_states.read(key) if file_states is not None else (path.read_bytes(), None)
        except OSError:
            module_paths.append(path)  # get() reports it
            continue
        has_ie = has_import_or_export(path, data.decode("utf-8", errors="replace"))
        if file_states is not None:
            file_states.note_fact(key, sha, has_ie)
        if has_ie:
            module_paths.append(path)
            loader._pending_bytes[os.path.normpath(str(path))] = data
            if module_cache is not None:
                module_cache.digest(loader.rel(path), data)
    schema_found = schema_path.is_file()
    incremental_on = module_cache is not None and not keep_modules
    previous = entry.load_entry(module_cache.load_evaluation(repo_root, schema_rel)) if incremental_on else None
    states = incremental.FileStates(repo_root, module_cache.hashes if module_cache is not None else {}, file_states)
    rels = {path: loader.rel(path) for path in module_paths}
    reused = incremental.reusable_roots(previous, states, loader.specifiers.resolve, set(rels.values()))
    streaming = early is not None
    if not streaming:  # else parsed one by one as evaluation reaches them, or by the child
        loader.prefetch(([schema_path] if schema_found and incremental.ROOT_SCHEMA not in reused else [])
                        + [p for p in module_paths if ("module", rels[p]) not in reused])
    # With the parse cache to read a module back from, each function module is freed once
    # evaluated unless another module imported it (_Loader.drop).
    drop = module_cache is not None and not keep_modules

    recorder = incremental.Recorder(loader.rel_of)
    roots: dict[tuple, incremental.RootRecord] = {}
    try:
        # ---- schema
        if schema_found and incremental.ROOT_SCHEMA in reused:
            roots[incremental.ROOT_SCHEMA] = reused[incremental.ROOT_SCHEMA]
            project.schema = reused[incremental.ROOT_SCHEMA].payload
        elif schema_found:
            schema_mod = loader.get(schema_path)
            if schema_mod is not None:
                project.schema = _read_schema(ev, schema_mod, schema_rel)
                from ..checks import check_schema

                for d in check_schema(project.schema):
                    schema_mod.diagnostics.append(d)
                    journal.record(("d", schema_mod.rel, d))
            roots[incremental.ROOT_SCHEMA] = recorder.finish(project.schema)

        # ---- functions
        functions: list[ir.Function] = []
        for path in module_paths:
            rid = ("module", rels[path])
            if rid in reused:
                roots[rid] = reused[rid]
                functions.extend(reused[rid].payload)
                continue
            mod = loader.get(path)
            fns = _functions_of(ev, loader, mod, convex_dir, repo_root) if mod is not None and mod.has_import_export else []
            roots[rid] = recorder.finish(fns)
            functions.extend(fns)
            if drop:
                mod = None
                loader.drop(path)
        if early is not None:
            early.wait()  # a streaming child stops here
        project.functions = sorted(functions, key=lambda f: f.function_id)

        # ---- httpRoutes, crons, components (routes are matched against the HTTP actions)
        actions = tuple((f.file, f.export_name, f.function_id) for f in project.functions if f.kind == "httpAction")
        surface = reused.get(incremental.ROOT_SURFACE)
        if surface is not None and surface.http_actions == actions:
            roots[incremental.ROOT_SURFACE] = surface
            project.http_routes, project.crons, project.components = surface.payload
        else:
            read_surface(ev, loader.get, project, convex_dir, repo_root)
            payload = (project.http_routes, project.crons, project.components)
            roots[incremental.ROOT_SURFACE] = recorder.finish(payload, actions)
    finally:
        recorder.close()

    # ---- diagnostics, from the records (the same for fresh and reused ones)
    loads = dict(previous.get("loads", {})) if isinstance(previous, dict) else {}
    loads.update((loader.rel_of(key), v) for key, v in loader.loads.items())
    schema_diags, fn_diags = incremental.split_diagnostics(roots, loads, schema_rel)
    if not schema_found:
        schema_diags.add(ir.Diagnostic(schema_rel, 1, 1, "CSX220", "schema source not found", "warning"))
    project.schema_diagnostics = sorted(schema_diags, key=ir.Diagnostic.sort_key)
    project.function_diagnostics = sorted(fn_diags, key=ir.Diagnostic.sort_key)
    if module_cache is not None:
        incremental.note_files(roots, states, module_cache.hashes)
        module_cache.link_changes = incremental.link_changes(previous, roots)
    if keep_modules:
        project.modules = {mod.rel: mod for mod in loader.modules.values() if mod is not None}
        return project
    # Evaluated values point back at their modules (a cycle per module): clearing them lets
    # reference counting free every module now, before the records are pickled and the
    # contracts built, instead of at some later cyclic collection (peak memory).
    for mod in loader.modules.values():
        if mod is not None:
            mod.values = {}
            mod.slices = {}
    loader.modules.clear()
    if incremental_on:
        from ..cache import noted_inputs

        entry.store(module_cache, repo_root, schema_rel, roots, previous, states, loads, recorder.edges, noted_inputs())
    if file_states is not None:
        file_states.save()
    return project


def _read_schema(ev: Evaluator, mod: Module, schema_rel: str) -> ir.Schema:
    if mod.default_export is None:
        mod.diag(0, "CSX220", "no `export default defineSchema(...)` found; the contract lists no tables")
        return ir.Schema(path=schema_rel, found=False)
    val = ev.eval(mod, mod.default_export)
    if not isinstance(val, VSchema):
        reason = val.reason if isinstance(val, VUnknown) else "not a schema"
        mod.diag(mod.default_export.span[0], "CSX220", f"default export is not a defineSchema(...) the tool understands ({reason}); the contract lists no tables")
        return ir.Schema(path=schema_rel, found=False)
    tables = []
    for name, t in val.tables:
        tmod = t.module if isinstance(t.module, Module) else mod
        line, col = tmod.lines.position(t.span[0]) if t.module is not None else (0, 0)
        tables.append(ir.Table(name, t.document, t.indexes, t.origin, t.staged_document, tmod.rel if t.module is not None else "", line, col))
    return ir.Schema(schema_rel, tuple(tables), val.schema_validation, val.strict_table_name_types, True)


def _module_path(path: Path, convex_dir: Path) -> str:
    rel = path.relative_to(convex_dir).as_posix()
    return rel.rsplit(".", 1)[0]


def _functions_of(ev: Evaluator, loader: _Loader, mod: Module, convex_dir: Path, repo_root: Path) -> list[ir.Function]:
    out: list[ir.Function] = []
    path = repo_root / mod.rel
    module_path = _module_path(path, convex_dir)
    names = list(mod.exports) + list(mod.reexports) + _star_export_names(loader, mod, set())
    report_star_exports(loader, mod, module_path)
    seen = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        val = ev.export_value(mod, name)
        if isinstance(val, VRegistration):
            out.append(registered_function(ev, loader, mod, val, module_path, name))
        elif (unknown := unlisted(val)) is not None:
            _factory_unknown(mod, name, unknown, module_path)
        elif isinstance(val, VUnknown):
            report_unknown_export(loader, mod, name, val.reason, f"{module_path}:{name}")
    if mod.default_export is not None:
        val = ev.eval(mod, mod.default_export)
        if isinstance(val, VRegistration):
            out.append(registered_function(ev, loader, mod, val, module_path, "default"))
        elif isinstance(val, VUnknown) and (why := registration_shape(mod.default_export)) is not None:
            mod.diag(mod.default_export.span[0], "CSX250", f"{module_path}:default may be a Convex function ({why}) but its value is not understood ({val.reason}); it is missing from the contract")
    for name, failed in mod.failed_exports.items():
        if name in seen:
            continue
        callee = ev.eval(mod, ast.Ident((failed.offset, failed.offset), failed.callee)) if "." not in failed.callee else None
        if isinstance(callee, VBuilder):
            reg = VRegistration(callee, None, mod, failed.callee)
            out.append(registered_function(ev, loader, mod, reg, module_path, name, unparsed=True))
    return out


def _factory_unknown(mod: Module, name: str, val: VFactoryUnknown, module_path: str) -> None:
    """CSX243 for an export made by a component client factory the tool does not model
    (packages/components.py): it may be a registered function the contract cannot list."""
    local = mod.exports.get(name, name)
    d = mod.decls.get(local)
    pd = mod.pattern_decls.get(local)
    offset = d.span[0] if d is not None else (pd[0].span[0] if pd is not None else 0)
    if val.via == "function" and pd is None:
        return  # a package function's single result (e.g. an AI tool object): not reported
    mod.diag(offset, "CSX243", f"{module_path}:{name} is made by {val.what} ({val.package}), which the tool does not model; if it is a Convex function it is missing from the contract")


def _star_export_names(loader: _Loader, mod: Module, seen: set) -> list[str]:
    """Names a module re-exports through ``export * from "…"`` (Convex registers the
    functions found there under the re-exporting module too); ``default`` is not included,
    as in JavaScript."""
    out: list[str] = []
    for spec in mod.star_exports:
        target = loader.resolve(mod, spec)
        if target is None or target.rel in seen:
            continue
        seen.add(target.rel)
        out.extend(n for n in list(target.exports) + list(target.reexports) if n != "default")
        out.extend(_star_export_names(loader, target, seen))
    return out
