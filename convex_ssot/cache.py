"""The on-disk cache: compiled grammar tables and per-file parse results.

Location: ``$CONVEX_SSOT_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/convex-ssot``, else
``~/.cache/convex-ssot``. ``--no-cache`` (or ``CONVEX_SSOT_CACHE_DIR=""``) switches it
off. Every entry is keyed by a SHA-256 of its inputs and the tool version; a missing,
stale or unreadable entry is rebuilt, never trusted.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root", "cache_dir", "note_input", "probe", "set_enabled", "write_atomic", "grammar_cache_file", "lock_file", "ModuleCache", "ProjectEntry"]

_enabled = True


def set_enabled(enabled: bool) -> None:
    """Switch the cache on or off for this process (``--no-cache``)."""
    global _enabled
    _enabled = enabled


def cache_root(ignore_switch: bool = False) -> Path | None:
    """Where the cache directory is (not created), or None when caching is off."""
    if not _enabled and not ignore_switch:
        return None
    env = os.environ.get("CONVEX_SSOT_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "convex-ssot" if xdg else Path.home() / ".cache" / "convex-ssot"


def cache_dir(ignore_switch: bool = False) -> Path | None:
    """The cache directory (created on demand), or None when caching is off or impossible.
    With ``ignore_switch``, ``--no-cache`` (:func:`set_enabled`) is not consulted (the
    lock files of :func:`lock_file` live there whatever a run's caching)."""
    base = cache_root(ignore_switch)
    if base is None:
        return None
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base


_side_inputs: set[str] | None = None
#: the answer each probe gave when it was first asked in the current (or last) build
_answers: dict[str, str | None] = {}


#: the project's recorded file states (file_states.StateTable) while a run with a cache
#: checks and notes configuration files (:meth:`ModuleCache.file_states`), else None
_input_states = None


def begin_inputs() -> None:
    """Start recording the configuration files a build consults (:func:`note_input`) and
    the file-system questions it asks (:func:`probe`)."""
    global _side_inputs, _answers, _input_states
    _side_inputs, _answers, _input_states = set(), {}, None


def end_inputs() -> set[str]:
    """Stop recording; the absolute paths noted since :func:`begin_inputs`, and the keys
    of the probes (their answers stay available to :func:`noted_state` until the next
    :func:`begin_inputs`)."""
    global _side_inputs
    out, _side_inputs = _side_inputs or set(), None
    return out


def note_input(path) -> None:
    """Record that the build looked at ``path`` (a ``tsconfig.json``, a ``package.json``,
    a package's installed ``package.json``), whether or not it exists: the whole-project
    cache entry is valid only while each such file is unchanged (or still absent)."""
    if _side_inputs is not None:
        _side_inputs.add(os.path.abspath(path))


#: Prefix of the noted inputs that are questions about the file system (:func:`probe`).
PROBE = "probe:"


def probe(kind: str, path: str):
    """The answer of ``os.path.<kind>(path)`` (``isfile``, ``isdir``, ``exists``,
    ``realpath``) or of ``glob`` (``glob.glob(path, recursive=True)``, sorted), noted as an
    input of this build under the key ``probe:<kind>:<path>`` with the answer it gave the
    first time (module resolution, resolve/paths.py): a cache entry is valid only while
    each answer is the same (a file that would now win a resolution, a package appearing
    in ``node_modules``)."""
    raw = _PROBES[kind](path)
    if _side_inputs is not None:
        key = f"{PROBE}{kind}:{path}"
        answer = _encode(raw)
        if key not in _answers:
            _answers[key] = answer
            _side_inputs.add(key)
        elif _answers[key] != answer:
            _answers[key] = _CHANGED  # answered two ways in one build: never matches again
    return raw


def renote(key: str, state: str | None) -> None:
    """Note again an input or probe a previous run's entry recorded (``key`` as noted),
    whose state ``state`` this run found unchanged."""
    if _side_inputs is not None:
        _side_inputs.add(key)
        if key.startswith(PROBE):
            _answers.setdefault(key, state)


_CHANGED = "\0changed during the build"


def _glob(pattern: str) -> list[str]:
    import glob

    return sorted(glob.glob(pattern, recursive=True))


def _isfile(path: str) -> bool:
    # os.access answers a missing path without raising (most probes ask about candidates
    # that do not exist: x.tsx, x.ts, x/index.tsx, ...); then the same test as os.path
    return os.access(path, os.F_OK) and os.path.isfile(path)


def _isdir(path: str) -> bool:
    return os.access(path, os.F_OK) and os.path.isdir(path)


_PROBES = {"isfile": _isfile, "isdir": _isdir, "exists": os.path.exists, "realpath": os.path.realpath, "glob": _glob}


def _encode(answer) -> str | None:
    if isinstance(answer, list):
        return "\0".join(answer)
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    return answer


def noted_inputs() -> set[str]:
    """The configuration files noted so far in this build (:func:`note_input`)."""
    return set(_side_inputs or ())


def input_state(path: str) -> str | None:
    """The state of a noted input now: SHA-256 of its bytes, or None when it cannot be
    read; for a probe (``probe:<kind>:<path>``, :func:`probe`), its answer now."""
    return _file_state(path)


def noted_state(path: str) -> str | None:
    """The state of a noted input to store: a probe's answer when the build asked it (not
    a later one: an entry never claims an answer its results were not made with), else
    :func:`input_state`."""
    if path in _answers:
        return _answers[path]
    return _file_state(path)


def _file_state(path: str) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read (absent); for a probe,
    its answer now."""
    if path.startswith(PROBE):
        kind, _, target = path[len(PROBE):].partition(":")
        return _encode(_PROBES[kind](target)) if kind in _PROBES else None
    if not os.access(path, os.F_OK):
        return None  # absent (most noted inputs: tsconfig.json and package.json looked for up the tree)
    if _input_states is not None:  # read only when its stat changed, once per run (file_states.py)
        return _input_states.sha256(path)
    try:
        with open(path, "rb") as fh:
            return _sha256(fh.read())
    except OSError:
        return None


def lock_file(key: str) -> Path:
    """Where the per-repository sync lock ``key`` lives: ``<cache dir>/locks/<key>.lock``,
    or ``convex-ssot-<key>.lock`` in the system temp directory when there is no cache
    directory (``CONVEX_SSOT_CACHE_DIR=""`` or an unwritable home)."""
    d = cache_dir(ignore_switch=True)
    if d is not None:
        try:
            (d / "locks").mkdir(exist_ok=True)
            return d / "locks" / f"{key}.lock"
        except OSError:
            pass
    import tempfile

    return Path(tempfile.gettempdir()) / f"convex-ssot-{key}.lock"


def grammar_cache_file(key: str) -> Path | None:
    """File where Lark keeps the LALR tables for the grammar with hash ``key``."""
    d = cache_dir()
    return None if d is None else d / f"grammar-{key}.lark-cache"


def cached_lark(text: str, key: str, **options):
    """A ``lark.Lark`` for grammar ``text`` whose LALR tables are kept in the cache file of
    ``key`` (:func:`grammar_cache_file`); a corrupt or foreign cache file is deleted and the
    tables are rebuilt without it. ``options`` are Lark's."""
    from lark import Lark

    cache_file = grammar_cache_file(key)
    if cache_file is not None:
        try:
            return Lark(text, cache=str(cache_file), **options)
        except (OSError, EOFError, ValueError, TypeError, AttributeError, KeyError):
            try:
                cache_file.unlink()
            except OSError:
                pass
    return Lark(text, **options)


def _tool_key() -> str:
    """Tool version, grammar text and the size and modification time of every module of
    the package: any change (an upgrade, or an edit of an editable install) invalidates
    every cached result. One ``scandir`` per directory (``__pycache__`` skipped) and one
    ``stat`` per module; about 1 ms (an ``os.walk`` with a string per file took 4 ms)."""
    import hashlib

    from . import __version__
    from .resources import grammar_path

    h = hashlib.sha256(__version__.encode())
    try:
        h.update(grammar_path().read_bytes())
    except OSError:
        pass
    h.update(modules_signature(os.path.dirname(os.path.abspath(__file__))).encode())
    return h.hexdigest()[:16]


def modules_signature(package_dir: str) -> str:
    """The relative path, size and ``st_mtime_ns`` of every ``.py`` file under
    ``package_dir`` (``__pycache__`` and symbolic links to directories not entered), one
    line each, in a fixed order (what could be listed, when a directory cannot be)."""
    parts: list[str] = []
    todo = [(package_dir, ".")]
    try:
        while todo:
            path, rel = todo.pop()
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
            for e in entries:
                if e.name.endswith(".py"):
                    st = e.stat()
                    parts.append(f"{rel}/{e.name}\0{st.st_size}\0{st.st_mtime_ns}\n")
                elif e.name != "__pycache__" and e.is_dir(follow_symlinks=False):
                    todo.append((e.path, e.name if rel == "." else f"{rel}/{e.name}"))
    except OSError:
        pass
    return "".join(parts)


class ModuleCache:
    """Per-file parse results (pickled :class:`~convex_ssot.resolve.modules.Module`),
    keyed by SHA-256 of the tool key, the repo-relative path and the file's bytes; and a
    per-project entry with the fingerprints of the contracts of the last run and the
    hashes of every file it read. Unreadable entries are ignored and rewritten."""

    def __init__(self, directory: Path) -> None:
        global _input_states
        _input_states = None  # another run's table is not this one's
        self.dir = directory
        self.tool = _tool_key()
        self.hashes: dict[str, str] = {}
        self.previous_fingerprints: dict[str, str] = {}
        #: SHA-256 of the evaluation entry read by / written in this run (None: none)
        self.loaded_evaluation: str | None = None
        self.stored_evaluation: str | None = None
        #: what may have changed in the function contract's calls/calledBy since the run that
        #: wrote the evaluation entry read (``incremental.link_changes``), set by the build
        self.link_changes = None
        #: ``{rel: SHA-256}`` of the files the previous run read (from its project entry), or None
        self.previous_files: dict[str, str] | None = None
        #: the recorded file states of the project (:meth:`file_states`), once opened
        self.states = None
        self._digested: dict[str, str] = {}

    @classmethod
    def open(cls) -> "ModuleCache | None":
        d = cache_dir()
        if d is None:
            return None
        try:
            (d / "modules").mkdir(exist_ok=True)
            (d / "projects").mkdir(exist_ok=True)
        except OSError:
            return None
        return cls(d)

    def digest(self, rel: str, data: bytes) -> str:
        """SHA-256 of a file's bytes (computed from the bytes once per file and run; a
        hash ``hashes`` took from a recorded file state is not used for bytes read)."""
        import hashlib

        h = self._digested.get(rel)
        if h is None:
            h = self._digested[rel] = hashlib.sha256(data).hexdigest()
        self.hashes[rel] = h
        return h

    def file_states(self, repo_root: Path, schema_rel: str):
        """The project's recorded file states (:class:`~convex_ssot.file_states.StateTable`,
        stored beside its project entry; opened once per run)."""
        global _input_states
        if self.states is None:
            from .file_states import StateTable

            self.states = StateTable.open(self._project_path(repo_root, schema_rel, ".states"), _write_atomic)
        _input_states = self.states  # configuration files' states too (_file_state)
        return self.states

    def _module_path(self, rel: str, file_hash: str) -> Path:
        import hashlib

        key = hashlib.sha256(f"{self.tool}\0{rel}\0{file_hash}".encode()).hexdigest()[:40]
        return self.dir / "modules" / f"{key}.pkl"

    def lookup(self, rel: str, data: bytes):
        """The cached parsed module for these bytes, or None."""
        import pickle

        path = self._module_path(rel, self.digest(rel, data))
        try:
            with open(path, "rb") as fh:
                mod = pickle.load(fh)
            if getattr(mod, "rel", None) == rel:
                return mod
        except Exception:  # noqa: BLE001 - any unreadable entry is rebuilt, never trusted
            pass
        return None

    def store(self, rel: str, data: bytes, mod) -> None:
        """Store a parsed module (the caller passes a slim copy,
        :func:`convex_ssot.resolve.source_files.slim`) for these bytes."""
        import pickle

        try:
            blob = pickle.dumps(mod, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable module is just not cached
            return
        _write_atomic(self._module_path(rel, self.digest(rel, data)), blob)

    def store_blob(self, rel: str, data: bytes, blob: bytes) -> None:
        """Store an already pickled slim module for these bytes."""
        _write_atomic(self._module_path(rel, self.digest(rel, data)), blob)

    # ---- per-module evaluation results (resolve/incremental.py)
    def load_evaluation(self, repo_root: Path, schema_rel: str) -> tuple[bytes, bytes] | None:
        """The evaluation entry stored by :meth:`store_evaluation` for this project:
        ``(index payload, pack bytes)`` (:mod:`convex_ssot.eval_pack`), or None when there is
        none or its index is not whole: its header must name :data:`EVAL_FORMAT` and this
        interpreter (:mod:`marshal` data is per interpreter version), and this tool key, and
        the payload must match the SHA-256 in the header. The pack's token and parts are
        checked by the reader (``resolve/entry.load_entry``)."""
        from . import eval_pack

        got = eval_pack.read(self._project_path(repo_root, schema_rel, ".eval.idx"), self._project_path(repo_root, schema_rel, ".eval.pack"),
                             _eval_version(), self.tool.encode())
        if got is None:
            return None
        self.loaded_evaluation = got[0]
        return got[1], got[2]

    def store_evaluation(self, repo_root: Path, schema_rel: str, token: str | None, parts: list, index_of) -> bool:
        """Store a project's evaluation entry: the records' ``parts`` (appended to the pack
        whose token is ``token`` when they are not in it already) and the index
        ``index_of(token, locations)`` behind a header with the format version, the tool key
        and the payload's SHA-256 (:func:`convex_ssot.eval_pack.write`); False when impossible."""
        from . import eval_pack

        digest = eval_pack.write(self._project_path(repo_root, schema_rel, ".eval.idx"), self._project_path(repo_root, schema_rel, ".eval.pack"),
                                 _eval_version(), self.tool.encode(), token, parts, index_of, _write_atomic)
        if digest is None:
            return False
        self.stored_evaluation = digest
        return True

    # ---- whole-project entries
    def _project_path(self, repo_root: Path, schema_rel: str, suffix: str = ".json") -> Path:
        import hashlib

        key = hashlib.sha256(f"{self.tool}\0{repo_root}\0{schema_rel}".encode()).hexdigest()[:40]
        return self.dir / "projects" / f"{key}{suffix}"

    def load_project(self, repo_root: Path, schema_rel: str, discovered: list[str]) -> "ProjectEntry | None":
        """The entry of the last run if every file it read is unchanged and the set of
        module files is the same; else None. Whole or not, an undamaged entry leaves the
        fingerprints of the contracts the last run derived in ``previous_fingerprints`` and
        the hashes of the files it read in ``previous_files``. A file is read only when its
        ``stat`` differs from its recorded state (:meth:`file_states`). The contracts
        themselves are not part of the entry: the repository's contract files (or the copies
        of :meth:`contract_copy`) are checked against the fingerprints when they are read."""
        from .emit.jsonout import loads

        try:
            entry = loads(self._project_path(repo_root, schema_rel).read_bytes())
            summary, fingerprints = entry["summary"], entry["fingerprints"]
            if entry.get("digest") != _entry_digest(summary, fingerprints):
                return None  # damaged (or edited) entry: rebuild, never trust
            self.previous_fingerprints = dict(fingerprints)
            self.previous_files = entry["files"]
            if entry.get("discovered") != discovered:
                return None
            root = os.fspath(repo_root)
            states = self.file_states(repo_root, schema_rel)  # read only what stat shows changed
            for rel, h in entry["files"].items():
                if states.sha256(os.path.join(root, rel)) != h:
                    return None
            for path, h in entry["inputs"].items():
                if _file_state(path) != h:
                    return None
            states.save()
            return ProjectEntry(summary, fingerprints)
        except Exception:  # noqa: BLE001 - missing or corrupt: rebuild
            return None

    def store_project(self, repo_root: Path, schema_rel: str, discovered: list[str], summary: dict, fingerprints: dict,
                      inputs: set[str] = frozenset(), copies: dict[str, bytes] | None = None) -> None:
        """Remember this run: the hashes of every file read, a summary (counts and
        diagnostics) and the contracts' fingerprints. ``copies`` (the contracts' JSON
        bytes by name) are kept beside the entry (:meth:`contract_copy`) by a run that
        does not write them to the repository (a derive without sync); a sync writes
        none: the contract files it writes are the copy (docs/architecture.md, "The
        project cache entry")."""
        from .emit.jsonout import dumps

        for name, data in (copies or {}).items():
            _write_atomic(self._project_path(repo_root, schema_rel, f".{name}.contract.json"), data)
        entry = {
            "discovered": discovered,
            "files": dict(sorted(self.hashes.items())),
            "inputs": {path: noted_state(path) for path in sorted(inputs)},
            "summary": summary,
            "fingerprints": fingerprints,
        }
        entry["digest"] = _entry_digest(summary, fingerprints)
        _write_atomic(self._project_path(repo_root, schema_rel), dumps(entry))

    def contract_copy(self, repo_root: Path, schema_rel: str, name: str) -> bytes | None:
        """The copy of contract ``name`` kept by :meth:`store_project` (unchecked: the
        caller compares its fingerprint), or None."""
        try:
            return self._project_path(repo_root, schema_rel, f".{name}.contract.json").read_bytes()
        except OSError:
            return None

    # ---- emitted function entries of the last validated contract (pipeline.py)
    def store_entries(self, repo_root: Path, schema_rel: str, index: dict) -> bool:
        """Store ``index`` (a JSON-able dict that names, among other things, the contracts
        it points into by their fingerprints) with a checksum of its own, atomically."""
        from .emit.jsonout import dumps

        data = dumps(index)
        return _write_atomic(self._project_path(repo_root, schema_rel, ".entries"), [_sha256(data).encode(), b"\n", data])

    def prefetch_entries(self, repo_root: Path, schema_rel: str, find):
        """Start :meth:`load_entries` on a thread (reading and hashing the contracts
        release the GIL, so it runs beside the build); returns ``result()``, which waits
        for it. Nothing is started when there is no index."""
        import threading

        if not self._project_path(repo_root, schema_rel, ".entries").is_file():
            return lambda: None
        out: list = [None]

        def run() -> None:
            out[0] = self.load_entries(repo_root, schema_rel, find)

        thread = threading.Thread(target=run, name="convex-ssot-entries", daemon=True)
        thread.start()

        def result():
            thread.join()
            return out[0]

        return result

    def load_entries(self, repo_root: Path, schema_rel: str, find) -> tuple[dict, dict] | None:
        """``(index, {name: contract bytes})`` stored by :meth:`store_entries`, or None
        when missing or damaged. ``index["contracts"]`` names each contract the index
        points into by its fingerprint; ``find(name, fingerprint)`` gives bytes of that
        contract as serialised then, or None (its entry is then None)."""
        from .emit.jsonout import loads

        try:
            digest, data = self._project_path(repo_root, schema_rel, ".entries").read_bytes().split(b"\n", 1)
            if _sha256(data) != digest.decode():
                return None
            index = loads(data)
            return index, {name: find(name, fp) for name, fp in index["contracts"].items()}
        except Exception:  # noqa: BLE001 - missing or damaged: emit everything
            return None


#: Version of the evaluation entry's layout (resolve/entry.py, eval_pack.py); bump on any change.
EVAL_FORMAT = 6


def _eval_version() -> bytes:
    """The evaluation entry's version line: :data:`EVAL_FORMAT` and the interpreter's cache
    tag (``cpython-311``; the entry is :mod:`marshal` data, whose format is the interpreter's)."""
    import sys

    return f"{EVAL_FORMAT} {sys.implementation.cache_tag}".encode()


def _entry_digest(summary, fingerprints) -> str:
    """Checksum of a project entry's summary and fingerprints, checked when it is read back."""
    from .emit.jsonout import dumps

    return _sha256(dumps([summary, fingerprints]))


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes | list[bytes]) -> bool:
    """Write ``path`` through a temporary file in its directory and a rename (never half
    written); False when impossible."""
    return _write_atomic(path, data)


def _write_atomic(path: Path, data: bytes | list[bytes]) -> bool:
    """Write a cache file (``data``: its bytes, or a list of pieces written one after the
    other) through a temporary file and a rename; False when impossible."""
    from .temp_files import temp_file

    tmp = None
    try:
        fd, tmp = temp_file(path.parent)
        with os.fdopen(fd, "wb") as fh:
            for piece in [data] if isinstance(data, bytes) else data:
                fh.write(piece)
        os.replace(tmp, path)
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be written is just not used
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


class ProjectEntry:
    """A whole-project cache hit: ``summary`` (``tables``, ``functions``, ``diagnostics``,
    ``schemaFound``) and ``fingerprints`` ({contract name:
    :func:`convex_ssot.stored_contracts.fingerprint`}) of the contracts the last run derived."""

    def __init__(self, summary: dict, fingerprints: dict) -> None:
        self.summary = summary
        self.fingerprints = fingerprints
