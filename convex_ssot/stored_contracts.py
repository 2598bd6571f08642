"""What the last run left that this run may reuse: its contracts (the files a sync wrote
to the repository, or the copies a derive kept in the cache), found by their
fingerprints, and the index of their validated entries (docs/architecture.md, "The
project cache entry" and "Emitted entries"). Used by :mod:`convex_ssot.pipeline`."""

from __future__ import annotations

import re
from . import regex_cache
from .config import DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, Config
from .emit.jsonout import Fragment, loads

__all__ = ["EPOCH", "TOP_UPDATED_AT", "fingerprint", "contract_finder", "stored_contracts", "stored_index", "stored_tables", "stored_entries",
           "settled", "remember_entries"]

#: The ``updatedAt`` placeholder of a contract derived in memory.
EPOCH = "1970-01-01T00:00:00.000Z"

TOP_UPDATED_AT = regex_cache.compile(rb'^  "updatedAt": "[^"\\\n]*"', re.M)


def fingerprint(data: bytes) -> str:
    """SHA-256 (hex) of a contract's bytes with its top-level ``updatedAt`` value replaced
    by :data:`EPOCH`. Two contracts written by :func:`~convex_ssot.pipeline.sync` have the same fingerprint
    exactly when they differ in nothing but ``updatedAt`` (the top-level keys are the only
    lines indented by two spaces in :func:`convex_ssot.emit.jsonout.dumps` output). Bytes
    written otherwise simply get another fingerprint, so a comparison can say "equal"
    wrongly never, "different" only for reformatted files."""
    import hashlib

    h = hashlib.sha256()
    m = TOP_UPDATED_AT.search(data)
    view = memoryview(data)
    if m is None:
        h.update(view)
    else:  # the same digest as of the bytes with the value replaced, without copying them
        h.update(view[: m.start()])
        h.update(b'  "updatedAt": "' + EPOCH.encode() + b'"')
        h.update(view[m.end() :])
    return h.hexdigest()


def contract_finder(cfg: Config, cache, seen: dict):
    """``find(name, fp)``: the bytes of contract ``name`` (``"db"``, ``"functions"``)
    whose :func:`fingerprint` is ``fp``, laid out as :func:`~convex_ssot.emit.jsonout.dumps` wrote it with
    :data:`EPOCH` (:func:`as_serialized`): the repository's contract file when its
    fingerprint matches, else the copy a derive without sync kept in the cache
    (:meth:`~convex_ssot.cache.ModuleCache.contract_copy`); None when neither matches.
    The repository's file and its fingerprint are noted in ``seen`` (``{name: (bytes,
    fingerprint)}``): :func:`~convex_ssot.pipeline.sync` compares the file again without hashing it twice."""
    rels = {"db": DB_CONTRACT_REL, "functions": FUNCTIONS_CONTRACT_REL}

    def find(name: str, fp: str):
        if name not in rels:
            return None
        try:
            data = (cfg.repo_root / rels[name]).read_bytes()
        except OSError:
            data = None
        if data is not None:
            got = fingerprint(data)
            seen[name] = (data, got)
            if got == fp:
                return as_serialized(data)
        data = cache.contract_copy(cfg.repo_root, cfg.schema_rel, name) if cache is not None else None
        if data is not None and fingerprint(data) == fp:
            return data
        return None

    return find


def as_serialized(data: bytes) -> bytes:
    """A contract file whose :func:`fingerprint` matched, with the byte offsets of
    :func:`~convex_ssot.emit.jsonout.dumps`' output with :data:`EPOCH`: ``data`` itself when its ``updatedAt``
    value is as long as EPOCH (no entry of ``tables``/``functions`` overlaps that
    top-level line), else a copy with the value replaced."""
    m = TOP_UPDATED_AT.search(data)
    line = b'  "updatedAt": "' + EPOCH.encode() + b'"'
    if m is None or m.end() - m.start() == len(line):
        return data
    return data[: m.start()] + line + data[m.end() :]


def stored_contracts(find, fingerprints: dict) -> tuple[dict, dict | None] | None:
    """``(db, functions)`` the last run derived (``updatedAt`` = :data:`EPOCH`), read
    through ``find`` (:func:`contract_finder`) and checked against ``fingerprints``;
    None when one of them is nowhere intact."""
    docs: dict = {}
    for name, fp in fingerprints.items():
        data = find(name, fp)
        if data is None:
            return None
        doc = loads(data)
        if not isinstance(doc, dict):
            return None
        if "updatedAt" in doc:
            doc["updatedAt"] = EPOCH
        docs[name] = doc
    return (docs["db"], docs.get("functions")) if "db" in docs else None


def stored_index(cache, project, prefetched) -> tuple[dict, dict] | None:
    """The index of the entries of the last validated contracts and the contracts it
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
    # entries are joined or written as slices: no copy of each
    return stored[0], {name: None if data is None else memoryview(data) for name, data in stored[1].items()}


def stored_tables(stored, schema) -> tuple:
    """``(schema, tables)`` for :func:`~convex_ssot.emit.db_contract.db_contract`: the
    stored entries of a reused schema's tables (None when there are none, and the schema
    itself decoded)."""
    from .resolve.incremental import ReusedSchema

    if not isinstance(schema, ReusedSchema):
        return schema, None
    if stored is not None:
        from .validate import schema_digest

        index, data = stored[0], stored[1].get("db")
        spans = index.get("tables")
        if data is not None and index.get("dbSchema") == schema_digest("db") and spans is not None and len(spans) == schema.table_count:
            return schema, [bytes(data[a:b]) for a, b in spans]
    return schema.schema(), None


def stored_entries(stored, functions: list) -> tuple[dict, list]:
    """``(bodies, functions)`` for :func:`~convex_ssot.emit.functions_contract.functions_contract`:
    functionId → where the stored entry lies (``(contract bytes, start, start of calls,
    end)``: body, then ``calls``/``calledBy`` as then) of each function
    of a reused evaluation record (:class:`~convex_ssot.resolve.incremental.ReusedFunction`)
    that the index holds, and
    the functions with every other reused one decoded. A functionId that occurs more than
    once, then or now, is emitted afresh."""
    from .resolve.incremental import ReusedFunction

    bodies: dict = {}
    reused = [f for f in functions if isinstance(f, ReusedFunction)]
    if reused and stored is not None:
        from .validate import schema_digest

        index, data = stored[0], stored[1].get("functions")
        if data is not None and index.get("schema") == schema_digest("functions"):
            spans = index["entries"]
            counts: dict[str, int] = {}
            for f in functions:
                counts[f.function_id] = counts.get(f.function_id, 0) + 1
            for f in reused:
                fid = f.function_id
                span = spans.get(fid)
                if span is not None and counts[fid] == 1:
                    bodies[fid] = (data, span[0], span[1], span[2])
    if reused:
        functions = [f.function() if isinstance(f, ReusedFunction) and f.function_id not in bodies else f for f in functions]
    return bodies, functions


def settled(functions: list, bodies: dict, cache) -> set[str]:
    """The functionIds of ``bodies`` (:func:`stored_entries`) whose stored entry is right
    whole, ``calls`` and ``calledBy`` included: nothing they depend on changed since the
    run that wrote the evaluation entry this run read
    (:func:`~convex_ssot.resolve.incremental.settled_entries`; the index of ``bodies``
    names that very entry, :func:`stored_index`)."""
    if not bodies or cache is None:
        return set()
    from .resolve.incremental import settled_entries

    return settled_entries(functions, set(bodies), cache.link_changes)


def remember_entries(cfg: Config, cache, derived, functions: list, reused: set[str], table_sizes: list | None):
    """``remember(validated)``, which stores where the tables' and the functions' entries
    (without ``calls``/``calledBy``) lie in this run's contracts, stamped with the
    evaluation entry written in this run, the contracts' fingerprints (a sync wrote them
    to the repository, a derive kept copies: :func:`contract_finder` finds them) and
    the two schemas' digests. Kept:
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
    items = iter(derived.entry_counts or [1] * len(derived.built("functions")["functions"]))
    # a Fragment stands for one stored entry or more (a run placed whole: functions_contract)
    spans = entry_spans(data, [next(known)[2:] if type(e) is Fragment else None
                               for e in derived.built("functions")["functions"] for _ in range(next(items))])
    tables = table_spans(db, table_sizes if table_sizes is not None else [None] * len(derived.built("db")["tables"]))
    if spans is None or len(spans) != len(ids):
        return None
    counts: dict[str, int] = {}
    for fid in ids:
        counts[fid] = counts.get(fid, 0) + 1
    entries = {fid: (a, b, c) for fid, (a, b, c) in zip(ids, spans) if counts[fid] == 1}
    evaluation = cache.stored_evaluation
    stamp = {"schema": schema_digest("functions"), "dbSchema": schema_digest("db")}
    contracts = {name: derived.fingerprints[name] for name in ("db", "functions")}

    def remember(validated) -> None:
        kept = {fid: [a, b, c] for fid, (a, b, c) in entries.items() if "functions" in validated or fid in reused}
        index = {"evaluation": evaluation, "contracts": contracts, **stamp, "entries": kept}
        if tables is not None and ("db" in validated or table_sizes is not None):
            index["tables"] = [[a, b] for a, b in tables]
        cache.store_entries(cfg.repo_root, cfg.schema_rel, index)

    return remember
