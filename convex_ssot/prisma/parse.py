"""Prisma schema text → :mod:`convex_ssot.prisma.ast` (``grammars/prisma.lark``, Lark LALR).

:func:`parse_file` is the entry point. It decodes nothing itself (the caller hands it
text) and raises :class:`PrismaSyntaxError` (file, line, column, message) for text
Prisma's parser rejects: an unknown top-level keyword, a block that is not closed, a
member that is not one line, a malformed attribute or argument list.

Documentation comments (``///``) are read from the text of the ``NL`` terminal that
precedes a declaration, the way Prisma attaches them (psl/schema-ast, parser/parse_comments.rs):
consecutive ``///`` lines directly above it (``//`` lines between them are skipped, an
empty line ends them), plus a ``///`` comment at the end of the declaration's own line.
The text of each line after ``///`` loses its leading blanks (trailing ones stay, as in
Prisma's DMMF); lines are joined with ``\\n``.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark import __version__ as lark_version
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .. import cache as cache_mod
from ..resources import grammar_path
from . import ast
from .. import regex_cache

__all__ = ["parse_file", "get_parser", "PrismaSyntaxError"]


class PrismaSyntaxError(Exception):
    """Text that is not a Prisma schema: ``file``, ``line``, ``column`` (1-based), ``message``."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The LALR parser for ``grammars/prisma.lark`` (compiled once per process; its tables
    are kept in the user cache, ``grammar-prisma-<key>.lark-cache``, by Lark's ``cache=``)."""
    text = grammar_path("prisma.lark").read_text(encoding="utf-8")
    kwargs = dict(parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)
    key = "prisma-" + hashlib.sha256((text + lark_version).encode()).hexdigest()[:16]
    return cache_mod.cached_lark(text, key, **kwargs)


_COMMENT = regex_cache.compile(r"\n|//[^\n]*|/\*(?:.|\n)*?\*/")


def _comment_lines(nl: str) -> list[list[str]]:
    """The lines of an NL token's text, each a list of its comments (``//…`` or ``/*…*/``)."""
    lines: list[list[str]] = [[]]
    for m in _COMMENT.finditer(nl):
        tok = m.group(0)
        if tok == "\n":
            lines.append([])
        else:
            lines[-1].append(tok)
    return lines


def _doc_of(comment: str) -> str | None:
    if comment.startswith("///"):
        return comment[3:].lstrip(" \t").rstrip("\r")  # Prisma keeps trailing spaces
    if comment.startswith("/*"):
        return comment[2:-2].strip()
    return None


def _leading_doc(nl: str | None, at_start: bool) -> str | None:
    """Documentation for the declaration after the NL text ``nl`` (see the module doc)."""
    if not nl:
        return None
    lines = _comment_lines(nl)
    lines.pop()  # the indentation of the declaration's own line
    if not at_start:
        lines = lines[1:]  # the first segment ends the previous line (its trailing comment)
    docs: list[str] = []
    for comments in reversed(lines):
        if not comments:
            break
        line_docs = [d for d in map(_doc_of, comments) if d is not None]
        docs[:0] = line_docs
    return "\n".join(docs) if docs else None


def _trailing_doc(nl: str | None) -> str | None:
    if not nl:
        return None
    first = _comment_lines(nl)[0]
    docs = [d for d in map(_doc_of, first) if d is not None]
    return "\n".join(docs) if docs else None


def _join(*docs: str | None) -> str | None:
    parts = [d for d in docs if d]
    return "\n".join(parts) if parts else None


def _unescape(lit: str) -> str:
    """The value of a Prisma string literal (JSON-style escapes, as Prisma's parser reads them)."""
    body = lit[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "\\": "\\", "/": "/"}
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n in simple:
                out.append(simple[n])
                i += 2
                continue
            if n == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6] or ""):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
        out.append(c)
        i += 1
    return "".join(out)


@v_args(meta=True)
class _ToAst(Transformer):
    """Lark tree → :mod:`.ast` nodes (one instance per file: it knows the file and its text)."""

    def __init__(self, file: str, text: str) -> None:
        super().__init__()
        self.file, self.text = file, text

    def _pos(self, meta_or_tok) -> tuple:
        return (self.file, meta_or_tok.line, meta_or_tok.column)

    def _src(self, meta) -> str:
        return self.text[meta.start_pos : meta.end_pos]

    # expressions
    def path(self, meta, children):
        return ".".join(str(c) for c in children)

    def _expr_from(self, meta, kind: str, **kw) -> ast.Expr:
        return ast.Expr(kind, self._pos(meta), self._src(meta), **kw)

    def function_call(self, meta, children):
        name, args = children
        return self._expr_from(meta, "call", name=name, args=args[0])

    def arguments(self, meta, children):
        args = [c if isinstance(c, ast.Arg) else ast.Arg(None, c, c.pos) for c in children]
        inner = self.text[meta.start_pos + 1 : meta.end_pos - 1].strip()
        return (args, inner)

    def named_argument(self, meta, children):
        return ast.Arg(str(children[0]), children[1], self._pos(meta))

    def empty_argument(self, meta, children):
        return ast.Arg(str(children[0]), None, self._pos(meta))

    def array(self, meta, children):
        return self._expr_from(meta, "array", items=list(children))

    def string(self, meta, children):
        return self._expr_from(meta, "string", value=_unescape(str(children[0])))

    def number(self, meta, children):
        return self._expr_from(meta, "number", value=str(children[0]))

    def constant(self, meta, children):  # a bare path used as a value: Cascade, true, Desc
        return self._expr_from(meta, "path", value=children[0])

    # attributes and members
    def _attribute(self, meta, children) -> ast.Attribute:
        name = children[0]
        args, inner = children[1] if len(children) > 1 else ([], None)
        return ast.Attribute(name, args, self._pos(meta), inner)

    field_attribute = _attribute
    block_attribute = _attribute

    def named_type(self, meta, children):
        return (str(children[0]), False)

    def unsupported_type(self, meta, children):
        return (self._src(meta), True)

    def type_modifier(self, meta, children):
        return (str(children[0]) == "[]", str(children[0]) == "?")

    def list_optional(self, meta, children):
        return (True, True)

    def field_type(self, meta, children):
        (name, unsupported), mods = children[0], (children[1] if len(children) > 1 else (False, False))
        return (name, unsupported, mods[0], mods[1], self._pos(meta))

    def field(self, meta, children):
        name = children[0]
        tname, unsupported, is_list, optional, tpos = children[1]
        attrs = [c for c in children[2:] if isinstance(c, ast.Attribute)]
        return ast.Field(str(name), tname, optional, is_list, unsupported, attrs, self._pos(meta), tpos)

    def enum_value(self, meta, children):
        return ast.EnumValue(str(children[0]), [c for c in children[1:] if isinstance(c, ast.Attribute)], self._pos(meta))

    def setting(self, meta, children):
        return ast.Setting(str(children[0]), children[1], self._pos(meta))

    def _block(self, meta, children) -> ast.Block:
        kw, name = children[0], children[1]
        block = ast.Block(str(kw), str(name), self._pos(meta), self._pos(name))
        prev_nl: str | None = None
        members = children[2:]
        for i, c in enumerate(members):
            if isinstance(c, Token) and c.type == "NL":
                prev_nl = str(c)
                continue
            if isinstance(c, ast.Attribute):
                block.attributes.append(c)
            elif isinstance(c, (ast.Field, ast.EnumValue)):
                nxt = members[i + 1] if i + 1 < len(members) else None
                trailing = _trailing_doc(str(nxt)) if isinstance(nxt, Token) and nxt.type == "NL" else None
                c.doc = _join(_leading_doc(prev_nl, at_start=False), trailing)
                (block.fields if isinstance(c, ast.Field) else block.values).append(c)
            elif isinstance(c, ast.Setting):
                block.settings.append(c)
            prev_nl = None
        return block

    model = view = composite = enum = datasource = generator = _block

    def start(self, meta, children):
        blocks: list[ast.Block] = []
        prev_nl: str | None = None
        first = True
        for c in children:
            if isinstance(c, Token):
                prev_nl = str(c)
                continue
            c.doc = _leading_doc(prev_nl, at_start=first and prev_nl is not None)
            blocks.append(c)
            prev_nl, first = None, False
        return blocks


_TOKEN_WORDS = {
    "NL": "a new line",
    "RBRACE": "`}`",
    "LBRACE": "`{`",
    "NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COMMA": "`,`",
    "COLON": "`:`",
    "EQUAL": "`=`",
    "AT": "`@`",
    "__ANON_0": "`@@`",
    "LIST": "`[]`",
    "OPTIONAL": "`?`",
    "$END": "the end of the file",
}
_KEYWORDS = ("model", "enum", "type", "view", "datasource", "generator")


def _expected(exp) -> str:
    words = sorted({_TOKEN_WORDS.get(e, e.lower() if e.isupper() and e.lower() in _KEYWORDS else e) for e in exp})
    return ", ".join(words[:8])


def _syntax_error(file: str, text: str, exc: UnexpectedInput) -> PrismaSyntaxError:
    line, col = getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        msg = f"unexpected character {ch!r}"
        if set(exc.allowed or ()) <= {"NL", "MODEL", "ENUM", "TYPE", "VIEW", "DATASOURCE", "GENERATOR"}:
            msg += "; a top-level line must start a block: model, view, type, enum, datasource or generator"
        return PrismaSyntaxError(file, line, col, msg + " (fix the schema; `prisma validate` gives the same verdict)")
    tok = getattr(exc, "token", None)
    if isinstance(exc, UnexpectedEOF) or (tok is not None and tok.type == "$END"):
        lines = text.count("\n")
        last = text.rstrip("\n").rsplit("\n", 1)[-1]
        return PrismaSyntaxError(file, max(lines, 1), len(last) + 1, "unexpected end of file: a block is not closed (add the missing `}`)")
    assert isinstance(exc, UnexpectedToken)
    got = _TOKEN_WORDS.get(tok.type, repr(str(tok)))
    if tok.type not in ("NL", "$END") and tok.type in _TOKEN_WORDS and tok.type not in ("NAME", "STRING", "NUMBER"):
        got = _TOKEN_WORDS[tok.type]
    elif tok.type in ("NAME", "STRING", "NUMBER") or tok.type.isupper():
        got = repr(str(tok)) if tok.type != "NL" else "a new line"
    msg = f"unexpected {got}; expected {_expected(exc.expected)}"
    if "MODEL" in exc.expected:
        msg += " (a top-level line must start a block: model, view, type, enum, datasource or generator)"
    elif tok.type == "RBRACE" or (tok.type == "NAME" and "NL" in exc.expected):
        msg += " (each field, enum value, attribute or setting goes on its own line, and `}` on a line of its own)"
    return PrismaSyntaxError(file, tok.line, tok.column, msg)


def parse_file(path: str, text: str) -> ast.SchemaFile:
    """Parse one schema file. ``path`` is how diagnostics name it (repository-relative).

    Raises :class:`PrismaSyntaxError` where the text is not Prisma Schema Language.
    """
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # keep columns: the BOM counts as one character, like an editor shows it
    if not text.endswith("\n"):
        text += "\n"
    try:
        tree = get_parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(path, text, exc) from None
    return ast.SchemaFile(path, _ToAst(path, text).transform(tree))
