"""The outline parser: the LALR(1) tables Lark compiled for ``grammars/convex.lark`` run by
the driver of :mod:`.lalr` over the tokens of :class:`OutlineLexer`, with the inline
Transformer of :mod:`.transform` building :mod:`.ast` nodes while parsing (no tree).

The parser is built once per process (``lru_cache``) from the compact tables of
:mod:`.tables`: shipped in the wheel (compiled by Lark at build time), else kept in the user
cache (``grammar-<key>.tables``, compiled by Lark on first use, about 1 s). Loading them
takes a few milliseconds and does not import Lark (docs/performance.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import cache as cache_mod
from .. import regex_cache
from ..resources import data_dir, grammar_path
from . import ast, tables
from .lalr import Driver, Token, UnexpectedCharacters, UnexpectedInput, make_callbacks
from .transform import ToAst

__all__ = ["get_parser", "parse_outline", "parse_body", "ParseFailure", "OutlineLexer", "OutlineParser"]


class ParseFailure(Exception):
    """The outline could not be parsed: ``offset`` (0-based) and a human ``message``."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class OutlineLexer:
    """The tokenizer outlines are read with: the same tokens as Lark's ``basic`` lexer for
    ``grammars/convex.lark`` (tests/unit/test_grammar_lexer.py compares them), in about a
    third of the time, by matching the whitespace before a token and the token in one
    regular-expression call and creating lean tokens (:class:`.lalr.Token`).

    Built from ``data``, the ``lexer`` part of :mod:`.tables` (Lark's terminal ordering and
    keyword rule, worked out when the tables were compiled). Raises
    :class:`.lalr.UnexpectedCharacters` where no terminal matches.
    """

    __slots__ = ("master", "trailing", "names", "keywords", "ws_chars")

    def __init__(self, data: dict) -> None:
        # the package's own expressions: their compiled programs are cached (regex_cache)
        self.master = regex_cache.compile(data["master"], data["flags"])
        self.trailing = regex_cache.compile(data["trailing"], data["flags"])
        self.names = data["names"]
        self.keywords = data["keywords"]
        self.ws_chars = data["ws_chars"]

    def lex(self, text: str):
        """The tokens of ``text`` (a generator)."""
        pos, end = 0, len(text)
        names, keywords, match, new = self.names, self.keywords, self.master.match, str.__new__
        # Where only whitespace is left. Outlines often end in a long blanked stretch (the
        # statements the grammar does not see); a failing match there would backtrack over
        # it character by character (quadratic), so the loop stops before it instead.
        tail = len(text.rstrip(self.ws_chars))
        while True:
            if pos >= tail:
                return
            m = match(text, pos)
            if m is None:
                pos = self.trailing.match(text, pos).end()
                if pos >= end:
                    return
                raise UnexpectedCharacters(text, pos, set(names))
            i = m.lastindex
            type_ = names[i - 1]
            value = m.group(i)
            if type_ in keywords:
                type_ = keywords[type_].get(value, type_)
            # token(type_, value, start, end), without the Python-level call (one token
            # per 30 bytes of outline)
            tok = new(Token, value)
            tok.type = type_
            tok.value = value
            tok.start_pos = m.start(i)
            tok.end_pos = pos = m.end()
            yield tok


class OutlineParser:
    """The outline lexer and the LALR driver with the callbacks of ``transformer``, from
    the tables ``data`` (:mod:`.tables`). :meth:`parse` raises :class:`.lalr.UnexpectedInput`."""

    __slots__ = ("lexer", "driver")

    def __init__(self, data: dict, transformer) -> None:
        self.lexer = OutlineLexer(data["lexer"])
        callbacks = make_callbacks(data["rules"], transformer)
        self.driver = Driver(data["states"], data["start_states"], data["end_states"], callbacks)

    def parse(self, text: str, start: str = "start"):
        """What the ``start`` rule's callback returns for ``text``."""
        return self.driver.parse(self.lexer.lex(text), start)


@lru_cache(maxsize=1)
def get_parser() -> OutlineParser:
    """The parser for ``grammars/convex.lark`` (built once per process; a forked worker
    inherits it).

    Its tables come from the wheel (:func:`.tables.build_tables`) when they match this
    grammar and this Python; else from the user cache (``grammar-<key>.tables``); else
    Lark compiles them (about 1 s) and they are cached (a cache that cannot be written
    only costs the compile again next time). Damaged tables count as missing."""
    text = grammar_path().read_text(encoding="utf-8")
    parser = _load(data_dir("grammars") / tables.PACKAGED_TABLES, text)
    if parser is not None:
        return parser
    d = cache_mod.cache_dir()
    cached = None if d is None else d / f"grammar-{tables.header(text)[-16:].decode()}.tables"
    parser = None if cached is None else _load(cached, text)
    if parser is not None:
        return parser
    data = tables.compile_tables(text)
    if cached is not None:
        try:
            tables.write(cached, text, data)
        except OSError:
            pass
    return OutlineParser(data, _TRANSFORMER)


def _load(path, text: str) -> OutlineParser | None:
    data = tables.read(path, text)
    if data is None:
        return None
    try:
        return OutlineParser(data, _TRANSFORMER)
    except (KeyError, TypeError, ValueError, IndexError, re.error):  # the right header, a damaged body
        return None


def _describe(exc: UnexpectedInput) -> str:
    """The message of a parse failure: the token or character the grammar cannot place."""
    tok = getattr(exc, "token", None)
    if tok is not None and getattr(tok, "type", None) == "$END":
        return "unexpected end of statement"
    if tok is not None:
        return f"unexpected {str(tok)[:20]!r}"
    char = getattr(exc, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    return "syntax not understood"


_TRANSFORMER: "ToAst"  # set below; the parser applies it while parsing (no tree is built)


def parse_outline(text: str, base: int = 0) -> list[ast.Node]:
    """Parse an outline (or a slice of one starting at offset ``base``) into module items.

    Raises :class:`ParseFailure` with the absolute offset of the first token the grammar
    cannot place.
    """
    return _parse(text, base, "start")


def parse_body(text: str, base: int = 0) -> list[ast.Node]:
    """Parse a function's statement body (the grammar's ``body`` rule): ``text`` is a body
    outline (:func:`..parse.lexer.body_outline`) starting at offset ``base``. Returns the
    statements; raises :class:`ParseFailure` like :func:`parse_outline`."""
    return _parse(text, base, "body")


def _parse(text: str, base: int, start: str) -> list[ast.Node]:
    parser = get_parser()
    _TRANSFORMER.base = base
    try:
        return parser.parse(text, start=start)
    except UnexpectedInput as exc:
        raise ParseFailure(base + (exc.pos_in_stream or 0), _describe(exc)) from None
    except (TypeError, AttributeError, IndexError, ValueError) as exc:  # a Transformer bug on an odd-but-valid input
        raise ParseFailure(base, f"could not interpret construct: {exc}") from None


_TRANSFORMER = ToAst()
