"""The run-time outline parser (parse/lalr.py driver and callbacks, parse/parser.py lexer,
loaded from the compact tables of parse/tables.py) must give exactly what Lark gives for
the same grammar with its own ``basic`` lexer, LALR loop and tree builder running the same
inline Transformer: the same syntax trees on every outline and function body of every
source file the tests ship, and the same failure (position, token, expected terminals, or
the character no terminal matches) where the input cannot be parsed."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache

import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput as LarkUnexpectedInput

from convex_ssot.parse import lalr, lexer, tables
from convex_ssot.parse.parser import _TRANSFORMER, OutlineParser, get_parser
from convex_ssot.parse.transform import ToAst
from convex_ssot.resources import grammar_path

from test_grammar_lexer import ROOT, SOURCES, _outline


def _text() -> str:
    return grammar_path().read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _reference() -> Lark:
    """The grammar compiled by Lark, parsed with Lark's own lexer, loop and tree builder."""
    return Lark(_text(), **tables.LARK_OPTIONS, transformer=ToAst())


@lru_cache(maxsize=1)
def _compiled() -> dict:
    return tables.compile_tables(_text())


def _both(text: str, start: str):
    """(Lark's result, the run-time parser's result); a failure as a tuple of what it says."""
    out = []
    _TRANSFORMER.base = 0  # the run-time parser's Transformer; Lark's has its own
    for parser in (_reference(), get_parser()):
        try:
            out.append(repr(parser.parse(text, start=start)))
        except (LarkUnexpectedInput, lalr.UnexpectedInput) as exc:
            tok = getattr(exc, "token", None)
            out.append((
                type(exc).__name__, exc.pos_in_stream, getattr(tok, "type", None), None if tok is None else str(tok),
                getattr(exc, "char", None), getattr(exc, "expected", None),
            ))
    return out


def test_the_run_time_parser_is_built_from_the_compact_tables() -> None:
    parser = get_parser()
    assert isinstance(parser, OutlineParser) and isinstance(parser.driver, lalr.Driver)
    # Lark numbers the states differently from one compile to the next (set order)
    ours, fresh = parser.driver.states, _compiled()["states"]
    assert sorted(map(len, ours)) == sorted(map(len, fresh)) and len(ours) > 500


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_same_result_as_lark(path) -> None:
    outline = _outline(path)
    ref, ours = _both(outline, "start")
    assert isinstance(ref, str) and ours == ref
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
        "const [a, , b, ...c] = x; export { a as default, b }; export * as ns from './m';",
        "const f = async <T,>(x: T[] = []): Promise<void> => @ };",
        "const 𝑥 = 1; const a𝑥b = 2;",  # astral identifier characters (the IDENT terminal)
    ],
)
def test_same_failure_or_result_on_odd_input(text: str) -> None:
    a, b = _both(text, "start")
    assert a == b


def test_odd_inputs_do_fail() -> None:
    """The failure cases above are failures (tuples), not two equal successes."""
    assert isinstance(_both("export const a = ;", "start")[1], tuple)
    assert _both("const x = 1 # 2;", "start")[1][0] == "UnexpectedCharacters"
    eof = _both("export const a = query({ args: { x: v.string() ", "start")[1]
    assert eof[2] == "$END" and eof[5] == {"COMMA", "RBRACE"}


def test_every_rule_callback_is_a_method_or_an_inlined_rule() -> None:
    """A rule without a Transformer method builds a tree node (:class:`lalr.Tree`, Lark's
    ``Tree``): only rules whose children are inlined into their parent's (``_rule``, Lark's
    ``__x_star_n``) or that hand on their one child (``?rule``) lack one, and
    ``generic_params``, which ``ToAst.arrow`` skips (it keeps the parameters only)."""
    missing = {name for name, expand1, _, _ in _compiled()["rules"] if not hasattr(ToAst, name) and not expand1}
    assert {name for name in missing if not name.startswith("_")} == {"generic_params"}


def test_no_terminal_is_a_transformer_method() -> None:
    """Lark would call a method named after a terminal on each such token; the run-time
    parser calls none, so the Transformer must have none."""
    assert not [n for n in _compiled()["lexer"]["names"] if hasattr(ToAst, n)]


def test_tables_round_trip_and_refuse_another_grammar(tmp_path) -> None:
    path = tmp_path / "t"
    tables.write(path, _text(), _compiled())
    assert tables.read(path, _text()) == _compiled()
    assert tables.read(path, _text() + "\n") is None  # another grammar text
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    assert tables.read(path, _text()) is None
    assert tables.read(tmp_path / "missing", _text()) is None


def test_stale_packaged_tables_fall_back_to_compiling_into_the_cache(tmp_path, monkeypatch) -> None:
    """Tables compiled from anything else are not used: the parser compiles the grammar
    once, keeps the result in the cache directory and reads it from there afterwards."""
    from convex_ssot.parse import parser as parser_mod

    grammars = tmp_path / "grammars"
    grammars.mkdir()
    tables.write(grammars / tables.PACKAGED_TABLES, _text() + "// other\n", _compiled())
    monkeypatch.setattr(parser_mod, "data_dir", lambda name: grammars)
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path / "cache"))
    compiled = []
    monkeypatch.setattr(tables, "compile_tables", lambda text: compiled.append(1) or _compiled())
    get_parser.cache_clear()
    _TRANSFORMER.base = 0
    try:
        assert get_parser().parse("const a = 1;") == _reference().parse("const a = 1;", start="start")
        get_parser.cache_clear()
        get_parser()
        assert compiled == [1]
        assert len(list((tmp_path / "cache").rglob("grammar-*.tables"))) == 1
    finally:
        get_parser.cache_clear()


def test_damaged_tables_with_the_right_header_are_compiled_again(tmp_path, monkeypatch) -> None:
    from convex_ssot.parse import parser as parser_mod

    grammars = tmp_path / "grammars"
    grammars.mkdir()
    damaged = dict(_compiled(), lexer={"master": "("})  # loads, but is not a parser
    tables.write(grammars / tables.PACKAGED_TABLES, _text(), damaged)
    monkeypatch.setattr(parser_mod, "data_dir", lambda name: grammars)
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path / "cache"))
    get_parser.cache_clear()
    _TRANSFORMER.base = 0
    try:
        assert get_parser().parse("const a = 1;") == _reference().parse("const a = 1;", start="start")
        assert len(list((tmp_path / "cache").rglob("grammar-*.tables"))) == 1
    finally:
        get_parser.cache_clear()


def test_parsing_does_not_import_lark(tmp_path) -> None:
    """Loading the tables and parsing need neither Lark nor its import time."""
    get_parser()  # the tables are in the session's cache directory (or the package)
    code = (
        "import sys\n"
        "from convex_ssot.parse.parser import parse_outline\n"
        "assert len(parse_outline('import { v } from \"convex/values\";\\nexport const a = v.string();\\n')) == 2\n"
        "assert 'lark' not in sys.modules, sorted(m for m in sys.modules if m.startswith('lark'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
