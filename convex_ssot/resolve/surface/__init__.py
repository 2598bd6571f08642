"""The callable surface of a Convex project: HTTP routes, cron jobs, components, call graph.

:func:`read_surface` reads, after the functions are known:

* ``httpRoutes`` — the ``HttpRouter`` default-exported by the ``http`` module of the Convex
  directory (convex ``src/server/router.ts``; Convex routes HTTP requests with exactly
  that export), :mod:`.routes`;
* ``crons`` — the ``Crons`` default-exported by the ``crons`` module (``src/server/cron.ts``),
  :mod:`.crons`;
* ``components`` — the ``app.use(...)`` calls of ``convex.config.ts`` (``src/server/
  components/index.ts``), :mod:`.components`.

The per-function call graph is found while functions are read (:mod:`.calls`). The
evaluator reaches this package through :mod:`.hooks` only.
"""

from __future__ import annotations

from pathlib import Path

from ... import ir
from ..values import VRegistration, VUnknown
from . import calls, hooks
from .routes import get_routes
from .toplevel import run_module
from .values import VApp, VCrons, VRouter

__all__ = ["read_surface", "calls", "hooks"]

#: Extensions Convex bundles, in the order a module path is looked up here.
_EXTS = (".ts", ".js", ".tsx", ".jsx", ".mts", ".mjs", ".cts", ".cjs")


def _module(get, convex_dir: Path, name: str, exts=_EXTS):
    for ext in exts:
        p = convex_dir / (name + ext)
        if p.is_file():
            return get(p)
    return None


def _where(mod, offset: int) -> tuple[str, int]:
    return mod.rel, mod.lines.position(offset)[0]


def read_surface(ev, get, project: ir.Project, convex_dir: Path, repo_root: Path) -> None:
    """Fill ``project.http_routes``, ``project.crons`` and ``project.components``.

    ``get(path)`` returns the parsed module at an absolute path (or None). Diagnostics go
    to the modules they concern (codes CSX500–CSX530, docs/diagnostics.md)."""
    done: set = set()
    http = _module(get, convex_dir, "http")
    if http is not None and http.default_export is not None:
        val = ev.default_value(http)
        if isinstance(val, VRouter):
            if val.module is not http:
                run_module(ev, val.module, done)
            run_module(ev, http, done)
            project.http_routes = _routes(ev, get, project, val, repo_root)
        else:
            reason = val.reason if isinstance(val, VUnknown) else "not an httpRouter()"
            http.diag(http.default_export.span[0], "CSX504", f"the default export of {http.rel} is not an HTTP router the tool resolves ({reason}); httpRoutes is empty")
    crons = _module(get, convex_dir, "crons")
    if crons is not None and crons.default_export is not None:
        val = ev.default_value(crons)
        if isinstance(val, VCrons):
            if val.module is not crons:
                run_module(ev, val.module, done)
            run_module(ev, crons, done)
            jobs = [val.jobs[k] for k in _own_key_order(val.jobs)]
            project.crons = [ir.CronJob(j.name, j.schedule, j.ref, j.args, *_where(j.module, j.offset)) for j in jobs]
        else:
            reason = val.reason if isinstance(val, VUnknown) else "not a cronJobs()"
            crons.diag(crons.default_export.span[0], "CSX512", f"the default export of {crons.rel} is not a cronJobs() the tool resolves ({reason}); crons is empty")
    config = _module(get, convex_dir, "convex.config", (".ts", ".js"))
    if config is not None and config.default_export is not None:
        val = ev.default_value(config)
        if isinstance(val, VApp):
            if val.module is not config:
                run_module(ev, val.module, done)
            run_module(ev, config, done)
            project.components = [
                ir.Component(u.name, u.definition.package, u.definition.version, u.definition.specifier, u.http_prefix, *_where(u.module, u.offset))
                for u in val.uses
            ]
        else:
            reason = val.reason if isinstance(val, VUnknown) else "not a defineApp()"
            config.diag(config.default_export.span[0], "CSX520", f"the default export of {config.rel} is not a defineApp() the tool resolves ({reason}); components is empty")


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
