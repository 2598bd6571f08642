"""Masking, the first step of the lexical pass (:mod:`.lexer`): every comment, string,
template literal, regular-expression literal and (in ``.tsx``/``.jsx``) JSX element is
found with Python's ``re``, and two texts of the *same length and line structure* as the
source are returned (:class:`Masked`): ``masked`` (comments blanked, literal contents
replaced by a filler without brackets) and ``clean`` (comments blanked, strings kept)."""

from __future__ import annotations

from dataclasses import field
from ..dataclass_cache import dataclass
from .. import regex_cache

__all__ = ["LexIssue", "Masked", "mask", "blank"]

_STRING = {
    "'": regex_cache.compile(r"'(?:[^'\\\n]|\\[\s\S])*'"),
    '"': regex_cache.compile(r'"(?:[^"\\\n]|\\[\s\S])*"'),
}
_REGEX = regex_cache.compile(r"/(?![*/])(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[A-Za-z]*")
# After one of these characters a '/' starts a regular expression, not a division.
_REGEX_PREV = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = frozenset(
    "return typeof case do else in of new delete void throw yield await instanceof".split()
)
_WORD_TAIL = regex_cache.compile(r"[A-Za-z_$][\w$]*$")
_TEMPLATE_STOP = regex_cache.compile(r"[`\\]|\$\{")
_EXPR_STOP = regex_cache.compile(r"[{}'\"`]|//|/\*|/")
_JSX_PREV = set("(=,:?[{}&|;>") | {""}
_FILL = "~"  # not an identifier character: masked literals never look like code


@dataclass(frozen=True, slots=True)
class LexIssue:
    """A lexical problem: ``offset`` (0-based), a diagnostic ``code`` and a ``message``."""

    offset: int
    code: str
    message: str


@dataclass(slots=True)
class Masked:
    """Result of :func:`mask`: ``text``, ``masked`` and ``clean`` all have equal length."""

    text: str
    masked: str
    clean: str
    issues: list[LexIssue] = field(default_factory=list)


def _fill(s: str) -> str:
    """Replace every character but newlines by the filler (keeps line structure)."""
    if "\n" not in s:
        return _FILL * len(s)
    return "\n".join(_FILL * len(part) for part in s.split("\n"))


def blank(s: str) -> str:
    """Replace every character but newlines by a space (keeps line structure)."""
    if "\n" not in s:
        return " " * len(s)
    return "\n".join(" " * len(part) for part in s.split("\n"))


def _prev_sig(pieces: list[str]) -> tuple[str, str]:
    """Last significant character and last word emitted so far (for regex/JSX decisions)."""
    for piece in reversed(pieces):
        stripped = piece.rstrip()
        if stripped:
            m = _WORD_TAIL.search(stripped)
            return stripped[-1], (m.group(0) if m else "")
    return "", ""


_MAX_TEMPLATE_NESTING = 64


def _skip_template(text: str, pos: int, issues: list[LexIssue], subst: list | None = None, depth: int = 0) -> int:
    """Return the offset just past the template literal that starts at ``pos`` (a backtick).
    When ``subst`` is given, an element is appended to it for each ``${…}`` substitution."""
    i = pos + 1
    n = len(text)
    while i < n:
        m = _TEMPLATE_STOP.search(text, i)
        if m is None:
            break
        tok = m.group(0)
        if tok == "`":
            return m.end()
        if tok == "\\":
            i = m.end() + 1
            continue
        if subst is not None:
            subst.append(m.start())
        if depth >= _MAX_TEMPLATE_NESTING:
            issues.append(LexIssue(pos, "CSX003", f"template literals nested more than {_MAX_TEMPLATE_NESTING} deep"))
            return n
        i = _skip_expression(text, m.end(), issues, depth + 1)  # "${"
        if i >= n and issues and issues[-1].message.startswith("template literals nested"):
            return n  # the nesting cap was reported once; outer levels add nothing
    issues.append(LexIssue(pos, "CSX003", "unterminated template literal"))
    return n


def _skip_expression(text: str, pos: int, issues: list[LexIssue], depth: int = 0) -> int:
    """Skip a ``${ ... }`` substitution starting after ``${``; return the offset after ``}``."""
    braces = 0
    i = pos
    n = len(text)
    while i < n:
        m = _EXPR_STOP.search(text, i)
        if m is None:
            return n
        tok = m.group(0)
        if tok == "{":
            braces += 1
            i = m.end()
        elif tok == "}":
            if braces == 0:
                return m.end()
            braces -= 1
            i = m.end()
        elif tok == "`":
            i = _skip_template(text, m.start(), issues, None, depth)
        elif tok == "//":
            nl = text.find("\n", m.end())
            i = n if nl < 0 else nl
        elif tok == "/*":
            end = text.find("*/", m.end())
            i = n if end < 0 else end + 2
        elif tok == "/":
            j = m.start() - 1
            while j >= pos and text[j] in " \t\r\n":
                j -= 1
            prev = text[j] if j >= pos else "{"
            rm = _REGEX.match(text, m.start()) if prev in _REGEX_PREV else None
            i = rm.end() if rm else m.end()
        else:
            sm = _STRING[tok].match(text, m.start())
            i = sm.end() if sm else m.end()
    return n


_JSX_TOKEN = regex_cache.compile(r"</|<|/>|>|\{|['\"]")


def _skip_jsx(text: str, pos: int, issues: list[LexIssue]) -> int:
    """Skip a JSX element starting at ``pos`` ('<'); return the offset just past it.

    Tracks element nesting (``<a>`` … ``</a>``, self-closing ``<a/>``, fragments ``<>``),
    attribute strings and ``{expression}`` children. Source: the JSX grammar of the
    TypeScript handbook; only nesting matters here, not names.
    """
    depth = 0
    in_tag = False
    i = pos
    n = len(text)
    while i < n:
        m = _JSX_TOKEN.search(text, i)
        if m is None:
            break
        tok = m.group(0)
        i = m.end()
        if tok == "{":
            i = _skip_expression(text, i, issues)
        elif in_tag and tok in ("'", '"'):
            sm = _STRING[tok].match(text, m.start())
            i = sm.end() if sm else i
        elif tok == "</":
            gt = text.find(">", i)
            i = n if gt < 0 else gt + 1
            depth -= 1
            if depth <= 0:
                return i
        elif tok == "<":
            in_tag = True
            depth += 1
        elif tok == "/>":
            if in_tag:
                in_tag = False
                depth -= 1
                if depth <= 0:
                    return i
        elif tok == ">":
            in_tag = False
    issues.append(LexIssue(pos, "CSX004", "unterminated JSX element"))
    return n


# One search finds the next thing to look at and, for the common cases, all of it: a
# complete string literal, a line comment, a closed block comment; otherwise the one
# character that starts something else ('/' of an unclosed comment, a regex or a division,
# a quote of an unterminated string, a backtick, and '<' in JSX files). No capturing group:
# with one, ``re`` no longer skips ahead to the characters a match can start with.
_TOKEN = regex_cache.compile(
    r""""[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"|'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"""  # _STRING's, loops unrolled
    r"""|//[^\n]*|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|['"`/]"""
)
_TOKEN_JSX = regex_cache.compile(_TOKEN.pattern + "|<")


def mask(text: str, jsx: bool = False) -> Masked:
    """Blank comments and literal contents; see the module docstring.

    ``jsx`` turns on JSX recognition (for ``.tsx``/``.jsx`` files). Never raises on bad
    input: unterminated comments, strings, templates and regexes become :class:`LexIssue`
    entries (codes CSX001–CSX004) and run to the end of the line or file.

    The two texts are built from pieces: ``masked`` from ``mpos`` on, ``clean`` from
    ``cpos`` on, each copied from the source up to the next place it differs. A complete
    string literal is the same in ``clean`` and only its contents differ in ``masked``, so
    it adds nothing to ``clean`` and its closing quote is copied with the code after it.
    """
    search = (_TOKEN_JSX if jsx else _TOKEN).search
    masked: list[str] = []
    clean: list[str] = []
    add = masked.append
    find = text.find
    issues: list[LexIssue] = []
    mpos = cpos = pos = 0
    n = len(text)
    while pos < n:
        m = search(text, pos)
        if m is None:
            break
        start, end = m.span()
        tok = text[start]
        if end - start > 1 and tok != "/":  # a complete string literal: its contents filled in masked only
            add(text[mpos : start + 1])
            add(_FILL * (end - start - 2) if find("\n", start, end) < 0 else _fill(text[start + 1 : end - 1]))
            mpos = end - 1
            pos = end
            continue
        if end - start > 1:  # a line comment, or a closed block comment
            b = " " * (end - start) if text[start + 1] == "/" else blank(text[start:end])
            masked.append(text[mpos:start])
            masked.append(b)
            clean.append(text[cpos:start])
            clean.append(b)
            mpos = cpos = pos = end
            continue
        masked.append(text[mpos:start])
        clean.append(text[cpos:start])
        if tok == "/" and text.startswith("/*", start):
            issues.append(LexIssue(start, "CSX002", "unterminated block comment"))
            end = n
            b = blank(text[start:end])
            masked.append(b)
            clean.append(b)
        elif tok in ("'", '"'):  # not closed on its line
            nl = text.find("\n", start)
            end = n if nl < 0 else nl
            issues.append(LexIssue(start, "CSX001", "unterminated string literal"))
            lit = text[start:end]
            masked.append(tok + _fill(lit[1:]))
            clean.append(blank(lit))
        elif tok == "`":
            n_issues = len(issues)
            subst: list[int] = []
            end = _skip_template(text, start, issues, subst)
            lit = text[start:end]
            if len(issues) > n_issues or len(lit) < 2:  # unterminated: runs to the end
                masked.append("`" + _fill(lit[1:]))
                clean.append(blank(lit))
            else:
                masked.append("`" + _fill(lit[1:-1]) + "`")
                # A template without substitutions is a string the grammar understands.
                clean.append(lit if not subst else "`" + blank(lit[1:-1]) + "`")
        elif tok == "/":
            prev, word = _prev_sig(masked)
            rm = None
            after_update = prev in "+-" and _prev_two(masked) in ("++", "--")  # i++ / 2
            if not after_update and (prev in _REGEX_PREV or prev == "" or word in _REGEX_KEYWORDS):
                rm = _REGEX.match(text, start)
            if rm is None:
                end = start + 1
                masked.append("/")
                clean.append("/")
            else:
                end = rm.end()
                # A regex literal becomes the number 0 padded with blanks: an expression to Lark.
                masked.append("0" + _FILL * (end - start - 1))
                clean.append("0" + " " * (end - start - 1))
        else:  # "<" in JSX files
            prev, word = _prev_sig(masked)
            nxt = text[start + 1 : start + 2]
            generic = _GENERIC_PARAMS.match(text, start) is not None  # <T,>(x) / <T extends U>
            if not generic and (prev in _JSX_PREV or word in ("return", "yield", "await")) and (nxt.isalpha() or nxt == ">"):
                end = _skip_jsx(text, start, issues)
                lit = text[start:end]
                masked.append("0" + _fill(lit[1:]))
                clean.append("0" + blank(lit[1:]))
            else:
                end = start + 1
                masked.append("<")
                clean.append("<")
        mpos = cpos = pos = end
    masked.append(text[mpos:])
    clean.append(text[cpos:])
    return Masked(text, "".join(masked), "".join(clean), issues)


def _prev_two(pieces: list[str]) -> str:
    """The last two significant characters emitted so far."""
    for piece in reversed(pieces):
        stripped = piece.rstrip()
        if stripped:
            return stripped[-2:]
    return ""


_GENERIC_PARAMS = regex_cache.compile(r"<\s*(?:const\s+)?[A-Za-z_$][\w$]*\s*(?:,|extends\b)")
