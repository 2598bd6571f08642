#!/usr/bin/env python3
"""Measure convex-ssot's callable surface (``httpRoutes``, ``crons``, ``components``) on real
projects against the real ``convex`` package (``export_project.mjs``).

For each project: routes are matched as ``(method, path | pathPrefix*)`` and, separately,
with the handler (``functionId`` of an exported HTTP action, else inline); cron jobs as
``(identifier, schedule, target, args)``; components as ``(name, definition, httpPrefix)``.
Recall = matched / what Convex reports, precision = matched / what we report. Projects where
Convex itself could not load the ``http``/``crons`` module are listed, not scored.

Usage::

    measure_surface.py --projects projects.json --out DIR [--only NAME ...] [--oracle-dir DIR]

``projects.json`` entries need ``name``, ``checkout``, ``root`` (the package directory,
relative to the checkout), ``convexDir`` and ``schemaRel`` (relative to the checkout), as the
measurement helper writes them. Writes ``DIR/<name>.json`` per project and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from surface_harness import _name_target, _route_key  # noqa: E402


def _oracle(p: dict, cache: Path) -> dict:
    out = cache / f"{p['name']}.surface-oracle.json"
    if not out.is_file():
        co = Path(p["checkout"])
        cmd = ["nice", "node", str(HERE / "export_project.mjs"), str(co / p["convexDir"]), "--project-root", str(co / p["root"])]
        env = {**os.environ, **p.get("env", {})}  # what the project needs at import time
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env=env)
        out.write_text(proc.stdout if proc.returncode == 0 else "{}")
    return json.loads(out.read_text() or "{}")


def _ours(p: dict) -> dict:
    from convex_ssot.emit.functions_contract import functions_contract
    from convex_ssot.resolve.project import build_project

    co = Path(p["checkout"]).resolve()
    proj = build_project(co, p["schemaRel"])
    return functions_contract(proj.convex_dir, proj.functions, proj.function_diagnostics,
                              http_routes=proj.http_routes, crons=proj.crons, components=proj.components)


def _score(ours: list, theirs: list) -> tuple[int, int, int]:
    """(matched, ours, theirs) as multisets of JSON-encoded items."""
    o = Counter(json.dumps(x, sort_keys=True) for x in ours)
    t = Counter(json.dumps(x, sort_keys=True) for x in theirs)
    return sum((o & t).values()), sum(o.values()), sum(t.values())


def measure(p: dict, cache: Path) -> dict:
    oracle = _oracle(p, cache)
    fc = _ours(p)
    errors = {e["module"]: e["error"] for e in oracle.get("moduleErrors", [])}
    res: dict = {"name": p["name"], "excluded": {}, "diagnostics": [d for d in fc["diagnostics"] if d["code"].startswith("CSX5")]}
    # What a package the oracle had to stub (not installed) registers is unknown to Convex
    # here too: left out of both sides, listed.
    stubbed = set(oracle.get("stubbedPackages", []))

    def from_stub(text) -> bool:
        return any(text and (text == s_ or text.startswith(s_ + " ") or text.startswith(s_ + "/")) for s_ in stubbed)

    skipped = [r for r in fc["httpRoutes"] if from_stub(r.get("registeredBy"))]
    if skipped:
        res["excluded"]["routes from stubbed packages"] = [f"{r['method']} {r.get('path') or r['pathPrefix'] + '*'}" for r in skipped]
    fc = dict(fc, httpRoutes=[r for r in fc["httpRoutes"] if r not in skipped])
    if "http" in errors:
        res["excluded"]["routes"] = errors["http"]
    else:
        ours = [_route_key(r) for r in fc["httpRoutes"]]
        theirs = oracle.get("httpRoutes") or []
        strip = lambda rs: [{k: v for k, v in r.items() if k != "handler"} for r in rs]  # noqa: E731
        res["routes"] = _score(strip(ours), strip(theirs))
        res["routesWithHandler"] = _score(ours, theirs)
        res["routeMisses"] = [r for r in theirs if r not in ours][:10]
        res["routeExtras"] = [r for r in ours if r not in theirs][:10]
    if "crons" in errors:
        res["excluded"]["crons"] = errors["crons"]
    else:
        ours_c = [{"name": j["name"], "schedule": j["schedule"], "functionId": j["functionId"], "args": j["args"]} for j in fc["crons"]]
        theirs_c = [{"name": j["identifier"], "schedule": j["schedule"], "functionId": _name_target(j["name"]), "args": j["args"][0]} for j in oracle.get("crons") or []]
        res["crons"] = _score(ours_c, theirs_c)
        res["cronMisses"] = [j for j in theirs_c if j not in ours_c][:10]
    if oracle.get("components") is not None:
        oc = [{"name": c["name"], "definition": c["definition"], "httpPrefix": c["httpPrefix"]} for c in fc["components"] if not from_stub(c["definition"])]
        tc = [{"name": c.get("name"), "definition": c["definition"], "httpPrefix": c["httpPrefix"]} for c in oracle["components"] if not from_stub(c["definition"])]
        res["components"] = _score(oc, tc)
    res["calls"] = sum(len(f.get("calls", [])) for f in fc["functions"])
    res["unresolvedCalls"] = sum(1 for f in fc["functions"] for c in f.get("calls", []) if not c["resolved"])
    return res


def _pct(m: int, n: int) -> str:
    return "–" if n == 0 else f"{100 * m / n:.1f} % ({m}/{n})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--projects", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    projects = json.loads(Path(a.projects).read_text())
    totals: dict[str, list[int]] = {}
    print("| project | routes recall | routes precision | +handler recall | crons recall | crons precision | components | calls (unresolved) |")
    print("|---|---|---|---|---|---|---|---|")
    for p in projects:
        if a.only and p["name"] not in a.only:
            continue
        r = measure(p, out)
        (out / f"{p['name']}.json").write_text(json.dumps(r, indent=1))
        cells = [p["name"]]
        for key in ("routes", "routesWithHandler", "crons", "components"):
            m, o, t = r.get(key, (0, 0, 0))
            tot = totals.setdefault(key, [0, 0, 0])
            tot[0] += m; tot[1] += o; tot[2] += t  # noqa: E702
        m, o, t = r.get("routes", (0, 0, 0))
        cells += [_pct(m, t), _pct(m, o)]
        m, o, t = r.get("routesWithHandler", (0, 0, 0))
        cells.append(_pct(m, t))
        m, o, t = r.get("crons", (0, 0, 0))
        cells += [_pct(m, t), _pct(m, o)]
        m, o, t = r.get("components", (0, 0, 0))
        cells.append(_pct(m, t))
        cells.append(f"{r['calls']} ({r['unresolvedCalls']})")
        if r["excluded"]:
            cells[0] += " (excluded: " + "; ".join(k if isinstance(v, str) else f"{k}: {', '.join(v)}" for k, v in r["excluded"].items()) + ")"
        print("| " + " | ".join(cells) + " |", flush=True)
    t = totals
    print(f"| **all** | {_pct(t['routes'][0], t['routes'][2])} | {_pct(t['routes'][0], t['routes'][1])} | "
          f"{_pct(t['routesWithHandler'][0], t['routesWithHandler'][2])} | {_pct(t['crons'][0], t['crons'][2])} | "
          f"{_pct(t['crons'][0], t['crons'][1])} | {_pct(t['components'][0], t['components'][2])} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
