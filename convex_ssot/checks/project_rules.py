"""Rules over the project's IR and module texts: registrations, indexes, validators,
imports and cron jobs. Sources of the rules: :mod:`.registry` and docs/rules.md."""

from __future__ import annotations

import re

from .. import ir
from ..parse import ast
from .context import SYSTEM_TABLES, Context
from .registry import Finding
from .. import regex_cache

__all__ = ["project_findings"]

_CALLABLE = ("query", "mutation", "action")

#: Node's built-in modules (Node 20 ``require("module").builtinModules``, public ones).
NODE_BUILTINS = frozenset(
    """assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns
    domain events fs fs/promises http http2 https inspector module net os path path/posix path/win32
    perf_hooks process punycode querystring readline repl stream stream/promises stream/web string_decoder
    sys timers timers/promises tls trace_events tty url util util/types v8 vm wasi worker_threads zlib""".split()
)

#: Calls that count as an access check: @convex-dev/eslint-plugin require-access-control's
#: default name pattern, plus the usual auth helpers of Convex auth libraries.
_ACCESS_NAME = (
    r"(?:(?:require|assert|check|ensure|can)(?:[A-Z_][\w$]*)?|has[A-Z_][\w$]*"
    r"|get(?:Auth|Current|Authenticated|LoggedIn|Signed[Ii]n)?User(?:Id|OrThrow|Identity)?|getAuthUser\w*|safeGetAuthUser"
    r"|getUserIdentity|authorize\w*|verify\w*|validate(?:Session|Token|Api[Kk]ey|Auth)\w*)"
)
#: a call of such a function, or a function of the project so named run through
#: ``ctx.runQuery(api.users.getCurrentUser)`` (the check is delegated)
_ACCESS_CALL = regex_cache.compile(
    r"(?<![\w$])" + _ACCESS_NAME + r"\s*(?:<[^<>()]*>\s*)?\("
    r"|run(?:Query|Mutation|Action)\s*\(\s*(?:api|internal)(?:\s*\.\s*[\w$]+)*\s*\.\s*" + _ACCESS_NAME + r"(?![\w$])"
)
_V_BIGINT = regex_cache.compile(r"\bv\s*\.\s*bigint\s*\(")
_CRON_STRING = regex_cache.compile(r"""\.\s*cron\s*\(\s*(["'])[^"'\n]*\1\s*,\s*(["'])([^"'\n]*)\2""")
_CRON_METHOD = regex_cache.compile(r"""\.\s*(hourly|daily|weekly|monthly)\s*\(\s*(["'])[^"'\n]*\2\s*,\s*\{""")
_MINUTE_ZERO = regex_cache.compile(r"\bminuteUTC\s*:\s*0(?![\w.])")


def _registration_findings(ctx: Context, out: list[Finding]) -> None:
    for fn in ctx.project.functions:
        if fn.kind not in _CALLABLE:
            continue
        where = _where(ctx, fn)
        if fn.runtime == "node" and fn.kind in ("query", "mutation"):
            out.append(Finding("query-in-node-module", *where, f"{fn.kind} {fn.function_id} is defined in a \"use node\" module; Convex only allows actions there and rejects the push. Move it to a module without \"use node\""))
        if not fn.handler_spans:
            continue  # registered by a library (convexAuth, a component client): not the project's code
        if fn.bare_handler:
            out.append(Finding("no-old-function-syntax", *where, f"{fn.function_id} uses the old form `{fn.constructor}(async (ctx, args) => …)`; write `{fn.constructor}({{ args: {{…}}, returns: …, handler: async (ctx, args) => … }})`"))
        if fn.args is None:
            out.append(Finding("require-args-validator", *where, f"{fn.kind} {fn.function_id} has no `args` validator; its arguments are not checked (add `args: {{…}}`, `args: {{}}` when it takes none)"))
        if fn.returns is None:
            out.append(Finding("require-returns-validator", *where, f"{fn.kind} {fn.function_id} has no `returns` validator; add `returns: …` (`v.null()` when it returns nothing)"))
        if fn.visibility == "public" and fn.auth_kind == "not-detected" and not _has_access_call(ctx, fn) and not _capability_arg(fn):
            out.append(Finding("require-access-control", *where, f"public {fn.kind} {fn.function_id} checks no identity (no `ctx.auth.getUserIdentity()`, auth helper or access-check call found); anyone can call it. Check access, or make it internal"))


_CAPABILITY = regex_cache.compile(r"session|token|secret|api_?key|password|signature", re.I)


def _capability_arg(fn: ir.Function) -> bool:
    """The function takes a session id, token, secret, API key, password or signature: an
    access check by capability (anonymous sessions, webhooks), not by identity."""
    args = fn.args
    members = args.members if args is not None and args.kind == "union" else (args,) if args is not None else ()
    return any(m is not None and m.kind == "object" and any(_CAPABILITY.search(f.name) for f in m.fields) for m in members)


def _where(ctx: Context, fn: ir.Function) -> tuple[str, int, int]:
    """Where to report a function: its definition. A function re-exported from another
    module (``export { f } from "./impl"``) is defined where its handler is."""
    if fn.handler_spans and fn.handler_spans[0][0] != fn.file:
        for other in ctx.project.functions:  # the same registration under its own module
            if other.file == fn.handler_spans[0][0] and other.handler_spans[:1] == fn.handler_spans[:1]:
                return (other.file, other.line or 1, other.column or 1)
        rel, start, _ = fn.handler_spans[0]
        return (rel, *ctx.pos(rel, start))
    return (fn.file, fn.line or 1, fn.column or 1)


def _has_access_call(ctx: Context, fn: ir.Function) -> bool:
    for rel, start, end in fn.handler_spans:
        mod = ctx.modules.get(rel)
        if mod is not None and _ACCESS_CALL.search(mod.mk.masked, start, end):
            return True
    return False


def _index_findings(ctx: Context, out: list[Finding]) -> None:
    for t in ctx.tables.values():
        if t.origin is not None:
            continue  # a library's table (authTables, …): not the project's to change
        db = [i for i in t.indexes if i.kind == "index" and not i.staged]
        for a in db:
            where = (t.file or ctx.project.schema.path, a.line or t.line or 1, a.column or t.column or 1)
            for b in db:
                if a is not b and len(a.fields) < len(b.fields) and b.fields[: len(a.fields)] == a.fields:
                    out.append(Finding("redundant-index", *where, f"index '{a.name}' on '{t.name}' ({', '.join(a.fields)}) is a prefix of '{b.name}' ({', '.join(b.fields)}); queries can use '{b.name}' instead (keep it only if you need its order by _creationTime)"))
                    break
            if a.fields and not _name_says_fields(a.name, a.fields):
                suggestion = "by_" + "_and_".join(f.replace(".", "_") for f in a.fields)
                out.append(Finding("index-name-fields", *where, f"index '{a.name}' on '{t.name}' does not name its fields ({', '.join(a.fields)}); e.g. '{suggestion}'"))


_SUFFIX = regex_cache.compile(r"(?:ids?|at|time|timestamp|ms|date)$")


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _name_says_fields(name: str, fields: tuple[str, ...]) -> bool:
    """Every field appears in the name (case, `_` and `.` ignored; a field's trailing
    `Id`, `Ids`, `At`, `Time`, `Timestamp`, `Ms` or `Date` and a leading `is`/`has` may be
    left out, and a word of the name of 3+ letters may abbreviate the field's start:
    `by_user_updated` says userId and updatedAt, `by_agent_time` agentId and timestamp)."""
    n = _norm(name[3:] if name.startswith("by_") else name)
    tokens = [_norm(t) for t in re.split(r"_|(?<=[a-z0-9])(?=[A-Z])", name) if len(_norm(t)) >= 3 and t != "by"]
    for f in fields:
        if "." in f and any(len(seg) >= 3 and _norm(seg) in n for seg in f.split(".")):
            continue  # a nested path is named by one of its parts (by_budget: compensation.budget.min)
        nf = _norm(f.rsplit(".", 1)[-1]) if "." in f else _norm(f)
        stem = _SUFFIX.sub("", nf) or nf
        bare = re.sub(r"^(?:is|has)(?=[a-z]{3})", "", stem)
        if nf in n or stem in n or bare in n or _norm(f) in n:
            continue
        if any(nf.startswith(t) or bare.startswith(t) for t in tokens):  # by_agent_time: timestamp
            continue
        return False
    return True


def _id_tables(v: ir.Validator | None, out: set[str], depth: int = 0) -> None:
    if v is None or depth > 64:
        return
    if v.kind == "id" and v.table is not None:
        out.add(v.table)
    for child in (v.element, v.key, v.value):
        _id_tables(child, out, depth + 1)
    for m in v.members:
        _id_tables(m, out, depth + 1)
    for f in v.fields:
        _id_tables(f.validator, out, depth + 1)


def _id_findings(ctx: Context, out: list[Finding]) -> None:
    if not ctx.tables_complete:
        return
    where: dict[str, list[tuple[str, int, int]]] = {}
    for t in ctx.tables.values():
        seen: set[str] = set()
        _id_tables(t.document, seen)
        for name in seen:
            where.setdefault(name, []).append((t.file or ctx.project.schema.path, t.line or 1, t.column or 1))
    for fn in ctx.project.functions:
        seen = set()
        _id_tables(fn.args, seen)
        _id_tables(fn.returns, seen)
        for name in seen:
            where.setdefault(name, []).append((fn.file, fn.line or 1, fn.column or 1))
    missing = sorted(n for n in where if n not in ctx.tables and n not in SYSTEM_TABLES)
    for name in missing:
        pattern = re.compile(r"""\b(?:id|zid)\s*(?:<[^<>()]*>\s*)?\(\s*(["'])""" + re.escape(name) + r"""\1\s*\)""")
        places: set[tuple[str, int, int]] = set()
        files = {w[0] for w in where[name]}
        for rel in sorted(files):
            mod = ctx.modules.get(rel)
            if mod is None:
                continue
            for m in pattern.finditer(mod.mk.clean):
                if mod.mk.masked[m.start()] != "~":  # not inside a string literal
                    places.add((rel, *mod.lines.position(m.start())))
        for rel, line, col in sorted(places or set(where[name])):
            out.append(Finding("id-of-unknown-table", rel, line, col, f"`v.id(\"{name}\")` names table '{name}', which the schema does not define (tables: {len(ctx.tables)}); no document can have such an id"))


def _module_findings(ctx: Context, out: list[Finding]) -> None:
    for rel, mod in ctx.project_modules():
        masked = mod.mk.masked
        if "bigint" in masked:
            for m in _V_BIGINT.finditer(masked):
                out.append(ctx.at("no-v-bigint", rel, m.start(), "`v.bigint()` is deprecated; use `v.int64()` (the same validator)"))
    for rel, mod in ctx.convex_modules():
        if mod.use_node:
            continue
        for item in mod.items:
            if isinstance(item, ast.Import) and not item.type_only:
                spec = item.specifier
                base = spec[5:] if spec.startswith("node:") else spec
                if spec.startswith("node:") or base in NODE_BUILTINS:
                    out.append(ctx.at("node-builtin-without-use-node", rel, item.span[0], f"`{spec}` is a Node.js built-in, but {rel} has no \"use node\" directive; the default Convex runtime cannot bundle it. Add \"use node\" (actions only) or use a Web API"))
        base = rel.rsplit("/", 1)[-1]
        if base.split(".")[0] == "crons":
            _cron_findings(ctx, rel, mod, out)


def _cron_findings(ctx: Context, rel: str, mod, out: list[Finding]) -> None:
    masked, clean = mod.mk.masked, mod.mk.clean
    for m in _CRON_STRING.finditer(clean):
        if masked[m.start()] == "~":
            continue
        minute = m.group(3).split()
        if minute and minute[0] == "0":
            out.append(ctx.at("no-top-of-hour-cron", rel, m.start() + 1, f"cron job '{m.group(3)}' runs at minute 0, when everyone's jobs run; pick another minute"))
    for m in _CRON_METHOD.finditer(clean):
        if masked[m.start()] == "~":
            continue
        close = clean.find("}", m.end())
        if close > 0 and _MINUTE_ZERO.search(clean, m.end(), close):
            out.append(ctx.at("no-top-of-hour-cron", rel, m.start() + 1, f"{m.group(1)} cron job at minuteUTC 0, when everyone's jobs run; pick another minute or omit minuteUTC (Convex then spreads the runs)"))


def project_findings(ctx: Context) -> list[Finding]:
    """Findings of the registration, index, id, import and cron rules."""
    out: list[Finding] = []
    _registration_findings(ctx, out)
    if ctx.schema_found:
        _index_findings(ctx, out)
    _id_findings(ctx, out)
    _module_findings(ctx, out)
    return out
