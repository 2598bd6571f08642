"""IR → the callable-surface parts of the function contract: ``httpRoutes``, ``crons``,
``components``, and per function ``calls`` and ``calledBy``.

Pure: plain dicts, no I/O. Format: docs/contracts.md ("The callable surface"); JSON Schema:
schemas/functions.schema.json. ``resolved`` is decided here, where every function is
known: a target ``module:export`` is resolved when the contract lists that function with
the visibility the reference implies (``api.*`` → public, ``internal.*`` → internal;
``makeFunctionReference``/a string name: any visibility); a ``components.<name>.…``
target when a component named ``<name>`` is installed.
"""

from __future__ import annotations

from .. import ir
from .validators import literal_json
from .paths import contract_path

__all__ = ["surface_parts", "calls_json", "called_by", "is_resolved"]


def is_resolved(ref: ir.FunctionRef, visibility: dict[str, str], installed: set[str]) -> bool:
    """Whether ``ref`` points at a function of this contract (see the module docstring)."""
    t = ref.target
    if t is None:
        return False
    if ref.visibility == "component":
        return t.split(".")[1] in installed
    if t not in visibility:
        return False
    return ref.visibility is None or visibility[t] == ref.visibility


def _ref_json(ref: ir.FunctionRef, visibility: dict[str, str], installed: set[str]) -> dict:
    return {"target": ref.target, "reference": ref.expression, "resolved": is_resolved(ref, visibility, installed)}


def calls_json(f: ir.Function, visibility: dict[str, str], installed: set[str]) -> list[dict]:
    """``calls`` of one function: ``{via, target, reference, resolved, file, line}``."""
    return [{"via": c.via, **_ref_json(c.ref, visibility, installed), "file": contract_path(c.file), "line": c.line} for c in f.calls]


def called_by(functions: list[ir.Function], crons: list[ir.CronJob], routes: list[ir.HttpRoute],
              wanted: set[str] | None = None) -> dict[str, list[dict]]:
    """functionId → who calls it: ``{via, functionId}`` for functions, ``{via: "cron", cron}``
    for cron jobs, ``{via: "http", route}`` for routes; sorted, without repeats. ``wanted``:
    only these functionIds' callers (None: every target's)."""
    out: dict[str, set[tuple]] = {}
    for f in functions:
        # a reused function's calls are plain (via, target, …) tuples (resolve/incremental.py), not decoded for this
        flat = getattr(f, "flat_calls", None)
        if flat is not None:
            for c in flat:
                target = c[1]
                if target is not None and (wanted is None or target in wanted):
                    out.setdefault(target, set()).add((c[0], "functionId", f.function_id))
            continue
        for c in f.calls:
            target = c.ref.target
            if target is not None and (wanted is None or target in wanted):
                out.setdefault(target, set()).add((c.via, "functionId", f.function_id))
    for j in crons:
        if j.ref.target is not None:
            out.setdefault(j.ref.target, set()).add(("cron", "cron", j.name))
    for r in routes:
        if r.handler_function_id is not None:
            out.setdefault(r.handler_function_id, set()).add(("http", "route", f"{r.method} {_route_path(r)}"))
    return {k: [{"via": via, key: who} for via, key, who in sorted(v, key=lambda t: (t[1], t[2], t[0]))] for k, v in out.items()}


def _route_path(r: ir.HttpRoute) -> str:
    return r.path if r.path is not None else f"{r.path_prefix}*"


def _convex_json(x):
    if isinstance(x, ir.LiteralValue):
        return literal_json(x)
    if isinstance(x, dict):
        return {k: _convex_json(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_convex_json(v) for v in x]
    return x


def _route_json(r: ir.HttpRoute) -> dict:
    out: dict = {"method": r.method}
    if r.path is not None:
        out["path"] = r.path
    else:
        out["pathPrefix"] = r.path_prefix
    if r.handler_function_id is not None:
        handler: dict = {"functionId": r.handler_function_id}
    elif r.handler_package is not None:
        handler = {"inline": True, "package": r.handler_package}
    elif r.handler_file is not None:
        handler = {"inline": True, "file": contract_path(r.handler_file), "line": r.handler_line}
    else:
        handler = {"unresolved": True}
    out["handler"] = handler
    out["file"] = contract_path(r.file)
    out["line"] = r.line
    if r.registered_by is not None:
        out["registeredBy"] = r.registered_by
    return out


def surface_parts(project_functions: list[ir.Function], routes: list[ir.HttpRoute], crons: list[ir.CronJob], components: list[ir.Component]) -> dict:
    """The top-level ``httpRoutes``, ``crons`` and ``components`` of the contract (routes in
    ``getRoutes()`` order, cron jobs in registration order, components in ``use`` order)."""
    visibility = {f.function_id: f.visibility for f in project_functions}
    installed = {c.name for c in components if c.name is not None}
    return {
        "httpRoutes": [_route_json(r) for r in routes],
        "crons": [
            {
                "name": j.name,
                "schedule": j.schedule,
                "functionId": j.ref.target,
                "reference": j.ref.expression,
                "resolved": is_resolved(j.ref, visibility, installed),
                "args": _convex_json(j.args),
                "file": contract_path(j.file),
                "line": j.line,
            }
            for j in crons
        ],
        "components": [
            {"name": c.name, "package": c.package, "version": c.version, "definition": c.definition, "httpPrefix": c.http_prefix, "file": contract_path(c.file), "line": c.line}
            for c in components
        ],
    }
