"""JavaScript built-ins, template literals, computed keys, array destructuring and
TypeScript enums in the interpreter (convex_ssot/interp/builtins.py, templates.py).

Expected validator JSON is what Convex 1.48 exports for the same values; the same forms
run against the real package in tests/conformance/fixtures/js_builtins. JavaScript
semantics cited: ECMA-262 §23.1.3 (Array.prototype), §20.1.2 (Object), §13.2.8 (template
literals), §10.1.11.1 (own-property key order); TypeScript's enum emit.
"""

from __future__ import annotations

import textwrap

import pytest

IMPORTS = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
ANY = {"type": "any"}


def lit(x) -> dict:
    return {"type": "literal", "value": x}


def union(*members) -> dict:
    return {"type": "union", "value": list(members)}


def schema_with(prelude: str, fields: str) -> str:
    return IMPORTS + textwrap.dedent(prelude).lstrip("\n") + f"\nexport default defineSchema({{ t: defineTable({{ {fields} }}) }});\n"


def field_type(b, name: str) -> dict:
    return b.field("t", name)["fieldType"]


CASES = [
    ("const K = ['a', 'b'] as const;", "x: v.union(...K.map((k) => v.literal(k)))", union(lit("a"), lit("b"))),
    ("const K = ['a', 'b', 'c'];", "x: v.union(...K.filter((k) => k !== 'b').map((k) => v.literal(k)))", union(lit("a"), lit("c"))),
    ("const K = [['a'], ['b', 'c']];", "x: v.union(...K.flatMap((ks) => ks.map((k) => v.literal(k))))", union(lit("a"), lit("b"), lit("c"))),
    ("const K = [1, 2, 3];", "x: v.literal(K.reduce((a, b) => a + b, 10))", lit(16)),
    ("const K = ['a'];", "x: v.union(...K.concat(['b'], 'c').map((k) => v.literal(k)))", union(lit("a"), lit("b"), lit("c"))),
    ("const K = ['a', 'b'];", "x: v.literal(K.includes('b'))", lit(True)),
    ("const K = ['a', 'b'];", "x: v.literal(K.join('-'))", lit("a-b")),
    ("const K = ['a', 'b'];", "x: v.literal(K[1])", lit("b")),
    ("const K = ['a', 'b'];", "x: v.literal(K.length)", lit(2)),
    ("const O = { a: 1, b: 2 } as const;", "x: v.union(...Object.keys(O).map((k) => v.literal(k)))", union(lit("a"), lit("b"))),
    ("const O = { a: 1, b: 2 } satisfies Record<string, number>;", "x: v.union(...Object.values(O).map((k) => v.literal(k)))", union(lit(1), lit(2))),
    ("const O = { a: 'x' };", "x: v.union(...Object.entries(O).map(([k, val]) => v.literal(k + val)))", union(lit("ax"))),
    ("const K = ['a', 'b'];", "x: v.object(Object.fromEntries(K.map((k) => [k, v.string()])))", {"type": "object", "value": {"a": {"fieldType": {"type": "string"}, "optional": False}, "b": {"fieldType": {"type": "string"}, "optional": False}}}),
    ("const A = { a: v.string() };", "x: v.object(Object.assign({}, A, { b: v.null() }))", {"type": "object", "value": {"a": {"fieldType": {"type": "string"}, "optional": False}, "b": {"fieldType": {"type": "null"}, "optional": False}}}),
    ("const P = 'p'; const n = 2;", "x: v.literal(`${P}_${n}_${true}`)", lit("p_2_true")),
    ("const C = { USD: 'usd' } as const;", "x: v.object({ [C.USD]: v.number() })", {"type": "object", "value": {"usd": {"fieldType": {"type": "number"}, "optional": False}}}),
    ("const V = ['gkv', 'pkv'] as const;\nconst [G, P] = V;", "x: v.union(v.literal(G), v.literal(P))", union(lit("gkv"), lit("pkv"))),
    ("enum E { A = 'a', B = 'b' }", "x: v.union(...Object.values(E).map((e) => v.literal(e)))", union(lit("a"), lit("b"))),
    # numeric members get a reverse mapping; integer keys come first (OrdinaryOwnPropertyKeys)
    ("enum N { A, B = 4, C }", "x: v.union(...Object.values(N).map((e) => v.literal(e)))", union(lit("A"), lit("B"), lit("C"), lit(0), lit(4), lit(5))),
    ("const enum F { On = 'on' }", "x: v.literal(F.On)", lit("on")),
    ("const S = 'ab';", "x: v.literal(S.toUpperCase())", lit("AB")),
    ("const K = ['a', 'b'];", "x: v.union(...Array.from(K).map((k) => v.literal(k)))", union(lit("a"), lit("b"))),
    ("const K = ['a', 'b', 'c'] as const;\nconst [first, ...rest] = K;", "x: v.union(v.literal(first), ...rest.map((r) => v.literal(r)))", union(lit("a"), lit("b"), lit("c"))),
    ("function lu(vs) { const [a, , ...more] = vs; return v.union(v.literal(a), ...more.map((m) => v.literal(m))); }", "x: lu(['a', 'b', 'c', 'd'])", union(lit("a"), lit("c"), lit("d"))),
    ("const n = 7;", "x: v.literal((n - 1) * 2 / 4 % 2)", lit(1)),
    # recursion bounded by a number (a depth-bounded recursive validator, depth 20 seen in a real project)
    ("function deep(d) { if (d <= 0) { return v.null(); } return v.object({ c: deep(d - 1) }); }", "x: deep(1)", {"type": "object", "value": {"c": {"fieldType": {"type": "null"}, "optional": False}}}),
    ("const O = { a: 1 };", "x: v.literal('a' in O ? 'yes' : 'no')", lit("yes")),
    ("function opt(k, o = false) { return o ? v.optional(v.literal(k)) : v.literal(k); }", "x: opt('a'), y: opt('b', true)", lit("a")),
    # parameter defaults apply only when the argument is undefined (ECMA-262 §10.2.11)
    ("const f = (a: string, b: string = a + '!') => v.literal(b);", "x: v.union(f('a'), f('a', 'c'))", union(lit("a!"), lit("c"))),
    ("function g(k, opt = false) { if (opt) { return v.null(); } return v.literal(k); }", "x: v.union(g('a'), g('b', true))", union(lit("a"), {"type": "null"})),
]


@pytest.mark.parametrize(("prelude", "fields", "expected"), CASES, ids=[c[1][3:60] for c in CASES])
def test_builtin_forms_evaluate_as_javascript(convex_project, prelude, fields, expected) -> None:
    b = convex_project({"convex/schema.ts": schema_with(prelude, fields)})
    assert field_type(b, "x") == expected, b.diagnostics
    assert not [d for d in b.diagnostics if d["code"].startswith("CSX2")], b.diagnostics


def test_enum_imported_from_another_module(convex_project) -> None:
    b = convex_project({
        "convex/lib/kinds.ts": "export enum Kind { Move = 'move', Wait = 'wait' }\n",
        "convex/schema.ts": IMPORTS + "import { Kind } from './lib/kinds';\n"
        "export default defineSchema({ t: defineTable({ x: v.union(...Object.values(Kind).map((k) => v.literal(k))), y: v.literal(Kind.Wait) }) });\n",
    })
    assert field_type(b, "x") == union(lit("move"), lit("wait"))
    assert field_type(b, "y") == lit("wait")


def test_tables_generated_from_data(convex_project) -> None:
    b = convex_project({"convex/schema.ts": IMPORTS + textwrap.dedent("""
        const DIMS = [768, 1536] as const;
        export default defineSchema({
          ...Object.fromEntries(DIMS.map((d) => [`emb_${d}`, defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: d })])),
        });
    """)})
    assert b.table_names() == ["emb_768", "emb_1536"]


UNKNOWN_CASES = [
    # an unknown array: the union is v.any(), never the empty union
    ("import { K } from 'somewhere-not-installed';", "x: v.union(...K.map((k) => v.literal(k)))"),
    ("import { O } from 'somewhere-not-installed';", "x: v.union(...Object.values(O).map((k) => v.literal(k)))"),
    # a callback the tool cannot evaluate makes the whole result unknown
    ("import { f } from 'somewhere-not-installed'; const K = ['a'];", "x: v.union(...K.map((k) => f(k)))"),
    ("import { f } from 'somewhere-not-installed'; const K = ['a', 'b'];", "x: v.union(...K.filter((k) => f(k)).map((k) => v.literal(k)))"),
    # positions after an unresolved spread are unknown
    ("import { U } from 'somewhere-not-installed'; const K = [...U, 'a'];", "x: v.literal(K[0])"),
    ("import { U } from 'somewhere-not-installed';", "x: v.literal(`a_${U}`)"),
    ("import { U } from 'somewhere-not-installed';", "x: U ? v.string() : v.number()"),
    ("import { U } from 'somewhere-not-installed';", "x: v.object(Object.fromEntries([[U, v.string()]]))"),
]


@pytest.mark.parametrize(("prelude", "fields"), UNKNOWN_CASES, ids=[c[1][3:60] for c in UNKNOWN_CASES])
def test_unknown_parts_make_the_validator_any_with_a_diagnostic(convex_project, prelude, fields) -> None:
    b = convex_project({"convex/schema.ts": schema_with(prelude, fields)})
    assert field_type(b, "x") == ANY
    assert any(d["code"].startswith("CSX2") for d in b.diagnostics), b.diagnostics


def test_object_assign_onto_an_existing_object_is_not_evaluated(convex_project) -> None:
    """Object.assign changes its target; only a literal target written in the call is
    evaluated, so no module-level constant is ever changed by the tool."""
    b = convex_project({"convex/schema.ts": schema_with("const A = { a: v.string() };", "x: v.object(Object.assign(A, { b: v.null() }))")})
    assert field_type(b, "x") == ANY


def test_zod_partial_with_a_mask_makes_only_those_keys_optional(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": IMPORTS + "export default defineSchema({});\n",
        "convex/fns.ts": textwrap.dedent("""
            import { z } from "zod";
            import { zCustomMutation } from "convex-helpers/server/zod4";
            import { NoOp } from "convex-helpers/server/customFunctions";
            import { mutation } from "./_generated/server";
            const zm = zCustomMutation(mutation, NoOp);
            const Item = z.object({ a: z.string(), b: z.number() });
            export const m = zm({ args: { x: Item.partial({ b: true }) }, handler: async () => null });
        """),
    })
    x = b.function("fns:m")["argsValidator"]["fields"][0]["validator"]
    assert x["value"]["a"]["optional"] is False
    assert x["value"]["b"]["optional"] is True


def test_depth_bounded_recursive_validator_deeper_than_16_calls(convex_project) -> None:
    """A recursion bounded by a number (a real project builds its condition tree 20 deep)."""
    b = convex_project({"convex/schema.ts": schema_with(
        "function deep(d: number): any { if (d <= 0) { return v.null(); } return v.array(deep(d - 1)); }",
        "x: deep(20)",  # 21 nested calls of `deep`
    )})
    t = field_type(b, "x")
    for _ in range(20):
        assert t["type"] == "array", t
        t = t["value"]
    assert t == {"type": "null"}
    assert not b.diagnostics


def test_functions_a_project_helper_returns_see_its_local_variables(convex_project) -> None:
    """`export const { read, destroy } = crud("t", query, mutation)` where `crud` builds
    the definitions from its own locals: the args are read in the helper's scope."""
    b = convex_project({
        "convex/schema.ts": IMPORTS + "export default defineSchema({ t: defineTable({ x: v.string() }) });\n",
        "convex/lib/crud.ts": textwrap.dedent("""
            import { v } from "convex/values";
            import { internalQueryGeneric, internalMutationGeneric } from "convex/server";
            export function crud(table: string, query = internalQueryGeneric, mutation = internalMutationGeneric) {
              const idArg = { id: v.id(table) };
              return {
                read: query({ args: idArg, handler: async (ctx, args) => { return await ctx.db.get(args.id); } }),
                destroy: mutation({ args: idArg, returns: v.null(), handler: async (ctx, args) => { await ctx.db.delete(args.id); return null; } }),
              };
            }
        """),
        "convex/t.ts": textwrap.dedent("""
            import { query, mutation } from "./_generated/server";
            import { crud } from "./lib/crud";
            export const { read, destroy } = crud("t", query, mutation);
            export const { read: readInternal } = crud("t");
        """),
    })
    assert not b.diagnostics, b.diagnostics
    for fid, kind, vis in [("t:read", "query", "public"), ("t:destroy", "mutation", "public"), ("t:readInternal", "query", "internal")]:
        f = b.function(fid)
        assert (f["kind"], f["visibility"]) == (kind, vis)
        assert f["argsValidator"]["validator"] == {"type": "object", "value": {"id": {"fieldType": {"type": "id", "tableName": "t"}, "optional": False}}}


def test_template_literals_are_read_from_cached_modules(tmp_path, monkeypatch):
    """A module from the parse cache keeps no source text (resolve/source_files.slim), only
    the raw text of its template literals with substitutions: the second, cached run must
    read the same literal as the first."""
    from convex_ssot.cache import ModuleCache
    from convex_ssot.resolve.project import build_project
    from ssot_testlib import write_files

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "app"
    write_files(root, {"convex/schema.ts": schema_with("const P = 'p';", "x: v.literal(`${P}_${2}`)")})
    fields = []
    for _ in range(2):
        cache = ModuleCache.open()
        assert cache is not None
        project = build_project(root.resolve(), "convex/schema.ts", cache)
        (table,) = project.schema.tables
        fields.append(table.document.field_map()["x"].literal.value)
    assert fields == ["p_2", "p_2"]


def test_zod_object_with_an_unknown_spread_is_unknown_not_shortened(convex_project) -> None:
    """`z.object({ ...known, ...unknown })` then `.pick({ _id: true })` was an object without
    `_id` (a wrong validator, session 4 mantrakp04/just-use-convex): an unknown spread makes
    the schema unknown, so the args are `v.any()` with a diagnostic."""
    b = convex_project({
        "convex/schema.ts": IMPORTS + "export default defineSchema({});\n",
        "convex/fns.ts": textwrap.dedent("""
            import { z } from "zod";
            import { zCustomQuery } from "convex-helpers/server/zod4";
            import { NoOp } from "convex-helpers/server/customFunctions";
            import { systemFields } from "unknown-pkg";
            import { query } from "./_generated/server";
            const zq = zCustomQuery(query, NoOp);
            const WithSystem = z.object({ name: z.string(), ...systemFields });
            export const get = zq({ args: WithSystem.pick({ _id: true }), handler: async () => null });
            export const more = zq({ args: z.object({ a: z.string() }).extend({ ...systemFields }), handler: async () => null });
            export const known = zq({ args: z.object({ name: z.string(), ...{ n: z.number() } }).pick({ n: true }), handler: async () => null });
        """),
    })
    for fid in ("fns:get", "fns:more"):
        assert b.function(fid)["argsValidator"]["type"] == "any", fid
        assert any(d["code"] == "CSX230" and d["message"].startswith(fid + ":") for d in b.functions["diagnostics"]), fid
    known = b.function("fns:known")["argsValidator"]
    assert known["type"] == "object" and list(known["validator"]["value"]) == ["n"], known


def test_convex_to_zod_round_trip_and_what_it_rejects(convex_project) -> None:
    """convex-helpers zod4 ``convexToZod``/``convexToZodFields`` (the conformance fixture
    zod_builders/zconvex.ts checks the exact results against Convex): system fields of a
    ``Table`` turned into zod and picked; ``v.bytes()`` is rejected by convex-helpers, so
    it stays unknown (never guessed)."""
    b = convex_project({
        "convex/schema.ts": IMPORTS + "export default defineSchema({});\n",
        "convex/fns.ts": textwrap.dedent("""
            import { z } from "zod";
            import { v } from "convex/values";
            import { Table } from "convex-helpers/server";
            import { convexToZod, convexToZodFields, zCustomQuery } from "convex-helpers/server/zod4";
            import { NoOp } from "convex-helpers/server/customFunctions";
            import { query } from "./_generated/server";
            const zq = zCustomQuery(query, NoOp);
            const sys = convexToZodFields(Table("things", { a: v.string() }).systemFields);
            export const byId = zq({ args: z.object({ a: z.string(), ...sys }).pick({ _id: true }), handler: async () => null });
            export const bytes = zq({ args: { b: convexToZod(v.bytes()) }, handler: async () => null });
        """),
    })
    by_id = b.function("fns:byId")["argsValidator"]["validator"]
    assert by_id == {"type": "object", "value": {"_id": {"fieldType": {"type": "id", "tableName": "things"}, "optional": False}}}
    field = b.function("fns:bytes")["argsValidator"]["validator"]["value"]["b"]
    assert field["fieldType"] == {"type": "any"}
    assert any("v.bytes() is not supported by convexToZod" in d["message"] for d in b.functions["diagnostics"])
