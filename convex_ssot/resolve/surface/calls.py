"""The call graph: which functions a handler runs or schedules.

In a handler body and in the project helpers it calls (the bodies the ``uses`` analysis
visits, :func:`..handlers.handler_facts`), every ``runQuery(ref, …)``, ``runMutation``,
``runAction`` (convex ``src/server/registration.ts``: on ``ctx`` or destructured) and
``scheduler.runAfter(delay, ref, …)`` / ``scheduler.runAt(time, ref, …)``
(``src/server/scheduler.ts``) is found by a fast scan of the masked body text; the
reference argument is parsed with the grammar and evaluated, so ``internal.a.b.c``,
``api.x.y``, ``components.name.fn``, ``makeFunctionReference("…")``, a string name and
references held in constants (of the module, or declared earlier in the same body)
all resolve to their target (:class:`convex_ssot.packages.surface.values.VFunctionRef`).
"""

from __future__ import annotations

import re

from ... import ir
from ...interp import journal
from ...parse import ast
from ...packages.surface.values import ref_of
from ... import regex_cache

__all__ = ["find_calls"]

#: a call of the context, ``runQuery(`` … ``scheduler.runAfter(``, from its ``run`` on (a
#: pattern led by a literal is found fast; the ``scheduler.`` before it is looked for
#: backwards, :func:`_call_start`)
_RUN_CALL = regex_cache.compile(r"run(Query|Mutation|Action|After|At)\s*\(")
_DECLARED = regex_cache.compile(r"function\s*\*?\s*$")
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$")
_DOTTED = regex_cache.compile(r"[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*\Z")
_OPEN = {"(": ")", "[": "]", "{": "}"}


def find_calls(ev, visited: list) -> list[ir.Call]:
    """The calls in the bodies ``visited`` (``(module, (start, end))`` pairs), in order.

    A body's calls are memoised on its module (``"\0calls"``: a helper is visited from
    many handlers) with the :mod:`~convex_ssot.interp.journal` events evaluating its
    references wrote, appended again on every later use, as evaluating anew would. Not
    memoised: a body read while the registration's own local variables are in scope (a
    reference may name one of them), or whose evaluation recorded a diagnostic (evaluating
    anew records it again)."""
    out: list[ir.Call] = []
    free = not ev.scopes or not ev.scopes[-1]
    for mod, span in visited:
        if "run" not in mod.mk.masked[span[0] : span[1]]:
            continue
        memo = mod.values.get("\0calls") if free else None
        if memo is not None and span in memo:
            calls, events = memo[span]
            j = journal.CURRENT
            if j is not None:
                j.events.extend(events)
            out.extend(calls)
            continue
        j = journal.CURRENT
        start = len(j.events) if j is not None else 0
        calls = _body_calls(ev, mod, span)
        out.extend(calls)
        if free and j is not None:
            events = j.events[start:]
            if not any(e[0] == "d" for e in events):
                if memo is None:
                    memo = mod.values["\0calls"] = {}  # type: ignore[assignment]
                memo[span] = (calls, events)  # type: ignore[index]
    return out


def _body_calls(ev, mod, span: tuple[int, int]) -> list[ir.Call]:
    """The calls in one body of ``mod``, in order."""
    out: list[ir.Call] = []
    masked = mod.mk.masked
    for m in _RUN_CALL.finditer(masked, span[0], span[1]):
        start = _call_start(masked, span[0], m.start())
        i = start - 1
        if i >= 0 and masked[i] in _WORD or _DECLARED.search(masked, max(0, i - 12), start):
            continue  # part of a longer name, or a function of that name being declared
        kind = m.group(1)
        scheduled = kind in ("After", "At")
        if not scheduled and _bare(masked, i) and _project_name(mod, "run" + kind):
            continue  # a project function named runQuery/… is called, not the context's
        if scheduled != masked.startswith("scheduler", start):
            continue
        args = _arguments(masked, m.end(), span[1])
        index = 1 if scheduled else 0
        if len(args) <= index:
            continue
        a, b = args[index]
        ref = _reference(ev, mod, a, b, span[0])
        via = ("scheduler.run" if scheduled else "run") + kind
        out.append(ir.Call(via, ref, mod.rel, mod.lines.position(start)[0]))
    return out


def _call_start(masked: str, lo: int, run: int) -> int:
    """Where the call whose ``run…(`` is at ``run`` starts: at the ``scheduler`` of a
    ``scheduler . run…(`` (blanks allowed around the dot) that lies at or after ``lo``,
    else at ``run`` (where ``(?:scheduler\\s*\\.\\s*)?run…\\(`` would match)."""
    before = _strip_end(masked, lo, run)
    if before <= lo or masked[before - 1] != ".":
        return run
    name_end = _strip_end(masked, lo, before - 1)
    if name_end - lo >= 9 and masked.startswith("scheduler", name_end - 9):
        return name_end - 9
    return run


def _strip_end(masked: str, lo: int, hi: int) -> int:
    """``hi`` moved back over whitespace (``str.isspace``, as ``\\s``), not below ``lo``."""
    step = 32
    while hi > lo:
        a = max(lo, hi - step)
        kept = masked[a:hi].rstrip()
        if kept:
            return a + len(kept)
        hi, step = a, step * 4
    return lo


_STOPS: dict[str, re.Pattern] = {}


def _top_level(masked: str, start: int, end: int, stops: str):
    """Offsets from ``start`` on where a character of ``stops`` (or an unbalanced closing
    bracket, reported as ``-1`` after its offset) occurs outside brackets."""
    pattern = _STOPS.get(stops)
    if pattern is None:
        pattern = _STOPS[stops] = re.compile("[" + re.escape("([{)]}" + stops) + "]")
    depth = 0
    for m in pattern.finditer(masked, start, end):  # only brackets and stops matter
        i = m.start()
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                yield i
                yield -1
                return
            depth -= 1
        elif depth == 0:
            yield i


def _bare(masked: str, i: int) -> bool:
    """The call at ``i + 1`` is not a member call (no ``.`` before it)."""
    while i >= 0 and masked[i] in " \t\n":
        i -= 1
    return i < 0 or masked[i] != "."


def _project_name(mod, name: str) -> bool:
    return name in mod.functions or name in mod.decls or name in mod.imports


def _arguments(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the top-level arguments of the call whose ``(`` ends just before ``start``."""
    out: list[tuple[int, int]] = []
    a = start
    found = list(_top_level(masked, start, end, ","))
    for i, j in zip(found, found[1:] + [None]):
        if i == -1:
            break
        if j == -1 and not masked[a:i].strip():
            break
        out.append((a, i))
        a = i + 1
    return out


def _strip(mod, a: int, b: int) -> tuple[int, int]:
    text = mod.mk.clean
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _node(mod, a: int, b: int) -> ast.Node | None:
    """The expression ``mod.mk.clean[a:b]`` as a syntax tree (dotted names built directly)."""
    a, b = _strip(mod, a, b)
    text = mod.mk.clean[a:b]
    if _DOTTED.match(text):
        parts = [p.strip() for p in text.split(".")]
        node: ast.Node = ast.Ident((a, a + len(parts[0])), parts[0])
        for p in parts[1:]:
            node = ast.Member((a, b), node, p)
        return node
    from ...parse.parser import ParseFailure, parse_body

    try:
        items = parse_body(text, base=a)
    except ParseFailure:
        return None
    if len(items) == 1 and isinstance(items[0], ast.ExprStatement):
        return items[0].expr
    return None


def _local_init(mod, name: str, body_start: int, before: int) -> tuple[int, int] | None:
    """The initializer span of the last ``const|let|var name = …`` in the body before the call."""
    pat = re.compile(r"(?<![\w$.])(?:const|let|var)\s+" + re.escape(name) + r"\s*(?::[^=;]*)?=(?!=)")
    last = None
    for m in pat.finditer(mod.mk.masked, body_start, before):
        last = m
    if last is None:
        return None
    start = last.end()
    masked = mod.mk.masked
    for i in _top_level(masked, start, before, ";\n"):
        if i == -1 or masked[i] == ";" or (masked[start:i].strip() and not masked[i + 1 : i + 2].lstrip().startswith(".")):
            return start, i if i != -1 else before
    return start, before


def _reference(ev, mod, a: int, b: int, body_start: int, depth: int = 0) -> ir.FunctionRef:
    s, e = _strip(mod, a, b)
    text = mod.raw((s, e))
    node = _node(mod, a, b)
    if node is None:
        return ir.FunctionRef(None, None, text)
    base = node
    while isinstance(base, ast.Member):
        base = base.obj
    if isinstance(base, ast.Ident) and depth < 3 and base.name not in mod.decls and base.name not in mod.imports and base.name not in mod.pattern_decls:
        init = _local_init(mod, base.name, body_start, a)
        if init is not None:
            inner = _reference(ev, mod, init[0], init[1], body_start, depth + 1)
            if node is base or inner.target is None:
                return ir.FunctionRef(inner.target, inner.visibility, text) if node is base else ir.FunctionRef(None, None, text)
    return ref_of(ev.eval(mod, node), text)
