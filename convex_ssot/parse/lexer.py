"""Fast lexical pass over a TypeScript/JavaScript module: masking, top-level statements, outlines.

The Lark grammar (``grammars/convex.lark``) only needs to see the statements that define
schemas, validators, registrations and imports. Parsing every token of every handler body
with Lark would run at about 1.5 MB/s, so this module does the cheap work with Python's
``re`` (C speed) before Lark is involved:

1. :func:`mask` finds every comment, string, template literal, regular-expression literal
   and (in ``.tsx``/``.jsx``) JSX element, and returns two texts of the *same length and
   line structure* as the source:

   * ``masked`` — comments blanked, and the *contents* of strings, templates, regexes and
     JSX replaced by a filler without brackets, so brackets can be counted with
     ``str.count`` and searched with regexes;
   * ``clean`` — comments blanked, string literals kept verbatim (Lark needs their values).

2. :func:`split_statements` finds the top-level statements: candidate starts are lines that
   begin in column 0 with an identifier character, kept when the bracket depth there is 0.

3. :func:`outline` builds the text Lark parses: the interesting statements with function
   bodies replaced by blanks (line and column of everything else unchanged), and every
   other statement blanked.

Positions are 0-based character offsets; :class:`LineIndex` turns them into 1-based
line/column pairs, as used in diagnostics.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

__all__ = [
    "LexIssue",
    "Masked",
    "Statement",
    "LineIndex",
    "mask",
    "split_statements",
    "find_bodies",
    "find_blocks",
    "body_outline",
    "outline",
    "blank",
]

# Characters that start something the masker must look at. '<' only matters in JSX files.
_SPECIAL = re.compile(r"//|/\*|['\"`/]")
_SPECIAL_JSX = re.compile(r"//|/\*|['\"`/<]")
_STRING = {
    "'": re.compile(r"'(?:[^'\\\n]|\\[\s\S])*'"),
    '"': re.compile(r'"(?:[^"\\\n]|\\[\s\S])*"'),
}
_REGEX = re.compile(r"/(?![*/])(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[A-Za-z]*")
# After one of these characters a '/' starts a regular expression, not a division.
_REGEX_PREV = set("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = frozenset(
    "return typeof case do else in of new delete void throw yield await instanceof".split()
)
_WORD_TAIL = re.compile(r"[A-Za-z_$][\w$]*$")
_TEMPLATE_STOP = re.compile(r"[`\\]|\$\{")
_EXPR_STOP = re.compile(r"[{}'\"`]|//|/\*|/")
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


_JSX_TOKEN = re.compile(r"</|<|/>|>|\{|['\"]")


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


def mask(text: str, jsx: bool = False) -> Masked:
    """Blank comments and literal contents; see the module docstring.

    ``jsx`` turns on JSX recognition (for ``.tsx``/``.jsx`` files). Never raises on bad
    input: unterminated comments, strings, templates and regexes become :class:`LexIssue`
    entries (codes CSX001–CSX004) and run to the end of the line or file.
    """
    special = _SPECIAL_JSX if jsx else _SPECIAL
    masked: list[str] = []
    clean: list[str] = []
    issues: list[LexIssue] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = special.search(text, pos)
        if m is None:
            break
        start = m.start()
        if start > pos:
            chunk = text[pos:start]
            masked.append(chunk)
            clean.append(chunk)
        tok = m.group(0)
        if tok == "//":
            nl = text.find("\n", start)
            end = n if nl < 0 else nl
            b = " " * (end - start)
            masked.append(b)
            clean.append(b)
        elif tok == "/*":
            close = text.find("*/", start + 2)
            if close < 0:
                issues.append(LexIssue(start, "CSX002", "unterminated block comment"))
                end = n
            else:
                end = close + 2
            b = blank(text[start:end])
            masked.append(b)
            clean.append(b)
        elif tok in ("'", '"'):
            sm = _STRING[tok].match(text, start)
            if sm is None:
                nl = text.find("\n", start)
                end = n if nl < 0 else nl
                issues.append(LexIssue(start, "CSX001", "unterminated string literal"))
                lit = text[start:end]
                masked.append(tok + _fill(lit[1:]))
                clean.append(blank(lit))
            else:
                end = sm.end()
                lit = sm.group(0)
                masked.append(tok + _fill(lit[1:-1]) + tok)
                clean.append(lit)
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
        pos = end
    if pos < n:
        chunk = text[pos:]
        masked.append(chunk)
        clean.append(chunk)
    return Masked(text, "".join(masked), "".join(clean), issues)


def _prev_two(pieces: list[str]) -> str:
    """The last two significant characters emitted so far."""
    for piece in reversed(pieces):
        stripped = piece.rstrip()
        if stripped:
            return stripped[-2:]
    return ""


_GENERIC_PARAMS = re.compile(r"<\s*(?:const\s+)?[A-Za-z_$][\w$]*\s*(?:,|extends\b)")


@dataclass(frozen=True, slots=True)
class Statement:
    """A top-level statement: ``start``/``end`` offsets and a ``kind`` from its first words.

    Kinds: ``import``, ``export-from`` (``export … from``), ``export-named`` (``export {…}``),
    ``export-decl`` (``export const|let|var``), ``export-default``, ``decl``
    (``const|let|var``), ``function`` (a function declaration, exported or not),
    ``mutation`` (a top-level ``t.index(…)``-style table builder call), ``other``.
    ``name`` is the declared name where there is exactly one (declarations, functions).
    """

    start: int
    end: int
    kind: str
    name: str | None = None


_CONTINUATION_CHARS = frozenset("=,.([{:?+-*/%&|^!~<>@")
_CONTINUATION_WORDS = frozenset(
    "export default import const let var from as extends new typeof await yield return async "
    "function class type interface declare in of instanceof satisfies keyof readonly".split()
)
_LAST_WORD = re.compile(r"[A-Za-z_$][\w$]*\Z")


_CONTINUING_WORDS = frozenset("from as satisfies extends in of instanceof implements".split())
_FIRST_WORD = re.compile(r"[A-Za-z_$][\w$]*")


def _continues(masked: str, p: int) -> bool:
    """True when the line at ``p`` continues the statement before it, as JavaScript's
    automatic semicolon insertion reads it (ECMA-262 §12.10): the code before cannot end a
    statement (``export`` ⏎ ``{ a }``, ``x =`` ⏎ ``y``), or the line starts with a token
    that continues an expression (``(`` and ``[`` unless a ``;`` or ``}`` ends the code
    before; ``from``, ``as``, ``in``…)."""
    nxt = masked[p]
    j = p - 1
    while j >= 0 and masked[j] in " \t\r\n\f\v":
        j -= 1
    if j < 0:
        return False
    ch = masked[j]
    if nxt in "([":
        return ch not in ";}"
    wm = _FIRST_WORD.match(masked, p)
    if wm is not None and wm.group(0) in _CONTINUING_WORDS:
        return True
    if ch == ">" and (j == 0 or masked[j - 1] != "="):
        # `type T = Doc<"users">` ⏎ `const x = …`: a `>` closing type arguments (or JSX)
        # ends the line's statement; a binary `a >` ⏎ `b` with `b` in column 0 is not
        # written in practice (an arrow `=>` still continues).
        return False
    if ch in _CONTINUATION_CHARS:
        return not (ch in "+-" and j > 0 and masked[j - 1] == ch)  # i++ / i-- end a statement
    m = _LAST_WORD.search(masked, max(0, j - 40), j + 1)
    if m is None or m.group(0) not in _CONTINUATION_WORDS:
        return False
    if m.group(0) == "const" and masked[max(0, m.start() - 4) : m.start()].rstrip().endswith("as"):
        return False  # `x as const` ends an expression
    return True


_FUNCTION_HEAD = re.compile(r"(?:export\s+(?:default\s+)?)?(?:async\s+)?function\b")


def _function_body_follows(masked: str, start: int | None, p: int) -> bool:
    """True when the ``{`` at ``p`` (in column 0) opens the body of the function
    declaration that starts at ``start`` (``function f()`` ⏎ ``{``, also after a return
    type): it is the first body found there. Elsewhere such a ``{`` opens a block."""
    if start is None or masked[p] != "{" or _FUNCTION_HEAD.match(masked, start) is None:
        return False
    found = _next_body(masked, start, _match_brace(masked, p, len(masked)) + 1)
    return found is not None and found[0] == p


_CANDIDATE = re.compile(r"^[A-Za-z_$@{('\"`]", re.M)
_HEAD = re.compile(
    r"""(?P<import>import\b(?!\s*[(.]))
      | (?P<exportfrom>export\s*(?:type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+[\w$]+\s*)?from\b)
      | (?P<exportnamed>export\s*(?:type\s+)?\{)
      | (?P<exportfn>export\s+(?:default\s+)?(?:async\s+)?function\b\s*\*?\s*(?P<fname1>[\w$]+)?)
      | (?P<exportdecl>export\s+(?:const|let|var)\s+(?P<dname1>[\w$]+)?)
      | (?P<exportdefault>export\s+default\b)
      | (?P<fn>(?:async\s+)?function\b\s*\*?\s*(?P<fname2>[\w$]+))
      | (?P<decl>(?:const|let|var)\s+(?P<dname2>[\w$]+)?)
      | (?P<mutation>[A-Za-z_$][\w$]*\s*\.\s*(?:index|searchIndex|vectorIndex|staged)\s*\()
    """,
    re.X,
)


def split_statements(masked: str) -> list[Statement]:
    """Split a masked module into its top-level statements (see :class:`Statement`).

    A statement starts on a line whose first column holds an identifier character, ``{``
    (a block) or ``(`` and at
    which every bracket kind is balanced; it runs to the next such start. Code that is not
    formatted with top-level statements in column 0 is still covered: such a statement is
    then part of the previous one.
    """
    starts: list[int] = []
    depth = 0
    last = 0
    # The first statement may start after blanks (a BOM turned into a space, an indent).
    first = len(masked) - len(masked.lstrip())
    if first < len(masked) and first > 0 and masked[first] not in "})]":
        starts.append(first)
        last = first
    for m in _CANDIDATE.finditer(masked):
        if starts and m.start() <= starts[-1]:
            continue
        p = m.start()
        c = masked.count
        depth += (c("{", last, p) + c("(", last, p) + c("[", last, p)) - (
            c("}", last, p) + c(")", last, p) + c("]", last, p)
        )
        last = p
        if depth <= 0:
            depth = 0
            if not _continues(masked, p) and not _function_body_follows(masked, starts[-1] if starts else None, p):
                starts.append(p)
    out: list[Statement] = []
    n = len(masked)
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else n
        hm = _HEAD.match(masked, s)
        if hm is None:
            out.append(Statement(s, e, "other"))
            continue
        kind = hm.lastgroup
        if kind in ("import",):
            out.append(Statement(s, e, "import"))
        elif kind == "exportfrom":
            out.append(Statement(s, e, "export-from"))
        elif kind == "exportnamed":
            out.append(Statement(s, e, "export-named"))
        elif kind in ("exportfn", "fname1"):
            out.append(Statement(s, e, "function", hm.group("fname1")))
        elif kind in ("exportdecl", "dname1"):
            out.append(Statement(s, e, "export-decl", hm.group("dname1")))
        elif kind == "exportdefault":
            out.append(Statement(s, e, "export-default"))
        elif kind in ("fn", "fname2"):
            out.append(Statement(s, e, "function", hm.group("fname2")))
        elif kind == "mutation":
            out.append(Statement(s, e, "mutation"))
        else:
            out.append(Statement(s, e, "decl", hm.group("dname2")))
    return out


# A function body opens at "=> {" (arrow) or at ") {" / "): Type {" (function, method).
_BODY_OPEN = re.compile(r"=>\s*\{|\)\s*[:{]")
_TYPE_OPEN = {"<": ">", "(": ")", "[": "]", "{": "}"}
_TYPE_STOP = frozenset(",;)]}=")


def _skip_type(masked: str, pos: int, end: int) -> int:
    """Offset where a return-type annotation starting at ``pos`` ends: the first ``{``,
    ``=>``, ``=``, ``,``, ``;`` or closing bracket outside the type's own brackets.

    A ``{`` outside brackets opens an object type, not the body, where a type must still
    follow (TypeScript's type grammar, ``parseType`` in typescript/src/compiler/parser.ts):
    at the start of the type, after ``&`` or ``|``, after the ``?`` and ``:`` of a
    conditional type, after ``extends``, ``keyof``, ``is`` (type predicates), and after the
    ``=>`` of a function type (``(): () => { a: T } {``). A function type's ``=>`` is one
    that follows a parenthesized parameter list that makes up the whole type so far
    (``(…)``, ``<T>(…)``, ``new (…)``); a function type inside a union or intersection
    must be parenthesized, so no other ``=>`` outside brackets belongs to the type."""
    stack: list[str] = []
    i = pos
    tstart = pos  # start of the type after the last function-type arrow
    while i < end:
        ch = masked[i]
        if stack:
            if ch in _TYPE_OPEN:
                stack.append(_TYPE_OPEN[ch])
            elif ch == stack[-1]:
                stack.pop()
            elif ch == "=" and masked.startswith("=>", i):
                i += 1  # an arrow inside a function type
        else:
            if ch == "{":
                if _type_expected(masked, tstart, i):
                    stack.append("}")  # an object type
                else:
                    return i
            elif ch == "=":
                if masked.startswith("=>", i) and _FN_TYPE_HEAD.fullmatch(_groups_blanked(masked, tstart, i)):
                    i += 2
                    tstart = i
                    continue
                return i
            elif ch in "<([":
                stack.append(_TYPE_OPEN[ch])
            elif ch in _TYPE_STOP:
                return i
        i += 1
    return end


# Words after which a type must follow (so a "{" there opens an object type).
_TYPE_EXPECTING_WORDS = frozenset(("extends", "keyof", "is"))
# A whole type that is a function type's head, with bracket groups reduced to "()" / "<>".
_FN_TYPE_HEAD = re.compile(r"\s*(?:abstract\s+)?(?:new\s*)?(?:<>\s*)?\(\)\s*")


def _type_expected(masked: str, tstart: int, i: int) -> bool:
    """True when, in a type that starts at ``tstart``, a type must follow at ``i``."""
    j = i - 1
    while j >= tstart and masked[j] in " \t\r\n\f\v":
        j -= 1
    if j < tstart:
        return True
    ch = masked[j]
    if ch in "&|":
        return not (j > tstart and masked[j - 1] == ch)  # `&&` / `||` are not type operators
    if ch in "?:":
        return True
    m = _LAST_WORD.search(masked, max(tstart, j - 10), j + 1)
    return m is not None and m.group(0) in _TYPE_EXPECTING_WORDS and (
        m.start() == tstart or not (masked[m.start() - 1].isalnum() or masked[m.start() - 1] in "_$.")
    )


def _groups_blanked(masked: str, start: int, end: int) -> str:
    """``masked[start:end]`` with the contents of every outermost bracket group dropped
    (``<T>(a: X) `` → ``<>() ``), for matching the shape of a type."""
    out: list[str] = []
    stack: list[str] = []
    for k in range(start, end):
        ch = masked[k]
        if stack:
            if ch == ">" and masked[k - 1] == "=":
                continue  # the arrow of a function type inside the group
            if ch in _TYPE_OPEN:
                stack.append(_TYPE_OPEN[ch])
            elif ch == stack[-1]:
                stack.pop()
                if not stack:
                    out.append(ch)
        elif ch in _TYPE_OPEN:
            stack.append(_TYPE_OPEN[ch])
            out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


_BRACE = re.compile(r"[{}]")


def _match_brace(masked: str, open_pos: int, limit: int) -> int:
    """Offset of the '}' matching the '{' at ``open_pos`` (or ``limit`` if unbalanced).

    Braces inside strings, comments, templates and regexes are already masked, so counting
    is exact. (A faster guess from indentation was tried and dropped: balanced counts at an
    equally indented later line do not prove it is the matching one.)"""
    depth = 0
    for bm in _BRACE.finditer(masked, open_pos, limit):
        if bm.group(0) == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return bm.start()
    return limit


def find_bodies(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Function bodies (outermost only) inside ``masked[start:end]``.

    Returns ``(open, close)`` offsets of each body's ``{`` and matching ``}``. Nested
    bodies are inside an outer one and are not listed. A return-type annotation between
    ``)`` and the body (``): Promise<{ a: T }> => {``) is skipped with bracket balancing.
    """
    bodies: list[tuple[int, int]] = []
    pos = start
    while True:
        found = _next_body(masked, pos, end)
        if found is None:
            return bodies
        bodies.append(found)
        pos = found[1] + 1


def _next_body(masked: str, pos: int, end: int) -> tuple[int, int] | None:
    """The first function body at or after ``pos`` (see :func:`find_bodies`), or None."""
    while True:
        m = _BODY_OPEN.search(masked, pos, end)
        if m is None:
            return None
        tok = m.group(0)
        if tok[-1] == "{":
            o = m.end() - 1
        else:  # "):" — a return type follows
            p = _skip_type(masked, m.end(), end)
            if p < end and masked[p] == "{":
                o = p
            elif masked.startswith("=>", p):
                q = p + 2
                while q < end and masked[q] in " \t\r\n":
                    q += 1
                if q < end and masked[q] == "{":
                    o = q
                else:
                    pos = q
                    continue
            else:
                pos = max(p, m.end())
                continue
        return o, _match_brace(masked, o, end)


# Statement blocks that follow a keyword rather than ")" (inside a function body).
_KEYWORD_BLOCK = re.compile(r"(?<![\w$.])(?:else|try|finally|do|catch)\s*\{")


def find_blocks(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inside a function body: the outermost nested function bodies *and* statement blocks
    (``if (…) {``, ``for (…) {``, ``catch (e) {`` end in ``) {`` like a function's head;
    ``else {``, ``try {``, ``finally {``, ``do {``, ``catch {`` are found by keyword), as
    ``(open, close)`` offsets. A bare ``{`` opening a block statement is not found."""
    out: list[tuple[int, int]] = []
    pos = start
    while True:
        found = _next_body(masked, pos, end)
        km = _KEYWORD_BLOCK.search(masked, pos, found[0] if found else end)
        if km is not None:
            o = km.end() - 1
            found = (o, _match_brace(masked, o, end))
        if found is None:
            return out
        out.append(found)
        pos = found[1] + 1


def body_outline(mk: Masked, open_: int, close: int) -> str:
    """The text the grammar's ``body`` rule parses for the body whose braces are at
    ``open_`` and ``close``: ``mk.clean[open_ + 1 : close]`` with every block of
    :func:`find_blocks` elided as in :func:`outline` (``{`` → ``@``, contents blanked).
    Same length and line structure as that slice; parse it with ``base = open_ + 1``."""
    pieces: list[str] = []
    p = open_ + 1
    for o, c in find_blocks(mk.masked, open_ + 1, close):
        pieces.append(mk.clean[p:o])
        pieces.append("@")
        pieces.append(blank(mk.clean[o + 1 : c]))
        p = c
    pieces.append(mk.clean[p:close])
    return "".join(pieces)


def outline(mk: Masked, statements: list[Statement], keep: set[str]) -> tuple[str, dict[int, list[tuple[int, int]]]]:
    """The text Lark parses, and the function bodies elided from it.

    Statements whose kind is in ``keep`` are copied from ``mk.clean`` with every function
    body's contents blanked and its opening brace turned into ``@`` (the grammar's ``BODY``
    terminal, so an emptied body is never mistaken for an object literal); all other text
    is blanked. Returns ``(text, bodies)`` where
    ``bodies`` maps a kept statement's start offset to its elided ``(open, close)`` pairs.
    The result has the same length and line structure as the source.
    """
    clean = mk.clean
    masked = mk.masked
    pieces: list[str] = []
    bodies_by_stmt: dict[int, list[tuple[int, int]]] = {}
    pos = 0
    for st in statements:
        if st.kind not in keep:
            continue
        if st.start > pos:
            pieces.append(blank(clean[pos : st.start]))
        bodies = find_bodies(masked, st.start, st.end)
        bodies_by_stmt[st.start] = bodies
        p = st.start
        for o, c in bodies:
            # The body's "{" becomes "@": the grammar's BODY terminal, never an object literal.
            pieces.append(clean[p:o])
            pieces.append("@")
            pieces.append(blank(clean[o + 1 : c]))
            p = c
        pieces.append(clean[p : st.end])
        pos = st.end
    if pos < len(clean):
        pieces.append(blank(clean[pos:]))
    return "".join(pieces), bodies_by_stmt


class LineIndex:
    """Maps 0-based offsets to 1-based (line, column) pairs, columns counted in characters."""

    __slots__ = ("_starts", "_skip")

    def __init__(self, text: str, skip_first: int = 0) -> None:
        """``skip_first`` characters at the start of line 1 do not count as columns (a BOM)."""
        self._skip = skip_first
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """``(line, column)`` of ``offset``, both 1-based."""
        line = bisect.bisect_right(self._starts, offset)
        col = offset - self._starts[line - 1] + 1
        if line == 1 and self._skip:
            col = max(1, col - self._skip)
        return line, col

    def offset(self, line: int, column: int) -> int:
        """Inverse of :meth:`position`."""
        return self._starts[line - 1] + column - 1 + (self._skip if line == 1 else 0)
