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
from array import array
from itertools import accumulate
import re
from ..dataclass_cache import dataclass

from .mask import LexIssue, Masked, blank, mask
from .. import regex_cache

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

@dataclass(frozen=True, slots=True)
class Statement:
    """A top-level statement: ``start``/``end`` offsets and a ``kind`` from its first words.

    Kinds: ``import``, ``export-from`` (``export … from``), ``export-named`` (``export {…}``),
    ``export-decl`` (``export const|let|var``), ``export-default``, ``decl``
    (``const|let|var``), ``function`` (a function declaration, exported or not), ``class``
    (a class declaration, exported or not; read on demand by :mod:`..interp.classes`),
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
_LAST_WORD = regex_cache.compile(r"[A-Za-z_$][\w$]*\Z")


_CONTINUING_WORDS = frozenset("from as satisfies extends in of instanceof implements".split())
_FIRST_WORD = regex_cache.compile(r"[A-Za-z_$][\w$]*")


def _continues(masked: str, p: int) -> bool:
    """True when the line at ``p`` continues the statement before it, as JavaScript's
    automatic semicolon insertion reads it (ECMA-262 §12.10): the code before cannot end a
    statement (``export`` ⏎ ``{ a }``, ``x =`` ⏎ ``y``), or the line starts with a token
    that continues an expression (``(`` and ``[`` unless a ``;`` or ``}`` ends the code
    before; ``from``, ``as``, ``in``…)."""
    nxt = masked[p]
    j = _last_code(masked, p)
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


def _last_code(masked: str, p: int) -> int:
    """Offset of the last character before ``p`` that is not whitespace, or -1. Blanked
    comments make long runs of spaces: they are skipped by ``str.rstrip`` over growing
    windows, not one character at a time."""
    hi, step = p, 64
    while hi > 0:
        lo = max(0, hi - step)
        kept = masked[lo:hi].rstrip(" \t\r\n\f\v")
        if kept:
            return lo + len(kept) - 1
        hi, step = lo, step * 4
    return -1


_FUNCTION_HEAD = regex_cache.compile(r"(?:export\s+(?:default\s+)?)?(?:async\s+)?function\b")


def _function_body_follows(masked: str, start: int | None, p: int) -> bool:
    """True when the ``{`` at ``p`` (in column 0) opens the body of the function
    declaration that starts at ``start`` (``function f()`` ⏎ ``{``, also after a return
    type): it is the first body found there. Elsewhere such a ``{`` opens a block."""
    if start is None or masked[p] != "{" or _FUNCTION_HEAD.match(masked, start) is None:
        return False
    found = _next_body(masked, start, _match_brace(masked, p, len(masked)) + 1)
    return found is not None and found[0] == p


_CANDIDATE_CHARS = r"[A-Za-z_$@{('\"`]"
#: a line starting with one of those characters, found by its newline: ``re`` finds a
#: pattern that starts with a literal much faster than one that starts with ``^`` (re.M)
_CANDIDATE = regex_cache.compile(r"\n" + _CANDIDATE_CHARS)
_FIRST_CANDIDATE = regex_cache.compile(_CANDIDATE_CHARS)
_HEAD = regex_cache.compile(
    r"""(?P<import>import\b(?!\s*[(.]))
      | (?P<exportfrom>export\s*(?:type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+[\w$]+\s*)?from\b)
      | (?P<exportnamed>export\s*(?:type\s+)?\{)
      | (?P<exportfn>export\s+(?:default\s+)?(?:async\s+)?function\b\s*\*?\s*(?P<fname1>[\w$]+)?)
      | (?P<exportdecl>export\s+(?:const|let|var)\s+(?P<dname1>[\w$]+)?)
      | (?P<cls>(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?class\s+(?P<cname>[\w$]+))
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
    lines = [m.start() + 1 for m in _CANDIDATE.finditer(masked)]
    if _FIRST_CANDIDATE.match(masked):
        lines.insert(0, 0)
    for p in lines:
        if starts and p <= starts[-1]:
            continue
        c = masked.count
        depth += (c("{", last, p) + c("(", last, p) + c("[", last, p)) - (
            c("}", last, p) + c(")", last, p) + c("]", last, p)
        )
        last = p
        if depth <= 0:
            depth = 0
            if not _continues(masked, p) and not _function_body_follows(masked, starts[-1] if starts else None, p):
                starts.append(p)
    starts = _same_line_starts(masked, starts)
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
        elif kind in ("cls", "cname"):
            out.append(Statement(s, e, "class", hm.group("cname")))
        elif kind == "exportdefault":
            out.append(Statement(s, e, "export-default"))
        elif kind in ("fn", "fname2"):
            out.append(Statement(s, e, "function", hm.group("fname2")))
        elif kind == "mutation":
            out.append(Statement(s, e, "mutation"))
        else:
            out.append(Statement(s, e, "decl", hm.group("dname2")))
    return out


# After `;`, or after the `}` that closes a declaration, a statement may follow on the same
# line (bundled and minified code: `import{v as D}from"convex/values";function m(w){…}export{m as H};`).
_SAME_LINE = regex_cache.compile(
    r";[ \t]*(?=[A-Za-z_$@{(\[\"'`])|\}[ \t]*(?=(?:export|import|function|async\s+function|class|const|let|var)\b)"
)


def _same_line_starts(masked: str, starts: list[int]) -> list[int]:
    """``starts`` with the starts of statements that follow another on its line: after a
    ``;`` at bracket depth 0 (ECMA-262 §14: it ends the statement), or after a ``}`` at
    depth 0 followed by a declaration or module keyword (no expression continues with one
    without a line break, §12.10, so the ``}`` ended a declaration)."""
    if not starts:
        return starts
    out: list[int] = []
    for i, st in enumerate(starts):
        out.append(st)
        end = starts[i + 1] if i + 1 < len(starts) else len(masked)
        depth, last = 0, st
        for m in _SAME_LINE.finditer(masked, st, end):
            p = m.start()
            c = masked.count
            depth += (c("{", last, p) + c("(", last, p) + c("[", last, p)) - (c("}", last, p) + c(")", last, p) + c("]", last, p))
            last = p
            nxt = m.end()
            if masked[p] == ";" and depth == 0 and nxt < end:
                out.append(nxt)
            elif masked[p] == "}" and depth == 1:
                out.append(nxt)
    return out


# A function body opens at "=> {" (arrow) or at ") {" / "): Type {" (function, method).
_BODY_OPEN = regex_cache.compile(r"=>\s*\{|\)\s*[:{]")
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
_FN_TYPE_HEAD = regex_cache.compile(r"\s*(?:abstract\s+)?(?:new\s*)?(?:<>\s*)?\(\)\s*")


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


_BRACE = regex_cache.compile(r"[{}]")


def _match_brace(masked: str, open_pos: int, limit: int) -> int:
    """Offset of the '}' matching the '{' at ``open_pos`` (or ``limit`` if unbalanced).

    Braces inside strings, comments, templates and regexes are already masked, so counting
    is exact. (A faster guess from indentation was tried and dropped: balanced counts at an
    equally indented later line do not prove it is the matching one.)"""
    if masked[open_pos : open_pos + 1] == "{":  # from one '}' to the next, counting the '{' between
        depth, i, find, count = 1, open_pos + 1, masked.find, masked.count
        while True:
            close = find("}", i, limit)
            if close < 0:
                return limit
            depth += count("{", i, close) - 1
            if depth == 0:
                return close
            i = close + 1
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
_KEYWORD_BLOCK = regex_cache.compile(r"(?<![\w$.])(?:else|try|finally|do|catch)\s*\{")


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
    """Maps 0-based offsets to 1-based (line, column) pairs, columns counted in characters.

    The line starts are kept in an ``array`` (8 bytes a line instead of a list of int
    objects, about 36): every loaded module keeps its index for as long as the run lasts."""

    __slots__ = ("_starts", "_skip")

    def __init__(self, text: str, skip_first: int = 0) -> None:
        """``skip_first`` characters at the start of line 1 do not count as columns (a BOM)."""
        self._skip = skip_first
        # 0, then one past each newline: running sums of the line lengths plus one (all in C)
        starts = array("q", accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))
        starts.pop()  # the end of the text, past its last line
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
