"""The run-time side of the outline parser: a lean LALR(1) driver over the tables Lark
compiled for ``grammars/convex.lark`` (in the compact form of :mod:`.tables`), the tokens it
reads, the failures it raises, and the inline Transformer callbacks it calls on each
reduction. Nothing here imports Lark: loading the parser costs a ``marshal.loads`` and one
regular-expression compile, not the import of Lark and the rebuilding of its objects.

The parse table is Lark's (computed by Lark at wheel build time, or on first use when the
packaged tables do not match, :mod:`.tables`); per state, a terminal or rule name maps to
the next state (a shift or a goto, an ``int``), to the rule name of a unit reduction
(``?a: b``, whose one child Lark's ``ExpandSingleChild`` hands on unchanged, a ``str``) or to
a ``(size, rule index, origin)`` reduction. The callbacks are built as Lark's
``ParseTreeBuilder`` builds them (``lark/parse_tree_builder.py``: the user callback named by
the rule's alias, template or origin, else a tree node; ``ExpandSingleChild`` for ``?rule``;
``ChildFilterLALR`` dropping filtered tokens, inlining ``_rule`` children and inserting
``None`` for empty ``[x]``), from what Lark decided for each rule at build time. The result
and the failures (position, token, expected terminals) are the same as Lark's own loop
gives: tests/unit/test_lalr_driver.py compares both on every shipped source.
"""

from __future__ import annotations

__all__ = ["Driver", "Token", "Tree", "UnexpectedInput", "UnexpectedToken", "UnexpectedCharacters", "make_callbacks"]


class Token(str):
    """A token: its text (the ``str``), ``type`` (the terminal's name), ``value`` (the text
    again, as Lark's ``Token`` has it) and ``start_pos``/``end_pos`` (0-based offsets)."""

    __slots__ = ("type", "value", "start_pos", "end_pos")

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


def token(type_: str, value: str, start_pos: int, end_pos: int) -> Token:
    """A :class:`Token` (the lexer builds its tokens inline; this is for the others)."""
    tok = str.__new__(Token, value)
    tok.type, tok.value, tok.start_pos, tok.end_pos = type_, value, start_pos, end_pos
    return tok


class Tree:
    """What a rule without a Transformer method gives (Lark's default, ``Tree(name,
    children)``): a ``_rule`` whose children are inlined into its parent's."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list) -> None:
        self.data = data
        self.children = children

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"


class UnexpectedInput(Exception):
    """The input cannot be parsed; ``pos_in_stream`` is the 0-based offset where it fails."""

    pos_in_stream: int = 0


class UnexpectedToken(UnexpectedInput):
    """A token the grammar cannot place (``type`` ``$END``: the input ended too early);
    ``expected`` holds the terminals the parser's state accepts, as in Lark's exception."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected token {token!r}; expected one of {sorted(expected)}")
        self.token = token
        self.expected = expected
        self.pos_in_stream = token.start_pos


class UnexpectedCharacters(UnexpectedInput):
    """No terminal matches at ``pos_in_stream``; ``char`` is the character there and
    ``line``/``column`` (1-based) its position, as in Lark's exception."""

    def __init__(self, text: str, pos: int, allowed: set[str]) -> None:
        self.pos_in_stream = pos
        self.char = text[pos]
        self.line = text.count("\n", 0, pos) + 1
        self.column = pos - text.rfind("\n", 0, pos)
        self.allowed = allowed
        super().__init__(f"no terminal matches {self.char!r} at line {self.line} column {self.column}")


def make_callbacks(rules, transformer) -> list:
    """The callback of each rule (by rule index), as Lark's ``ParseTreeBuilder`` makes them
    for an inline ``transformer``. ``rules``: ``(name, expand1, include, append_none)`` per
    rule, as :func:`.tables.compile_tables` records Lark's decisions: the callback's name
    (alias, template or origin), whether ``ExpandSingleChild`` wraps it, and the child
    filter (None, or the ``(index, inline, nones before)`` children kept and the ``None``
    placeholders appended). A name the transformer has no method for builds a :class:`Tree`."""
    out = []
    for name, expand1, include, append_none in rules:
        f = getattr(transformer, name, None)
        if f is None:
            f = _tree_builder(name)
        if expand1:
            f = _expand_single_child(f)
        if include is not None:
            f = _child_filter(include, append_none, f)
        out.append(f)
    return out


def _tree_builder(name: str):
    return lambda children: Tree(name, children)


def _expand_single_child(builder):
    """Lark's ``ExpandSingleChild``: one child is handed on unchanged."""

    def callback(children):
        return children[0] if len(children) == 1 else builder(children)

    return callback


def _child_filter(include: tuple, append_none: int, builder):
    """Lark's ``ChildFilterLALR``: the kept children, ``_rule`` children inlined (their
    list reused when first, as Lark does for left recursion), ``None`` placeholders added."""

    def callback(children):
        filtered: list = []
        for i, inline, nones in include:
            if nones:
                filtered += [None] * nones
            if inline:
                if filtered:
                    filtered += children[i].children
                else:
                    filtered = children[i].children
            else:
                filtered.append(children[i])
        if append_none:
            filtered += [None] * append_none
        return builder(filtered)

    return callback


class Driver:
    """The LALR(1) loop over a parse table in the form described in the module docstring.
    :meth:`parse` returns what the start rule's callback returns and raises
    :class:`UnexpectedToken` (a token the grammar cannot place, or ``$END``); the lexer's
    :class:`UnexpectedCharacters` passes through."""

    __slots__ = ("states", "start_states", "end_states", "callbacks")

    def __init__(self, states: list, start_states: dict, end_states: dict, callbacks: list) -> None:
        self.states = states
        self.start_states = start_states
        self.end_states = end_states
        self.callbacks = callbacks

    def parse(self, tokens, start: str):
        """Parse the token iterator ``tokens`` from rule ``start``."""
        states, callbacks = self.states, self.callbacks
        end_state = self.end_states[start]
        state_stack = [self.start_states[start]]
        value_stack: list = []
        push_state, push_value = state_stack.append, value_stack.append
        for tok in _with_end(tokens):
            type_ = tok.type
            while True:
                act = states[state_stack[-1]].get(type_)
                cls = act.__class__
                if cls is int:
                    push_state(act)
                    push_value(tok)
                    break
                if cls is str:
                    state_stack[-1] = states[state_stack[-2]][act]
                    continue
                if act is None:
                    if type_ == "$END" and state_stack[-1] == end_state:
                        return value_stack[-1]  # the end state has no actions: accept
                    raise UnexpectedToken(tok, {s for s in states[state_stack[-1]] if s.isupper()})
                size, rule, origin = act
                if size:
                    s = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    s = []
                push_value(callbacks[rule](s))
                push_state(states[state_stack[-1]][origin])
        raise AssertionError("unreachable: the end token is always consumed or rejected")


def _with_end(tokens):
    """``tokens``, then ``$END`` at the last token's position (as Lark's loop does)."""
    last = None
    for last in tokens:
        yield last
    yield token("$END", "", last.start_pos, last.end_pos) if last is not None else token("$END", "", 0, 0)
