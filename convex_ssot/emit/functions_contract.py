"""IR → the function contract ``docs/context/convex/functions.json`` (convex-functions-contract-v1).

Pure: builds plain dicts, does no I/O. Format: docs/contracts.md; JSON Schema:
schemas/functions.schema.json.
"""

from __future__ import annotations

import operator
from dataclasses import fields

from .. import ir
from .db_contract import EPOCH, diagnostics_json
from .jsonout import Fragment, dumps_nested
from .surface import called_by, calls_json, surface_parts
from .validators import compound, convex_json, is_nullable, summary, type_string

__all__ = ["functions_contract", "function_json", "entry_spans"]

_USES_KEYS = tuple(f.name for f in fields(ir.Uses))  # plain booleans: no deep copy (dataclasses.asdict) needed


def _field_entry(name: str, v: ir.Validator) -> dict:
    out = {
        "name": name,
        "type": type_string(v),
        "optional": v.optional,
        "nullable": is_nullable(v),
        "list": v.kind == "array",
        "rawValidator": v.raw,
        "validator": convex_json(v),
    }
    out.update(compound(v))
    return out


def _args_json(f: ir.Function) -> dict | None:
    if f.args is None:
        return None
    v = f.args
    if f.args_is_map and v.kind == "object":
        return {
            "raw": v.raw,
            "type": "object",
            "nullable": False,
            "list": False,
            "fields": [_field_entry(x.name, x.validator) for x in v.fields],
            "validator": convex_json(v),
        }
    return {"raw": v.raw, **summary(v), "validator": convex_json(v)}


def _returns_json(f: ir.Function) -> dict | None:
    if f.returns is None:
        return None
    v = f.returns
    return {"raw": v.raw, **summary(v), "validator": convex_json(v)}


def function_json(f: ir.Function, calls: list[dict] | None = None, callers: list[dict] | None = None) -> dict:
    """One function entry of the contract (``calls``/``callers``: :mod:`.surface`)."""
    return {
        "functionId": f.function_id,
        "exportName": f.export_name,
        "kind": f.kind,
        "constructor": f.constructor,
        "resolvedConstructor": f.resolved_constructor,
        "constructorChain": list(f.constructor_chain),
        "visibility": f.visibility,
        "file": f.file,
        "modulePath": f.module_path,
        "runtime": f.runtime,
        "argsValidator": _args_json(f),
        "returnsValidator": _returns_json(f),
        "auth": {"kind": f.auth_kind},
        "uses": {name: getattr(f.uses, name) for name in _USES_KEYS},
        "tablesRead": list(f.tables_read),
        "tablesWritten": list(f.tables_written),
        "calls": calls or [],
        "calledBy": callers or [],
    }


def functions_contract(
    convex_dir: str,
    functions: list[ir.Function],
    diagnostics: list[ir.Diagnostic],
    updated_at: str = EPOCH,
    *,
    http_routes: list[ir.HttpRoute] = (),
    crons: list[ir.CronJob] = (),
    components: list[ir.Component] = (),
    bodies: dict[str, bytes] | None = None,
    reused: list | None = None,
    settled: set[str] = frozenset(),
    counts: list | None = None,
) -> dict:
    """The function contract as a dict; ``functions`` sorted by functionId, then the
    callable surface (``httpRoutes``, ``crons``, ``components``).

    ``bodies``: functionId → ``(data, start, start of calls, end)``: where the entry of
    that function lies in ``data``, the contract a previous run serialised (:func:`entry_spans`:
    body, then ``tail``, its ``calls`` and ``calledBy`` then); such a function's
    entry is a :data:`~.jsonout.Fragment` of the body with its ``calls`` and ``calledBy``
    (which depend on the other functions, cron jobs and routes) serialised now, and
    ``(calls, calledBy, length of the body, length of the entry)`` is appended to
    ``reused`` — with ``calls`` and ``calledBy`` None when they serialise exactly as the
    stored ``tail``. Only what reads ``calls`` and
    ``calledBy`` is read of such a function (``function_id``, ``visibility``, ``calls``).
    The caller vouches that each body is what :func:`function_json` gives for that very
    function. ``settled``: functionIds of ``bodies`` whose stored ``tail`` is right too
    (nothing their ``calls`` and ``calledBy`` depend on changed,
    :func:`~convex_ssot.resolve.incremental.settled_entries`): their stored entry is
    placed whole, their ``calls`` and ``calledBy`` not computed; consecutive ones that lie
    one after the other in ``data`` make one Fragment (one copy of their bytes, not one per
    entry). ``counts`` gets, per item of ``functions``, how many entries it holds."""
    fns = sorted(functions, key=_FUNCTION_ID)
    visibility = {f.function_id: f.visibility for f in fns}
    installed = {c.name for c in components if c.name is not None}
    bodies = bodies or {}
    wanted = {f.function_id for f in fns if f.function_id not in settled} if settled else None
    callers = called_by(fns, list(crons), list(http_routes), wanted)
    entries: list = []
    counts = [] if counts is None else counts
    run = None  # [data, start, end, entries]: stored entries placed whole, one after the other in data
    for f in fns:
        fid = f.function_id
        body = bodies.get(fid)
        if body is not None and fid in settled:
            data, a, b, c = body
            if run is not None and run[0] is data and run[2] + len(_BETWEEN) == a and data[run[2]:a] == _BETWEEN:
                run[2] = c
                run[3] += 1
            else:
                if run is not None:
                    entries.append(Fragment(bytes(run[0][run[1]:run[2]])))
                    counts.append(run[3])
                run = [data, a, c, 1]
            if reused is not None:
                reused.append((None, None, b - a, c - a))
            continue
        if run is not None:
            entries.append(Fragment(bytes(run[0][run[1]:run[2]])))
            counts.append(run[3])
            run = None
        counts.append(1)
        calls, by = calls_json(f, visibility, installed), callers.get(fid)
        if body is None:
            entries.append(function_json(f, calls, by))
            continue
        data, a, b, c = body
        body, tail = data[a:b], data[b:c]
        by = by or []
        new_tail = b"".join((_CALLS, dumps_nested(calls, 3) if calls else b"[]", _CALLED_BY, dumps_nested(by, 3) if by else b"[]", _END))
        entry = b"".join((body, new_tail))
        entries.append(Fragment(entry))
        if reused is not None:
            same = tail == new_tail  # the very calls and calledBy of the stored entry
            reused.append((None, None, len(body), len(entry)) if same else (calls, by, len(body), len(entry)))
    if run is not None:
        entries.append(Fragment(bytes(run[0][run[1]:run[2]])))
        counts.append(run[3])
    return {
        "version": 1,
        "updatedAt": updated_at,
        "source": {"kind": "convex-functions", "path": convex_dir.rstrip("/") + "/"},
        "functions": entries,
        **surface_parts(fns, list(http_routes), list(crons), list(components)),
        "diagnostics": diagnostics_json(diagnostics),
    }


_FUNCTION_ID = operator.attrgetter("function_id")

# How dumps() writes an entry of "functions" (an item of a top-level array: keys indented by
# six spaces): calls and calledBy are its last two keys (function_json).
_ENTRY_START = b'\n    {\n      "functionId": '
_CALLS = b',\n      "calls": '
_CALLED_BY = b',\n      "calledBy": '
_END = b"\n    }"
_BETWEEN = b",\n    "  # between two entries of "functions"


def entry_spans(data: bytes, entries: list) -> list[tuple[int, int, int]] | None:
    """Where each entry of ``functions`` lies in ``data`` (the contract ``doc`` serialised
    by :func:`~.jsonout.dumps`; ``entries``: ``doc["functions"]``, with for each
    :data:`~.jsonout.Fragment` its ``(body length, entry length)`` as ``reused`` gives them,
    in order, else None): ``(start, start of calls, end)`` byte offsets, in order; None
    when the bytes are not laid out so. A Fragment's place follows from its lengths; only
    the other entries are read: a line break followed by six spaces and a key is a key of
    an entry of a top-level array (JSON strings hold no raw newline), only function entries
    start with ``functionId``, ``calls`` is the last key but one, and the entry ends at the
    first line break followed by four spaces and ``}`` after it."""
    spans = []
    at = data.find(_ENTRY_START)
    for known in entries:
        if at < 0 or not data.startswith(_ENTRY_START, at):
            return None
        start = at + 5
        if known is not None:
            body, size = known
            spans.append((start, start + body, start + size))
            at = start + size + 1  # after the comma
        else:
            calls = data.find(_CALLS, start)
            end = data.find(_END, calls) if calls >= 0 else -1
            if end < 0:
                return None
            spans.append((start, calls, end + len(_END)))
            at = end + len(_END) + 1
    return spans
