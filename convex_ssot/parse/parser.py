"""Lark LALR parser for module outlines; the Transformer that builds :mod:`.ast` nodes
while parsing is :mod:`.transform`.

The compiled parser is built once per process (``lru_cache``) and its LALR tables are
cached on disk by Lark (``cache=<file>``), keyed by the grammar text and the Lark version,
under the convex-ssot cache directory (see :mod:`convex_ssot.cache`). Grammar compilation
takes about 0.7 s; loading the cached tables about 30 ms.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import re

from lark import Lark, Token
from lark import __version__ as lark_version
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, VisitError
from lark.lexer import BasicLexer, Lexer, PatternStr

from .. import cache as cache_mod
from ..resources import grammar_path
from . import ast
from .transform import ToAst

__all__ = ["get_parser", "parse_outline", "parse_body", "ParseFailure"]


class ParseFailure(Exception):
    """The outline could not be parsed: ``offset`` (0-based) and a human ``message``."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class OutlineLexer(Lexer):
    """The tokenizer Lark's LALR parser reads outlines with: the same tokens as Lark's
    ``basic`` lexer for ``grammars/convex.lark`` (tests/unit/test_grammar_lexer.py compares
    them), in about a third of the time, by matching the whitespace before a token and the
    token in one regular-expression call and creating leaner tokens.

    Built from Lark's own terminal ordering (:class:`lark.lexer.BasicLexer`: priority,
    then longest pattern), its ``%ignore`` terminals, and its rule that a keyword string
    fully matched by a regex terminal of the same priority (``"const"`` by ``IDENT``) is
    that regex's match re-typed. Tokens carry ``start_pos`` and ``end_pos``; line and
    column are computed from offsets by the callers (:class:`convex_ssot.parse.lexer.LineIndex`).
    Raises ``UnexpectedCharacters`` where no terminal matches.
    """

    __future_interface__ = 2
    VERSION = "1"  # part of the compiled-grammar cache key

    def __init__(self, conf) -> None:
        ordered = BasicLexer(conf).terminals
        ignore = [t for t in ordered if t.name in conf.ignore]
        regex_terms = [t for t in ordered if not isinstance(t.pattern, PatternStr) and t.name not in conf.ignore]
        self.keywords: dict[str, dict[str, str]] = {}
        kept = []
        for t in ordered:
            if t.name in conf.ignore:
                continue
            if isinstance(t.pattern, PatternStr):
                owner = next(
                    (r for r in regex_terms if r.priority == t.priority and re.fullmatch(r.pattern.to_regexp(), t.pattern.value)),
                    None,
                )
                if owner is not None:
                    self.keywords.setdefault(owner.name, {})[t.pattern.value] = t.name
                    continue
            if re.compile(t.pattern.to_regexp()).groups:
                raise ValueError(f"terminal {t.name} has a capturing group; OutlineLexer cannot use it")
            kept.append(t)
        ws = "|".join(t.pattern.to_regexp() for t in ignore) or "(?!)"
        self.names = [t.name for t in kept]
        alternatives = "|".join(f"({t.pattern.to_regexp()})" for t in kept)
        # `(?:ws)?`, not `*`: the %ignore terminal is itself `[...]+` (no nested repetition).
        self.master = re.compile(f"(?:{ws})?(?:{alternatives})", conf.g_regex_flags)
        self.trailing = re.compile(f"(?:{ws})?", conf.g_regex_flags)
        # Characters of the %ignore terminal, for finding where the trailing whitespace
        # starts (a subset is enough: it only decides when to stop early).
        ws_re = re.compile(f"(?:{ws})", conf.g_regex_flags)
        self.ws_chars = "".join(c for c in " \t\n\r\f\v\u00a0\ufeff\u2028\u2029" if ws_re.fullmatch(c))
        self.terminals_by_name = conf.terminals_by_name

    def lex(self, lexer_state, parser_state):
        text, pos, end = lexer_state.text.text, lexer_state.text.start, lexer_state.text.end
        names, keywords, match, new = self.names, self.keywords, self.master.match, str.__new__
        # Where only whitespace is left. Outlines often end in a long blanked stretch (the
        # statements the grammar does not see); a failing match there would backtrack over
        # it character by character (quadratic), so the loop stops before it instead.
        tail = len(text[:end].rstrip(self.ws_chars)) if end != len(text) else len(text.rstrip(self.ws_chars))
        while True:
            if pos >= tail:
                return
            m = match(text, pos, end)
            if m is None:
                pos = self.trailing.match(text, pos, end).end()
                if pos >= end:
                    return
                line = text.count("\n", 0, pos) + 1
                raise UnexpectedCharacters(
                    text, pos, line, pos - text.rfind("\n", 0, pos), allowed=set(names),
                    state=parser_state, terminals_by_name=self.terminals_by_name,
                )
            i = m.lastindex
            type_ = names[i - 1]
            value = m.group(i)
            if type_ in keywords:
                type_ = keywords[type_].get(value, type_)
            pos = m.end()
            # Token(type_, value, start, None, None, None, None, pos), without the two
            # Python-level calls of Token.__new__ (one token per 30 bytes of outline)
            tok = new(Token, value)
            tok.type = type_
            tok.start_pos = m.start(i)
            tok.value = value
            tok.line = tok.column = tok.end_line = tok.end_column = None
            tok.end_pos = pos
            yield tok


#: The compiled LALR tables shipped in the wheel (written at build time by hatch_build.py).
PACKAGED_TABLES = "convex.lark-tables"


def _lark_options() -> dict:
    """The options every Lark instance of this grammar is built with. Lark's cache check
    hashes them (with the grammar, Lark's and Python's versions), so the build-time tables
    and the run-time parser must use exactly these."""
    return dict(parser="lalr", lexer=OutlineLexer, maybe_placeholders=True, start=["start", "body"])


def _plugins() -> dict:
    """Lark's ``_plugins`` option for the parsers this process uses: the LALR loop of
    :mod:`.lalr` (not part of the tables: they are Lark's own format, and not hashed into
    Lark's cache key)."""
    from .lalr import TableParser

    return {"LALR_Parser": TableParser}


def _tables_header(text: str) -> bytes:
    """First line of a packaged tables file: what the tables were compiled from (grammar,
    OutlineLexer, Lark and Python versions). Tables with another header are not used."""
    import sys

    ident = f"{text}\0{OutlineLexer.VERSION}\0{lark_version}\0{sys.version_info[:2]}"
    return b"convex-ssot-lark-tables " + hashlib.sha256(ident.encode()).hexdigest().encode()


def build_tables(path) -> None:
    """Compile the grammar and write its LALR tables to ``path`` (a header line, then
    Lark's own serialisation, ``Lark.save``); used by the wheel build (``hatch_build.py``)
    so that a fresh install does not spend about a second compiling the grammar."""
    text = grammar_path().read_text(encoding="utf-8")
    parser = Lark(text, **_lark_options())
    with open(path, "wb") as fh:
        fh.write(_tables_header(text) + b"\n")
        parser.save(fh, exclude_options=("transformer",))


def _packaged_parser(text: str) -> Lark | None:
    """The parser loaded from the tables shipped in the wheel, or None when there are none
    or they were compiled from anything else (another grammar, Lark or Python version)."""
    from ..resources import data_dir

    try:
        with open(data_dir("grammars") / PACKAGED_TABLES, "rb") as fh:
            if fh.readline().rstrip(b"\n") != _tables_header(text):
                return None
            return Lark.__new__(Lark)._load(fh, transformer=_TRANSFORMER, _plugins=_plugins())
    except Exception:  # noqa: BLE001 - missing, damaged or from an incompatible Lark: compile instead
        return None


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The compiled LALR parser for ``grammars/convex.lark`` (built once per process; a
    forked worker inherits it). It parses with :class:`.lalr.TableParser`, Lark's LALR
    parser class replaced through Lark's ``_plugins`` option."""
    return _load_parser()


def _load_parser() -> Lark:
    """The compiled LALR parser for ``grammars/convex.lark``.

    Its tables come from the wheel (:func:`build_tables`) when they match this grammar and
    these Lark and Python versions; else from the user cache (``grammar-<key>.lark-cache``,
    Lark's ``cache=``); else they are compiled (about 1 s) and cached.
    """
    text = grammar_path().read_text(encoding="utf-8")
    packaged = _packaged_parser(text)
    if packaged is not None:
        return packaged
    key = hashlib.sha256((text + lark_version + OutlineLexer.VERSION).encode()).hexdigest()[:16]
    return cache_mod.cached_lark(text, key, **_lark_options(), transformer=_TRANSFORMER, _plugins=_plugins())


def _describe(exc: UnexpectedInput) -> str:
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
    except VisitError as exc:  # a Transformer bug on an odd-but-valid input
        raise ParseFailure(base, f"could not interpret {exc.rule}: {exc.orig_exc}") from None
    except (TypeError, AttributeError, IndexError, ValueError) as exc:  # same, raised inline
        raise ParseFailure(base, f"could not interpret construct: {exc}") from None


_TRANSFORMER = ToAst()
