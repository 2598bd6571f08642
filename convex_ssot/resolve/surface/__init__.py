"""The callable surface of a Convex project: HTTP routes, cron jobs, components, call graph.

:func:`read_surface` reads, after the functions are known:

* ``httpRoutes`` — the ``HttpRouter`` default-exported by the ``http`` module of the Convex
  directory (convex ``src/server/router.ts``; Convex routes HTTP requests with exactly
  that export), :mod:`.routes`;
* ``crons`` — the ``Crons`` default-exported by the ``crons`` module (``src/server/cron.ts``),
  :mod:`.crons`;
* ``components`` — the ``app.use(...)`` calls of ``convex.config.ts`` (``src/server/
  components/index.ts``), :mod:`.components`.

The per-function call graph is found while functions are read (:mod:`.calls`). What the
values mean (the router, the cron jobs, the app, function references, library registrars)
is package knowledge: :mod:`convex_ssot.packages.surface`.
"""

from __future__ import annotations

from pathlib import Path

from ... import ir
from ...interp import journal
from ...interp.values import VUnknown
from ...packages.convex_server import VRegistration
from ...packages.surface.components import VApp
from ...packages.surface.crons import VCrons
from ...packages.surface.routes import VRouter, get_routes
from . import calls
from .toplevel import run_module

__all__ = ["read_surface", "calls"]

#: Extensions Convex bundles, in the order a module path is looked up here.
_EXTS = (".ts", ".js", ".tsx", ".jsx", ".mts", ".mjs", ".cts", ".cjs")


def _module(get, convex_dir: Path, name: str, exts=_EXTS):
    for ext in exts:
        p = convex_dir / (name + ext)
        found = p.is_file()
        journal.record(("p", str(p), found))  # an input of the surface (incremental evaluation)
        if found:
            return get(p)
    return None


def _where(mod, offset: int) -> tuple[str, int]:
    return mod.rel, mod.lines.position(offset)[0]


def read_surface(ev, get, project: ir.Project, convex_dir: Path, repo_root: Path) -> None:
    """Fill ``project.http_routes``, ``project.crons`` and ``project.components``.

    ``get(path)`` returns the parsed module at an absolute path (or None). Diagnostics go
    to the modules they concern (codes CSX500–CSX530, docs/diagnostics.md)."""
    done: set = set()
    router = _built(ev, _module(get, convex_dir, "http"), VRouter, done, "CSX504", "an HTTP router", "httpRoutes")
    if router is not None:
        project.http_routes = _routes(ev, get, project, router, repo_root)
    crons = _built(ev, _module(get, convex_dir, "crons"), VCrons, done, "CSX512", "a cronJobs()", "crons")
    if crons is not None:
        jobs = [crons.jobs[k] for k in _own_key_order(crons.jobs)]
        project.crons = [ir.CronJob(j.name, j.schedule, j.ref, j.args, *_where(j.module, j.offset)) for j in jobs]
    app = _built(ev, _module(get, convex_dir, "convex.config", (".ts", ".js")), VApp, done, "CSX520", "a defineApp()", "components")
    if app is not None:
        project.components = [
            ir.Component(u.name, u.definition.package, u.definition.version, u.definition.specifier, u.http_prefix, *_where(u.module, u.offset))
            for u in app.uses
        ]


def _built(ev, mod, cls, done: set, code: str, what: str, listed: str):
    """The ``cls`` value ``mod`` default-exports, after the top-level statements of the
    module that created it and of ``mod`` ran (ES module order: the creator first); None
    when there is no such module, or (with the diagnostic ``code``) no such value."""
    if mod is None or mod.default_export is None:
        return None
    val = ev.default_value(mod)
    if not isinstance(val, cls):
        reason = val.reason if isinstance(val, VUnknown) else f"not {what}"
        mod.diag(mod.default_export.span[0], code, f"the default export of {mod.rel} is not {what} the tool resolves ({reason}); {listed} is empty")
        return None
    if val.module is not mod:
        run_module(ev, val.module, done)
    run_module(ev, mod, done)
    return val


def _own_key_order(keys) -> list[str]:
    """Object keys in ECMA-262 OrdinaryOwnPropertyKeys order (array indices ascending, then
    the other strings in insertion order): ``Crons.export()`` is ``JSON.stringify`` of an
    object keyed by identifier."""
    def is_index(k: str) -> bool:
        return k.isdigit() and (k == "0" or k[0] != "0") and int(k) < 2**32 - 1

    keys = list(keys)
    return sorted((k for k in keys if is_index(k)), key=int) + [k for k in keys if not is_index(k)]


def _routes(ev, get, project: ir.Project, router: VRouter, repo_root: Path) -> list[ir.HttpRoute]:
    # Exported HTTP actions by identity: the evaluator memoises every binding's value, so a
    # handler that names an exported action is the very value the export evaluates to.
    exported: dict[int, str] = {}
    for f in project.functions:
        if f.kind != "httpAction":
            continue
        mod = get(repo_root / f.file)
        if mod is None:
            continue
        val = ev.export_value(mod, f.export_name)
        if isinstance(val, VRegistration):
            exported[id(val)] = f.function_id
    out = []
    for e in get_routes(router):
        fid = exported.get(id(e.handler))
        hfile = hline = None
        if fid is None and isinstance(e.handler, VRegistration):
            hmod = e.handler.module
            node = e.handler.definition
            if node is not None and hasattr(hmod, "lines"):
                hfile, hline = hmod.rel, hmod.lines.position(node.span[0])[0]
        elif fid is None and e.handler_package is None:
            reason = e.handler.reason if isinstance(e.handler, VUnknown) else "not an httpAction"
            e.module.diag(e.offset, "CSX501", f"route {e.method} {e.path or (e.path_prefix or '') + '*'}: handler not resolved ({reason}); listed without a handler")
        file, line = _where(e.module, e.offset)
        out.append(ir.HttpRoute(e.method, e.path, e.path_prefix, fid, hfile, hline, e.handler_package, file, line, e.registered_by))
    return out
