"""Project helpers with statement bodies (convex_ssot/resolve/statements.py): the grammar's
``body`` rule, the lexer's body outline, and end-to-end evaluation of the subset.

Expected validator JSON is what Convex 1.48 exports for the same values (``v.literal(x)`` →
``{"type":"literal","value":x}``, ``v.union(...)`` → ``{"type":"union","value":[...]}``);
the same helpers run against the real package in
tests/conformance/fixtures/statement_helpers. JavaScript semantics cited: ECMA-262 §14
(statements), §7.1.2 ToBoolean, §7.2.15/16 equality, §12.10 automatic semicolon insertion.
"""

from __future__ import annotations

import textwrap

import pytest

from convex_ssot.parse import ast, lexer
from convex_ssot.parse.parser import ParseFailure, parse_body

IMPORTS = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'


def schema_ts(body: str) -> str:
    return IMPORTS + textwrap.dedent(body).lstrip("\n")


def lit(x) -> dict:
    return {"type": "literal", "value": x}


def union(*members) -> dict:
    return {"type": "union", "value": list(members)}


ANY = {"type": "any"}


def field_type(b, table: str, name: str) -> dict:
    return b.field(table, name)["fieldType"]


def body_of(src: str) -> list[ast.Node]:
    """Parse ``src`` as the inside of a function body, as the evaluator does."""
    text = "{" + src + "}"
    mk = lexer.mask(text)
    return parse_body(lexer.body_outline(mk, 0, len(text) - 1), base=1)


# ================================================================ lexer and grammar


def test_body_outline_elides_blocks_and_nested_bodies_keeping_positions() -> None:
    text = "{ if (a) { return 1; } else { x(); } const f = (y) => { return y; }; try { g() } finally { h() } return 2; }"
    mk = lexer.mask(text)
    out = lexer.body_outline(mk, 0, len(text) - 1)
    assert len(out) == len(text) - 2, "same length as the body's inside"
    assert "return 1" not in out and "x()" not in out and "return y" not in out and "g()" not in out
    assert out.count("@") == 5, out
    assert out.rstrip().endswith("return 2;")
    assert out.index("const f") == text.index("const f") - 1


def test_find_blocks_lists_outermost_blocks_only() -> None:
    text = "if (a) { if (b) { c } } else { d } do { e } while (f)"
    blocks = lexer.find_blocks(lexer.mask(text).masked, 0, len(text))
    assert [text[o : c + 1] for o, c in blocks] == ["{ if (b) { c } }", "{ d }", "{ e }"]


def test_body_statements_parse_to_nodes() -> None:
    stmts = body_of("""
        const a = 1, { b, c: d } = o;
        let e;
        if (a === 1) return v.string()
        else if (!a) throw new Error("x");
        else { e = 2 }
        for (const k of ks) out[k] = k;
        function inner(x) { return x }
        console.log(a)
        return e ?? a;
    """)
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["VarDecl", "VarDecl", "If", "ForOf", "ExprStatement", "ExprStatement", "Return"]
    decl = stmts[0].declarators
    assert decl[0].name == "a" and decl[1].pattern == [("b", "b"), ("c", "d")] and decl[1].pattern_complete
    first_if = stmts[2]
    assert isinstance(first_if.then, ast.Return)
    assert first_if.test.items[0].parts[0] == "==="
    assert isinstance(first_if.other, ast.If) and isinstance(first_if.other.then, ast.Throw)
    assert isinstance(first_if.other.other, ast.Block)
    loop = stmts[3]
    assert loop.name == "k" and loop.body.expr.what == "assignment"
    assert loop.body.expr.parts[0] == "=" and isinstance(loop.body.expr.parts[1], ast.Index)
    assert stmts[4].expr.name == "inner" and stmts[4].expr.body is not None
    assert stmts[6].expr.parts[0] == "??"


@pytest.mark.parametrize(
    "src",
    [
        "const { a: { b } } = o;",  # a nested pattern
        "const { a = 1 } = o;",  # a default
        "const [[x]] = arr;",  # a nested array pattern
        "const [{ x }] = arr;",
    ],
)
def test_patterns_the_pairs_cannot_express_are_marked_incomplete(src) -> None:
    (decl,) = body_of(src)
    assert decl.declarators[0].pattern_complete is False


def test_array_patterns_bind_elements_by_index_skipping_holes() -> None:
    (decl,) = body_of("const [a, , b] = arr;")
    assert decl.declarators[0].pattern == [("0", "a"), ("2", "b")]
    assert decl.declarators[0].pattern_complete is True


@pytest.mark.parametrize("src", ["while (x) { y() }", "switch (x) { case 1: break }", "label: for (;;) {}", "if (a) if (b) c(); else d();"])
def test_statements_outside_the_subset_do_not_parse(src) -> None:
    with pytest.raises(ParseFailure):
        body_of(src)


def test_keywords_stay_usable_as_property_names_in_outlines(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const cfg = { if: "a", else: "b", for: "c", throw: "d", return: "e" };
        export default defineSchema({ t: defineTable({ x: v.literal(cfg.return), y: v.literal(cfg.if) }) });
    """)})
    assert b.diagnostics == []
    assert field_type(b, "t", "x") == lit("e") and field_type(b, "t", "y") == lit("a")


# ================================================================ evaluation


def test_statement_bodied_helpers_across_modules(convex_project) -> None:
    b = convex_project({
        "convex/lib.ts": textwrap.dedent("""
            import { v } from "convex/values";
            export function keyMap<K extends string>(keys: K[]): { [k in K]: k } {
              const out: Partial<{ [k in K]: k }> = {};
              for (const key of keys) out[key] = key;
              return out as { [k in K]: k };
            }
            export function literalUnion<const T extends readonly string[]>(values: T) {
              const members = values.map((value) => v.literal(value));
              return v.union(...members);
            }
            export const guarded = (types: readonly string[]) => {
              if (types.length === 0) {
                return v.union(v.literal("__never__"));
              }
              return v.union(...types.map((t) => v.literal(t)));
            };
        """),
        "convex/schema.ts": schema_ts("""
            import { keyMap, literalUnion, guarded } from "./lib";
            const kinds = keyMap(["image", "video"]);
            export default defineSchema({
              t: defineTable({
                k: v.literal(kinds.video),
                m: literalUnion(["light", "dark"]),
                e: guarded([]),
                f: guarded(["p", "q"]),
              }),
            });
        """),
    })
    assert b.diagnostics == []
    assert field_type(b, "t", "k") == lit("video")
    assert field_type(b, "t", "m") == union(lit("light"), lit("dark"))
    assert field_type(b, "t", "e") == union(lit("__never__"))
    assert field_type(b, "t", "f") == union(lit("p"), lit("q"))


def test_closures_hoisting_and_registrations_from_wrappers(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": schema_ts("""
            export default defineSchema({ notes: factory("notes").table() });
            function factory(name: string) {
              const fields = { title: v.string() };
              return { name, table: () => { return defineTable(fields); } };
            }
        """),
        "convex/api.ts": textwrap.dedent("""
            import { httpAction, query } from "./_generated/server";
            import { v } from "convex/values";
            function withAuth(scope: string, handler: any) {
              return httpAction(async (ctx, req) => handler(ctx, req));
            }
            function args() { function inner() { return { n: v.number() }; } return inner(); }
            export const hook = withAuth("x", async () => new Response("ok"));
            export const q = query({ args: args(), handler: async () => null });
        """),
    })
    assert b.diagnostics == []
    assert field_type(b, "notes", "title") == {"type": "string"}
    assert b.function("api:hook")["kind"] == "httpAction"
    assert b.function("api:q")["argsValidator"]["validator"] == {"type": "object", "value": {"n": {"fieldType": {"type": "number"}, "optional": False}}}


def test_objects_returned_from_another_module_keep_their_own_raw_text(convex_project) -> None:
    b = convex_project({
        "convex/lib.ts": textwrap.dedent("""
            import { v } from "convex/values";
            export function fields(extra: boolean) {
              const out: Record<string, any> = { title: v.string(), nested: { deep: v.optional(v.number()) } };
              if (extra) out.more = v.boolean();
              return out;
            }
        """),
        "convex/fns.ts": textwrap.dedent("""
            import { query } from "./_generated/server";
            import { fields } from "./lib";
            export const q = query({ args: fields(true), handler: async () => null });
        """),
    })
    assert [d["code"] for d in b.diagnostics] == ["CSX220"]  # no schema in this project
    args = b.function("fns:q")["argsValidator"]
    assert [(f["name"], f["rawValidator"]) for f in args["fields"]] == [
        ("title", "v.string()"), ("nested", ""), ("more", "v.boolean()"),
    ]
    assert args["validator"]["value"]["nested"]["fieldType"] == {
        "type": "object", "value": {"deep": {"fieldType": {"type": "number"}, "optional": True}},
    }


@pytest.mark.parametrize(
    "cond, taken",
    [
        ("x === 1", True),
        ("x !== 1", False),
        ("x == 1", True),
        ("x > 0 && s === 'a'", True),
        ("0 > x || !s", False),
        ("s + 'b' === 'ab'", True),
        ("n ?? true", True),
        ("u", False),
        ("''", False),
        ("x >= 2", False),
    ],
)
def test_decidable_conditions_choose_the_branch(convex_project, cond, taken) -> None:
    b = convex_project({"convex/schema.ts": schema_ts(f"""
        function pick() {{
          const x = 1, s = "a", n = null;
          let u;
          if ({cond}) {{
            return v.literal("then");
          }} else {{
            return v.literal("else");
          }}
        }}
        export default defineSchema({{ t: defineTable({{ f: pick() }}) }});
    """)})
    assert b.diagnostics == []
    assert field_type(b, "t", "f") == lit("then" if taken else "else")


def test_throw_only_guard_with_unknown_condition_is_skipped(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        function make(name: string) {
          if (typeof name !== "string") throw new Error("bad");
          if (process.env.STRICT) {
            throw new Error("bad");
          }
          return v.literal(name);
        }
        export default defineSchema({ t: defineTable({ f: make("x") }) });
    """)})
    assert b.diagnostics == []
    assert field_type(b, "t", "f") == lit("x")


@pytest.mark.parametrize(
    "body, reason",
    [
        ("if (process.env.X) { return v.string(); }\nreturn v.number();", "cannot decide"),
        ("throw new Error('no');", "`throw` is reached"),
        ("return\n  v.string();", "line break after `return`"),
        ("while (true) { }\nreturn v.string();", "statement the tool does not evaluate"),
        ("arg.extra = 1;\nreturn v.string();", "object the function did not create"),
        ("outer = 2;\nreturn v.string();", "does not declare"),
        ("mystery(arg);\nreturn v.string();", "call whose effect"),
        ("if (true) { var z = 1; }\nreturn v.string();", "`var` declaration inside a block"),
        ("const { a: { b } } = arg;\nreturn v.string();", "destructuring pattern"),
        ("for (const k of mystery()) {}\nreturn v.string();", "`for…of`"),
        # Keys not all known: a package's exports, an unresolved spread, an unknown value.
        ("for (const k in mystery) {}\nreturn v.string();", "`for…in`"),
        ("const o = { ...mystery };\nfor (const k in o) {}\nreturn v.string();", "`for…in`"),
        ("if (\"a\" in mystery) { return v.number(); }\nreturn v.string();", "cannot decide"),
        # Inherited properties of Object.prototype are not decided.
        ("if (\"toString\" in { a: 1 }) { return v.number(); }\nreturn v.string();", "cannot decide"),
        # A `__proto__` key sets the prototype, whose keys are not known.
        ("const o = { __proto__: arg, a: 1 };\nfor (const k in o) {}\nreturn v.string();", "`for…in`"),
        ("if (\"b\" in { __proto__: arg, a: 1 }) { return v.number(); }\nreturn v.string();", "cannot decide"),
        # Keys added while iterating: which ones JavaScript visits is implementation-defined.
        ("const o = { a: 1 };\nfor (const k in o) { o[k + \"x\"] = 1; }\nreturn v.string();", "adds keys"),
        ("for (const { length } in { a: 1 }) {}\nreturn v.string();", "destructuring pattern"),
        ("for (const k in [1, 2]) {}\nreturn v.string();", "`for…in`"),
    ],
)
def test_bodies_outside_the_subset_fall_back_to_a_diagnostic(convex_project, body, reason) -> None:
    indented = textwrap.indent(body, "  ")
    b = convex_project({"convex/schema.ts": IMPORTS + "import { mystery } from \"some-package\";\nlet outer = 1;\n"
                        + f"function helper(arg: any) {{\n{indented}\n}}\n"
                        + "export default defineSchema({ t: defineTable({ f: helper({}) }) });\n"})
    assert field_type(b, "t", "f") == ANY
    (d,) = b.diagnostics
    assert d["code"] == "CSX200" and "`helper` not evaluated" in d["message"] and reason in d["message"], d["message"]
    assert d["line"] == 8 + body.count("\n")  # reported where the helper is used


def test_recursion_is_capped(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        function deep(n: number): any {
          return deep(n);
        }
        export default defineSchema({ t: defineTable({ f: deep(1) }) });
    """)})
    assert field_type(b, "t", "f") == ANY
    (d,) = b.diagnostics
    assert "nested more than 32 deep" in d["message"]


def test_long_bodies_are_not_parsed(convex_project) -> None:
    # what counts is the outline Lark would parse: 5000 × 11 non-blank characters
    filler = "  const pad = 1;\n" * 5000
    b = convex_project({"convex/schema.ts": IMPORTS + "function big() {\n" + filler + "  return v.string();\n}\n"
                        + "export default defineSchema({ t: defineTable({ f: big() }) });\n"})
    assert field_type(b, "t", "f") == ANY
    (d,) = b.diagnostics
    assert "a body of more than 50000 characters" in d["message"]


def _crud_like(n_functions: int) -> str:
    """A generic helper (written for this test) returning many registrations whose inline
    handlers make its body long; local `type`/`interface` declarations as TypeScript
    helpers write them."""
    handler = "      handler: async (ctx, args) => {\n" + "        const doc = await ctx.db.get(args.id);\n" * 40 + "        return doc;\n      },\n"
    regs = "".join(
        f"    fn{i}: query({{\n      args: {{ id: v.id(table), n{i}: fields.n }},\n{handler}    }}),\n" for i in range(n_functions)
    )
    return (
        IMPORTS.replace("defineSchema, defineTable", "defineSchema, defineTable, queryGeneric")
        + "export function crud(table: any, query: any = queryGeneric) {\n"
        + "  type Doc = { _id: string;\n    n: number };\n"
        + "  type Many<T> =\n    | Array<T>\n    | ReadonlyArray<T>;\n"
        + "  type Fn = (x: number) => void;\n"
        + "  interface Opts {\n    a: string;\n    b?: { c: number };\n  }\n"
        + "  const fields = { n: v.number() };\n"
        + "  return {\n" + regs + "  };\n}\n"
    )


def test_a_long_helper_returning_registrations_loses_no_export(convex_project) -> None:
    helper = _crud_like(12)
    o = helper.index("export function crud")
    assert len(helper) - o > 20_000  # over the old limit on the raw body
    b = convex_project({
        "convex/schema.ts": IMPORTS + "export default defineSchema({ items: defineTable({ n: v.number() }) });\n",
        "convex/lib/crud.ts": helper,
        "convex/items.ts": 'import { crud } from "./lib/crud";\nimport { query } from "./_generated/server";\n'
                           + "export const { " + ", ".join(f"fn{i}" for i in range(12)) + ' } = crud("items", query);\n',
    })
    assert b.diagnostics == [], b.diagnostics
    for i in range(12):
        f = b.function(f"items:fn{i}")
        assert (f["kind"], f["visibility"]) == ("query", "public")
        assert [(a["name"], a["type"]) for a in f["argsValidator"]["fields"]] == [("id", "id<items>"), (f"n{i}", "float64")]


def test_local_type_declarations_are_blanked_keeping_positions() -> None:
    from convex_ssot.interp.statements import blank_type_declarations

    src = "{\n  type A = { a: (x: number) => void };\n  interface B {\n    b: string;\n  }\n  type C =\n    | \"x\"\n    | \"y\";\n  const typeName = 1;\n  return typeName;\n}"
    mk = lexer.mask(src)
    out = blank_type_declarations(mk.masked, lexer.body_outline(mk, 0, len(src) - 1), 1)
    assert len(out) == len(src) - 2 and out.count("\n") == src.count("\n")
    assert out.split() == ["const", "typeName", "=", "1;", "return", "typeName;"]


def test_a_local_name_never_leaks_into_module_level_values(convex_project) -> None:
    # `kind` is a parameter of the helper and a module-level constant: the constant is
    # evaluated on its own, not with the helper's parameter in scope.
    b = convex_project({
        "convex/lib.ts": 'import { v } from "convex/values";\nconst kind = "module";\nexport const tag = v.literal(kind);\n',
        "convex/schema.ts": schema_ts("""
            import { tag } from "./lib";
            function wrap(kind: string) { const inner = tag; return v.union(inner, v.literal(kind)); }
            export default defineSchema({ t: defineTable({ f: wrap("param") }) });
        """),
    })
    assert b.diagnostics == []
    assert field_type(b, "t", "f") == union(lit("module"), lit("param"))


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("x === 2 || s === 'a'", True),  # (x === 2) || (s === 'a'), not ((x === 2) || s) === 'a'
        ("s === 'b' || x === 1 && s === 'a'", True),  # && binds tighter than ||
        ("x + 1 === 2", True),
        ("'a' + 'b' + 'c' === 'abc'", True),
        ("(x === 1) === true", True),
        ("x === 1 === false", False),  # left-associative: (x === 1) === false
    ],
)
def test_binary_chains_follow_javascript_precedence(convex_project, expr, expected) -> None:
    b = convex_project({"convex/schema.ts": schema_ts(f"""
        function pick() {{
          const x = 1, s = "a";
          if ({expr}) return v.literal("then");
          return v.literal("else");
        }}
        export default defineSchema({{ t: defineTable({{ f: pick() }}) }});
    """)})
    assert b.diagnostics == []
    assert field_type(b, "t", "f") == lit("then" if expected else "else")


@pytest.mark.parametrize("head", ["function f(a)\n{", "export function f(a): Record<string, any>\n{", "async function f(a)\n// note\n{"])
def test_a_function_body_brace_on_its_own_line_stays_with_the_declaration(head) -> None:
    text = head + "\n  return a;\n}\n{ block(); }\nconst x = 1;\n"
    st = lexer.split_statements(lexer.mask(text).masked)
    assert [s.kind for s in st] == ["function", "other", "decl"]
    assert text[st[0].start : st[0].end].rstrip().endswith("return a;\n}")


# ================================================================ for…in and the `in` operator


def test_for_in_statement_parses_to_a_node() -> None:
    (loop, single) = body_of("for (const key in fields) { out[key] = 1; }\nfor (let k in o) out[k] = k;")
    assert isinstance(loop, ast.ForIn) and loop.name == "key" and isinstance(loop.body, ast.Block)
    assert isinstance(single, ast.ForIn) and single.name == "k" and single.body.expr.what == "assignment"


def test_partial_and_table_fields_helpers(convex_project) -> None:
    """`partial(fields)` (a for…in that makes every field optional) and
    `tableFields(table)` (an `if ("k" in fields)` that drops a key), as written in real
    projects; Convex reports the fields in the same order as the for…in visits them."""
    b = convex_project({
        "convex/lib.ts": textwrap.dedent("""
            import { v, type Validator } from "convex/values";
            import schema from "./schema";
            export function partial<F extends Record<string, Validator<any, any, any>>>(fields: F) {
              const result: Record<string, unknown> = {};
              for (let key in fields)
                if (fields[key].isOptional !== "required") result[key] = fields[key];
                else result[key] = v.optional(fields[key]!);
              return result as { [K in keyof F]: F[K] };
            }
            export function tableFields(table: "a" | "b") {
              const fields = schema.tables[table].validator.fields;
              if ("hidden" in fields) {
                const { hidden: _, ...rest } = fields;
                return rest;
              }
              return fields;
            }
        """),
        "convex/schema.ts": schema_ts("""
            import { partial } from "./lib";
            const item = v.object({ name: v.string(), note: v.optional(v.string()) });
            export default defineSchema({
              a: defineTable({ x: v.number(), hidden: v.string(), y: v.optional(v.boolean()) }),
              b: defineTable({ z: v.string(), over: v.object({ ...partial(item.fields), q: v.number() }) }),
            });
        """),
        "convex/fns.ts": textwrap.dedent("""
            import { v } from "convex/values";
            import { mutation } from "./_generated/server";
            import schema from "./schema";
            import { partial, tableFields } from "./lib";
            export const updateA = mutation({ args: { ...partial(tableFields("a")), id: v.id("a") }, handler: async () => null });
            export const updateB = mutation({ args: { ...partial(schema.tables.b.validator.fields) }, handler: async () => null });
            export const createA = mutation({ args: tableFields("a"), handler: async () => null });
        """),
    })
    assert b.diagnostics == []
    S, N = {"type": "string"}, {"type": "number"}
    opt = lambda t: {"fieldType": t, "optional": True}  # noqa: E731
    req = lambda t: {"fieldType": t, "optional": False}  # noqa: E731
    assert field_type(b, "b", "over") == {"type": "object", "value": {"name": opt(S), "note": opt(S), "q": req(N)}}
    assert b.function("fns:updateA")["argsValidator"]["validator"] == {
        "type": "object", "value": {"x": opt(N), "y": opt({"type": "boolean"}), "id": req({"type": "id", "tableName": "a"})},
    }
    over = field_type(b, "b", "over")
    assert b.function("fns:updateB")["argsValidator"]["validator"] == {"type": "object", "value": {"z": opt(S), "over": opt(over)}}
    assert b.function("fns:createA")["argsValidator"]["validator"] == {"type": "object", "value": {"x": req(N), "y": opt({"type": "boolean"})}}


@pytest.mark.parametrize(
    "setup, cond, taken",
    [
        ("const o = { a: 1, b: undefined };", '"a" in o', True),
        ("const o = { a: 1, b: undefined };", '"b" in o', True),  # own key with value undefined
        ("const o = { a: 1 };", '"c" in o', False),
        ("const o = { 1: 'x' };", "1 in o", True),
        ("const base = { a: 1 }; const o = { ...base, c: 2 };", '"a" in o', True),
        ("const o = {}; o.k = 1;", '"k" in o', True),
        ("const o = { a: 1 };", '!("a" in o)', False),
    ],
)
def test_in_operator_on_objects_with_known_keys(convex_project, setup, cond, taken) -> None:
    b = convex_project({"convex/schema.ts": schema_ts(f"""
        function pick() {{
          {setup}
          if ({cond}) {{
            return v.literal("then");
          }}
          return v.literal("else");
        }}
        export default defineSchema({{ t: defineTable({{ f: pick() }}) }});
    """)})
    assert b.diagnostics == []
    assert field_type(b, "t", "f") == lit("then" if taken else "else")


def test_for_in_visits_array_index_keys_first_then_keys_in_creation_order(convex_project) -> None:
    """OrdinaryOwnPropertyKeys (ECMA-262 §10.1.11.1): `{ b, 2, a, 1 }` is visited as 1, 2, b, a."""
    b = convex_project({"convex/schema.ts": schema_ts("""
        function keysOf(o: object) {
          const out: Record<string, unknown> = {};
          let i = 0;
          for (const k in o) {
            out["f" + k] = v.literal(k);
          }
          return out;
        }
        export default defineSchema({ t: defineTable(keysOf({ b: 0, 2: 0, a: 0, 1: 0, "01": 0 })) });
    """)})
    assert b.diagnostics == []
    assert [c["name"] for c in b.table("t")["columns"] if not c["name"].startswith("_")] == ["f1", "f2", "fb", "fa", "f01"]


def test_for_in_over_null_or_undefined_runs_no_iteration(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        function count(o: any) {
          let last = "none";
          for (const k in o) {
            last = k;
          }
          return v.literal(last);
        }
        export default defineSchema({ t: defineTable({ f: count(null), g: count(undefined), h: count({ q: 1 }) }) });
    """)})
    assert b.diagnostics == []
    assert [field_type(b, "t", n) for n in ("f", "g", "h")] == [lit("none"), lit("none"), lit("q")]
