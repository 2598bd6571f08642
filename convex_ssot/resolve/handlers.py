"""Handler analysis across helpers: which bodies a registered function's handler reaches.

The handler's own body and the project functions it calls (same-module declarations and
``const`` arrows, and functions imported from the repository, following re-exports) are
scanned by :mod:`.bodies` — regular expressions over masked text, no parse. Split from
:mod:`.project`, which calls :func:`handler_facts` for every registration.
"""

from __future__ import annotations

from ..interp import journal
from ..interp.values import VFunction
from ..parse import ast
from . import bodies
from .modules import Module

__all__ = ["handler_facts", "HELPER_DEPTH"]


def _body_span(node) -> tuple[int, int] | None:
    if isinstance(node, (ast.Function, ast.Method)):
        if node.body is not None:
            return node.body
        if isinstance(node, ast.Function) and node.expr is not None:
            return node.expr.span
    return None


def _helper_spans(mod: Module) -> dict[str, list[tuple[int, int]]]:
    """Top-level functions of a module by name: declarations and const arrow functions."""
    cached = mod.values.get("\0helpers")
    if cached is not None:
        return cached  # type: ignore[return-value]
    spans: dict[str, list[tuple[int, int]]] = dict(mod.functions)
    for name, d in mod.decls.items():
        if isinstance(d.init, ast.Function):
            hs = _body_span(d.init)
            if hs:
                spans[name] = [hs]
    mod.values["\0helpers"] = spans  # type: ignore[assignment]
    return spans


#: How many calls deep handler analysis follows helper functions.
HELPER_DEPTH = 3


def _callable_spans(resolve, mod: Module, name: str, seen: set) -> list[tuple[Module, tuple[int, int]]]:
    """Body spans of the function ``name`` refers to in ``mod``: a function of the module,
    or one imported (``import { requireUser } from "./lib/permissions"``) from a module of
    the repository, following re-exports."""
    local = _helper_spans(mod).get(name)
    if local:
        return [(mod, sp) for sp in local]
    imp = mod.imports.get(name)
    if imp is None or imp[1] in ("*", "default"):
        return []
    target = resolve(mod, imp[0])
    hops = 0
    while target is not None and hops < 5 and (target.rel, imp[1]) not in seen:
        seen.add((target.rel, imp[1]))
        if imp[1] in target.exports:
            local_name = target.exports[imp[1]]
            spans = _helper_spans(target).get(local_name)
            return [(target, sp) for sp in spans] if spans else []
        re = target.reexports.get(imp[1])
        if re is None:
            return []
        imp = re
        target = resolve(target, re[0])
        hops += 1
    return []


def _body(resolve, m: Module, sp: tuple[int, int], follow: bool) -> tuple[bodies.BodyFacts, list]:
    """The facts of the body ``sp`` of ``m`` and, when ``follow``, the bodies of the
    functions it calls, as ``(module, span)`` pairs in :func:`handler_facts`' order.

    Memoised on the module (``"\0bodies"``; a helper is reached from many handlers): the
    scan always, the callees with the :mod:`~convex_ssot.interp.journal` events their
    resolution wrote (module files asked for, resolutions), which a later use appends
    again, as resolving anew would. Diagnostics are not replayed: resolving anew does not
    record them again either (a module's load problems are recorded once, when loaded)."""
    memo = m.values.get("\0bodies")
    if memo is None:
        memo = m.values["\0bodies"] = {}  # type: ignore[assignment]
    entry = memo.get(sp)  # type: ignore[union-attr]
    if entry is None:
        entry = memo[sp] = [bodies.scan(m.mk.masked[sp[0] : sp[1]], m.mk.clean[sp[0] : sp[1]]), None, None]  # type: ignore[index]
    if not follow:
        return entry[0], []
    j = journal.CURRENT
    if entry[1] is None or (j is not None and entry[2] is None):
        start = len(j.events) if j is not None else 0
        helpers = _helper_spans(m)
        names = list(helpers) + [n for n in m.imports if n not in helpers]
        callees: list = []
        for name in sorted(bodies.called_helpers(m.mk.masked[sp[0] : sp[1]], names)):
            callees.extend(_callable_spans(resolve, m, name, set()))
        entry[1] = callees
        entry[2] = [e for e in j.events[start:] if e[0] != "d"] if j is not None else None
    elif j is not None:
        j.events.extend(entry[2])
    return entry[0], entry[1]


def handler_facts(fn: VFunction, resolve) -> bodies.BodyFacts:
    """What a handler does (:class:`.bodies.BodyFacts`): its own body, and the bodies of the
    functions it calls — same-module ones and ones imported from the repository, found with
    ``resolve(module, specifier) -> Module | None`` — up to HELPER_DEPTH calls deep.
    ``facts.visited`` lists the (module, body span) pairs read, in order."""
    mod: Module = fn.module  # type: ignore[assignment]
    span = _body_span(fn.node)
    if span is None:
        return bodies.BodyFacts()
    facts = bodies.BodyFacts()
    visited: set = set()
    frontier = [(mod, span)]
    for depth in range(HELPER_DEPTH + 1):
        nxt = []
        for m, sp in frontier:
            key = (m.rel, sp)
            if key in visited:
                continue
            visited.add(key)
            facts.visited.append((m, sp))
            found, callees = _body(resolve, m, sp, depth < HELPER_DEPTH)
            facts.merge(found)
            nxt.extend(callees)
        frontier = nxt
    return facts
