"""The evaluation entry: what one run stores of its records (:mod:`.incremental`) for the
next, and reading it back (docs/architecture.md, "Incremental evaluation").

Each record is one *part* (:mod:`convex_ssot.eval_pack`): its small part
(:meth:`~.incremental.RootRecord.meta`, :mod:`marshal` data) followed by its pickled
payload. A reused record keeps its part where it is in the pack; only the records a run
made afresh are serialised and appended. The index (:mod:`marshal` data) holds the pack's
token, each root's part (offset, length, length of its small part, SHA-256), and the
entry's other tables: ``files`` (repo-relative path → SHA-256 of the bytes, suffixed
``!outside`` when its real path leaves the repository, or None), ``loads`` (path → the
diagnostics the file produced when it was loaded, as plain tuples), ``edges``
(``(importer, specifier, platform)`` → :func:`~.incremental.flat_resolution`), ``inputs``
(configuration files consulted → state) and ``probes`` (file-system questions → answer).
"""

from __future__ import annotations

import hashlib

from .. import ir
from .incremental import RootRecord, diagnostic_of, flat_diagnostic, flat_resolution

__all__ = ["entry_of", "store", "load_entry"]

_NO_LOADS = ((), ())


def _flat_loads(v: tuple) -> tuple:
    """``(read diagnostics, parse diagnostics)`` of a file as plain values."""
    return v if v == _NO_LOADS else (tuple(map(flat_diagnostic, v[0])), tuple(map(flat_diagnostic, v[1])))


def entry_of(roots: dict, previous, states, loads: dict, edges: dict, inputs: set[str]) -> tuple[list, list, dict]:
    """What to store for this run: ``(root ids, parts, tables)``. ``parts``: per root id,
    ``(location, length of the small part, bytes)`` — a reused record keeps its part
    (``location``: ``(offset, length, SHA-256)`` in the previous entry's pack, ``bytes`` a
    view of it), a fresh one is serialised (``location`` None); ``tables``: the state and load diagnostics of
    every file the records read (``loads``: rel → ``(read diagnostics, parse
    diagnostics)`` of this run, else the previous entry's), the results of their
    resolutions (``edges`` of this run, else the previous entry's) and the configuration
    files consulted (``inputs``, absolute paths) with their states."""
    import marshal

    from ..cache import PROBE, noted_state

    prev = previous if isinstance(previous, dict) else {}
    old_loads, old_edges = prev.get("loads", {}), prev.get("edges", {})
    old_records, old_parts = prev.get("records", {}), prev.get("parts", {})
    table = None
    rids: list = []
    parts: list = []
    files: dict[str, str | None] = {}
    kept_loads: dict[str, tuple] = {}
    kept_edges: dict[tuple, object] = {}
    flats: dict[int, tuple | None] = {}
    for rid, rec in roots.items():
        rids.append(rid)
        old = old_parts.get(rid) if old_records.get(rid) is rec else None
        if old is not None:  # a reused record keeps its part: only fresh roots are serialised
            parts.append(old)
        else:
            if table is None:
                table = _dispatch_table()
            meta = marshal.dumps(rec.meta())
            parts.append((None, len(meta), meta + _dumps(rec.decoded(), table)))
        for rel in rec.accessed:
            if rel not in files:
                files[rel] = states(rel)
                kept_loads[rel] = _flat_loads(loads[rel]) if rel in loads else _flat_loads(old_loads.get(rel, _NO_LOADS))
        for key in rec.edges:
            if key not in kept_edges:
                if key in edges:
                    res = edges[key]
                    flat = flats.get(id(res))
                    if flat is None:  # one tuple per result object (shared in the entry)
                        flat = flats[id(res)] = flat_resolution(res)
                    kept_edges[key] = flat
                else:
                    kept_edges[key] = old_edges[key]
    return rids, parts, {
        "files": files,
        "loads": kept_loads,
        "edges": kept_edges,
        "inputs": {path: noted_state(path) for path in sorted(inputs) if not path.startswith(PROBE)},
        "probes": {key: noted_state(key) for key in sorted(inputs) if key.startswith(PROBE)},
    }


def store(module_cache, repo_root, schema_rel: str, roots: dict, previous, states, loads: dict,
          edges: dict, inputs: set[str]) -> bool:
    """Store this run's records (:func:`entry_of`) in ``module_cache``
    (:meth:`~convex_ssot.cache.ModuleCache.store_evaluation`); False when something in
    them cannot be serialised or the cache cannot be written (the next run evaluates more)."""
    import marshal

    try:
        rids, parts, tables = entry_of(roots, previous, states, loads, edges, inputs)
        shas = []
        for loc, meta_len, data in parts:
            shas.append(loc[2] if loc is not None else hashlib.sha256(data).digest())

        def index_of(token: str, locations: list) -> bytes:
            return marshal.dumps({**tables, "token": token, "roots": {
                rid: (at, size, sha, meta_len) for rid, (at, size), sha, (_, meta_len, _) in zip(rids, locations, shas, parts)}})

        token = previous.get("token") if isinstance(previous, dict) else None
        return module_cache.store_evaluation(repo_root, schema_rel, token, [(loc, data) for loc, _, data in parts], index_of)
    except Exception:  # noqa: BLE001 - an unserialisable result is just not cached
        return False


def load_entry(loaded):
    """The entry :func:`store` wrote (``loaded``: ``(index payload, pack bytes)`` of
    :meth:`~convex_ssot.cache.ModuleCache.load_evaluation`) with its records' small parts
    decoded (``entry["records"]``: root id → :class:`~.incremental.RootRecord`, whose
    payload stays pickled until it is asked for) and its parts' places (``entry["parts"]``),
    or None: no entry, or a pack that is not the one the index names, or a part that does
    not match its SHA-256."""
    import marshal

    from ..eval_pack import pack_token

    if loaded is None:
        return None
    try:
        payload, pack = loaded
        entry = marshal.loads(payload)
        if pack_token(pack) != entry["token"]:
            return None
        view = memoryview(pack)
        records, parts = {}, {}
        sha256 = hashlib.sha256
        for rid, (at, size, sha, meta_len) in entry["roots"].items():
            part = view[at : at + size]
            if len(part) != size or sha256(part).digest() != sha:
                return None
            accessed, diags, edges, probes, http_actions, links = marshal.loads(part[:meta_len])
            if diags:
                diags = frozenset((rel, diagnostic_of(d)) for rel, d in diags)
            records[rid] = RootRecord(accessed, diags, edges, probes, http_actions=http_actions, links=links, blob=part[meta_len:])
            parts[rid] = ((at, size, sha), meta_len, part)
        entry["records"], entry["parts"] = records, parts
        entry["loads"] = {rel: v if v == _NO_LOADS else (tuple(map(diagnostic_of, v[0])), tuple(map(diagnostic_of, v[1])))
                          for rel, v in entry["loads"].items()}
        return entry
    except Exception:  # noqa: BLE001 - a damaged entry is not used
        return None


def _dispatch_table() -> dict:
    """Pickle reducers for the frozen dataclasses an entry holds: ``(cls, field values)``,
    rebuilt by calling the class. The default pickling of slotted dataclasses looks the
    fields up for every object and took most of the time of an edit run's cache I/O."""
    import dataclasses
    import operator

    from .paths import Resolution

    classes = [c for c in vars(ir).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]
    table = {}
    for cls in classes + [Resolution]:
        fields = dataclasses.fields(cls)
        names = [f.name for f in fields if f.init and not f.kw_only]
        if len(names) != len(fields):
            continue  # fields not set positionally by __init__: default pickling
        get = operator.attrgetter(*names)
        if len(names) == 1:
            table[cls] = lambda obj, cls=cls, get=get: (cls, (get(obj),))
        else:
            table[cls] = lambda obj, cls=cls, get=get: (cls, get(obj))
    return table


def _dumps(obj, table: dict) -> bytes:
    import io
    import pickle

    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table
    pickler.dump(obj)
    return buf.getvalue()


