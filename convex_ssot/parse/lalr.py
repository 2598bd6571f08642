"""A lean LALR(1) driver over the tables Lark compiled for ``grammars/convex.lark``, and
the Lark parser class (:class:`TableParser`) that runs it.

Lark's own loop (``lark.parsers.lalr_parser_state.ParserState.feed_token``) looks each
reduction's callback up by its ``Rule`` object, and rules loaded from saved tables are
not the objects the callbacks are keyed by, so every reduction pays ``Rule.__eq__`` (and
``Symbol.__eq__`` on each side), plus attribute chains for the rule's size and origin.
:class:`Driver` resolves all of that once per process into plain dictionaries: per state,
a terminal or rule name maps to the next state (a shift or a goto, an ``int``), to the
rule name of a unit reduction (``?a: b``, whose one child Lark hands on unchanged, a
``str``) or to a ``(size, callback, origin)`` reduction. The tokens, the callbacks (the
inline Transformer of :mod:`.transform`, as Lark wraps it) and the parse table are
Lark's own, so the result is the same as Lark's loop gives; the failures are the same
exceptions with the same token and position (tests/unit/test_lalr_driver.py compares
both on every shipped source).

:class:`TableParser` is handed to Lark through its ``_plugins`` option (the hook Lark
offers for replacing its LALR parser class). Loaded from saved tables, it builds the
driver's dictionaries straight from Lark's serialised table, so Lark's own table (about
30,000 action tuples, each reduction's rule deserialised once per entry) is never built:
loading the parser is faster and holds less memory (docs/performance.md).
"""

from __future__ import annotations

import sys

from lark import Token
from lark.exceptions import ConfigurationError, UnexpectedToken
from lark.grammar import Rule
from lark.parse_tree_builder import ExpandSingleChild
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser import LALR_Parser

__all__ = ["Driver", "TableParser"]


class Driver:
    """The LALR(1) loop over a parse table in the form described in the module docstring.
    :meth:`parse` returns what the start rule's callback returns and raises Lark's
    ``UnexpectedToken`` (a token the grammar cannot place, or ``$END``); the lexer's own
    ``UnexpectedCharacters`` passes through."""

    __slots__ = ("states", "start_states", "end_states", "token_callbacks")

    def __init__(self, rows, start_states: dict, end_states: dict, callbacks: dict) -> None:
        """``rows``: ``(state, [(symbol, action, arg)])`` pairs, ``action`` being Lark's
        ``Shift`` (``arg`` the next state) or ``Reduce`` (``arg`` the ``Rule``)."""
        states: dict = {}
        reductions: dict = {}  # one entry per rule, shared by every state that reduces it
        for state, actions in rows:
            row: dict = {}
            for sym, action, arg in actions:
                if action is Shift:
                    row[sym] = arg
                    continue
                entry = reductions.get(id(arg))
                if entry is None:
                    origin = sys.intern(str(arg.origin.name))  # a plain str (Lark may give a Token)
                    callback = callbacks[arg]
                    if len(arg.expansion) == 1 and type(callback) is ExpandSingleChild:
                        entry = origin  # a unit reduction
                    else:
                        entry = (len(arg.expansion), callback, origin)
                    reductions[id(arg)] = entry
                row[sym] = entry
            states[state] = row
        self.states = states
        self.start_states = dict(start_states)
        self.end_states = dict(end_states)
        self.token_callbacks = {k: v for k, v in callbacks.items() if isinstance(k, str)}
        if any(states[e] for e in self.end_states.values()):
            raise ValueError("an end state with actions: accept on reaching it is not Lark's rule")

    @classmethod
    def from_table(cls, table, callbacks: dict) -> "Driver":
        """From Lark's ``IntParseTable`` (a parser compiled in this process)."""
        rows = ((state, [(sym, action, arg) for sym, (action, arg) in actions.items()]) for state, actions in table.states.items())
        return cls(rows, table.start_states, table.end_states, callbacks)

    @classmethod
    def from_serialized(cls, data: dict, memo: dict, callbacks: dict) -> "Driver":
        """From Lark's serialised table (``IntParseTable.serialize``: terminal and rule
        names by number, ``(1, rule)`` for a reduction, ``(0, state)`` for a shift)."""
        from lark.parsers.lalr_analysis import Reduce

        names = {k: sys.intern(str(v)) for k, v in data["tokens"].items()}
        rules: dict = {}

        def rule(arg) -> Rule:
            key = arg.get("@") if isinstance(arg, dict) else None
            if key is None:
                return Rule.deserialize(arg, memo)
            if key not in rules:
                rules[key] = Rule.deserialize(arg, memo)
            return rules[key]

        rows = (
            (state, [(names[t], Reduce, rule(arg)) if action == 1 else (names[t], Shift, arg) for t, (action, arg) in actions.items()])
            for state, actions in data["states"].items()
        )
        return cls(rows, data["start_states"], data["end_states"], callbacks)

    def parse(self, tokens, start: str):
        """Parse the token iterator ``tokens`` from rule ``start``."""
        states = self.states
        end_state = self.end_states[start]
        state_stack = [self.start_states[start]]
        value_stack: list = []
        push_state, push_value = state_stack.append, value_stack.append
        token_callbacks = self.token_callbacks
        for token in _with_end(tokens):
            type_ = token.type
            while True:
                act = states[state_stack[-1]].get(type_)
                cls = act.__class__
                if cls is int:
                    push_state(act)
                    push_value(token if type_ not in token_callbacks else token_callbacks[type_](token))
                    break
                if cls is str:
                    state_stack[-1] = states[state_stack[-2]][act]
                    continue
                if act is None:
                    if type_ == "$END" and state_stack[-1] == end_state:
                        return value_stack[-1]  # the end state has no actions: accept
                    raise UnexpectedToken(token, {s for s in states[state_stack[-1]] if s.isupper()})
                size, callback, origin = act
                if size:
                    s = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    s = []
                push_value(callback(s))
                push_state(states[state_stack[-1]][origin])
        raise AssertionError("unreachable: the end token is always consumed or rejected")


def _with_end(tokens):
    """``tokens``, then ``$END`` at the last token's position (as Lark's loop does)."""
    token = None
    for token in tokens:
        yield token
    yield Token.new_borrow_pos("$END", "", token) if token is not None else Token("$END", "", 0, 1, 1)


class TableParser(LALR_Parser):
    """Lark's LALR parser class with :class:`Driver` as its loop (``_plugins={"LALR_Parser":
    TableParser}``). Compiled in this process, it keeps Lark's table too (Lark saves it to
    its cache file); loaded from saved tables, it holds the driver's form only and cannot
    be saved again. ``on_error`` and interactive parsing are not offered."""

    def __init__(self, parser_conf, debug: bool = False, strict: bool = False) -> None:
        super().__init__(parser_conf, debug=debug, strict=strict)
        self.driver = Driver.from_table(self._parse_table, parser_conf.callbacks)

    @classmethod
    def deserialize(cls, data, memo, callbacks, debug: bool = False) -> "TableParser":
        inst = cls.__new__(cls)
        inst.driver = Driver.from_serialized(data, memo, callbacks)
        return inst

    def serialize(self, memo=None):
        if not hasattr(self, "_parse_table"):
            raise ConfigurationError("a parser loaded from saved tables cannot be saved again")
        return super().serialize(memo)

    def parse(self, lexer, start, on_error=None):
        if on_error is not None:
            raise ConfigurationError("on_error is not supported by convex-ssot's LALR driver")
        return self.driver.parse(lexer.lex(None), start)

    def parse_interactive(self, lexer, start):
        raise ConfigurationError("interactive parsing is not supported by convex-ssot's LALR driver")
