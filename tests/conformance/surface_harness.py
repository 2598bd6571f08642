"""Differential comparison of the callable surface (``httpRoutes``, ``crons``,
``components`` of functions.json) with what the real ``convex`` package reports
(``export_project.mjs``: ``HttpRouter.getRoutes()``/``lookup()``, ``Crons.export()``,
``app._childComponents``).

Compared exactly: routes in order (method, path or pathPrefix, handler: the functionId of
an exported HTTP action, else inline), what ``lookup`` picks for probe paths (our
:func:`convex_ssot.packages.surface.routes.lookup` over a router rebuilt from our routes),
cron jobs in order (identifier, schedule, target function, args as ``convexToJson``),
components in order (name, definition specifier, httpPrefix).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conformance_harness import NODE_MODULES, Diff, json_equal

_CONFIG_IMPORT = re.compile(r"""from\s+["']((?:@[^/"']+/)?[^./"'][^/"']*)/convex\.config(?:\.js)?["']""")


def install_component_packages(src: Path, dest: Path) -> None:
    """Copy the component packages ``convex/convex.config.ts`` imports from the oracle's
    ``node_modules`` into ``dest/node_modules`` (our side reads installed packages inside
    the repository only)."""
    cfg = src / "convex" / "convex.config.ts"
    if not cfg.is_file():
        return
    for pkg in sorted(set(_CONFIG_IMPORT.findall(cfg.read_text(encoding="utf-8")))):
        origin = NODE_MODULES / pkg
        if origin.is_dir():
            shutil.copytree(origin, dest / "node_modules" / pkg, symlinks=False, ignore=shutil.ignore_patterns("node_modules", "src", "*.map"))


def _route_key(r: dict) -> dict:
    h = r.get("handler", {})
    handler = {"functionId": h["functionId"]} if "functionId" in h else ({"inline": True} if h.get("inline") else h)
    out = {"method": r["method"], "handler": handler}
    out.update({"path": r["path"]} if "path" in r else {"pathPrefix": r["pathPrefix"]})
    return out


def _name_target(name: str) -> str:
    path, _, export = name.partition(":")
    return f"{path}:{export or 'default'}"


def compare_surface(fc: dict | None, oracle: dict) -> list[Diff]:
    """Differences between our contract's surface and the oracle's (empty = conformant)."""
    from convex_ssot.packages.surface.routes import RouteEntry, VRouter, add_route, lookup

    fc = fc or {}
    diffs: list[Diff] = []
    ours_routes = [_route_key(r) for r in fc.get("httpRoutes", [])]
    theirs_routes = oracle.get("httpRoutes") or []
    if not json_equal(ours_routes, theirs_routes):
        diffs.append(Diff("httpRoutes (getRoutes() order)", ours_routes, theirs_routes))
    if oracle.get("httpLookups"):
        router = VRouter(None, 0)
        for r in fc.get("httpRoutes", []):
            add_route(router, RouteEntry(r["method"], r.get("path"), r.get("pathPrefix"), None, None, 0))
        wrong = []
        for probe in oracle["httpLookups"]:
            found = lookup(router, probe["path"], probe["method"])
            ours = [found[1], found[2]] if found else None
            if ours != probe["result"]:
                wrong.append({"path": probe["path"], "method": probe["method"], "ours": ours, "convex": probe["result"]})
        if wrong:
            diffs.append(Diff("lookup(path, method)", wrong, []))
    ours_crons = [{"name": j["name"], "schedule": j["schedule"], "functionId": j["functionId"], "args": j["args"]} for j in fc.get("crons", [])]
    theirs_crons = [{"name": j["identifier"], "schedule": j["schedule"], "functionId": _name_target(j["name"]), "args": j["args"][0]} for j in oracle.get("crons") or []]
    if not json_equal(ours_crons, theirs_crons):
        diffs.append(Diff("crons (Crons.export())", ours_crons, theirs_crons))
    ours_comp = [{"name": c["name"], "definition": c["definition"], "httpPrefix": c["httpPrefix"]} for c in fc.get("components", [])]
    theirs_comp = [{"name": c["name"], "definition": c["definition"], "httpPrefix": c["httpPrefix"]} for c in oracle.get("components") or []]
    if not json_equal(ours_comp, theirs_comp):
        diffs.append(Diff("components (app.use)", ours_comp, theirs_comp))
    return diffs
