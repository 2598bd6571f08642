"""A lean LALR(1) driver over the tables Lark compiled for ``grammars/convex.lark``.

Lark's own loop (``lark.parsers.lalr_parser_state.ParserState.feed_token``) looks each
reduction's callback up by its ``Rule`` object, and rules loaded from saved tables are
not the objects the callbacks are keyed by, so every reduction pays ``Rule.__eq__`` (and
``Symbol.__eq__`` on each side), plus attribute chains for the rule's size and origin.
:class:`Driver` resolves all of that once per process into plain dictionaries: per state,
a terminal or rule name maps to the next state (a shift or a goto) or to a
``(size, callback, origin)`` reduction. The tokens, the callbacks (the inline
Transformer of :mod:`.transform`, as Lark wraps it) and the parse table are Lark's own,
so the result is the same as ``Lark.parse``'s; the failures carry the same position and
token (tests/unit/test_grammar.py compares both on every shipped source).
"""

from __future__ import annotations

import sys

from lark import Token
from lark.exceptions import UnexpectedToken
from lark.lexer import LexerState, TextSlice
from lark.parse_tree_builder import ExpandSingleChild
from lark.parsers.lalr_analysis import Shift

__all__ = ["Driver"]


class Driver:
    """Parses text with a compiled ``lark.Lark`` (``parser="lalr"``, a transformer given)
    through its own lexer, parse table and callbacks. :meth:`parse` returns what the
    start rule's callback returns and raises Lark's ``UnexpectedToken`` /
    ``UnexpectedCharacters`` (with ``token``/``char`` and ``pos_in_stream``) like
    ``Lark.parse``."""

    __slots__ = ("lexer", "states", "start_states", "end_states", "token_callbacks")

    def __init__(self, lark) -> None:
        frontend = lark.parser
        inner = frontend.parser.parser  # lark.parsers.lalr_parser._Parser
        table, callbacks = inner.parse_table, inner.callbacks
        self.lexer = frontend.lexer
        states: dict = {}
        reductions: dict = {}  # one entry per rule, shared by every state that reduces it
        for state, actions in table.states.items():
            row: dict = {}
            for sym, (action, arg) in actions.items():
                if action is Shift:
                    row[sym] = arg
                elif len(arg.expansion) == 1 and type(callbacks[arg]) is ExpandSingleChild:
                    # `?a: b`: one child, which Lark hands on unchanged (a unit reduction)
                    row[sym] = sys.intern(str(arg.origin.name))  # a plain str (Lark may give a Token)
                else:
                    entry = reductions.get(id(arg))
                    if entry is None:
                        entry = reductions[id(arg)] = (len(arg.expansion), callbacks[arg], sys.intern(str(arg.origin.name)))
                    row[sym] = entry
            states[state] = row
        self.states = states
        self.start_states = dict(table.start_states)
        self.end_states = dict(table.end_states)
        self.token_callbacks = {k: v for k, v in callbacks.items() if isinstance(k, str)}
        if any(states[e] for e in self.end_states.values()):
            raise ValueError("an end state with actions: accept on reaching it is not Lark's rule")

    def parse(self, text: str, start: str):
        states = self.states
        end_state = self.end_states[start]
        state_stack = [self.start_states[start]]
        value_stack: list = []
        push_state, push_value = state_stack.append, value_stack.append
        token_callbacks = self.token_callbacks
        for token in self._tokens(text):
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
                    raise self._unexpected(token, state_stack[-1])
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

    def _tokens(self, text: str):
        """The lexer's tokens, then ``$END`` at the last token's position (as Lark does)."""
        token = None
        for token in self.lexer.lex(LexerState(TextSlice(text, 0, len(text))), None):
            yield token
        yield Token.new_borrow_pos("$END", "", token) if token is not None else Token("$END", "", 0, 1, 1)

    def _unexpected(self, token, state) -> UnexpectedToken:
        expected = {s for s in self.states[state] if s.isupper()}
        return UnexpectedToken(token, expected)
