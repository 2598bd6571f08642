"""The LALR driver (parse/lalr.py), which the run-time parser uses through Lark's
``_plugins`` option, must give exactly what Lark's own parse loop gives over the same
grammar, lexer and inline Transformer: the same syntax trees on every outline and function
body of every source file the tests ship, and the same failure (position and token) where
the grammar cannot place a token. The reference is the grammar compiled by Lark without
the plugin."""

from __future__ import annotations

from functools import lru_cache

import pytest
from lark.exceptions import UnexpectedInput

from convex_ssot.parse import lexer
from lark import Lark

from convex_ssot.parse.lalr import TableParser
from convex_ssot.parse.parser import _TRANSFORMER, _lark_options, get_parser
from convex_ssot.resources import grammar_path

from test_grammar_lexer import ROOT, SOURCES, _outline


@lru_cache(maxsize=1)
def _reference() -> Lark:
    """The grammar compiled by Lark with its own LALR parser class and loop."""
    return Lark(grammar_path().read_text(encoding="utf-8"), **_lark_options(), transformer=_TRANSFORMER)


@lru_cache(maxsize=1)
def _saved_tables() -> bytes:
    """The tables as the wheel ships them (header line, then Lark's serialisation)."""
    import tempfile
    from pathlib import Path

    from convex_ssot.parse.parser import build_tables

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "tables"
        build_tables(path)
        return path.read_bytes()


def _load_saved(plugins: dict | None) -> Lark:
    import io

    fh = io.BytesIO(_saved_tables())
    fh.readline()
    return Lark.__new__(Lark)._load(fh, transformer=_TRANSFORMER, **({"_plugins": plugins} if plugins else {}))


@lru_cache(maxsize=1)
def _loaded() -> Lark:
    """The run-time parser as loaded from saved tables (what the wheel ships): the driver's
    table is built from Lark's serialisation, not from a compiled table."""
    from convex_ssot.parse.parser import _plugins

    return _load_saved(_plugins())


def test_the_run_time_parsers_use_the_driver() -> None:
    assert isinstance(get_parser().parser.parser, TableParser)
    loaded = _loaded().parser.parser
    assert isinstance(loaded, TableParser) and not hasattr(loaded, "_parse_table")
    assert not isinstance(_reference().parser.parser, TableParser)


def test_driver_table_from_saved_tables_equals_the_one_from_larks_table() -> None:
    """Built from the serialisation (TableParser.deserialize) or from the table Lark
    deserialises from the same file (Driver.from_table): the same driver table."""
    from convex_ssot.parse.lalr import Driver

    plain = _load_saved(None).parser.parser  # Lark's own LALR_Parser
    a = Driver.from_table(plain.parser.parse_table, plain.parser.callbacks)
    b = _loaded().parser.parser.driver
    assert (a.start_states, a.end_states) == (b.start_states, b.end_states)
    assert a.states.keys() == b.states.keys()
    for state, row in a.states.items():
        other = b.states[state]
        assert row.keys() == other.keys()
        for sym, act in row.items():
            o = other[sym]
            if isinstance(act, tuple):  # callbacks are per-parser objects: compare what they wrap
                assert (act[0], act[2], type(act[1])) == (o[0], o[2], type(o[1]))
            else:
                assert act == o


@pytest.mark.parametrize("path", SOURCES[:12], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_parser_loaded_from_saved_tables_gives_the_same_trees(path) -> None:
    outline = _outline(path)
    _TRANSFORMER.base = 0
    ref = repr(_reference().parse(outline, start="start"))
    _TRANSFORMER.base = 0
    assert repr(_loaded().parse(outline, start="start")) == ref


def _both(text: str, start: str):
    """(Lark's result, the driver's result); a failure as (position, token type, token)."""
    out = []
    for parser in (_reference(), get_parser()):
        run = lambda: parser.parse(text, start=start)  # noqa: E731
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
