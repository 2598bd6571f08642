"""Rules over the callable surface (``Function.calls``, ``Project.crons``,
``Project.http_routes``; convex_ssot/packages/surface): calls, schedules, cron jobs and
routes naming functions, and the route, cron and component definitions Convex throws on
(the CSX500/CSX510/CSX521 errors of the function contract). Sources: :mod:`.registry`
and docs/rules.md."""

from __future__ import annotations

from .. import ir
from .context import Context
from .registry import Finding

__all__ = ["surface_findings"]

#: function-contract diagnostics that are definitions Convex throws on, by rule
_THROWN = {"CSX500": "invalid-http-route", "CSX510": "invalid-cron-job", "CSX521": "invalid-component"}
#: diagnostics after which some functions of a module may be missing from the contract
_FUNCTIONS_MAYBE_MISSING = frozenset({"CSX100", "CSX101", "CSX230", "CSX243"})
_SCHEDULES = ("scheduler.runAfter", "scheduler.runAt")


def _column(ctx: Context, rel: str, line: int, needle: str) -> int:
    """Column of ``needle`` on ``line`` of ``rel`` (1 when not found)."""
    mod = ctx.modules.get(rel)
    if mod is None:
        return 1
    try:
        start = mod.lines.offset(line, 1)
    except (IndexError, ValueError):
        return 1
    end = mod.mk.masked.find("\n", start)
    got = mod.mk.masked.find(needle, start, end if end >= 0 else len(mod.mk.masked))
    return got - start + 1 if got >= 0 else 1


class _Refs:
    """What function references are checked against: the project's functions, and the
    modules whose functions may be incomplete (a reference into them is not reported)."""

    def __init__(self, ctx: Context) -> None:
        p = ctx.project
        self.functions = {f.function_id: f for f in p.functions}
        base = p.convex_dir.strip("/")
        prefix = "" if base in ("", ".") else base + "/"
        self.unsure = {d.file[len(prefix):].rsplit(".", 1)[0] for d in p.function_diagnostics
                       if d.code in _FUNCTIONS_MAYBE_MISSING and d.file.startswith(prefix)}

    def check(self, ref: ir.FunctionRef, what: str, where: tuple[str, int, int], schedule: bool, out: list[Finding]) -> None:
        t = ref.target
        if t is None or ref.visibility == "component" or t.startswith("components."):
            return
        fn = self.functions.get(t)
        if fn is None:
            if t.split(":", 1)[0] not in self.unsure:
                out.append(Finding("unknown-function", *where, f"{what} `{ref.expression}` names {t}, which is not a registered function; the call fails at run time"))
            return
        if ref.visibility is not None and ref.visibility != fn.visibility:
            used, listed = ("api", "internal") if ref.visibility == "public" else ("internal", "api")
            out.append(Finding("wrong-function-visibility", *where, f"{what} `{ref.expression}` reaches {fn.visibility} {fn.kind} {t} through `{used}.`; the generated api lists it under `{listed}.` (TypeScript rejects the reference; `convex deploy` type-checks)"))
        if schedule and fn.visibility == "public":
            out.append(Finding("schedule-public-function", *where, f"{what} runs public {fn.kind} {t}; scheduled work should call an internal function (a public one can also be called by anyone)"))


def surface_findings(ctx: Context) -> list[Finding]:
    """Findings of the call-graph, cron, route and component rules."""
    p = ctx.project
    refs = _Refs(ctx)
    out: list[Finding] = []
    for fn in p.functions:
        for c in fn.calls:
            needle = c.via.split(".")[-1]
            refs.check(c.ref, f"`{c.via}` in {fn.function_id}", (c.file, c.line, _column(ctx, c.file, c.line, needle)), c.via in _SCHEDULES, out)
    for job in p.crons:
        refs.check(job.ref, f"cron job '{job.name}'", (job.file, job.line, 1), True, out)
    for r in p.http_routes:
        if r.handler_function_id is not None and r.handler_function_id not in refs.functions and r.handler_function_id.split(":", 1)[0] not in refs.unsure:
            out.append(Finding("unknown-function", r.file, r.line, 1, f"HTTP route {r.method} {r.path or r.path_prefix} names handler {r.handler_function_id}, which is not a registered HTTP action"))
    for d in p.function_diagnostics:
        rule = _THROWN.get(d.code)
        if rule is not None and d.severity == "error":
            out.append(Finding(rule, d.file, d.line, d.column, d.message))
    return out
