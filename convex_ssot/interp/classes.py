"""Class declarations, read on demand: ``class C extends B { field = e; constructor(a) {
this.a = a } method(x) { return … } static s() { … } }``.

The outline Lark parses blanks class statements (:mod:`..parse.lexer` records their span),
so a class is read only when the evaluator meets ``new C(...)`` or ``C.member``: its body
is scanned for members with the masked text (strings and comments cannot confuse the
bracket counting), and each method is parsed as an object-literal method by the grammar
(its body elided, parsed later by :mod:`.statements` when called). Instances are objects
(:class:`~.values.VInstance`) whose own properties are the fields and what the
constructor assigns to ``this``; methods are looked up on the class (ECMA-262 §15.7:
methods live on the prototype), bound to the instance through ``this``.
Getters, setters, private ``#`` members, computed keys and ``super`` are not read (an
access to them is unknown, never guessed).
"""

from __future__ import annotations

import re
from dataclasses import field
from ..dataclass_cache import dataclass

from collections import ChainMap

from ..parse import ast, lexer
from .values import VCallable, VClass, VFunction, VInstance, VUndefined, VUnknown, Value
from .. import regex_cache

__all__ = ["ClassInfo", "Member", "class_info", "construct", "instance_member", "static_member"]

_MEMBER = regex_cache.compile(
    r"(?P<static>static\s+(?![\s(=;]))?"
    r"(?:(?:public|private|protected|readonly|override|declare|abstract|accessor)\s+)*"
    r"(?P<async>async\s+(?![\s(=;]))?"
    r"(?P<acc>(?:get|set)\s+(?=[#\w$\[]))?"
    r"(?P<gen>\*\s*)?"
    r"(?P<name>#?[\w$]+|\[)"
)
_BRACKETS = regex_cache.compile(r"[{}()\[\]]")


@dataclass(slots=True)
class Member:
    """A class member: a method (``node`` its :class:`~..parse.ast.Method`, or None when the
    grammar could not read its head) or a field (``init`` the span of its initializer)."""

    name: str
    static: bool
    kind: str  # "method" | "field" | "accessor" | "other"
    node: ast.Method | None = None
    init: tuple[int, int] | None = None
    offset: int = 0


@dataclass(slots=True)
class ClassInfo:
    """A class read from its module: ``extends`` (the span of the heritage expression,
    None without one) and its members in source order."""

    name: str
    extends: tuple[int, int] | None
    members: list[Member] = field(default_factory=list)
    reason: str | None = None  # why the body could not be read (then ``members`` is empty)

    def method(self, name: str, static: bool = False) -> Member | None:
        for m in self.members:
            if m.name == name and m.static == static and m.kind == "method":
                return m
        return None

    def fields(self) -> list[Member]:
        return [m for m in self.members if m.kind == "field" and not m.static]


def _match(masked: str, open_: int, end: int) -> int:
    """Offset of the bracket closing the one at ``open_`` (strings and comments are masked),
    or -1."""
    depth = 0
    for m in _BRACKETS.finditer(masked, open_, end):
        if m.group() in "{([":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def class_info(mod, name: str) -> ClassInfo | None:
    """The class ``name`` declared at the top level of ``mod`` (cached on the module), or
    None when the module declares no such class."""
    span = mod.classes.get(name)
    if span is None:
        return None
    key = "\0class:" + name
    if key in mod.values:
        return mod.values[key]  # type: ignore[return-value]
    info = _read(mod, name, span)
    mod.values[key] = info  # type: ignore[assignment]
    return info


def _read(mod, name: str, span: tuple[int, int]) -> ClassInfo:
    masked = mod.mk.masked
    start, end = span
    head = re.compile(r"class\s+" + re.escape(name) + r"(?![\w$])").search(masked, start, end)
    if head is None:
        return ClassInfo(name, None, reason="class head not understood")
    pos = head.end()
    # type parameters, `extends Base<…>`, `implements I, J`: up to the body's `{` at depth 0
    extends = None
    m = re.compile(r"\s*(?:<)").match(masked, pos)
    if m is not None:
        close = _angle(masked, m.end() - 1, end)
        if close < 0:
            return ClassInfo(name, None, reason="type parameters not understood")
        pos = close + 1
    ext = re.compile(r"\s*extends\s+").match(masked, pos)
    open_ = _body_open(masked, ext.end() if ext else pos, end)
    if open_ < 0:
        return ClassInfo(name, None, reason="class body not found")
    if ext is not None:
        heritage = masked[ext.end() : open_]
        cut = re.search(r"\s+implements\b", heritage)
        stop = ext.end() + (cut.start() if cut else len(heritage.rstrip()))
        extends = (ext.end(), stop)
    close = _match(masked, open_, end)
    if close < 0:
        return ClassInfo(name, extends, reason="class body not closed")
    info = ClassInfo(name, extends)
    p = open_ + 1
    while p < close:
        ws = re.compile(r"[\s;]*").match(masked, p)
        p = ws.end()
        if p >= close:
            break
        mm = _MEMBER.match(masked, p)
        if mm is None or mm.group("name") == "[" or mm.group("name").startswith("#"):
            nxt = _member_end(masked, p, close)
            info.members.append(Member(masked[p:p + 20].split("(")[0].strip(), False, "other", offset=p))
            p = nxt
            continue
        mname = mm.group("name")
        static = bool(mm.group("static"))
        q = mm.end()
        q = re.compile(r"\s*[?!]?\s*").match(masked, q).end()
        if masked.startswith("<", q):  # generic method
            a = _angle(masked, q, close)
            q = a + 1 if a >= 0 else q
            q = re.compile(r"\s*").match(masked, q).end()
        if masked.startswith("(", q):
            pclose = _match(masked, q, close)
            body_open = _body_open(masked, pclose + 1, close) if pclose >= 0 else -1
            body_close = _match(masked, body_open, close + 1) if body_open >= 0 else -1
            if body_close < 0:  # an overload or abstract signature: no body
                p = _member_end(masked, q, close)
                continue
            kind = "accessor" if mm.group("acc") else "method"
            node = _parse_method(mod, p + (mm.start("async") - p if mm.group("async") else mm.start("name") - p), body_open, body_close) if kind == "method" else None
            info.members.append(Member(mname, static, kind, node, offset=p))
            p = body_close + 1
            continue
        # a field: `name;`, `name: T;`, `name = init;` (ends at `;` or a line break at depth 0)
        e = _member_end(masked, q, close)
        init = None
        eq = re.compile(r"(?::[^=;\n]*)?\s*=(?![=>])").match(masked, q)
        if eq is not None and eq.end() < e:
            init = (eq.end(), e)
        info.members.append(Member(mname, static, "field", init=init, offset=p))
        p = e
    return info


def _angle(masked: str, open_: int, end: int) -> int:
    depth = 0
    for i in range(open_, end):
        ch = masked[i]
        if ch == "<":
            depth += 1
        elif ch == ">" and masked[i - 1] != "=":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _body_open(masked: str, pos: int, end: int) -> int:
    """The ``{`` opening a body after ``pos`` (skipping a return type or heritage clause with
    its own brackets), or -1."""
    i = pos
    while i < end:
        ch = masked[i]
        if ch == "{":
            # a `{` right after `:` or `<`/`,` belongs to a type; a body `{` follows `)`,
            # a name or whitespace after the head
            prev = masked[pos:i].rstrip()[-1:] if masked[pos:i].strip() else ""
            if prev in (":", "<", ",", "|", "&", "="):
                c = _match(masked, i, end)
                if c < 0:
                    return -1
                i = c + 1
                continue
            return i
        if ch in "([":
            c = _match(masked, i, end)
            if c < 0:
                return -1
            i = c + 1
            continue
        if ch == ";":
            return -1
        i += 1
    return -1


def _member_end(masked: str, pos: int, close: int) -> int:
    """End of a field or unreadable member starting at ``pos``: after the first ``;`` or
    line break at bracket depth 0 (class fields end there under ASI)."""
    depth = 0
    i = pos
    while i < close:
        ch = masked[i]
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0 and ch in ";\n":
            # a line break does not end the field when the next line continues it
            if ch == "\n":
                rest = masked[i:close].lstrip()
                if rest[:1] in ".?:+-*/%&|=,<>" or masked[:i].rstrip()[-1:] in "=,(+-*/%&|?:<>":
                    i += 1
                    continue
            return i + 1
        i += 1
    return close


def _parse_method(mod, mstart: int, body_open: int, body_close: int) -> ast.Method | None:
    """Parse ``name(params) { … }`` (the body elided) as a method of an object literal."""
    from ..parse.parser import ParseFailure, parse_body

    if mstart < 2:
        return None
    clean = mod.mk.clean
    text = "({" + clean[mstart:body_open] + "@" + lexer.blank(clean[body_open + 1 : body_close]) + "}" + "})"
    try:
        items = parse_body(text, base=mstart - 2)
    except ParseFailure:
        return None
    if len(items) != 1 or not isinstance(items[0], ast.ExprStatement):
        return None
    expr = items[0].expr
    if isinstance(expr, ast.Paren) and len(expr.items) == 1:
        expr = expr.items[0]
    if isinstance(expr, ast.Obj) and len(expr.members) == 1 and isinstance(expr.members[0], ast.Method):
        return expr.members[0]
    return None


# ---------------------------------------------------------------- evaluation


def _base_class(ev, cls: VClass, info: ClassInfo) -> Value | None:
    """The class ``extends`` names (an identifier or ``a.b`` chain), None without one."""
    if info.extends is None:
        return None
    text = cls.module.mk.clean[info.extends[0] : info.extends[1]].strip()
    if not re.fullmatch(r"[\w$]+(?:\s*\.\s*[\w$]+)*", text):
        return VUnknown(f"class `{cls.name}` extends an expression the tool does not read")
    parts = [p.strip() for p in text.split(".")]
    val = ev.lookup(cls.module, parts[0])
    for p in parts[1:]:
        val = ev.member(cls.module, val, p)
    return val


def construct(ev, mod, cls: VClass, args: list[ast.Node]) -> Value:
    """``new cls(...args)`` (arguments evaluated in ``mod``): an instance, or VUnknown."""
    values: list[Value] = []
    for a in args:
        if isinstance(a, ast.Spread):
            return VUnknown(f"`new {cls.name}(...)` with a spread argument is not evaluated")
        values.append(ev.eval(mod, a))
    if cls.module is not mod:  # values cross modules without the caller's source nodes
        from .statements import detach

        values = [detach(x, mod) for x in values]
    inst = VInstance({}, cls=cls)
    err = _initialize(ev, cls, inst, values, 0)
    return err if err is not None else inst


def _initialize(ev, cls: VClass, inst: VInstance, values: list[Value], depth: int) -> VUnknown | None:
    """Run ``cls``'s construction on ``inst``: its base's (through ``super(...)``), its
    fields, its constructor body. None when done, else why not."""
    if depth > 8:
        return VUnknown(f"class `{cls.name}`: inheritance deeper than 8 levels")
    info = class_info(cls.module, cls.name)
    if info is None or info.reason is not None:
        return VUnknown(f"class `{cls.name}` not read ({info.reason if info else 'no declaration'})")
    base = _base_class(ev, cls, info)
    if isinstance(base, VUnknown):
        return base
    if base is not None and not isinstance(base, VClass):
        return VUnknown(f"class `{cls.name}` extends a class the tool does not read")
    ctor = info.method("constructor")
    if ctor is not None and ctor.node is None:
        return VUnknown(f"the constructor of `{cls.name}` is not understood")
    state: dict = {"fields": False}

    def init_fields() -> VUnknown | None:
        state["fields"] = True
        for f in info.fields():
            if f.init is None:
                inst.entries[f.name] = VUndefined()
                continue
            val = _field_value(ev, cls, f, inst)
            if isinstance(val, VUnknown):
                return VUnknown(f"field `{f.name}` of `{cls.name}` not evaluated ({val.reason})")
            inst.entries[f.name] = val
        return None

    if ctor is None:  # constructor(...args) { super(...args) } / an empty constructor
        if isinstance(base, VClass):
            err = _initialize(ev, base, inst, values, depth + 1)
            if err is not None:
                return err
        return init_fields()

    def call_super(ev2, mod2, args2, node2) -> Value:
        if not isinstance(base, VClass):
            return VUnknown("`super(...)` without a base class the tool reads")
        vals = [ev2.eval(mod2, a) for a in args2 if not isinstance(a, ast.Spread)]
        err = _initialize(ev2, base, inst, vals, depth + 1)
        if err is None:
            err = init_fields()
        return err if err is not None else VUndefined()

    if base is None:
        err = init_fields()
        if err is not None:
            return err
    env = {"this": inst, "super": VCallable("super", call_super)}
    fn = VFunction(ctor.node, cls.module, env)
    frame = ev.bind_params(fn, values)  # defaults (`options = {}`), patterns: as for calls
    if isinstance(frame, VUnknown):
        return VUnknown(f"the constructor of `{cls.name}` has parameters the tool does not model ({frame.reason})")
    from . import statements

    res = statements.run(ev, fn, ChainMap(frame, env), owned=(inst,))
    if isinstance(res, VUnknown):
        return VUnknown(f"the constructor of `{cls.name}` not evaluated ({res.reason})")
    if base is not None and not state["fields"]:
        return VUnknown(f"the constructor of `{cls.name}` does not call super()")
    return None


def _field_value(ev, cls: VClass, f: Member, inst: VInstance) -> Value:
    from ..parse.parser import ParseFailure, parse_body

    a, b = f.init  # type: ignore[misc]
    mk = cls.module.mk
    pieces, p = [], a
    for o, c in lexer.find_bodies(mk.masked, a, b):  # function bodies elided, as in outlines
        pieces += [mk.clean[p:o], "@", lexer.blank(mk.clean[o + 1 : c])]
        p = c
    pieces.append(mk.clean[p:b])
    text = "".join(pieces).rstrip().rstrip(";")
    try:  # parenthesised, so an object literal is not read as a block
        items = parse_body("(" + text + ");", base=a - 1)
    except ParseFailure as exc:
        return VUnknown(f"initializer not understood ({exc.message})")
    if len(items) != 1 or not isinstance(items[0], ast.ExprStatement):
        return VUnknown("initializer not understood")
    ev.scopes.append({"this": inst})
    try:
        return ev.eval(cls.module, items[0].expr)
    finally:
        ev.scopes.pop()


def instance_member(ev, inst: VInstance, prop: str) -> Value:
    """A property of an instance that is not its own: a method of its class or a base
    class, bound to the instance."""
    cls: Value | None = inst.cls
    for _ in range(9):
        if not isinstance(cls, VClass):
            break
        info = class_info(cls.module, cls.name)
        if info is None or info.reason is not None:
            break
        m = info.method(prop)
        if m is not None:
            if m.node is None:
                return VUnknown(f"method `{prop}` of `{cls.name}` is not understood")
            return VFunction(m.node, cls.module, {"this": inst})
        if any(x.name == prop and not x.static for x in info.members):
            return VUnknown(f"`{prop}` of `{cls.name}` is a member the tool does not read")
        cls = _base_class(ev, cls, info)
    return VUnknown(f"object has no property `{prop}`")


def static_member(ev, cls: VClass, prop: str) -> Value:
    """``C.prop``: a static method of the class (bound to it), else unknown."""
    info = class_info(cls.module, cls.name)
    if info is not None and info.reason is None:
        m = info.method(prop, static=True)
        if m is not None and m.node is not None:
            return VFunction(m.node, cls.module, {"this": cls})
    return VUnknown(f"static member `{prop}` of class `{cls.name}` is not read")
