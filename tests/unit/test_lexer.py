"""convex_ssot.parse.lexer: masking, top-level statements, function bodies, outlines.

The lexer's contract (module docstring of lexer.py): ``mask`` returns ``masked`` and
``clean`` texts of the same length and line structure as the source; ``masked`` has
comments blanked and the *contents* of strings, templates, regexes and JSX replaced by a
bracket-free filler; ``clean`` has comments blanked and string literals kept verbatim.
Problems never raise: they become ``LexIssue(offset, code)`` with codes CSX001-CSX004.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convex_ssot.parse import lexer
from convex_ssot.parse.lexer import LineIndex, blank, find_bodies, mask, outline, split_statements

BRACKETS = set("{}()[]")


def newline_offsets(s: str) -> list[int]:
    return [i for i, ch in enumerate(s) if ch == "\n"]


def assert_shape(text: str, m: lexer.Masked) -> None:
    """The invariants every mask result must satisfy."""
    assert m.text == text
    assert len(m.masked) == len(text), "masked text changed length"
    assert len(m.clean) == len(text), "clean text changed length"
    assert newline_offsets(m.masked) == newline_offsets(text), "masked text moved newlines"
    assert newline_offsets(m.clean) == newline_offsets(text), "clean text moved newlines"


def span_of(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


# ---------------------------------------------------------------- comments


@pytest.mark.parametrize(
    "comment",
    [
        "// it's a {comment}, with \"quotes\", commas, and [brackets (",
        "/* block: it's {a, \"b\"} [c ( ` */",
        "/* multi\n   line } ] ) with ' and \" and ` \n*/",
        "// a /* nested-looking */ comment with a `tick",
    ],
)
def test_comments_are_blanked_in_masked_and_clean(comment: str) -> None:
    text = f"const a = {{ x: 1 }};\n{comment}\nconst b = [2];\n"
    m = mask(text)
    assert_shape(text, m)
    assert m.issues == []
    s, e = span_of(text, comment)
    assert m.masked[s:e] == blank(comment)
    assert m.clean[s:e] == blank(comment)
    # code on both sides is untouched, brackets still balanced
    assert m.masked[:s] == text[:s]
    assert m.masked[e:] == text[e:]
    for ch in "{}()[]":
        assert m.masked.count(ch) == (text[:s] + text[e:]).count(ch)


def test_line_comment_ends_at_newline_and_code_resumes() -> None:
    text = "a(1, // x, y)\n  2);"
    m = mask(text)
    assert_shape(text, m)
    assert m.masked == "a(1," + " " * len(" // x, y)") + "\n  2);"


def test_comment_markers_inside_strings_are_not_comments() -> None:
    text = 'const url = "https://example.com/*x*/"; const y = \'//not a comment\'; z();'
    m = mask(text)
    assert_shape(text, m)
    assert m.issues == []
    assert m.clean == text, "strings must stay verbatim in `clean`"
    assert m.masked.endswith("; z();")


# ---------------------------------------------------------------- strings


@pytest.mark.parametrize(
    "literal",
    [
        '"a { b } c"',
        "'x(y'",
        '"[unbalanced"',
        r'"esc \" quote { "',
        r"'it\'s ] here'",
        r'"back\\slash"',
    ],
)
def test_string_contents_are_masked_but_kept_in_clean(literal: str) -> None:
    text = f"f({literal}, {{ k: 1 }});"
    m = mask(text)
    assert_shape(text, m)
    assert m.issues == []
    s, e = span_of(text, literal)
    inner = m.masked[s + 1 : e - 1]
    assert m.masked[s] == literal[0] and m.masked[e - 1] == literal[-1], "quotes are kept"
    assert not (set(inner) & BRACKETS | set(inner) & set("'\"\\")), inner
    assert m.clean[s:e] == literal
    assert m.masked[e:] == text[e:]
    assert m.masked.count("{") == m.masked.count("}") == 1
    assert m.masked.count("(") == m.masked.count(")") == 1


# ---------------------------------------------------------------- template literals


@pytest.mark.parametrize(
    "template",
    [
        "`plain { text ( [`",
        "`a ${ `x${y}` } b`",
        "`${ `x${ `deeper ${z} }` }` }`",
        '`${ "}" } and ${ \'{\' }`',
        "`${ {a: 1}.a }`",
        "`${ // }\n }`",
        "`${ /* } */ 1 }`",
        "`escaped \\` tick and \\${not a sub}`",
        "`multi\nline { template\n`",
    ],
)
def test_template_literals_including_nested_substitutions(template: str) -> None:
    text = f"const t = {template}; const after = {{ ok: [1] }};\n"
    m = mask(text)
    assert_shape(text, m)
    assert m.issues == []
    s, e = span_of(text, template)
    inner = m.masked[s + 1 : e - 1]
    assert m.masked[s] == "`" and m.masked[e - 1] == "`"
    assert not (set(inner) & (BRACKETS | {"`", "$"})), inner
    assert m.masked[e:] == text[e:], "code after the template must be untouched"
    assert m.clean[e:] == text[e:]


def test_template_without_substitution_is_kept_in_clean() -> None:
    text = "const t = `hello {world}`;"
    m = mask(text)
    assert m.clean == text


# ---------------------------------------------------------------- regex literals vs division


@pytest.mark.parametrize(
    "src, regex",
    [
        ("const r = /[/*]/;\nconst x = { a: 1 };", "/[/*]/"),
        ("const r = /[/*]/g, s = 1;", "/[/*]/g"),
        ('const F = /[<>"\'`]|\\/\\*/;\nexport const y = 1;', '/[<>"\'`]|\\/\\*/'),
        ("f(/a(b/, 1);", "/a(b/"),
        ("if (ok) { return /}/.test(s); }", "/}/"),
        ("x = cond ? /{/ : y; const o = { a: 1 };", "/{/"),
        ("x = cond ? y : /}/; const o = { a: 1 };", "/}/"),
        ("const list = [/\\[/, 2];", "/\\[/"),
        ("const e = /^\\p{Extended_Pictographic}(\\u{FE0F})?$/u;", "/^\\p{Extended_Pictographic}(\\u{FE0F})?$/u"),
    ],
)
def test_regex_literals_are_masked(src: str, regex: str) -> None:
    m = mask(src)
    assert_shape(src, m)
    assert m.issues == []
    s, e = span_of(src, regex)
    masked = m.masked[s:e]
    assert not (set(masked) & (BRACKETS | set("'\"`/*"))), masked
    assert m.masked[e:] == src[e:], "code after the regex must be untouched"
    # every bracket outside the regex is still there, and balanced
    rest = src[:s] + src[e:]
    for ch in "{}()[]":
        assert m.masked.count(ch) == rest.count(ch)


@pytest.mark.parametrize(
    "src",
    [
        "const q = a / b / c;",
        "const q = (a + b) / 2 / c;",
        "const q = arr[0] / arr[1] / 3;",
        "const q = f(x) / g(y);",
        "const q = 1 /* note */ / 2 / 3;",
        "const q = a.b / c.d;",
        "let y = a\n/b/g.length;",  # no ASI before '/': a division chain in JS
    ],
)
def test_division_is_not_a_regex(src: str) -> None:
    m = mask(src)
    assert_shape(src, m)
    assert m.issues == []
    expected = src.replace("/* note */", " " * len("/* note */"))
    assert m.masked == expected


def test_division_after_postfix_increment_is_not_a_regex() -> None:
    # `i++ / 2 / 3` is (i++) / 2 / 3 in JavaScript; '+' before '/' does not always start a regex.
    src = "const q = i++ / 2 / 3; const t = { a: 1 };"
    m = mask(src)
    assert_shape(src, m)
    assert m.masked == src


# ---------------------------------------------------------------- JSX (.tsx / .jsx)


@pytest.mark.parametrize(
    "element",
    [
        '<div className="a{b}">{x}</div>',
        "<><A b={1}/></>",
        '<img src="x" alt=\'}\' />',
        "<a>text with ' apostrophe and { \"braces\" }</a>",
        "<Outer>\n  <Inner prop={{ a: [1] }} />\n  {list.map((i) => <li key={i}>{i}</li>)}\n</Outer>",
        '<div>{"}"}</div>',
    ],
)
def test_jsx_elements_are_masked_in_tsx(element: str) -> None:
    text = f"const el = ({element});\nexport const after = {{ x: [1] }};\n"
    m = mask(text, jsx=True)
    assert_shape(text, m)
    assert m.issues == []
    s, e = span_of(text, element)
    assert not (set(m.masked[s:e]) & (BRACKETS | set("<>'\"`"))), m.masked[s:e]
    assert m.masked[e:] == text[e:]


def test_less_than_in_tsx_is_a_comparison_not_jsx() -> None:
    text = "const r = a < b && c > d;\nconst s = x<y;\n"
    m = mask(text, jsx=True)
    assert m.issues == []
    assert m.masked == text


def test_angle_brackets_in_ts_are_never_jsx() -> None:
    text = "const m = new Map<string, number>();\nconst el = <T>(x);\n"
    m = mask(text, jsx=False)
    assert m.issues == []
    assert m.masked == text


def test_generic_arrow_function_in_tsx_is_not_jsx() -> None:
    # `<T,>(x: T) => x` is the TSX spelling of a generic arrow function (TypeScript handbook);
    # it is not an element and must not swallow the rest of the file.
    text = "const id = <T,>(x: T) => x;\nexport const after = { x: [1] };\n"
    m = mask(text, jsx=True)
    assert m.issues == []
    assert m.masked == text


# ---------------------------------------------------------------- unterminated constructs


def test_unterminated_string_reports_offset_and_stops_at_end_of_line() -> None:
    text = 'const a = 1;\nconst s = "abc { \nconst x = { y: 1 };\n'
    m = mask(text)
    assert_shape(text, m)
    off = text.index('"')
    assert [(i.offset, i.code) for i in m.issues] == [(off, "CSX001")]
    nxt = text.index("const x")
    assert m.masked[nxt:] == text[nxt:], "the next line is read normally"
    assert LineIndex(text).position(off) == (2, 11)


def test_unterminated_block_comment_reports_offset() -> None:
    text = "const a = 1;\n  /* never closed\nconst x = { y: 1 };\n"
    m = mask(text)
    assert_shape(text, m)
    off = text.index("/*")
    assert [(i.offset, i.code) for i in m.issues] == [(off, "CSX002")]
    assert LineIndex(text).position(off) == (2, 3)
    assert m.masked[:off] == text[:off]
    assert m.masked[off:].strip() == ""


def test_unterminated_template_reports_offset() -> None:
    text = "const a = 1;\nconst t = `never ${closed}\nconst x = { y: 1 };\n"
    m = mask(text)
    assert_shape(text, m)
    off = text.index("`")
    assert [(i.offset, i.code) for i in m.issues] == [(off, "CSX003")]
    assert LineIndex(text).position(off) == (2, 11)
    assert m.masked[:off] == text[:off]


def test_unterminated_template_inside_substitution_reports_outer_and_inner() -> None:
    text = "const t = `a ${ `b"
    m = mask(text)
    assert_shape(text, m)
    codes = {i.code for i in m.issues}
    assert codes == {"CSX003"}
    assert min(i.offset for i in m.issues) == text.index("`")


def test_unterminated_jsx_reports_offset() -> None:
    text = "const a = 1;\nconst el = <div>\n  <span>never closed\n"
    m = mask(text, jsx=True)
    assert_shape(text, m)
    off = text.index("<div>")
    assert [(i.offset, i.code) for i in m.issues] == [(off, "CSX004")]
    assert LineIndex(text).position(off) == (2, 12)


# ---------------------------------------------------------------- invariants on arbitrary input

_JS_ALPHABET = st.sampled_from(list("ab1 \n\t{}()[]<>/*`'\"\\$=,;:.?!+-_nr") + ["${", "//", "/*", "*/", "=>", "\r\n"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_JS_ALPHABET, max_size=120).map("".join), st.booleans())
def test_mask_never_raises_and_keeps_length_and_newlines(text: str, jsx: bool) -> None:
    m = mask(text, jsx=jsx)
    assert_shape(text, m)
    for issue in m.issues:
        assert 0 <= issue.offset < max(len(text), 1)
        assert re.fullmatch(r"CSX00[1-4]", issue.code)
    # masked never *adds* brackets that were not in the source
    for ch in "{}()[]":
        assert m.masked.count(ch) <= text.count(ch)


@settings(max_examples=200, deadline=None)
@given(st.lists(_JS_ALPHABET, max_size=80).map("".join))
def test_split_statements_covers_text_in_order(text: str) -> None:
    m = mask(text)
    sts = split_statements(m.masked)
    for a, b in zip(sts, sts[1:]):
        assert a.end == b.start
    for s in sts:
        assert 0 <= s.start < s.end <= len(text)
    if sts:
        assert sts[-1].end == len(text)


# ---------------------------------------------------------------- split_statements

MODULE = '''\
import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import "./side-effect";
export { a, b as c };
export * from "./x";
export * as ns from "./ns";
export { d } from "./y";
export type { T } from "./t";
export const q = query({
  handler: async (ctx) => {
    return 1;
  },
});
export let counter = 0;
export default defineSchema({});
const x = 1, y = 2;
let z;
var w = 3;
function helper(ctx) {
  return 2;
}
async function asyncHelper() {}
export async function ex(a: number): Promise<{ a: T }> {
  return { a };
}
export default function () {}
type T = { a: string };
interface I {
  a: string;
}
if (x) {
  y();
}
'''

EXPECTED_STATEMENTS = [
    ("import", None, "import { v }"),
    ("import", None, "import type { Id }"),
    ("import", None, 'import "./side-effect"'),
    ("export-named", None, "export { a, b as c }"),
    ("export-from", None, 'export * from "./x"'),
    ("export-from", None, 'export * as ns from "./ns"'),
    ("export-from", None, 'export { d } from "./y"'),
    ("export-from", None, "export type { T }"),
    ("export-decl", "q", "export const q = query"),
    ("export-decl", "counter", "export let counter"),
    ("export-default", None, "export default defineSchema"),
    ("decl", "x", "const x = 1, y = 2"),
    ("decl", "z", "let z"),
    ("decl", "w", "var w"),
    ("function", "helper", "function helper"),
    ("function", "asyncHelper", "async function asyncHelper"),
    ("function", "ex", "export async function ex"),
    ("function", None, "export default function ()"),
    ("other", None, "type T"),
    ("other", None, "interface I"),
    ("other", None, "if (x)"),
]


def test_split_statements_kinds_and_names() -> None:
    m = mask(MODULE)
    sts = split_statements(m.masked)
    got = [(s.kind, s.name, MODULE[s.start : s.end]) for s in sts]
    assert [(k, n) for k, n, _ in got] == [(k, n) for k, n, _ in EXPECTED_STATEMENTS]
    for (_, _, text), (_, _, head) in zip(got, EXPECTED_STATEMENTS):
        assert text.startswith(head)
    # statements tile the module
    assert sts[0].start == 0 and sts[-1].end == len(MODULE)
    # the multi-line registration is one statement that ends after its closing line
    q = next(s for s in sts if s.name == "q")
    assert MODULE[q.start : q.end].rstrip().endswith("});")


def test_split_statements_ignores_column_zero_lines_inside_brackets() -> None:
    text = "export const t = {\na: 1,\nb: [\n2],\n};\nconst after = 1;\n"
    sts = split_statements(mask(text).masked)
    assert [(s.kind, s.name) for s in sts] == [("export-decl", "t"), ("decl", "after")]


def test_split_statements_not_fooled_by_brackets_in_comments_strings_regexes() -> None:
    text = (
        'export const a = f("{", /[(]/, `${"["}`); // ) } ]\n'
        "/* { */\n"
        "export const b = 2;\n"
    )
    sts = split_statements(mask(text).masked)
    assert [(s.kind, s.name) for s in sts] == [("export-decl", "a"), ("export-decl", "b")]


def test_split_statements_type_arguments_end_a_line() -> None:
    """A line ending in `>` that closes type arguments (no semicolon) ends its statement;
    an arrow `=>` still continues onto the next line."""
    text = "export type D = Doc<'users'>\n\nconst a = f()\ntype P = Map<string, Set<number>>\nexport const b = 1\nconst g = () =>\n1\n"
    sts = split_statements(mask(text).masked)
    assert [(s.kind, s.name) for s in sts] == [("other", None), ("decl", "a"), ("other", None), ("export-decl", "b"), ("decl", "g")]


def test_split_statements_indented_code_belongs_to_previous_statement() -> None:
    text = "const a = 1;\n  const b = 2;\nconst c = 3;\n"
    sts = split_statements(mask(text).masked)
    assert [(s.kind, s.name) for s in sts] == [("decl", "a"), ("decl", "c")]
    assert text[sts[0].start : sts[0].end] == "const a = 1;\n  const b = 2;\n"


# ---------------------------------------------------------------- find_bodies


def bodies_of(src: str) -> list[str]:
    m = mask(src)
    return [src[o : c + 1] for o, c in find_bodies(m.masked, 0, len(src))]


@pytest.mark.parametrize(
    "src, expected",
    [
        ("const a = async (ctx) => { return 1; };", ["{ return 1; }"]),
        ("const a = x => { y(); };", ["{ y(); }"]),
        ("const o = { handler(ctx) { return 1; }, x: 1 };", ["{ return 1; }"]),
        ("const o = { async handler(ctx, args) { return { a: 1 }; } };", ["{ return { a: 1 }; }"]),
        ("const f = async (ctx): Promise<{a: T}> => { return {a: 1}; };", ["{ return {a: 1}; }"]),
        ("const f = (): Array<{ _id: Id<\"m\">; s: number }> => {\n x();\n};", ["{\n x();\n}"]),
        ("const f = (ctx, { id }): Promise<null> => {\n  return null;\n};", ["{\n  return null;\n}"]),
        ("function g(x: number): { a: string; b: number } { return x; }", ["{ return x; }"]),
        ("const f = ({ a, b }: { a: string; b: number }) => { return a; };", ["{ return a; }"]),
        ("const f = function (a) { return a; };", ["{ return a; }"]),
        ("const f = (cb: (x: number) => void): void => { cb(1); };", ["{ cb(1); }"]),
        ("const f = (x: number): number => x + 1;", []),
        ("const f = (a) => ({ a });", []),
        ("const o = { a: 1, b: { c: [2] } };", []),
        (
            "const o = { a: async () => { x(); }, b(ctx) { y(); } };",
            ["{ x(); }", "{ y(); }"],
        ),
        (
            "const h = async (ctx) => {\n  const inner = () => { z(); };\n  return inner;\n};",
            ["{\n  const inner = () => { z(); };\n  return inner;\n}"],
        ),
        (
            'const h = async (ctx) => { const s = "}"; const r = /}/; return `}`; };',
            ['{ const s = "}"; const r = /}/; return `}`; }'],
        ),
    ],
)
def test_find_bodies(src: str, expected: list[str]) -> None:
    assert bodies_of(src) == expected


# Return types whose object types come after `&`, `|`, `?`/`:` of a conditional type,
# `extends`, `keyof`, `is` or a function type's `=>`: the body is the brace after the type.
RETURN_TYPE_BODIES = [
    ("const f = (d: number): A & { x: number } => { return d; };", ["{ return d; }"]),
    ("const f = (d: number): A | { x: number } => { return d; };", ["{ return d; }"]),
    ("const f = async (d): Promise<A> & { x: number } => { return d; };", ["{ return d; }"]),
    ("const f = <T extends object>(d: T): T & { at: number } => { return d; };", ["{ return d; }"]),
    ("const f = async <T,>(d: T): T | { a: 1 } => { return d; };", ["{ return d; }"]),
    ("function f(): A & { id: string } { return x; }", ["{ return x; }"]),
    ("export async function f<T>(x: T): Promise<T> | { id: string } { return x; }", ["{ return x; }"]),
    ("function f(): { a: 1 } | { b: 2 } & { c: 3 } { return x; }", ["{ return x; }"]),
    ("function f(): | { a: 1 } | { b: 2 } { return x; }", ["{ return x; }"]),
    ("function f(): & { a: 1 } & B { return x; }", ["{ return x; }"]),
    ("const o = { profile(p): W<D<\"u\">> & { id: string } { return p; } };", ["{ return p; }"]),
    ("const o = { async m(p): Promise<W> | { id: string } { return p; } };", ["{ return p; }"]),
    ("const o = { m<T>(p: T): T & { id: string } { return p; } };", ["{ return p; }"]),
    ("const o = { get x(): A & { id: string } { return 1; } };", ["{ return 1; }"]),
    ("const f = (x): x is A & { a: 1 } => { return true; };", ["{ return true; }"]),
    ("function f(x): x is { a: 1 } { return true; }", ["{ return true; }"]),
    ("function f(x): asserts x is { a: 1 } { check(x); }", ["{ check(x); }"]),
    ("function f(x): A extends B ? { a: 1 } : { b: 2 } { return x; }", ["{ return x; }"]),
    ("function f(x): T extends { a: infer U } ? U : never { return x; }", ["{ return x; }"]),
    ("function f(x): keyof { a: 1 } { return x; }", ["{ return x; }"]),
    ("function f(x): typeof y & { a: 1 } { return x; }", ["{ return x; }"]),
    ("function f(x): (A | { a: 1 })[] & { n: 1 } { return x; }", ["{ return x; }"]),
    ("function f(x): Array<{ a: 1 }> | { [k: string]: { n: 1 } } { return x; }", ["{ return x; }"]),
    ("function f(x): () => { a: 1 } { return g; }", ["{ return g; }"]),
    ("function f(x): <T>(y: T) => T & { a: 1 } { return g; }", ["{ return g; }"]),
    ("function f(x): new () => { a: 1 } { return C; }", ["{ return C; }"]),
    ("const f = (x): () => { a: 1 } => { return g; };", ["{ return g; }"]),
    ("const f = (x): A & {\n  id: string;\n} => {\n  return x;\n};", ["{\n  return x;\n}"]),
    # Expression-bodied arrows have no body; the object type is not one either.
    ("const f = (d: number): A & { x: number } => d;", []),
    ("const f = (x): { a: 1 } | { b: 2 } => ({ a: 1 });", []),
    ("const f = (x): A => { return x; };", ["{ return x; }"]),
    # A return type that ends in a word or `>` is followed by the body.
    ("function f(): Promise<void> { x(); }", ["{ x(); }"]),
    ("function f(): this { return this; }", ["{ return this; }"]),
    ("function f(x): x is Foo { return true; }", ["{ return true; }"]),
]


@pytest.mark.parametrize("src, expected", RETURN_TYPE_BODIES)
def test_find_bodies_after_return_types_with_object_types(src: str, expected: list[str]) -> None:
    assert bodies_of(src) == expected


def test_find_bodies_returned_arrow_function_type_then_arrow() -> None:
    """`(): () => { a: 1 } => …`: the first `=>` belongs to the function type, the second
    starts the arrow's body."""
    src = "const f = (): (() => void) | { a: 1 } => { return g; };"
    assert bodies_of(src) == ["{ return g; }"]


def test_function_declaration_body_after_intersection_return_type_is_split_correctly() -> None:
    """The statement split keeps a column-0 body brace with its declaration when the return
    type ends in an object type."""
    src = "function f(x): A & {\n  id: string\n}\n{\n  return x;\n}\nconst y = 1;\n"
    sts = split_statements(mask(src).masked)
    assert [(s.kind, s.name) for s in sts] == [("function", "f"), ("decl", "y")]


def test_find_bodies_respects_range() -> None:
    src = "const a = () => { x(); };\nconst b = () => { y(); };\n"
    m = mask(src)
    start = src.index("const b")
    got = [src[o : c + 1] for o, c in find_bodies(m.masked, start, len(src))]
    assert got == ["{ y(); }"]


# ---------------------------------------------------------------- outline

OUTLINE_SRC = '''\
// header comment with { braces
import { query } from "./_generated/server";
import { v } from "convex/values";

function notKept(ctx) {
  return ctx.db.query("hidden");
}

export const list = query({
  args: { id: v.id("users") }, // trailing { comment
  handler: async (ctx, { id }): Promise<{ a: string }> => {
    const doc = await ctx.db.get("users", id);
    return { a: doc.name };
  },
});

type Hidden = { x: string };
export default query(async (ctx) => {
  return 1;
});
'''

KEEP = frozenset({"import", "export-from", "export-named", "export-decl", "export-default", "decl"})


def test_outline_keeps_length_lines_and_columns() -> None:
    m = mask(OUTLINE_SRC)
    sts = split_statements(m.masked)
    text, bodies = outline(m, sts, KEEP)
    assert len(text) == len(OUTLINE_SRC)
    assert newline_offsets(text) == newline_offsets(OUTLINE_SRC)
    src_lines = LineIndex(OUTLINE_SRC)
    out_lines = LineIndex(text)
    # every token of kept statements outside bodies is at the same line/column
    for token in ['query({', 'args:', 'v.id("users")', "handler:", "Promise<{ a: string }>", "export default query(async"]:
        off = OUTLINE_SRC.index(token)
        assert text[off : off + len(token)] == token, token
        assert out_lines.position(off) == src_lines.position(off)
    # comments and non-kept statements are blank
    for hidden in ["header comment", "notKept", 'query("hidden")', "trailing { comment", "type Hidden"]:
        off = OUTLINE_SRC.index(hidden)
        assert text[off : off + len(hidden)].strip() == "", hidden
    # function bodies are elided: "{" becomes "@", the contents blank, "}" kept
    body_open = OUTLINE_SRC.index("{\n    const doc")
    assert text[body_open] == "@"
    body_close = OUTLINE_SRC.index("  },\n});") + 2
    assert text[body_open + 1 : body_close].strip() == ""
    assert text[body_close] == "}"
    assert 'ctx.db.get' not in text
    # the bodies map names each kept statement's elided bodies
    list_start = OUTLINE_SRC.index("export const list")
    assert bodies[list_start] == [(body_open, body_close)]
    default_start = OUTLINE_SRC.index("export default")
    (o, c), = bodies[default_start]
    assert OUTLINE_SRC[o : c + 1] == "{\n  return 1;\n}"


def test_outline_blanks_everything_when_nothing_is_kept() -> None:
    m = mask(OUTLINE_SRC)
    text, bodies = outline(m, split_statements(m.masked), frozenset())
    assert text.strip() == ""
    assert newline_offsets(text) == newline_offsets(OUTLINE_SRC)
    assert bodies == {}


# ---------------------------------------------------------------- LineIndex


@pytest.mark.parametrize("text", ["", "a", "ab\ncd\n", "\n\n\nx", "é\nü€\n𝄞x"])
def test_line_index_round_trips(text: str) -> None:
    li = LineIndex(text)
    line, col = 1, 1
    for off, ch in enumerate(text):
        assert li.position(off) == (line, col)
        assert li.offset(line, col) == off
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1


# ---------------------------------------------------------------- statements sharing a line

BUNDLED = 'import{v as t}from"x";var o={a:1};function h(e){return e}function k(e){for(let i=0;i<2;i++){}return{a:e}}class S{m(){}}export{h as identity,k as make};\n'


def test_statements_after_a_semicolon_or_a_declaration_on_the_same_line() -> None:
    """Bundled, minified modules put every statement on one line (session 4 cause C8)."""
    sts = split_statements(mask(BUNDLED).masked)
    assert [(s.kind, s.name) for s in sts] == [
        ("import", None), ("decl", "o"), ("function", "h"), ("function", "k"), ("class", "S"), ("export-named", None),
    ]
    assert BUNDLED[sts[3].start : sts[3].end] == "function k(e){for(let i=0;i<2;i++){}return{a:e}}"


@pytest.mark.parametrize(
    "text",
    [
        "const a = { b: 1 }.b; const c = 2\n",  # `}` then `.`: one expression, split at `;`
        "x = cond ? {} : function () {}\n",  # `}` inside an expression is not a boundary
        "const f = () => { return 1 }\n",
        "for (let i = 0; i < 3; i++) {}\n",  # `;` inside parentheses
    ],
)
def test_same_line_split_only_at_statement_ends(text: str) -> None:
    sts = split_statements(mask(text).masked)
    starts = [s.start for s in sts]
    if text.startswith("const a"):
        assert starts == [0, text.index("const c")]
    else:
        assert starts == [0]
