"""Applying project functions whose body is a block of statements.

Real projects compute validators, tables and registrations in helpers such as::

    function literalUnion(values) { const vs = values.map((x) => v.literal(x)); return v.union(...vs); }
    export function withAuth(handler) { return httpAction(async (ctx, req) => { … }); }
    function produceLiteral(keys) { const o = {}; for (const k of keys) o[k] = k; return o; }

The outline Lark parses has every function body elided (:mod:`..parse.lexer`), so such a
body is parsed only when the evaluator applies the function: :func:`..parse.lexer.body_outline`
elides the body's own nested functions and braced blocks, and the grammar's ``body`` rule
reads the statements. This module then runs a small, *sound* subset of JavaScript over the
evaluator's abstract values (:mod:`.values`):

* ``const``/``let``/``var`` declarations (names; object patterns without nested parts or
  defaults), assignments ``x = e``, ``o.k = e`` and ``o[k] = e`` to variables of the
  function and to objects and arrays the function itself created from a literal;
* ``return`` (a line break right after ``return`` ends the statement in JavaScript, so that
  form is refused);
* ``if``/``else`` whose condition evaluates to a definite truth value (``===``, ``!==``,
  ``==``/``!=`` on values of one type, ``<``…``>=`` on numbers, ``!``, ``&&``, ``||``,
  ``??``, ``+`` on two strings or two numbers, ``.length``, literals). An undecidable
  condition is refused unless the guarded branch only throws: such a guard cannot change
  what the function returns when the module loads at all (a throw while Convex loads the
  module fails the deployment);
* ``for (const x of array)`` over an array the evaluator resolved;
* ``for (const k in obj)`` over an object whose own keys are all known
  (:attr:`~.values.VObj.keys_known`), in ECMA-262's key order (§10.1.11.1: array-index
  keys ascending, then the other string keys in creation order), and over ``null`` or
  ``undefined`` (no iteration, §14.7.5.6); the object's keys may not change in the loop
  (which keys JavaScript then visits is implementation-defined);
* ``key in obj`` on such an object: true for its own keys, false for any other key that is
  not a property of ``Object.prototype`` (§13.10.1);
* nested function declarations (hoisted), expression statements that are modelled calls
  (``t.index(…)``) or ``console.*`` calls; other expression statements whose effect is
  unknown are refused.

The grammar reads ``a < b`` as the start of type arguments (``f<T>(x)``), so a body that
compares with ``<`` does not parse and is not evaluated (``b > a`` is).

Anything else — another statement, an unresolved call with possible effects, a ``throw``
that is reached, recursion deeper than :data:`MAX_CALL_DEPTH`, more than :data:`MAX_STEPS`
statements, a body whose outline holds more than :data:`MAX_BODY_CHARS` characters — makes the call evaluate to
:class:`~.values.VUnknown` with the reason; the caller turns it into the usual diagnostic
(CSX200/CSX230). The semantics follow ECMA-262 (§14 statements, §13.11 equality operators,
§7.1.2 ToBoolean); no project code is run.
"""

from __future__ import annotations

import re
from collections import ChainMap

from ..parse import ast, lexer
from .operators import own_keys, property_key, truthy
from .values import (
    VInstance,
    VArr,
    VFunction,
    VNull,
    VObj,
    VStr,
    VUndefined,
    VUnknown,
    Value,
)
from .. import regex_cache

__all__ = ["run", "run_statement", "function_declaration", "detach", "MAX_CALL_DEPTH", "MAX_STEPS", "MAX_BODY_CHARS"]

#: Statement-bodied calls nested deeper than this (recursion) are not evaluated.
MAX_CALL_DEPTH = 32
#: Statements executed by one outermost call (loop iterations included).
MAX_STEPS = 10_000
#: Bodies whose outline (:func:`..parse.lexer.body_outline`: nested functions and blocks
#: elided, local type declarations blanked) holds more non-blank characters than this are not
#: parsed. What is counted is what Lark parses (about 1.5 MB/s, so the bound is some 30 ms
#: per body); a helper that returns a dozen registrations with inline handlers (a generic
#: ``crud``) has a long body but a short outline, and its exports are not lost.
MAX_BODY_CHARS = 50_000


_VAR = regex_cache.compile(r"(?<![\w$.])var\s")


class _Unsupported(Exception):
    def __init__(self, what: str, offset: int) -> None:
        super().__init__(what)
        self.what = what
        self.offset = offset


class _Return(Exception):
    def __init__(self, value: Value) -> None:
        super().__init__("return")
        self.value = value


def function_declaration(mod, name: str) -> ast.Function | None:
    """The top-level ``[export [default]] [async] function name(…) {…}`` of ``mod`` as an
    :class:`~..parse.ast.Function` (its body elided), parsed on first use; None when the
    header is not understood."""
    key = "\0fndecl:" + name
    if key in mod.values:
        return mod.values[key]  # type: ignore[return-value]
    fn = _parse_declaration(mod, name)
    mod.values[key] = fn  # type: ignore[assignment]
    return fn


def _parse_declaration(mod, name: str) -> ast.Function | None:
    from ..parse.parser import ParseFailure, parse_body

    spans = mod.functions.get(name)
    if not spans:
        return None
    o, c = spans[0]
    masked = mod.mk.masked
    start = masked.rfind("function", 0, o)
    while start >= 0 and not _names_function(masked, start, name):
        start = masked.rfind("function", 0, start)
    if start < 0:
        return None
    am = re.search(r"async\s+$", masked[max(0, start - 16) : start])
    if am is not None:
        start -= len(am.group(0))
    text = mod.mk.clean[start:o] + "@" + lexer.blank(mod.mk.clean[o + 1 : c]) + "}"
    try:
        items = parse_body(text, base=start)
    except ParseFailure:
        return None
    if len(items) == 1 and isinstance(items[0], ast.ExprStatement):
        fn = items[0].expr
        if isinstance(fn, ast.Function) and fn.name == name and fn.body is not None:
            return fn
    return None


def _names_function(masked: str, start: int, name: str) -> bool:
    """Whether ``function [*] name`` (``name`` not followed by an identifier character)
    starts at ``start`` of ``masked``. Two fixed patterns, not one built per name: a
    project declares hundreds of names, more than ``re``'s cache of compiled patterns
    holds, and compiling one costs about 0.3 ms."""
    m = re.compile(r"function\b\s*\*?\s*").match(masked, start)
    if m is None or not masked.startswith(name, m.end()):
        return False
    return re.compile(r"[\w$]").match(masked, m.end() + len(name)) is None


def _statements(mod, span: ast.Span) -> list[ast.Node] | VUnknown:
    """The statements of the block whose ``@``/``{`` … ``}`` span is ``span`` (cached)."""
    from ..parse.parser import ParseFailure, parse_body

    o, c = span[0], span[1] - 1
    key = f"\0body:{o}:{c}"
    cached = mod.values.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    text = blank_type_declarations(mod.mk.masked, lexer.body_outline(mod.mk, o, c), o + 1)
    size = len(text) - sum(text.count(ch) for ch in " \n\t")
    if size > MAX_BODY_CHARS:
        out: list[ast.Node] | VUnknown = VUnknown(f"a body of more than {MAX_BODY_CHARS} characters (nested functions left out) at {_where(mod, o)}")
    else:
        try:
            out = parse_body(text, base=o + 1)
        except ParseFailure as exc:
            out = VUnknown(f"a statement the tool does not evaluate ({exc.message} at {_where(mod, exc.offset)})")
    mod.values[key] = out  # type: ignore[assignment]
    return out


#: A TypeScript ``type``/``interface`` declaration starting a line of a body (the masked text).
_TYPE_DECL = regex_cache.compile(r"(?m)^[ \t]*(?:export\s+)?(?:type|interface)\s+[A-Za-z_$][\w$]*\s*[=<{]")
_CONTINUES_TYPE = frozenset("|&.<>?:=,")


def blank_type_declarations(masked: str, text: str, base: int) -> str:
    """``text`` (a body outline starting at offset ``base`` of the module) with local
    ``type X = …`` and ``interface X {…}`` declarations blanked: they have no runtime value
    (TypeScript erases them), and the ``body`` rule does not read them. A declaration ends at
    a ``;`` or at a line break outside brackets where the next line does not continue the
    type (``|``, ``&``, ``.``…); brackets are counted in the module's masked text (strings
    and comments masked), ``=>`` of a function type not counting as a closing ``>``."""
    end_all = base + len(text)
    out: list[str] | None = None
    for m in _TYPE_DECL.finditer(masked, base, end_all):
        if text[m.end() - 1 - base] != masked[m.end() - 1]:
            continue  # inside a nested block the outline has already left out
        i, depth = m.end() - 1, 0
        while i < end_all:
            ch = masked[i]
            if ch in "({[<":
                depth += 1
            elif ch in ")}]" or (ch == ">" and masked[i - 1] != "="):
                depth -= 1
                if depth == 0 and ch == "}" and m.group(0).lstrip().startswith(("interface", "export interface")):
                    i += 1
                    break
            elif ch == ";" and depth <= 0:
                i += 1
                break
            elif ch == "\n" and depth <= 0:
                before = masked[m.start() : i].rstrip()
                rest = masked[i + 1 : min(end_all, i + 200)].lstrip()
                if not (before and before[-1] in _CONTINUES_TYPE) and (not rest or rest[0] not in _CONTINUES_TYPE):
                    break
            i += 1
        if out is None:
            out = list(text)
        for j in range(m.start() - base, i - base):
            if out[j] != "\n":
                out[j] = " "
    return text if out is None else "".join(out)


def _where(mod, offset: int) -> str:
    line, col = mod.lines.position(offset)
    return f"{mod.rel}:{line}:{col}"


def run(ev, fn: VFunction, scope: ChainMap, owned: tuple = ()) -> Value:
    """Run the statement body of ``fn`` with ``scope`` (its parameters, over the closure's
    variables) and return the returned value (``undefined`` when it runs off the end), or
    :class:`~.values.VUnknown` when the body leaves the subset (see the module docstring).
    ``owned``: objects the body may assign properties of besides its own (a constructor's
    ``this``)."""
    node = fn.node
    mod = fn.module
    name = getattr(node, "name", None) or getattr(node, "key", None) or "function"
    if ev.stmt_calls >= MAX_CALL_DEPTH:
        return VUnknown(f"calls of statement-bodied functions nested more than {MAX_CALL_DEPTH} deep (recursion?) are not evaluated")
    stmts = _statements(mod, node.body)
    if isinstance(stmts, VUnknown):
        return VUnknown(f"`{name}` not evaluated: {stmts.reason}")
    outermost = ev.stmt_calls == 0
    if outermost:
        ev.stmt_steps = 0
    ev.stmt_calls += 1
    try:
        runner = _Run(ev, mod)
        runner.fresh.update(id(o) for o in owned)
        runner.block(stmts, scope)
        return VUndefined()
    except _Return as r:
        return r.value
    except _Unsupported as u:
        return VUnknown(f"`{name}` not evaluated: {u.what} at {_where(mod, u.offset)}")
    finally:
        ev.stmt_calls -= 1


def run_statement(ev, mod, st: ast.Node) -> VUnknown | None:
    """Run one top-level statement of ``mod`` (parsed with the grammar's ``body`` rule) at
    module scope, with the subset above; None when it ran, else :class:`~.values.VUnknown`
    with the reason. For modules whose top-level calls build something (routes, cron jobs,
    components: :mod:`convex_ssot.resolve.surface_toplevel`)."""
    if ev.stmt_calls == 0:
        ev.stmt_steps = 0
    try:
        _Run(ev, mod).statement(st, ChainMap({}))
    except _Return:
        return VUnknown(f"a `return` at the top level of a module at {_where(mod, st.span[0])}")
    except _Unsupported as u:
        return VUnknown(f"{u.what} at {_where(mod, u.offset)}")
    return None


class _Run:
    """One invocation: executes statements; ``fresh`` holds the ids of the objects and
    arrays this invocation created from literals (the only ones it may mutate)."""

    def __init__(self, ev, mod) -> None:
        self.ev = ev
        self.mod = mod
        self.fresh: set[int] = set()

    def value(self, node: ast.Node, scope: ChainMap) -> Value:
        self.ev.scopes.append(scope)
        try:
            return self.ev.eval(self.mod, node)
        finally:
            self.ev.scopes.pop()

    # ---- statements
    def block(self, stmts: list[ast.Node], scope: ChainMap) -> None:
        for st in stmts:  # function declarations are hoisted (ECMA-262 §10.2.11)
            if isinstance(st, ast.ExprStatement) and isinstance(st.expr, ast.Function) and st.expr.name:
                scope.maps[0][st.expr.name] = VFunction(st.expr, self.mod, scope)
        for st in stmts:
            self.statement(st, scope)

    def statement(self, st: ast.Node, scope: ChainMap) -> None:
        self.ev.stmt_steps += 1
        if self.ev.stmt_steps > MAX_STEPS:
            raise _Unsupported(f"more than {MAX_STEPS} statements executed", st.span[0])
        t = type(st)
        if t is ast.VarDecl:
            for d in st.declarators:
                self.declare(d, scope)
        elif t is ast.Return:
            if st.expr is None:
                raise _Return(VUndefined())
            if "\n" in self.mod.mk.clean[st.keyword_end : st.expr.span[0]]:
                raise _Unsupported("a line break after `return` (JavaScript returns undefined there)", st.span[0])
            raise _Return(self.value(st.expr, scope))
        elif t is ast.If:
            self.if_statement(st, scope)
        elif t is ast.ForOf:
            self.for_of(st, scope)
        elif t is ast.ForIn:
            self.for_in(st, scope)
        elif t is ast.Block:
            self.nested(st, scope)
        elif t is ast.Throw:
            raise _Unsupported("a `throw` is reached", st.span[0])
        elif t is ast.ExprStatement:
            self.expression(st.expr, scope)
        else:
            raise _Unsupported("a statement the tool does not evaluate", st.span[0])

    def nested(self, st: ast.Node, scope: ChainMap) -> None:
        """A branch or loop body: a braced block (its own scope) or one statement."""
        if not isinstance(st, ast.Block):
            self.statement(st, scope)
            return
        if _VAR.search(self.mod.mk.masked, st.span[0], st.span[1]):
            raise _Unsupported("a `var` declaration inside a block (it belongs to the function scope)", st.span[0])
        stmts = _statements(self.mod, st.span)
        if isinstance(stmts, VUnknown):
            raise _Unsupported(stmts.reason, st.span[0])
        self.block(stmts, scope.new_child())

    def declare(self, d: ast.Declarator, scope: ChainMap) -> None:
        val = self.value(d.init, scope) if d.init is not None else VUndefined()
        if isinstance(d.init, (ast.Obj, ast.Arr)) and isinstance(val, (VObj, VArr)):
            self.fresh.add(id(val))
        if d.name is not None:
            scope.maps[0][d.name] = val
            return
        self.bind_pattern(d.pattern or [], d.pattern_complete, val, scope, d.span[0])

    def bind_pattern(self, pairs: list[tuple[str, str]], complete: bool, val: Value, scope: ChainMap, offset: int) -> None:
        if not complete or not pairs:
            raise _Unsupported("a destructuring pattern with nested parts, defaults or array elements", offset)
        taken = {k for k, _ in pairs if k != "..."}
        for prop, local in pairs:
            if prop == "...":
                if not isinstance(val, VObj):
                    raise _Unsupported("a rest pattern over a value the tool does not model", offset)
                scope.maps[0][local] = VObj({k: x for k, x in val.entries.items() if k not in taken}, keys_known=val.keys_known and not val.spread_unknown)
            else:
                scope.maps[0][local] = self.ev.member(self.mod, val, prop)

    def if_statement(self, st: ast.If, scope: ChainMap) -> None:
        test = self.value(st.test, scope)
        b = truthy(test)
        if b is None:
            # A guard whose branch only throws cannot change the result of a module that
            # loads; any other undecidable branch could.
            if self.only_throws(st.then) and st.other is None:
                return
            reason = test.reason if isinstance(test, VUnknown) else "not a definite truth value"
            raise _Unsupported(f"an `if` condition the tool cannot decide ({reason})", st.test.span[0])
        branch = st.then if b else st.other
        if branch is not None:
            self.nested(branch, scope)

    def only_throws(self, st: ast.Node) -> bool:
        if isinstance(st, ast.Throw):
            return True
        if isinstance(st, ast.Block):
            stmts = _statements(self.mod, st.span)
            return isinstance(stmts, list) and bool(stmts) and all(isinstance(s, ast.Throw) for s in stmts)
        return False

    def for_of(self, st: ast.ForOf, scope: ChainMap) -> None:
        it = self.value(st.iterable, scope)
        if not isinstance(it, VArr):
            reason = it.reason if isinstance(it, VUnknown) else "not an array"
            raise _Unsupported(f"a `for…of` over a value the tool does not resolve ({reason})", st.iterable.span[0])
        for item in list(it.items):
            inner = scope.new_child()
            if st.name is not None:
                inner.maps[0][st.name] = item
            else:
                self.bind_pattern(st.pattern or [], st.pattern_complete, item, inner, st.span[0])
            self.nested(st.body, inner)

    def for_in(self, st: ast.ForIn, scope: ChainMap) -> None:
        obj = self.value(st.obj, scope)
        if isinstance(obj, (VNull, VUndefined)):
            return  # ECMA-262 §14.7.5.6 ForIn/OfHeadEvaluation: no iteration
        keys = own_keys(obj)
        if keys is None:
            reason = obj.reason if isinstance(obj, VUnknown) else "an object whose keys the tool does not all know"
            raise _Unsupported(f"a `for…in` over a value the tool does not resolve ({reason})", st.obj.span[0])
        if st.name is None:
            raise _Unsupported("a `for…in` with a destructuring pattern", st.span[0])
        assert isinstance(obj, VObj)
        before = list(obj.entries)
        for key in keys:
            inner = scope.new_child()
            inner.maps[0][st.name] = VStr(key)
            self.nested(st.body, inner)
            if list(obj.entries) != before:
                raise _Unsupported("a `for…in` whose body adds keys to the object it iterates", st.span[0])

    def expression(self, expr: ast.Node, scope: ChainMap) -> None:
        if isinstance(expr, ast.Function) and expr.name:
            return  # a hoisted declaration
        if isinstance(expr, (ast.Ident, ast.Str, ast.Num, ast.Bool, ast.Null, ast.BigInt)):
            return  # no effect ("use strict", a bare name)
        if isinstance(expr, ast.Opaque) and expr.what == "assignment" and expr.parts:
            self.assign(expr, scope)
            return
        if isinstance(expr, ast.Call):
            if _is_console(expr.callee):
                return
            res = self.value(expr, scope)
            if isinstance(res, VUnknown):
                raise _Unsupported(f"a call whose effect the tool cannot follow ({res.reason})", expr.span[0])
            return
        raise _Unsupported("an expression statement the tool does not evaluate", expr.span[0])

    def assign(self, expr: ast.Opaque, scope: ChainMap) -> None:
        op, target, value_node = expr.parts
        if op != "=":
            raise _Unsupported(f"an `{op}` assignment", expr.span[0])
        if isinstance(target, ast.Ident):
            owner = _owner(scope, target.name)
            if owner is None:
                raise _Unsupported(f"an assignment to `{target.name}`, which the function does not declare", expr.span[0])
            owner[target.name] = self.value(value_node, scope)
            return
        if isinstance(target, (ast.Member, ast.Index)):
            base = self.value(target.obj, scope)
            if id(base) not in self.fresh:
                raise _Unsupported("an assignment into an object the function did not create", expr.span[0])
            key = target.prop if isinstance(target, ast.Member) else property_key(self.value(target.index, scope))
            if key is None:
                raise _Unsupported("an assignment with a computed key the tool does not resolve", expr.span[0])
            val = self.value(value_node, scope)
            if isinstance(base, VObj):
                base.entries[key] = val
                base.nodes.pop(key, None)
                return
            if isinstance(base, VArr) and key.isdigit() and int(key) <= len(base.items):
                if int(key) == len(base.items):
                    base.items.append(val)
                else:
                    base.items[int(key)] = val
                return
        raise _Unsupported("an assignment the tool does not evaluate", expr.span[0])


def detach(val: Value, mod, _seen: dict | None = None, report: bool = True) -> Value:
    """``val`` as returned to another module: object literals of the function's module
    ``mod`` carry source nodes (for raw text and diagnostic positions) that mean nothing
    in the caller's module, so objects are copied without them (raw text then comes from
    each validator, computed where it was written); spreads the object could not resolve
    are reported in ``mod`` (CSX201) unless ``report`` is False (a value passed between two
    files of installed packages: their internals are not the project's to fix, and what
    stays unknown is reported where the project uses it)."""
    seen = {} if _seen is None else _seen
    if isinstance(val, VArr):
        return VArr([detach(x, mod, seen, report) for x in val.items])
    if not isinstance(val, VObj) or isinstance(val, VInstance):
        return val  # an instance is shared, as in JavaScript (it carries no source nodes)
    if id(val) in seen:
        return seen[id(val)]
    out = VObj({}, keys_known=val.keys_known and not val.spread_unknown)
    seen[id(val)] = out
    for reason, m in val.spread_unknown if report else ():
        mod.diag(m.span[0], "CSX201", f"spread not resolved ({reason}); its entries are missing")
    for k, x in val.entries.items():
        out.entries[k] = detach(x, mod, seen, report)
    return out


def _owner(scope, name: str):
    """The innermost mapping of ``scope`` (a ChainMap, possibly of ChainMaps) holding ``name``."""
    for m in scope.maps:
        if isinstance(m, ChainMap):
            found = _owner(m, name)
            if found is not None:
                return found
        elif name in m:
            return m
    return None


def _is_console(callee: ast.Node) -> bool:
    return isinstance(callee, ast.Member) and isinstance(callee.obj, ast.Ident) and callee.obj.name == "console"
