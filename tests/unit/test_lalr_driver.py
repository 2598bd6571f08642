"""The LALR driver (parse/lalr.py) must give exactly what Lark's own parse loop gives over
the same tables, lexer and inline Transformer: the same syntax trees on every outline and
function body of every source file the tests ship, and the same failure (position and
token) where the grammar cannot place a token."""

from __future__ import annotations

from functools import lru_cache

import pytest
from lark.exceptions import UnexpectedInput

from convex_ssot.parse import lexer
from convex_ssot.parse.parser import _TRANSFORMER, get_parser
from convex_ssot.parse.lalr import Driver

from test_grammar_lexer import ROOT, SOURCES, _outline


@lru_cache(maxsize=1)
def _driver() -> Driver:
    return Driver(get_parser())


def _both(text: str, start: str):
    """(Lark's result, the driver's result); a failure as (position, token type, token)."""
    lark = get_parser()
    out = []
    for run in (lambda: lark.parse(text, start=start), lambda: _driver().parse(text, start)):
        _TRANSFORMER.base = 0
        try:
            out.append(repr(run()))
        except UnexpectedInput as exc:
            tok = getattr(exc, "token", None)
            out.append((type(exc).__name__, exc.pos_in_stream, getattr(tok, "type", None), str(tok), getattr(exc, "char", None)))
    return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_same_result_as_larks_parse_loop(path) -> None:
    outline = _outline(path)
    ours_lark, ours = _both(outline, "start")
    assert ours == ours_lark
    # the first top-level function bodies, with the grammar's `body` rule
    text = path.read_text(encoding="utf-8")
    mk = lexer.mask(text, jsx=path.suffix == ".tsx")
    for open_, close in lexer.find_bodies(mk.masked, 0, len(mk.masked))[:5]:
        body = lexer.body_outline(mk, open_, close)
        a, b = _both(body, "body")
        assert a == b


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "export const a = query({ args: { x: v.string() ",  # ends inside an object
        "export const a = ;",  # a token the grammar cannot place
        "const x = 1 # 2;",  # a character no terminal matches
        "import { a } from 'b'\n" + " " * 5000 + "\n",  # long trailing blank
        "export default defineSchema({ a: defineTable({ b: v.string() }) })\n)",
    ],
)
def test_same_failure_or_result_on_odd_input(text: str) -> None:
    a, b = _both(text, "start")
    assert a == b


def test_odd_inputs_do_fail() -> None:
    """The failure cases above are failures (tuples), not two equal successes."""
    assert isinstance(_both("export const a = ;", "start")[1], tuple)
    assert _both("const x = 1 # 2;", "start")[1][0] == "UnexpectedCharacters"
    assert _both("export const a = query({ args: { x: v.string() ", "start")[1][2] == "$END"
