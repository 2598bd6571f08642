"""Source forms the outline leaves unparsed, evaluated on demand from the module's text:
template literals with substitutions (`` `embeddings_${d}` ``) and TypeScript ``enum``
declarations (their runtime object, as ``tsc`` and esbuild emit it).

Both read the original text of the module (the masked outline blanks template contents
and skips enum bodies) and parse the expressions they contain with the grammar's ``body``
rule, like :mod:`.statements` does for function bodies. Anything not understood makes the
whole value :class:`~.values.VUnknown`.
"""

from __future__ import annotations

import re

from ..parse import ast, lexer
from .builtins import to_string
from .values import VNum, VObj, VStr, VUnknown, Value, js_key_order
from .. import regex_cache

__all__ = ["template", "enum_value", "parse_expression"]


def parse_expression(mod, text: str, offset: int) -> ast.Node | VUnknown:
    """The expression ``text`` found at ``offset`` in ``mod`` (a template substitution, an
    enum initializer), parsed alone. Function bodies are refused: their spans would point
    into text the module's outline blanks."""
    from ..parse.parser import ParseFailure, parse_body
    from ..parse.transform import decode_js_string  # noqa: F401  (parser and transform load together)

    if "=>" in text or re.search(r"\bfunction\b", text):
        return VUnknown("a function inside a template substitution or enum initializer")
    src = "(" + text + ")"
    mk = lexer.mask(src)
    if mk.issues:
        return VUnknown("an expression the tool cannot read")
    try:
        items = parse_body(lexer.body_outline(mk, -1, len(src)), base=offset - 1)
    except ParseFailure:
        return VUnknown("an expression the tool cannot read")
    if len(items) == 1 and isinstance(items[0], ast.ExprStatement):
        return items[0].expr
    return VUnknown("an expression the tool cannot read")


# ---------------------------------------------------------------- template literals


def _skip_quoted(text: str, i: int) -> int:
    """Offset just past the string or template literal opening at ``text[i]``."""
    q = text[i]
    i += 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == q:
            return i + 1
        if q == "`" and text.startswith("${", i):
            i = _skip_substitution(text, i + 2) + 1
            continue
        i += 1
    return len(text)


def _skip_substitution(text: str, i: int) -> int:
    """Offset of the ``}`` closing the substitution whose expression starts at ``i``."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c in "'\"`":
            i = _skip_quoted(text, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return len(text)


def _split_template(raw: str) -> list[tuple[str, object]] | None:
    """A template literal's parts: ``("text", cooked)`` and ``("expr", (start, end))``
    (offsets into ``raw``); None when it does not close where the token ends."""
    from ..parse.transform import decode_js_string

    parts: list[tuple[str, object]] = []
    seg = 1
    i = 1
    n = len(raw) - 1  # the closing backtick
    while i < n:
        c = raw[i]
        if c == "\\":
            i += 2
            continue
        if raw.startswith("${", i):
            parts.append(("text", decode_js_string("`" + raw[seg:i] + "`")))
            end = _skip_substitution(raw, i + 2)
            if end >= n:
                return None
            parts.append(("expr", (i + 2, end)))
            i = seg = end + 1
            continue
        i += 1
    if raw[n:] != "`":
        return None
    parts.append(("text", decode_js_string("`" + raw[seg:n] + "`")))
    return parts


def template(ev, mod, node: ast.Opaque) -> Value:
    """A template literal with substitutions (ECMA-262 §13.2.8.6): the cooked strings with
    each substitution's ToString; unknown when a substitution is not a known primitive."""
    start, end = node.span
    key = f"\0tpl:{start}"
    parts = mod.values.get(key)
    if parts is None:
        raw = mod.raw_templates.get(start) or mod.text[start:end]  # kept by resolve/modules._keep_templates
        parts = _split_template(raw)
        if parts is not None:
            parsed = []
            for kind, x in parts:
                if kind == "expr":
                    s, e = x  # type: ignore[misc]
                    x = parse_expression(mod, raw[s:e], start + s)
                parsed.append((kind, x))
            parts = parsed
        mod.values[key] = parts if parts is not None else VUnknown("a template literal the tool cannot read")
        parts = mod.values[key]
    if isinstance(parts, VUnknown):
        return parts
    out = []
    for kind, x in parts:
        if kind == "text":
            out.append(x)
            continue
        if isinstance(x, VUnknown):
            return x
        val = ev.eval(mod, x)
        s = to_string(val)
        if s is None:
            why = val.reason if isinstance(val, VUnknown) else "not a string, number, boolean, null or undefined"
            return VUnknown(f"template literal substitution not resolved ({why})")
        out.append(s)
    return VStr("".join(out))


# ---------------------------------------------------------------- enums

_MEMBER = regex_cache.compile(r"""\s*(?:([\w$]+)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*(?:=\s*([\s\S]*?))?\s*$""")


def _split_members(body: str) -> list[tuple[int, str]]:
    """Comma-separated members of an enum body at depth 0 with their offsets."""
    out: list[tuple[int, str]] = []
    depth = 0
    i = seg = 0
    while i < len(body):
        c = body[i]
        if c in "'\"`":
            i = _skip_quoted(body, i)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            out.append((seg, body[seg:i]))
            seg = i + 1
        i += 1
    if body[seg:].strip():
        out.append((seg, body[seg:]))
    return out


def enum_value(ev, mod, name: str) -> Value:
    """The object a TypeScript ``enum`` declaration creates (TypeScript's emit,
    ``transformEnumDeclaration``, which esbuild follows): a string member ``A = "a"``
    sets ``E.A = "a"``; a numeric member sets ``E.A = n`` and the reverse ``E[n] = "A"``;
    a member without initializer is 0 or the previous numeric member plus one.
    Initializers may name earlier members. Keys in JavaScript's own-property order."""
    o, c = mod.enums[name]
    clean = mod.mk.clean
    entries: dict[str, Value] = {}
    members: dict[str, Value] = {}
    prev: Value | None = None
    for rel, text in _split_members(clean[o + 1 : c]):
        m = _MEMBER.match(text)
        if m is None:
            return VUnknown(f"enum `{name}`: a member the tool cannot read")
        key = m.group(1) if m.group(1) is not None else (m.group(2) if m.group(2) is not None else m.group(3))
        init = m.group(4)
        if init:
            at = o + 1 + rel + m.start(4)
            expr = parse_expression(mod, mod.mk.clean[at : at + len(init)], at)
            if isinstance(expr, VUnknown):
                return VUnknown(f"enum `{name}`.{key}: {expr.reason}")
            ev.scopes.append(dict(members))
            try:
                val = ev.eval(mod, expr)
            finally:
                ev.scopes.pop()
        elif prev is None:
            val = VNum(0)
        elif isinstance(prev, VNum):
            val = VNum(prev.value + 1)
        else:
            return VUnknown(f"enum `{name}`.{key}: no initializer after a string member")
        if isinstance(val, VNum):
            entries[key] = val
            rev = to_string(val)
            if rev is None:
                return VUnknown(f"enum `{name}`.{key}: a number the tool cannot spell")
            entries[rev] = VStr(key)
        elif isinstance(val, VStr):
            entries[key] = val
        else:
            why = val.reason if isinstance(val, VUnknown) else "not a string or number"
            return VUnknown(f"enum `{name}`.{key}: initializer not resolved ({why})")
        members[key] = val
        prev = val
    return VObj({k: entries[k] for k in js_key_order(entries)}, keys_known=True)
