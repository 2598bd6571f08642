"""OutlineLexer (parse/parser.py) must produce exactly the tokens of Lark's own ``basic``
lexer for the grammar: same types, values and offsets, on every outline of every source
file the tests ship, and the same failure where no terminal matches."""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from lark import Lark
from lark.exceptions import UnexpectedCharacters as LarkUnexpectedCharacters

from convex_ssot.parse import lexer
from convex_ssot.parse.lalr import UnexpectedCharacters
from convex_ssot.parse.parser import OutlineLexer, get_parser
from convex_ssot.resolve.modules import KEEP_KINDS
from convex_ssot.resources import grammar_path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p
    for base in (ROOT / "examples", ROOT / "tests" / "conformance" / "fixtures", ROOT / "bench")
    for p in base.rglob("*")
    if p.suffix in (".ts", ".tsx", ".js") and "node_modules" not in p.parts and "_generated" not in p.parts
)


@lru_cache(maxsize=1)
def _reference() -> Lark:
    return Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="basic", start=["start", "body"])


def _ours(text: str):
    return [(t.type, str(t), t.start_pos, t.end_pos) for t in get_parser().lexer.lex(text)]


def _theirs(text: str):
    return [(t.type, str(t), t.start_pos, t.end_pos) for t in _reference().lex(text)]


def _outline(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    mk = lexer.mask(text, jsx=path.suffix == ".tsx")
    return lexer.outline(mk, lexer.split_statements(mk.masked), KEEP_KINDS)[0]


def test_the_parser_uses_outline_lexer() -> None:
    assert isinstance(get_parser().lexer, OutlineLexer)


def test_there_are_sources_to_compare() -> None:
    assert len(SOURCES) >= 40


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_same_tokens_as_larks_basic_lexer(path: Path) -> None:
    outline = _outline(path)
    assert _ours(outline) == _theirs(outline)


@pytest.mark.parametrize(
    "text",
    [
        "const constant = letter; export default defaultValue",  # keywords vs identifiers
        "a => b >= c >>= d === e !== f ?? g ?. h",
        'x = 0x1F_n + 1_000.5e-3 + .5 + 10n; y = "a\\"b" + \'c\' + `t${1}`',
        "é$_ ab\u00a0c a𝑥y1 b𝑥",  # non-ASCII, astral letters (not first: IDENT's first class is BMP)
        "  \n\t  ",  # only whitespace
        "",
    ],
)
def test_same_tokens_on_tricky_snippets(text: str) -> None:
    assert _ours(text) == _theirs(text)


@pytest.mark.parametrize("text,bad", [("const a = 1;\n  # b", "#"), ("const a = 1;\n  a\U0001f600", "\U0001f600"), ("const a = 1;\n  𝑥", "𝑥")])
def test_same_failure_offset_on_a_character_no_terminal_matches(text: str, bad: str) -> None:
    with pytest.raises(UnexpectedCharacters) as ours:
        _ours(text)
    with pytest.raises(LarkUnexpectedCharacters) as theirs:
        _theirs(text)
    assert ours.value.pos_in_stream == theirs.value.pos_in_stream == text.index(bad)
    assert (ours.value.line, ours.value.column, ours.value.char) == (theirs.value.line, theirs.value.column, theirs.value.char)


def test_ident_terminal_matches_the_characters_of_its_readable_form() -> None:
    """grammars/convex.lark writes IDENT with negated classes (fast to compile); it must
    accept exactly the characters of /[A-Za-z_$\\u00a0-\\uffff][\\w$\\u00a0-\\uffff]*/, as a
    first character and after one, over every code point."""
    ident = next(t for t in _reference().terminals if t.name == "IDENT").pattern.to_regexp()
    chars = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)
    first_old = set(re.findall(r"[A-Za-z_$\u00a0-\uffff]", chars))
    rest_old = set(re.findall(r"[\w$\u00a0-\uffff]", chars))
    new = re.compile(ident)
    first_new = {c for c in chars if new.fullmatch(c)}
    rest_new = {c for c in chars if new.fullmatch("a" + c)}
    assert first_new == first_old and rest_new == rest_old
    assert "𝑥" in rest_new and "\U0001f600" not in rest_new  # astral: \w only
