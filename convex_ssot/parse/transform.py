"""The inline Transformer that turns the grammar's parse events into :mod:`.ast` nodes
(no parse tree is built), and the JavaScript literal decoding it uses (string escapes,
numeric literals).

A rule's children are tokens (the only ``str`` among them: :class:`.lalr.Token` and Lark's
``Token`` subclass ``str``), what its child rules' callbacks returned and ``None`` (an empty
``[x]``). A plain object, not a ``lark.Transformer``: callbacks are found by rule name."""

from __future__ import annotations

from operator import itemgetter
from sys import intern  # names and string values repeat (`v`, `ctx`, table names): one copy each

from . import ast

__all__ = ["ToAst", "decode_js_string", "parse_js_number"]

_INCOMPLETE = ("\0", "")  # marks a pattern part left out of the (property, local) pairs

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": "", "\r": ""}


def decode_js_string(lit: str) -> str:
    """Decode a quoted JavaScript string literal or a template literal's cooked value
    (ECMA-262 §12.9.4 escape sequences; any other escaped character, such as ``\\``` or
    ``\\$``, stands for itself). Surrogate pairs written as two ``\\u`` escapes become one
    code point."""
    body = lit[1:-1]
    if "\\" not in body:
        return body
    out = _decode_escapes(body)
    if any("\ud800" <= c <= "\udfff" for c in out):
        out = out.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return out


def _decode_escapes(body: str) -> str:
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nx = body[i + 1]
        if nx == "x" and i + 3 < n + 1:
            try:
                out.append(chr(int(body[i + 2 : i + 4], 16)))
                i += 4
                continue
            except (ValueError, OverflowError):
                pass
        if nx == "u":
            if body[i + 2 : i + 3] == "{":
                close = body.find("}", i + 3)
                try:
                    out.append(chr(int(body[i + 3 : close], 16)))
                    i = close + 1
                    continue
                except (ValueError, OverflowError):
                    pass
            else:
                try:
                    out.append(chr(int(body[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except (ValueError, OverflowError):
                    pass
        out.append(_ESCAPES.get(nx, nx))
        i += 2
    return "".join(out)


def parse_js_number(text: str) -> float | int:
    """Value of a JavaScript numeric literal (decimal, hex, octal, binary; ``_`` separators)."""
    t = text.replace("_", "")
    low = t.lower()
    if low.startswith(("0x", "0b", "0o")):
        value = int(t[2:], {"0x": 16, "0b": 2, "0o": 8}[low[:2]])
        return value if abs(value) <= 2**53 else float(value) if value < 2**1024 else float("inf")
    if any(c in t for c in ".eE"):
        return float(t)
    value = int(t)
    # JavaScript numbers are doubles: 1e400 written out in digits is Infinity.
    return value if abs(value) <= 2**53 else float(t)


def _tok_span(tok, base: int) -> ast.Span:
    return (tok.start_pos + base, tok.end_pos + base)


def _key_of(node: ast.Node) -> str | None:
    if isinstance(node, ast.Ident):
        return node.name
    if isinstance(node, ast.Str):
        return node.value
    if isinstance(node, ast.Num):
        v = node.value
        return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
    return None


class _Inlined(list):
    """An inlined rule's (``_name``, Lark's ``__rule_star_N``) children, which the
    parse-tree builder (:func:`.lalr.make_callbacks`, as Lark's) splices into the parent's,
    reading ``.children``: built and read in C, unlike a ``Tree`` per inlined rule."""

    __slots__ = ()
    children = property(itemgetter(slice(None)))


class ToAst:
    """Inline Transformer: rule → :mod:`.ast` node, one method per rule (or alias) name.
    ``base`` is added to every offset."""

    def __init__(self, base: int = 0) -> None:
        self.base = base

    def __getattr__(self, name: str):  # a callback per rule name: inlined rules get _Inlined
        if name.startswith("_") and name.lstrip("_")[:1].islower() and not name.endswith("__"):
            return _Inlined
        raise AttributeError(name)

    def _pos(self, c, first: bool) -> int | None:
        if isinstance(c, str):
            return (c.start_pos if first else c.end_pos) + self.base
        if isinstance(c, ast.Node):
            return c.span[0] if first else c.span[1]
        if isinstance(c, tuple) and c and c[0] in ("body", "pattern"):
            sp = c[-1]
            return sp[0] if first else sp[1]
        if isinstance(c, list):
            seq = c if first else reversed(c)
            for x in seq:
                p = self._pos(x, first)
                if p is not None:
                    return p
        return None

    def _span_of(self, ch) -> ast.Span:
        """Span of a rule from its children: first child's start to last child's end."""
        base = self.base
        start = None
        for c in ch:
            if isinstance(c, ast.Node):
                start = c.span[0]
                break
            if isinstance(c, str):
                start = c.start_pos + base
                break
            if c is not None:
                start = self._pos(c, True)
                if start is not None:
                    break
        if start is None:
            return (base, base)
        for c in reversed(ch):
            if isinstance(c, ast.Node):
                return (start, c.span[1])
            if isinstance(c, str):
                return (start, c.end_pos + base)
            if c is not None:
                end = self._pos(c, False)
                if end is not None:
                    return (start, end)
        return (base, base)

    # ---- names and literals
    def name(self, ch):
        tok = ch[0]
        base = self.base
        return ast.Ident((tok.start_pos + base, tok.end_pos + base), intern(str(tok)))

    def keyword_name(self, ch):
        tok = ch[0]
        if isinstance(tok, str):
            return ast.Ident(_tok_span(tok, self.base), intern(str(tok)))
        return ast.Ident(self._span_of(ch), "?")

    def string(self, ch):
        tok = ch[0]
        return ast.Str(_tok_span(tok, self.base), intern(decode_js_string(str(tok))))

    def number(self, ch):
        tok = ch[0]
        return ast.Num(_tok_span(tok, self.base), parse_js_number(str(tok)), str(tok))

    def bigint(self, ch):
        tok = ch[0]
        t = str(tok)[:-1].replace("_", "")
        low = t.lower()
        base = {"0x": 16, "0b": 2, "0o": 8}.get(low[:2], 10)
        return ast.BigInt(_tok_span(tok, self.base), int(t[2:] if base != 10 else t, base))

    def template(self, ch):
        # The lexer blanks templates with substitutions: whitespace-only means "had ${…}".
        text = str(ch[0])
        if text.strip("`").strip() == "" and len(text) > 2:
            return ast.Opaque(self._span_of(ch), "template")
        body = text[1:-1].replace("\r\n", "\n").replace("\r", "\n")  # template line endings (§12.9.6)
        return ast.Str(self._span_of(ch), decode_js_string("`" + body + "`"))

    def true(self, ch):
        return ast.Bool(self._span_of(ch), True)

    def false(self, ch):
        return ast.Bool(self._span_of(ch), False)

    def null(self, ch):
        return ast.Null(self._span_of(ch))

    def this(self, ch):
        return ast.Opaque(self._span_of(ch), "this")

    # ---- types are recognised and dropped
    def type(self, ch):
        return None

    def qname(self, ch):
        return None

    def type_args(self, ch):
        return None

    def type_params(self, ch):
        return None

    # ---- expressions
    def member(self, ch):
        obj = ch[0]
        if isinstance(obj, ast.Opaque) and obj.what == "this" and obj.span == (self.base, self.base) and isinstance(ch[1], ast.Node):
            # `this` is an anonymous keyword (no token, no position): `this.name` is the
            # usual form, so it ends at the dot before the name.
            at = ch[1].span[0]
            obj = ast.Opaque((max(at - 5, self.base), max(at - 1, self.base)), "this")
        return ast.Member(self._span_of([obj, ch[1]]), obj, _key_of(ch[1]) or "?")

    def index(self, ch):
        sp = self._span_of(ch)
        return ast.Index((sp[0], sp[1] + 1), ch[0], ch[1])  # the filtered "]" follows the index

    def arguments(self, ch):
        return ast.Paren(self._span_of(ch), [c for c in ch if c is not None and not isinstance(c, str)])

    def call(self, ch):
        args = ch[-1]
        return ast.Call(self._span_of(ch), ch[0], args.items)

    def new_expr(self, ch):
        return _bind_new(self._span_of(ch), ch[0])

    def type_assertion(self, ch):
        return next(c for c in reversed(ch) if isinstance(c, ast.Node))

    def non_null(self, ch):
        return ch[0]

    def as_expr(self, ch):
        return ch[0]

    def satisfies_expr(self, ch):
        return ch[0]

    def typed_param(self, ch):
        if len(ch) > 2 and isinstance(ch[-1], ast.Node):  # `x: T = default`: not a plain name
            return ast.Opaque(self._span_of(ch), "param-default", (ch[0], ch[-1]))
        return ch[0]

    def await_expr(self, ch):
        return ast.Opaque(self._span_of(ch), "await")

    def negative(self, ch):
        # A negative number literal is understood (v.literal(-1)); the rest is opaque.
        v = ch[0]
        if isinstance(v, ast.Num):
            neg = -float(v.value) if v.value == 0 else -v.value  # -0 is a float in JS
            return ast.Num(self._span_of(ch), neg, "-" + v.text)
        if isinstance(v, ast.BigInt):
            return ast.BigInt(self._span_of(ch), -v.value)
        if isinstance(v, ast.Ident) and v.name == "Infinity":
            return ast.Num(self._span_of(ch), float("-inf"), "-Infinity")
        return ast.Opaque(self._span_of(ch), "unary")

    def unary_expr(self, ch):
        return ast.Opaque(self._span_of(ch), "unary")

    def void_expr(self, ch):  # `void 0`, as compilers write `undefined`
        return ast.Opaque(self._span_of(ch), "unary", ("void", ch[0]))

    def not_expr(self, ch):
        return ast.Opaque(self._span_of(ch), "unary", ("!", ch[0]))

    def binary_expr(self, ch):  # binary BIN_OP unary
        return ast.Opaque(self._span_of(ch), "binary", (str(ch[1]), ch[0], ch[2]))

    def _binary(op):  # noqa: N805 - builds the methods below
        def method(self, ch):
            return ast.Opaque(self._span_of(ch), "binary", (op, ch[0], ch[1]))

        return method

    binary_lt = _binary("<")
    binary_gt = _binary(">")
    binary_bitor = _binary("|")
    binary_bitand = _binary("&")
    binary_mul = _binary("*")
    binary_add = _binary("+")
    binary_sub = _binary("-")
    binary_in = _binary("in")
    binary_instanceof = _binary("instanceof")
    del _binary

    def conditional_expr(self, ch):
        parts = tuple(c for c in ch if isinstance(c, ast.Node))
        return ast.Opaque(self._span_of(ch), "conditional", parts if len(parts) == 3 else ())

    def assignment(self, ch):
        op = str(ch[1]) if len(ch) == 3 and isinstance(ch[1], str) else "="
        return ast.Opaque(self._span_of(ch), "assignment", (op, ch[0], ch[-1]))

    def typeof_expr(self, ch):
        return ast.Opaque(self._span_of(ch), "unary", ("typeof", ch[0]))

    def tagged_template(self, ch):
        return ast.Opaque(self._span_of(ch), "tagged-template")

    def spread(self, ch):
        return ast.Spread(self._span_of(ch), ch[0])

    def paren(self, ch):
        return ch[0]

    def block(self, ch):
        tok = ch[0]
        return ("body", _tok_span(tok, self.base))

    def arrow(self, ch):
        is_async = isinstance(ch[0], str) and ch[0].type == "ASYNC"
        params_node = next((c for c in ch[:-1] if isinstance(c, (ast.Paren, ast.Ident))), None)
        body = ch[-1]
        if isinstance(params_node, ast.Paren):
            params = params_node.items
        else:
            params = [params_node] if params_node is not None else []
        if isinstance(body, tuple) and body and body[0] == "body":
            return ast.Function(self._span_of(ch), params, body[1], None, is_async)
        return ast.Function(self._span_of(ch), params, None, body, is_async)

    def function_expr(self, ch):
        is_async = isinstance(ch[0], str) and ch[0].type == "ASYNC"
        paren = next((c for c in ch if isinstance(c, ast.Paren)), None)
        body = next((c for c in ch if isinstance(c, tuple) and c and c[0] == "body"), None)
        span = body[1] if body is not None else None
        name = next((c.name for c in ch if isinstance(c, ast.Ident)), None)  # before the paren
        return ast.Function(self._span_of(ch), paren.items if paren else [], span, None, is_async, name)

    def object(self, ch):
        return ast.Obj(self._span_of(ch), [c for c in ch if c is not None and not isinstance(c, str)])

    def prop(self, ch):
        return ast.Prop(self._span_of(ch), _key_of(ch[0]), ch[1])

    def computed_prop(self, ch):
        key = ch[0]
        if isinstance(key, ast.Str):
            return ast.Prop(self._span_of(ch), key.value, ch[1])
        return ast.Prop(self._span_of(ch), None, ch[1], computed=key)

    def shorthand(self, ch):
        ident = ch[0]
        return ast.Prop(self._span_of(ch), ident.name, ident, shorthand=True)

    def method(self, ch):
        is_async = isinstance(ch[0], str) and ch[0].type == "ASYNC"
        key_node = next(c for c in ch if isinstance(c, (ast.Ident, ast.Str, ast.Num)))
        paren = next(c for c in ch if isinstance(c, ast.Paren))
        body = ch[-1]
        return ast.Method(self._span_of(ch), _key_of(key_node), paren.items, body[1], is_async)

    def getter(self, ch):
        """An accessor property: its key with a value the evaluator does not understand."""
        key_node = next(c for c in ch if isinstance(c, (ast.Ident, ast.Str, ast.Num)))
        span = self._span_of(ch)
        return ast.Prop(span, _key_of(key_node), ast.Opaque(span, "getter"))

    def setter(self, ch):
        key_node = next(c for c in ch if isinstance(c, (ast.Ident, ast.Str, ast.Num)))
        span = self._span_of(ch)
        return ast.Prop(span, _key_of(key_node), ast.Opaque(span, "setter"))

    def array(self, ch):
        # Tokens are "[", "," and "]": an element is what stands between two of them (holes are None).
        items: list = []
        current = None
        seen_any = False
        for c in ch[1:]:
            if isinstance(c, str) and c.type in ("COMMA", "RSQB"):
                if c.type == "COMMA" or current is not None or seen_any:
                    items.append(current)
                current = None
                seen_any = c.type == "COMMA"
            elif c is not None:
                current = c
        if items and items[-1] is None and not seen_any:
            items.pop()
        return ast.Arr(self._span_of(ch), items)

    # ---- patterns
    def object_pattern(self, ch):
        pairs: list[tuple[str, str]] = []
        complete = True
        for c in ch:
            if c is not None and not isinstance(c, str):
                complete = complete and _INCOMPLETE not in c
                pairs.extend(p for p in c if p is not _INCOMPLETE)
        return ("pattern", pairs, complete, self._span_of(ch))

    def pattern_prop(self, ch):
        # A part the pairs cannot express (a nested pattern, a default, a computed key) is
        # left out and marked, so a function body using the pattern is not evaluated.
        if len(ch) == 1 and isinstance(ch[0], ast.Ident):  # "..." rest binding
            return [("...", ch[0].name)]
        if len(ch) >= 1 and isinstance(ch[0], tuple):  # "..." with a nested pattern
            return [_INCOMPLETE]
        key = _key_of(ch[0]) if isinstance(ch[0], ast.Node) else None
        target = ch[1] if len(ch) > 1 else None
        default = [_INCOMPLETE] if len(ch) > 2 and ch[2] is not None else []
        if key is None:
            return [_INCOMPLETE]
        if target is None:
            return [(key, key)] + default
        if isinstance(target, ast.Ident):
            return [(key, target.name)] + default
        return [_INCOMPLETE]

    def array_pattern(self, ch):
        # `[a, , b]`: element i binds to the property "i" (an array's elements; the
        # evaluator reads them only from arrays). Nested patterns are left out and marked.
        # A rest element `...r` binds the property "...i" (the elements from index i on).
        pairs: list[tuple[str, str]] = []
        complete = True
        for i, c in enumerate(ch):
            if isinstance(c, ast.Ident):
                pairs.append((str(i), c.name))
            elif isinstance(c, tuple) and c[0] == "rest" and isinstance(c[1], ast.Ident) and i == len(ch) - 1:
                pairs.append((f"...{i}", c[1].name))
            elif c is not None:
                complete = False
        return ("pattern", pairs, complete, self._span_of(ch))

    def array_rest(self, ch):
        return ("rest", ch[0])

    # ---- module items
    def declarator(self, ch):
        binding = ch[0]
        init = ch[-1] if len(ch) > 1 else None
        if not isinstance(init, ast.Node):
            init = None
        if isinstance(binding, ast.Ident):
            return ast.Declarator(self._span_of(ch), binding.name, init)
        pairs = binding[1] if isinstance(binding, tuple) else []
        complete = binding[2] if isinstance(binding, tuple) else False
        return ast.Declarator(self._span_of(ch), None, init, pairs, complete)

    def var_decl(self, ch):
        return ast.VarDecl(self._span_of(ch), False, [c for c in ch if isinstance(c, ast.Declarator)])

    def export_decl(self, ch):
        d = ch[0]
        d.exported = True
        d.span = self._span_of(ch)
        return d

    def expr_stmt(self, ch):
        return ast.ExprStatement(self._span_of(ch), ch[0])

    def export_default(self, ch):
        return ast.ExportDefault(self._span_of(ch), ch[0])

    def default_binding(self, ch):
        return ("default", ch[0].name)

    def namespace_binding(self, ch):
        return ("namespace", ch[0].name)

    def named_bindings(self, ch):
        return ("named", [c for c in ch if c is not None and c[0] is not None])

    def import_spec(self, ch):
        type_only = isinstance(ch[0], str)
        imported = _key_of(ch[1])
        local = ch[2].name if ch[2] is not None else imported
        if type_only:
            return (None, None)
        return (imported, local)

    def import_decl(self, ch):
        type_only = isinstance(ch[0], str)
        spec = ch[-1].value
        node = ast.Import(self._span_of(ch), spec, type_only=type_only)
        for c in ch[1:-1]:
            if isinstance(c, tuple):
                if c[0] == "default":
                    node.default = c[1]
                elif c[0] == "namespace":
                    node.namespace = c[1]
                elif c[0] == "named":
                    node.named = list(c[1])
        return node

    def import_side_effect(self, ch):
        return ast.Import(self._span_of(ch), ch[0].value)

    def export_spec(self, ch):
        if isinstance(ch[0], str):
            return None
        # "[as _prop_name]" gets no placeholder (the rule is inlined): 2 or 3 children.
        a = _key_of(ch[1])
        b = _key_of(ch[2]) if len(ch) > 2 and ch[2] is not None else a
        return (a, b)

    def export_list(self, ch):
        return [c for c in ch if c is not None]

    def export_star(self, ch):
        star_as = ch[1].name if ch[1] is not None else None
        return ast.ExportFrom(self._span_of(ch), ch[-1].value, None, star_as)

    def export_from(self, ch):
        return ast.ExportFrom(self._span_of(ch), ch[-1].value, ch[1])

    def export_named(self, ch):
        return ast.ExportNamed(self._span_of(ch), ch[1])

    def start(self, ch):
        return [c for c in ch if isinstance(c, ast.Node)]

    # ---- function-body statements (the `body` start rule)
    def _stmt_node(self, c):
        if isinstance(c, tuple) and c and c[0] == "body":
            return ast.Block(c[1])
        return c

    def body(self, ch):
        return [self._stmt_node(c) for c in ch if isinstance(c, (ast.Node, tuple))]

    def return_stmt(self, ch):
        kw = ch[0]
        expr = ch[1] if len(ch) > 1 and isinstance(ch[1], ast.Node) else None
        return ast.Return(self._span_of(ch), expr, kw.end_pos + self.base)

    def throw_stmt(self, ch):
        return ast.Throw(self._span_of(ch), ch[0])

    def body_expr_stmt(self, ch):
        return ast.ExprStatement(self._span_of(ch), ch[0])

    def if_stmt(self, ch):
        other = ch[2] if len(ch) > 2 else None
        return ast.If(self._span_of(ch), ch[0], self._stmt_node(ch[1]), self._stmt_node(other) if other is not None else None)

    def for_of_stmt(self, ch):
        binding, iterable, body = ch[0], ch[1], self._stmt_node(ch[2])
        if isinstance(binding, ast.Ident):
            return ast.ForOf(self._span_of(ch), binding.name, None, True, iterable, body)
        return ast.ForOf(self._span_of(ch), None, binding[1], binding[2], iterable, body)

    def for_in_stmt(self, ch):
        binding, obj, body = ch[0], ch[1], self._stmt_node(ch[2])
        if isinstance(binding, ast.Ident):
            return ast.ForIn(self._span_of(ch), binding.name, None, True, obj, body)
        return ast.ForIn(self._span_of(ch), None, binding[1], binding[2], obj, body)


def _bind_new(span: tuple[int, int], target: ast.Node) -> ast.Node:
    """``new`` over the postfix chain ``target`` the grammar read after it: it applies to
    the chain up to its first argument list (ECMA-262 §13.3 ``new MemberExpression
    Arguments``), so ``new C(a).m(b)`` is ``(new C(a)).m(b)``, not ``new (C(a).m(b))``;
    without an argument list (``new a.b``) it applies to the whole chain."""
    path: list[ast.Node] = []
    node = target
    while isinstance(node, (ast.Call, ast.Member, ast.Index)):
        path.append(node)
        node = node.callee if isinstance(node, ast.Call) else node.obj
    first = max((i for i, n in enumerate(path) if isinstance(n, ast.Call)), default=None)
    if first is None or first == 0:
        return ast.New(span, target)
    made: ast.Node = ast.New((span[0], path[first].span[1]), path[first])
    for outer in reversed(path[:first]):
        if isinstance(outer, ast.Call):
            outer.callee = made
        else:
            outer.obj = made
        outer.span = (span[0], outer.span[1])
        made = outer
    return made

