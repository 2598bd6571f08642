"""The outline parser's tables: compiled by Lark from ``grammars/convex.lark``, kept in a
compact form the run-time parser loads with one ``marshal.loads`` (a few milliseconds, no
Lark import, no per-entry Python work).

:func:`compile_tables` (which imports Lark) runs at wheel build time (``hatch_build.py``
writes ``convex_ssot/grammars/convex.lark-tables``), or on first use when those tables are
missing or were compiled from anything else (then the result is kept in the user cache,
``grammar-<key>.tables``, :func:`..parse.parser.get_parser`). The form, a ``dict``:

* ``states`` — the LALR parse table, one ``dict`` per state: a terminal or rule name maps to
  a shift/goto state (``int``), a unit reduction's origin (``str``) or a reduction
  ``(size, rule index, origin)`` (one shared tuple per rule); ``start_states`` and
  ``end_states`` by start rule (:class:`.lalr.Driver`);
* ``rules`` — per rule index, what Lark's ``ParseTreeBuilder`` decided for its callback:
  ``(name, expand1, include, append_none)`` (:func:`.lalr.make_callbacks`);
* ``lexer`` — the outline lexer's master regular expression (source and flags), terminal
  names by group, keyword map and whitespace characters (:class:`.parser.OutlineLexer`),
  derived from Lark's own terminal ordering (``lark.lexer.BasicLexer``).

A file starts with a header line (:func:`header`): the hash of the grammar text, this
form's version and the Python version and implementation (marshal's format is Python's);
a file with another header is not used.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys

__all__ = ["PACKAGED_TABLES", "FORMAT", "header", "compile_tables", "build_tables", "read", "write"]

#: The compiled tables shipped in the wheel (written at build time by hatch_build.py).
PACKAGED_TABLES = "convex.lark-tables"

#: Version of the compact form; part of the header. Bump it with any change to what
#: :func:`compile_tables` records or to how :mod:`.lalr` and :class:`.parser.OutlineLexer` read it.
FORMAT = "2"

#: The options the grammar is compiled with (``start``: module outlines and function bodies).
LARK_OPTIONS = dict(parser="lalr", lexer="basic", maybe_placeholders=True, start=["start", "body"])


def header(text: str) -> bytes:
    """First line of a tables file compiled from grammar ``text`` in this Python."""
    ident = f"{text}\0{FORMAT}\0{sys.implementation.name}\0{sys.version_info[:2]}\0{marshal.version}"
    return b"convex-ssot-tables " + hashlib.sha256(ident.encode()).hexdigest().encode()


def read(path, text: str) -> dict | None:
    """The tables in ``path`` if its header is :func:`header` of ``text``, else None
    (also when the file is missing or damaged)."""
    try:
        with open(path, "rb") as fh:
            if fh.readline().rstrip(b"\n") != header(text):
                return None
            data = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def write(path, text: str, data: dict) -> None:
    """Write ``data`` with the header of ``text`` to ``path`` atomically (a temporary file
    renamed into place: a concurrent reader sees the old file or the new one). Raises OSError."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(header(text) + b"\n" + marshal.dumps(data))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_tables(path) -> None:
    """Compile ``grammars/convex.lark`` and write its tables to ``path`` (the wheel build,
    ``hatch_build.py``, so that a fresh install does not compile the grammar, about 1 s)."""
    from ..resources import grammar_path

    text = grammar_path().read_text(encoding="utf-8")
    write(path, text, compile_tables(text))


def compile_tables(text: str) -> dict:
    """Compile grammar ``text`` with Lark (:data:`LARK_OPTIONS`) into the form described in
    the module docstring. Raises Lark's ``GrammarError`` on a broken grammar and ValueError
    when Lark builds something this form cannot express (a terminal with a capturing group,
    a tree-builder wrapper other than the LALR ones)."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(text, **LARK_OPTIONS)
    table = lark.parser.parser.parser.parse_table
    canon: dict = {}  # one object per distinct value: marshal writes the others as references

    def c(v):
        return canon.setdefault((type(v), v), sys.intern(v) if type(v) is str else v)
    index = {rule: i for i, rule in enumerate(lark.rules)}
    rules = [_rule_callback(rule, chain, c) for rule, chain in lark._parse_tree_builder.rule_builders]
    reductions: dict = {}
    states: list = [None] * len(table.states)
    for state, actions in table.states.items():
        row = {}
        for sym, (action, arg) in actions.items():
            sym = c(str(sym))
            if action is Shift:
                row[sym] = c(arg)
                continue
            i = index[arg]
            if i not in reductions:
                name, expand1, include, _ = rules[i]
                origin = c(str(arg.origin.name))
                unit = len(arg.expansion) == 1 and expand1 and include is None
                reductions[i] = origin if unit else (len(arg.expansion), i, origin)
            row[sym] = reductions[i]
        states[state] = row
    if sorted(table.states) != list(range(len(states))):
        raise ValueError("Lark's LALR states are not numbered 0..n-1")
    if any(states[e] for e in table.end_states.values()):
        raise ValueError("an end state with actions: accept on reaching it is not Lark's rule")
    return {
        "format": FORMAT,
        "states": states,
        "start_states": {c(str(k)): v for k, v in table.start_states.items()},
        "end_states": {c(str(k)): v for k, v in table.end_states.items()},
        "rules": rules,
        "lexer": _lexer_data(lark.lexer_conf),
    }


def _rule_callback(rule, chain, c) -> tuple:
    """``(name, expand1, include, append_none)`` of one rule from the wrapper chain Lark's
    ``ParseTreeBuilder._init_builders`` made for it."""
    from functools import partial

    from lark.parse_tree_builder import ChildFilterLALR, ChildFilterLALR_NoPlaceholders, ExpandSingleChild

    name = c(str(rule.alias or rule.options.template_source or rule.origin.name))
    expand1, include, append_none = False, None, 0
    for wrapper in chain:
        if wrapper is ExpandSingleChild:
            expand1 = True
        elif isinstance(wrapper, partial) and wrapper.func is ChildFilterLALR:
            include = tuple(c((i, bool(inline), nones)) for i, inline, nones in wrapper.args[0])
            append_none = wrapper.args[1]
        elif isinstance(wrapper, partial) and wrapper.func is ChildFilterLALR_NoPlaceholders:
            include = tuple(c((i, bool(inline), 0)) for i, inline in wrapper.args[0])
        else:
            raise ValueError(f"rule {rule}: tree-builder wrapper {wrapper!r} is not supported")
    return (name, expand1, include, append_none)


def _lexer_data(conf) -> dict:
    """What :class:`.parser.OutlineLexer` needs, from Lark's lexer configuration: Lark's
    terminal ordering (:class:`lark.lexer.BasicLexer`: priority, then longest pattern), its
    ``%ignore`` terminals, and its rule that a keyword string fully matched by a regex
    terminal of the same priority (``"const"`` by ``IDENT``) is that regex's match re-typed."""
    from lark.lexer import BasicLexer, PatternStr

    ordered = BasicLexer(conf).terminals
    ignore = [t for t in ordered if t.name in conf.ignore]
    regex_terms = [t for t in ordered if not isinstance(t.pattern, PatternStr) and t.name not in conf.ignore]
    keywords: dict[str, dict[str, str]] = {}
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
                keywords.setdefault(owner.name, {})[t.pattern.value] = t.name
                continue
        if re.compile(t.pattern.to_regexp()).groups:
            raise ValueError(f"terminal {t.name} has a capturing group; the outline lexer cannot use it")
        kept.append(t)
    ws = "|".join(t.pattern.to_regexp() for t in ignore) or "(?!)"
    alternatives = "|".join(f"({t.pattern.to_regexp()})" for t in kept)
    ws_re = re.compile(f"(?:{ws})", conf.g_regex_flags)
    return {
        # `(?:ws)?`, not `*`: the %ignore terminal is itself `[...]+` (no nested repetition).
        "master": f"(?:{ws})?(?:{alternatives})",
        "trailing": f"(?:{ws})?",
        "flags": int(conf.g_regex_flags),
        "names": [t.name for t in kept],
        "keywords": keywords,
        # Characters of the %ignore terminal, for finding where the trailing whitespace
        # starts (a subset is enough: it only decides when to stop early).
        "ws_chars": "".join(c for c in " \t\n\r\f\v\u00a0\ufeff\u2028\u2029" if ws_re.fullmatch(c)),
    }
