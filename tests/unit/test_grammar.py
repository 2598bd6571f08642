"""The parser-safe subset of TypeScript, end to end: source files → resolved IR → contracts.

Every expected validator JSON below is what Convex 1.48 itself exports for the same source
(``validator.json`` / ``schema.export()`` / ``exportArgs()``), as documented in
/work/shared/convex-api-surface.md §1-§4 and docs/contracts.md §1.2, e.g. ``v.float64()`` →
``{"type":"number"}``, ``v.int64()`` → ``{"type":"bigint"}``, ``v.nullable(x)`` → a union
with x first and null second, ``1n`` → ``{"$integer":"AQAAAAAAAAA="}``.

Projects are built in-process with the ``convex_project`` fixture (tests/conftest.py).
"""

from __future__ import annotations

import textwrap

import pytest

from ssot_testlib import schema_errors

IMPORTS = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
SERVER = 'import { query, mutation, action, httpAction, internalQuery, internalMutation, internalAction } from "./_generated/server";\nimport { v } from "convex/values";\n'

def schema_ts(body: str) -> str:
    """convex/schema.ts text: the usual imports, then ``body`` (dedented)."""
    return IMPORTS + textwrap.dedent(body).lstrip("\n")


def server_ts(body: str) -> str:
    """A function module: the _generated/server and convex/values imports, then ``body``."""
    return SERVER + textwrap.dedent(body).lstrip("\n")


S = {"type": "string"}
N = {"type": "number"}
B = {"type": "bigint"}


def obj(**fields) -> dict:
    """Convex object JSON; a field given as ``("opt", X)`` is optional."""
    value = {}
    for k, x in fields.items():
        if isinstance(x, tuple) and x[0] == "opt":
            value[k] = {"fieldType": x[1], "optional": True}
        else:
            value[k] = {"fieldType": x, "optional": False}
    return {"type": "object", "value": value}


def lit(x) -> dict:
    return {"type": "literal", "value": x}


def union(*members) -> dict:
    return {"type": "union", "value": list(members)}


def no_errors(built) -> None:
    """No diagnostics at all (a project without convex/schema.ts may only have the
    "schema source not found" warning CSX220 on the schema path)."""
    diags = built.diagnostics
    if "convex/schema.ts" not in built.files:
        diags = [d for d in diags if not (d["code"] == "CSX220" and d["file"] == "convex/schema.ts")]
    assert diags == [], diags


# ================================================================ defineSchema forms


def test_export_default_define_schema_inline(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({
          users: defineTable({ name: v.string() }),
          posts: defineTable({ title: v.string(), author: v.id("users") }),
        });
    """)})
    no_errors(b)
    assert b.table_names() == ["users", "posts"]
    assert b.table("users")["documentType"] == obj(name=S)
    assert b.table("posts")["documentType"] == obj(title=S, author={"type": "id", "tableName": "users"})
    assert b.db["ssot"] == {"mode": "convex", "source": {"kind": "convex-schema", "path": "convex/schema.ts"}}
    assert b.db["schemaOptions"] == {"schemaValidation": True, "strictTableNameTypes": True}


def test_tables_const_passed_to_define_schema(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const tables = {
          b: defineTable({ x: v.string() }),
          a: defineTable({ y: v.number() }),
        };
        export default defineSchema(tables);
    """)})
    no_errors(b)
    assert b.table_names() == ["b", "a"], "schema source order, not sorted"
    assert b.field("a", "y") == {"fieldType": N, "optional": False}


@pytest.mark.parametrize(
    "options, expected",
    [
        ("", {"schemaValidation": True, "strictTableNameTypes": True}),
        (", {}", {"schemaValidation": True, "strictTableNameTypes": True}),
        (", { schemaValidation: false }", {"schemaValidation": False, "strictTableNameTypes": True}),
        (", { strictTableNameTypes: false }", {"schemaValidation": True, "strictTableNameTypes": False}),
        (", { schemaValidation: false, strictTableNameTypes: false }", {"schemaValidation": False, "strictTableNameTypes": False}),
        (", { schemaValidation: true, strictTableNameTypes: true, }", {"schemaValidation": True, "strictTableNameTypes": True}),
    ],
)
def test_define_schema_options_are_recorded_with_sdk_defaults(convex_project, options, expected) -> None:
    b = convex_project({"convex/schema.ts": schema_ts(f"""
        export default defineSchema({{ t: defineTable({{ a: v.string() }}) }}{options});
    """)})
    no_errors(b)
    assert b.db["schemaOptions"] == expected


def test_define_schema_options_from_a_const(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const opts = { schemaValidation: false };
        export default defineSchema({ t: defineTable({ a: v.string() }) }, opts);
    """)})
    assert b.db["schemaOptions"] == {"schemaValidation": False, "strictTableNameTypes": True}


def test_define_table_with_fields_const(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const userFields = { name: v.string(), age: v.optional(v.number()) };
        export default defineSchema({ users: defineTable(userFields) });
    """)})
    no_errors(b)
    assert b.table("users")["documentType"] == obj(name=S, age=("opt", N))
    assert b.column("users", "age")["rawValidator"] == "v.optional(v.number())"


def test_define_table_with_validator_object(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const doc = v.object({ a: v.string() });
        export default defineSchema({ t: defineTable(doc), u: defineTable(v.object({ b: v.int64() })) });
    """)})
    no_errors(b)
    assert b.table("t")["documentType"] == obj(a=S)
    assert b.table("u")["documentType"] == obj(b=B)


def test_spread_of_fields_const_keeps_its_position(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const timestamps = { createdAt: v.number(), updatedAt: v.optional(v.number()) };
        export default defineSchema({
          t: defineTable({ first: v.string(), ...timestamps, last: v.boolean() }),
        });
    """)})
    no_errors(b)
    assert b.table("t")["documentType"] == obj(first=S, createdAt=N, updatedAt=("opt", N), last={"type": "boolean"})
    assert [c["name"] for c in b.table("t")["columns"]][2:] == ["first", "createdAt", "updatedAt", "last"]


def test_repeated_field_key_keeps_first_position(convex_project) -> None:
    # JavaScript object literals: a repeated key takes the later value but keeps the
    # position of its first occurrence ({...{a, b}, a: x} has keys a, b).
    b = convex_project({"convex/schema.ts": schema_ts("""
        const base = { createdAt: v.number(), note: v.string() };
        export default defineSchema({
          t: defineTable({ ...base, createdAt: v.string(), extra: v.null() }),
        });
    """)})
    assert list(b.table("t")["documentType"]["value"]) == ["createdAt", "note", "extra"]
    assert b.field("t", "createdAt") == {"fieldType": S, "optional": False}


def test_repeated_table_key_keeps_first_position(convex_project) -> None:
    # docs/contracts.md §1.1: "If a later key repeats a table name, the new value replaces
    # the old one but keeps the first position, as in a JavaScript object literal."
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({
          a: defineTable({ x: v.string() }),
          b: defineTable({ x: v.string() }),
          a: defineTable({ y: v.string() }),
        });
    """)})
    assert b.table_names() == ["a", "b"]
    assert b.table("a")["documentType"] == obj(y=S)


def test_spread_of_tables_const(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const more = { b: defineTable({ x: v.string() }), c: defineTable({ x: v.string() }) };
        export default defineSchema({ a: defineTable({ x: v.string() }), ...more, d: defineTable({ x: v.string() }) });
    """)})
    no_errors(b)
    assert b.table_names() == ["a", "b", "c", "d"]


def test_auth_tables_spread_and_override_keeps_position(convex_project) -> None:
    # @convex-dev/auth 0.0.95 authTables (api-surface §8); overriding `users` keeps the spread's slot.
    b = convex_project({"convex/schema.ts": schema_ts("""
        import { authTables } from "@convex-dev/auth/server";
        export default defineSchema({
          ...authTables,
          users: defineTable({ name: v.optional(v.string()), email: v.optional(v.string()) }).index("email", ["email"]),
          posts: defineTable({ author: v.id("users") }),
        });
    """)})
    assert b.table_names() == [
        "users",
        "authSessions",
        "authAccounts",
        "authRefreshTokens",
        "authVerificationCodes",
        "authVerifiers",
        "authRateLimits",
        "posts",
    ]
    assert b.table("users")["origin"] is None, "the project's own users table replaced the package's"
    assert b.table("authSessions")["origin"] == "@convex-dev/auth@0.0.95"
    assert b.table("authSessions")["documentType"] == obj(userId={"type": "id", "tableName": "users"}, expirationTime=N)
    assert b.table("authAccounts")["indexes"] == [
        {"type": "index", "name": "userIdAndProvider", "fields": ["userId", "provider"], "staged": False},
        {"type": "index", "name": "providerAndAccountId", "fields": ["provider", "providerAccountId"], "staged": False},
    ]


def test_quoted_keys_for_tables_and_fields(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({
          "quoted": defineTable({ "double": v.string(), 'single': v.number(), plain: v.boolean(), "with-dash": v.null() }),
          'single_table': defineTable({ a: v.string() }),
        });
    """)})
    no_errors(b)
    assert b.table_names() == ["quoted", "single_table"]
    assert list(b.table("quoted")["documentType"]["value"]) == ["double", "single", "plain", "with-dash"]
    assert b.field("quoted", "with-dash") == {"fieldType": {"type": "null"}, "optional": False}


def test_shorthand_properties(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const name = v.string();
        const age = v.optional(v.float64());
        const users = defineTable({ name, age });
        export default defineSchema({ users });
    """)})
    no_errors(b)
    assert b.table_names() == ["users"]
    assert b.table("users")["documentType"] == obj(name=S, age=("opt", N))


def test_tables_and_validators_imported_from_other_modules(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": schema_ts("""
            import { userFields, status } from "./model/users";
            import * as m from "./model/messages";
            export default defineSchema({ users: defineTable({ ...userFields, status }), messages: m.messages });
        """),
        "convex/model/users.ts": 'import { v } from "convex/values";\nexport const userFields = { name: v.string() };\nexport const status = v.union(v.literal("on"), v.literal("off"));\n',
        "convex/model/messages.ts": 'import { defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport const messages = defineTable({ body: v.string() }).index("by_body", ["body"]);\n',
    })
    no_errors(b)
    assert b.table("users")["documentType"] == obj(name=S, status=union(lit("on"), lit("off")))
    assert b.table("messages")["indexes"] == [{"type": "index", "name": "by_body", "fields": ["body"], "staged": False}]


# ================================================================ indexes


def test_indexes_in_any_order_and_number(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({
          t: defineTable({ a: v.string(), b: v.array(v.float64()), c: v.string() })
            .searchIndex("s1", { searchField: "a" })
            .index("i1", ["a", "c"])
            .vectorIndex("v1", { vectorField: "b", dimensions: 3, filterFields: ["a"], staged: true })
            .index("i2", { fields: ["c"], staged: true })
            .searchIndex("s2", { searchField: "c", filterFields: ["a"], staged: false })
            .index("i3", { fields: ["a"] })
            .vectorIndex("v2", { vectorField: "b", dimensions: 4096 }),
          u: defineTable({ a: v.string() }),
        });
    """)})
    no_errors(b)
    assert b.table("t")["indexes"] == [
        {"type": "search", "name": "s1", "searchField": "a", "filterFields": [], "staged": False},
        {"type": "index", "name": "i1", "fields": ["a", "c"], "staged": False},
        {"type": "vector", "name": "v1", "vectorField": "b", "dimensions": 3, "filterFields": ["a"], "staged": True},
        {"type": "index", "name": "i2", "fields": ["c"], "staged": True},
        {"type": "search", "name": "s2", "searchField": "c", "filterFields": ["a"], "staged": False},
        {"type": "index", "name": "i3", "fields": ["a"], "staged": False},
        {"type": "vector", "name": "v2", "vectorField": "b", "dimensions": 4096, "filterFields": [], "staged": False},
    ]
    assert b.table("u")["indexes"] == []


def test_index_third_argument_does_not_stage(convex_project) -> None:
    # api-surface §3: in 1.48 the runtime ignores a 3rd argument, so the index is not staged.
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({ t: defineTable({ a: v.string() }).index("by_a", ["a"], { staged: true }) });
    """)})
    assert b.table("t")["indexes"] == [{"type": "index", "name": "by_a", "fields": ["a"], "staged": False}]


def test_index_fields_from_constants(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const NAME = "by_a";
        const FIELDS = ["a", "b"];
        const DIMS = 1536;
        export default defineSchema({
          t: defineTable({ a: v.string(), b: v.string(), e: v.array(v.number()) })
            .index(NAME, FIELDS)
            .vectorIndex("by_e", { vectorField: "e", dimensions: DIMS }),
        });
    """)})
    no_errors(b)
    assert b.table("t")["indexes"][0] == {"type": "index", "name": "by_a", "fields": ["a", "b"], "staged": False}
    assert b.table("t")["indexes"][1]["dimensions"] == 1536


# ================================================================ validators (Convex export JSON)

VALIDATOR_CASES = [
    # scalars (api-surface §1 table)
    ("v.string()", S),
    ("v.number()", N),
    ("v.float64()", N),
    ("v.int64()", B),
    ("v.bigint()", B),
    ("v.commitTs()", {"type": "commitTs"}),
    ("v.boolean()", {"type": "boolean"}),
    ("v.bytes()", {"type": "bytes"}),
    ("v.null()", {"type": "null"}),
    ("v.any()", {"type": "any"}),
    ('v.id("users")', {"type": "id", "tableName": "users"}),
    ('v.id("_storage")', {"type": "id", "tableName": "_storage"}),
    # literals (convexToJson)
    ('v.literal("sent")', lit("sent")),
    ("v.literal('single')", lit("single")),
    ('v.literal("esc\\"aped\\n\\u00e9")', lit('esc"aped\né')),
    ("v.literal(1.5)", lit(1.5)),
    ("v.literal(3)", lit(3)),
    ("v.literal(-2)", lit(-2)),
    ("v.literal(0x10)", lit(16)),
    ("v.literal(1e3)", lit(1000)),
    ("v.literal(1_000)", lit(1000)),
    ("v.literal(true)", lit(True)),
    ("v.literal(false)", lit(False)),
    ("v.literal(1n)", lit({"$integer": "AQAAAAAAAAA="})),
    ("v.literal(-1n)", lit({"$integer": "//////////8="})),
    ("v.literal(0n)", lit({"$integer": "AAAAAAAAAAA="})),
    ("v.literal(0xffn)", lit({"$integer": "/wAAAAAAAAA="})),
    ("v.literal(2n)", lit({"$integer": "AgAAAAAAAAA="})),
    ("v.literal(-0)", lit({"$float": "AAAAAAAAAIA="})),
    # compound
    ("v.array(v.string())", {"type": "array", "value": S}),
    ("v.array(v.array(v.id(\"t\")))", {"type": "array", "value": {"type": "array", "value": {"type": "id", "tableName": "t"}}}),
    ("v.object({})", {"type": "object", "value": {}}),
    ("v.object({ a: v.string(), b: v.optional(v.number()) })", obj(a=S, b=("opt", N))),
    ("v.object({ a: v.string().optional() })", obj(a=("opt", S))),
    ("v.record(v.string(), v.number())", {"type": "record", "keys": S, "values": {"fieldType": N, "optional": False}}),
    ('v.record(v.id("k"), v.any())', {"type": "record", "keys": {"type": "id", "tableName": "k"}, "values": {"fieldType": {"type": "any"}, "optional": False}}),
    ("v.union(v.string(), v.null())", union(S, {"type": "null"})),
    ("v.union(v.null(), v.string())", union({"type": "null"}, S)),
    ("v.union()", union()),
    ('v.union(v.literal("a"), v.literal("b"), v.literal("c"))', union(lit("a"), lit("b"), lit("c"))),
    ("v.nullable(v.string())", union(S, {"type": "null"})),
    ('v.nullable(v.array(v.id("u")))', union({"type": "array", "value": {"type": "id", "tableName": "u"}}, {"type": "null"})),
]


@pytest.mark.parametrize("expr, expected", VALIDATOR_CASES, ids=[c[0] for c in VALIDATOR_CASES])
def test_validator_json_in_schema(convex_project, expr, expected) -> None:
    b = convex_project({"convex/schema.ts": IMPORTS + f"export default defineSchema({{ t: defineTable({{ f: {expr} }}) }});\n"})
    no_errors(b)
    assert b.field("t", "f") == {"fieldType": expected, "optional": False}
    col = b.column("t", "f")
    assert col["validator"] == expected
    assert col["rawValidator"] == expr


@pytest.mark.parametrize("expr, expected", VALIDATOR_CASES, ids=[c[0] for c in VALIDATOR_CASES])
def test_validator_json_in_function_args_and_returns(convex_project, expr, expected) -> None:
    b = convex_project({"convex/fns.ts": SERVER + f"export const f = query({{ args: {{ a: {expr} }}, returns: {expr}, handler: async () => null }});\n"})
    no_errors(b)
    f = b.function("fns:f")
    assert f["argsValidator"]["validator"] == {"type": "object", "value": {"a": {"fieldType": expected, "optional": False}}}
    assert f["returnsValidator"]["validator"] == expected
    assert f["returnsValidator"]["raw"] == expr


@pytest.mark.parametrize(
    "expr, inner",
    [
        ("v.optional(v.string())", S),
        ("v.string().optional()", S),
        ('v.optional(v.union(v.literal("a"), v.literal("b")))', union(lit("a"), lit("b"))),
        ('v.union(v.literal("a"), v.literal("b")).optional()', union(lit("a"), lit("b"))),
        ("v.optional(v.nullable(v.int64()))", union(B, {"type": "null"})),
        ("v.optional(v.array(v.object({ x: v.optional(v.bytes()) })))", {"type": "array", "value": obj(x=("opt", {"type": "bytes"}))}),
    ],
)
def test_optional_is_only_a_flag_on_the_field_entry(convex_project, expr, inner) -> None:
    # api-surface §1: v.optional(x) / x.optional() produce the same JSON as x; only the
    # enclosing field entry says "optional": true.
    b = convex_project({"convex/schema.ts": IMPORTS + f"export default defineSchema({{ t: defineTable({{ f: {expr} }}) }});\n"})
    no_errors(b)
    assert b.field("t", "f") == {"fieldType": inner, "optional": True}
    assert b.column("t", "f")["optional"] is True


def test_validators_nested_deep(convex_project) -> None:
    expr = """v.optional(v.array(v.object({
        x: v.record(v.id("k"), v.nullable(v.union(v.literal(1n), v.literal("z"), v.literal(-7)))),
        y: v.optional(v.object({ z: v.array(v.union(v.int64(), v.float64(), v.commitTs())).optional() })),
        w: v.union(v.object({ kind: v.literal("a"), n: v.number() }), v.object({ kind: v.literal("b") })),
      })))"""
    b = convex_project({"convex/schema.ts": IMPORTS + f"export default defineSchema({{ t: defineTable({{ deep: {expr} }}) }});\n"})
    no_errors(b)
    expected = {
        "type": "array",
        "value": obj(
            x={
                "type": "record",
                "keys": {"type": "id", "tableName": "k"},
                "values": {
                    "fieldType": union(union(lit({"$integer": "AQAAAAAAAAA="}), lit("z"), lit(-7)), {"type": "null"}),
                    "optional": False,
                },
            },
            y=("opt", obj(z=("opt", {"type": "array", "value": union(B, N, {"type": "commitTs"})}))),
            w=union(obj(kind=lit("a"), n=N), obj(kind=lit("b"))),
        ),
    }
    assert b.field("t", "deep") == {"fieldType": expected, "optional": True}


def test_validators_through_constants_and_validator_properties(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        const role = v.union(v.literal("owner"), v.literal("member"));
        const doc = v.object({ a: v.string(), b: v.number() });
        export default defineSchema({
          t: defineTable({ role, a: doc.fields.a, arr: v.array(role), opt: v.optional(role) }),
        });
    """)})
    no_errors(b)
    r = union(lit("owner"), lit("member"))
    assert b.table("t")["documentType"] == obj(role=r, a=S, arr={"type": "array", "value": r}, opt=("opt", r))
    assert b.column("t", "role")["rawValidator"] == "role"


def test_object_validator_helper_methods(convex_project) -> None:
    # convex 1.48 src/values/validators.ts: pick/omit take variadic keys (pick keeps the
    # order of its arguments), partial() makes every field optional, extend(f) is
    # {...this.fields, ...f}: an overridden key keeps its position, new keys come last.
    b = convex_project({"convex/schema.ts": schema_ts("""
        const base = v.object({ a: v.string(), b: v.number(), c: v.boolean() });
        export default defineSchema({
          ext: defineTable(base.extend({ a: v.int64(), d: v.null() })),
          pick: defineTable(base.pick("c", "a")),
          omit: defineTable(base.omit("b")),
          part: defineTable(base.partial()),
          fields: defineTable({ ...base.fields, z: v.any() }),
        });
    """)})
    no_errors(b)
    boolean = {"type": "boolean"}
    assert b.table("ext")["documentType"] == obj(a=B, b=N, c=boolean, d={"type": "null"})
    assert list(b.table("ext")["documentType"]["value"]) == ["a", "b", "c", "d"]
    assert list(b.table("pick")["documentType"]["value"]) == ["c", "a"]
    assert b.table("omit")["documentType"] == obj(a=S, c=boolean)
    assert b.table("part")["documentType"] == obj(a=("opt", S), b=("opt", N), c=("opt", boolean))
    assert b.table("fields")["documentType"] == obj(a=S, b=N, c=boolean, z={"type": "any"})


@pytest.mark.parametrize(
    "expr, type_, nullable, list_",
    [
        ("v.string()", "string", False, False),
        ("v.float64()", "float64", False, False),
        ("v.number()", "float64", False, False),
        ("v.bigint()", "int64", False, False),
        ("v.commitTs()", "commitTs", False, False),
        ('v.id("users")', "id<users>", False, False),
        ('v.literal("sent")', 'literal<"sent">', False, False),
        ("v.literal(1)", "literal<1>", False, False),
        ("v.literal(-3)", "literal<-3>", False, False),
        ("v.literal(1.5)", "literal<1.5>", False, False),
        ("v.literal(1n)", "literal<1n>", False, False),
        ("v.literal(true)", "literal<true>", False, False),
        ("v.literal(-0)", "literal<-0>", False, False),
        ("v.array(v.string())", "array<string>", False, True),
        ("v.optional(v.array(v.string()))", "array<string>", False, True),
        ("v.nullable(v.array(v.string()))", "union<array<string> | null>", True, False),
        ("v.union(v.null(), v.string())", "union<null | string>", True, False),
        ("v.union(v.null())", "union<null>", False, False),
        ("v.null()", "null", False, False),
        ("v.union()", "union<>", False, False),
        ("v.record(v.string(), v.float64())", "record<string, float64>", False, False),
        ("v.object({ a: v.string() })", "object", False, False),
    ],
)
def test_column_summary_type_nullable_list(convex_project, expr, type_, nullable, list_) -> None:
    # docs/contracts.md §1.3
    b = convex_project({"convex/schema.ts": IMPORTS + f"export default defineSchema({{ t: defineTable({{ f: {expr} }}) }});\n"})
    col = b.column("t", "f")
    assert (col["type"], col["nullable"], col["list"]) == (type_, nullable, list_)


def test_column_nested_summary_nodes(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({ t: defineTable({
          o: v.object({ a: v.optional(v.string()), b: v.array(v.id("u")) }),
          r: v.record(v.string(), v.nullable(v.number())),
        }) });
    """)})
    o = b.column("t", "o")
    assert o["shape"] == [
        {"name": "a", "optional": True, "type": "string", "nullable": False, "list": False},
        {"name": "b", "optional": False, "type": "array<id<u>>", "nullable": False, "list": True,
         "items": {"type": "id<u>", "nullable": False, "list": False}},
    ]
    r = b.column("t", "r")
    assert r["keyType"] == {"type": "string", "nullable": False, "list": False}
    assert r["valueType"] == {
        "type": "union<float64 | null>", "nullable": True, "list": False,
        "options": [{"type": "float64", "nullable": False, "list": False}, {"type": "null", "nullable": False, "list": False}],
    }


def test_system_columns_and_relations(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({ m: defineTable({
          parent: v.optional(v.id("m")),
          tags: v.array(v.id("tags")),
          owner: v.nullable(v.id("users")),
          plain: v.string(),
        }) });
    """)})
    cols = b.table("m")["columns"]
    assert [c["name"] for c in cols] == ["_creationTime", "_id", "parent", "tags", "owner", "plain"]
    assert cols[0]["validator"] == N and cols[0]["type"] == "float64" and cols[0]["primaryKey"] is False
    assert cols[1]["validator"] == {"type": "id", "tableName": "m"} and cols[1]["primaryKey"] is True and cols[1]["unique"] is True
    for c in cols[:2]:
        assert (c["default"], c["constraints"], c["rawValidator"], c["optional"]) == ("system", ["system"], "system", False)
    rel = {r["field"]: (r["to"], r["optional"], r["list"]) for r in b.table("m")["relations"]}
    assert rel == {"parent": ("m", True, False), "tags": ("tags", False, True), "owner": ("users", True, False)}


def test_union_and_any_tables_declared_fields(convex_project) -> None:
    # docs/contracts.md §2.3: a union of objects declares every field of any member
    # (first-seen order; optional unless required in every member; validator = the union of
    # the distinct validators); v.any()/v.record tables declare none.
    b = convex_project({"convex/schema.ts": schema_ts("""
        export default defineSchema({
          u: defineTable(v.union(
            v.object({ kind: v.literal("a"), x: v.number(), shared: v.string() }),
            v.object({ kind: v.literal("b"), shared: v.string(), y: v.optional(v.id("u")) }),
          )),
          a: defineTable(v.any()),
        });
    """)})
    no_errors(b)
    u = b.table("u")
    assert u["documentType"] == union(obj(kind=lit("a"), x=N, shared=S), obj(kind=lit("b"), shared=S, y=("opt", {"type": "id", "tableName": "u"})))
    cols = {c["name"]: c for c in u["columns"]}
    assert list(cols) == ["_creationTime", "_id", "kind", "x", "shared", "y"]
    assert (cols["kind"]["validator"], cols["kind"]["optional"]) == (union(lit("a"), lit("b")), False)
    assert cols["kind"]["rawValidator"] == 'v.literal("a") | v.literal("b")'
    assert (cols["x"]["validator"], cols["x"]["optional"]) == (N, True)
    assert (cols["shared"]["validator"], cols["shared"]["optional"]) == (S, False)
    assert (cols["y"]["validator"], cols["y"]["optional"]) == ({"type": "id", "tableName": "u"}, True)
    assert [(r["field"], r["to"], r["optional"]) for r in u["relations"]] == [("y", "u", True)]
    a = b.table("a")
    assert a["documentType"] == {"type": "any"}
    assert [c["name"] for c in a["columns"]] == ["_creationTime", "_id"]
    assert schema_errors("db-schema.schema.json", b.db) == []


# ================================================================ function modules


@pytest.mark.parametrize(
    "builder, kind, visibility",
    [
        ("query", "query", "public"),
        ("mutation", "mutation", "public"),
        ("action", "action", "public"),
        ("internalQuery", "query", "internal"),
        ("internalMutation", "mutation", "internal"),
        ("internalAction", "action", "internal"),
    ],
)
def test_convex_builders_from_generated_server(convex_project, builder, kind, visibility) -> None:
    b = convex_project({"convex/fns.ts": SERVER + f"export const f = {builder}({{ args: {{}}, handler: async (ctx) => null }});\n"})
    no_errors(b)
    f = b.function("fns:f")
    assert (f["kind"], f["visibility"], f["constructor"], f["constructorChain"]) == (kind, visibility, builder, [builder])
    assert f["resolvedConstructor"] is None, "written directly: constructor already is the Convex builder"
    assert f["exportName"] == "f" and f["modulePath"] == "fns" and f["file"] == "convex/fns.ts"
    assert f["argsValidator"]["validator"] == {"type": "object", "value": {}}
    assert f["auth"] == {"kind": "internal-only" if visibility == "internal" else "not-detected"}
    assert schema_errors("functions.schema.json", b.functions) == []


def test_http_action(convex_project) -> None:
    b = convex_project({"convex/http.ts": server_ts("""
        import { httpRouter } from "convex/server";
        export const hook = httpAction(async (ctx, request) => new Response("ok"));
        const http = httpRouter();
        http.route({ path: "/hook", method: "POST", handler: hook });
        export default http;
    """)})
    no_errors(b)
    assert b.function_ids() == ["http:hook"], "the router default export is not a function"
    f = b.function("http:hook")
    assert f["kind"] == "httpAction" and f["argsValidator"] is None and f["returnsValidator"] is None


@pytest.mark.parametrize(
    "path, specifier, module_path",
    [
        ("convex/a.ts", "./_generated/server", "a"),
        ("convex/a.ts", "./_generated/server.js", "a"),
        ("convex/dir/b.ts", "../_generated/server", "dir/b"),
        ("convex/dir/sub/c.ts", "../../_generated/server", "dir/sub/c"),
    ],
)
def test_generated_server_specifiers(convex_project, path, specifier, module_path) -> None:
    b = convex_project({path: f'import {{ mutation }} from "{specifier}";\nexport const m = mutation({{ handler: async () => 1 }});\n'})
    no_errors(b)
    f = b.function(f"{module_path}:m")
    assert (f["kind"], f["modulePath"], f["file"]) == ("mutation", module_path, path)


@pytest.mark.parametrize(
    "generic, kind, visibility, resolved",
    [
        ("queryGeneric", "query", "public", "query"),
        ("mutationGeneric", "mutation", "public", "mutation"),
        ("actionGeneric", "action", "public", "action"),
        ("internalQueryGeneric", "query", "internal", "internalQuery"),
        ("internalMutationGeneric", "mutation", "internal", "internalMutation"),
        ("internalActionGeneric", "action", "internal", "internalAction"),
        ("httpActionGeneric", "httpAction", "public", "httpAction"),
    ],
)
def test_generic_builders_from_convex_server(convex_project, generic, kind, visibility, resolved) -> None:
    defn = "async () => new Response()" if kind == "httpAction" else "{ handler: async () => 1 }"
    b = convex_project({"convex/g.ts": f'import {{ {generic} }} from "convex/server";\nexport const f = {generic}({defn});\n'})
    no_errors(b)
    f = b.function("g:f")
    assert (f["kind"], f["constructor"], f["resolvedConstructor"], f["constructorChain"]) == (kind, generic, resolved, [generic])
    if kind != "httpAction":
        assert f["visibility"] == visibility


def test_import_alias_of_builder(convex_project) -> None:
    b = convex_project({"convex/a.ts": 'import { query as q } from "./_generated/server";\nexport const f = q({ handler: async () => 1 });\n'})
    no_errors(b)
    f = b.function("a:f")
    assert (f["kind"], f["visibility"], f["constructor"], f["resolvedConstructor"]) == ("query", "public", "q", "query")
    assert f["constructorChain"] == ["q", "query"]


def test_alias_chain_of_builder(convex_project) -> None:
    b = convex_project({"convex/a.ts": """
        import { internalMutation as im } from "./_generated/server";
        const a = im;
        const b = a;
        export const f = b({ handler: async () => 1 });
    """})
    no_errors(b)
    f = b.function("a:f")
    assert (f["kind"], f["visibility"], f["constructor"], f["resolvedConstructor"]) == ("mutation", "internal", "b", "internalMutation")
    assert f["constructorChain"] == ["b", "a", "im", "internalMutation"]


def test_builder_reexported_from_a_helper_module(convex_project) -> None:
    b = convex_project({
        "convex/lib/builders.ts": 'import { query } from "../_generated/server";\nexport const publicQuery = query;\n',
        "convex/a.ts": 'import { publicQuery } from "./lib/builders";\nexport const f = publicQuery({ handler: async () => 1 });\n',
    })
    no_errors(b)
    assert b.function_ids() == ["a:f"], "convex/lib/builders.ts registers nothing itself"
    f = b.function("a:f")
    assert (f["kind"], f["constructor"], f["resolvedConstructor"]) == ("query", "publicQuery", "query")


def test_non_convex_exports_are_not_functions(convex_project) -> None:
    b = convex_project({"convex/reactions.ts": server_ts("""
        function createQueryOptions(options: { keys: string[] }) { return options; }
        export const queryOptions = createQueryOptions({ keys: ["a"] });
        export const reactionArgs = { messageId: v.id("messages") };
        export const LIMIT = 10;
        export function helper(ctx: any) { return ctx; }
        export const arrow = async (ctx: any) => ctx;
        export const forMessage = query({ args: { messageId: reactionArgs.messageId }, handler: async () => [] });
    """)})
    assert b.function_ids() == ["reactions:forMessage"]
    assert b.function("reactions:forMessage")["argsValidator"]["validator"] == obj(messageId={"type": "id", "tableName": "messages"})


def test_default_export_registration(convex_project) -> None:
    b = convex_project({"convex/mod.ts": SERVER + "export default mutation({ args: { n: v.number() }, handler: async () => null });\n"})
    no_errors(b)
    f = b.function("mod:default")
    assert (f["exportName"], f["kind"], f["modulePath"]) == ("default", "mutation", "mod")
    assert f["argsValidator"]["validator"] == obj(n=N)


def test_named_export_list_registrations(convex_project) -> None:
    b = convex_project({"convex/mod.ts": server_ts("""
        const a = query({ handler: async () => 1 });
        const b = query({ handler: async () => 2 });
        export { a, b as renamed };
    """)})
    assert sorted(b.function_ids()) == ["mod:a", "mod:renamed"]
    no_errors(b)


def test_bare_function_form_has_no_validators(convex_project) -> None:
    # api-surface §4: a bare function registers with no args → exportArgs() is {"type":"any"},
    # which the contract records as argsValidator null; no returns → null.
    b = convex_project({"convex/bare.ts": server_ts("""
        export const q = query(async (ctx) => { return await ctx.db.query("t").collect(); });
        export const m = mutation(async function (ctx, args) { await ctx.db.insert("t", {}); });
    """)})
    no_errors(b)
    q = b.function("bare:q")
    assert q["argsValidator"] is None and q["returnsValidator"] is None
    assert q["tablesRead"] == ["t"] and q["uses"]["dbRead"] is True
    m = b.function("bare:m")
    assert m["argsValidator"] is None and m["tablesWritten"] == ["t"]


def test_object_without_args_has_null_args_validator(convex_project) -> None:
    b = convex_project({"convex/a.ts": SERVER + "export const f = query({ handler: async () => 1 });\n"})
    assert b.function("a:f")["argsValidator"] is None


def test_args_forms(convex_project) -> None:
    b = convex_project({"convex/a.ts": server_ts("""
        const shared = { id: v.id("t"), n: v.optional(v.number()) };
        export const map = query({ args: { a: v.string(), b: v.optional(v.array(v.int64())) }, handler: async () => 1 });
        export const empty = query({ args: {}, handler: async () => 1 });
        export const viaConst = query({ args: shared, handler: async () => 1 });
        export const viaObject = query({ args: v.object({ a: v.string() }), handler: async () => 1 });
        export const ret = query({ args: {}, returns: { ok: v.boolean() }, handler: async () => ({ ok: true }) });
    """)})
    no_errors(b)
    m = b.function("a:map")["argsValidator"]
    assert m["raw"] == "{ a: v.string(), b: v.optional(v.array(v.int64())) }"
    assert m["validator"] == obj(a=S, b=("opt", {"type": "array", "value": B}))
    assert (m["type"], m["nullable"], m["list"]) == ("object", False, False)
    assert m["fields"] == [
        {"name": "a", "type": "string", "optional": False, "nullable": False, "list": False, "rawValidator": "v.string()", "validator": S},
        {"name": "b", "type": "array<int64>", "optional": True, "nullable": False, "list": True,
         "rawValidator": "v.optional(v.array(v.int64()))", "validator": {"type": "array", "value": B},
         "items": {"type": "int64", "nullable": False, "list": False}},
    ]
    assert b.function("a:empty")["argsValidator"]["validator"] == {"type": "object", "value": {}}
    vc = b.function("a:viaConst")["argsValidator"]
    assert vc["validator"] == obj(id={"type": "id", "tableName": "t"}, n=("opt", N))
    assert vc["raw"] == "shared"
    vo = b.function("a:viaObject")["argsValidator"]
    assert vo["validator"] == obj(a=S)
    assert vo["raw"] == "v.object({ a: v.string() })"
    assert vo["type"] == "object"
    # a returns fields map is wrapped in v.object (exportReturns)
    r = b.function("a:ret")["returnsValidator"]
    assert r["validator"] == obj(ok={"type": "boolean"})
    assert schema_errors("functions.schema.json", b.functions) == []


def test_pagination_opts_validator(convex_project) -> None:
    # api-surface §1: paginationOptsValidator fields numItems, cursor (string|null), optional
    # endCursor, id, maximumRowsRead, maximumBytesRead.
    b = convex_project({"convex/a.ts": server_ts("""
        import { paginationOptsValidator } from "convex/server";
        export const page = query({ args: { paginationOpts: paginationOptsValidator }, handler: async () => 1 });
    """)})
    no_errors(b)
    sn = union(S, {"type": "null"})
    assert b.function("a:page")["argsValidator"]["validator"] == obj(
        paginationOpts=obj(numItems=N, cursor=sn, endCursor=("opt", sn), id=("opt", N), maximumRowsRead=("opt", N), maximumBytesRead=("opt", N))
    )


@pytest.mark.parametrize(
    "head, runtime",
    [
        ('"use node";\n', "node"),
        ("'use node';\n", "node"),
        ('"use node"\n', "node"),
        ('// comment first\n/* and a block */\n"use node";\n', "node"),
        ("", "convex"),
        ('// "use node";\n', "convex"),
        ('"use strict";\n', "convex"),
        ('"use strict";\n"use node";\n', "node"),  # both are directives of the prologue
    ],
)
def test_use_node_directive(convex_project, head, runtime) -> None:
    b = convex_project({"convex/n.ts": head + 'import { action } from "./_generated/server";\nexport const a = action({ handler: async () => 1 });\n'})
    assert b.function("n:a")["runtime"] == runtime


def test_use_node_after_imports_is_not_a_directive_and_does_not_break_the_module(convex_project) -> None:
    # A directive must be in the prologue; after an import it is an ordinary expression
    # statement (runtime stays convex) and the surrounding statements still parse.
    b = convex_project({"convex/n.ts": 'import { action } from "./_generated/server";\n"use node";\nexport const a = action({ handler: async () => 1 });\n'})
    assert b.function_ids() == ["n:a"]
    assert b.function("n:a")["runtime"] == "convex"


# ================================================================ tolerated TypeScript


def test_type_annotations_generics_as_satisfies_non_null(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": schema_ts("""
            import type { Validator } from "convex/values";
            type Row = { a: string; b?: number };
            interface Options<T extends object = {}> { readonly x: T[]; y?: Array<Record<string, T>> }
            const fields: Record<string, Validator<any, any, any>> = {
              a: v.string() as Validator<string>,
              b: v.optional(v.number())!,
              c: (v.array<any>(v.string()) satisfies unknown),
              d: v.boolean() as unknown as Validator<boolean>,
            } as const satisfies Record<string, unknown>;
            const cache = new Map<string, Array<{ k: number }>>();
            export default defineSchema({ t: defineTable(fields)! } satisfies Record<string, unknown>);
        """),
        "convex/fns.ts": server_ts("""
            import type { Doc, Id } from "./_generated/dataModel";
            export const get = query({
              args: { id: v.id("t") as any },
              returns: v.union(v.null(), v.object({ a: v.string() })) as any,
              handler: async (ctx, { id }: { id: Id<"t"> }): Promise<Doc<"t"> | null> => {
                return (await ctx.db.get("t", id))!;
              },
            } satisfies Record<string, unknown>);
            export const typed: ReturnType<typeof query> = query({ handler: async () => 1 });
        """),
    })
    no_errors(b)
    assert b.table("t")["documentType"] == obj(a=S, b=("opt", N), c={"type": "array", "value": S}, d={"type": "boolean"})
    f = b.function("fns:get")
    assert f["argsValidator"]["validator"] == obj(id={"type": "id", "tableName": "t"})
    assert f["returnsValidator"]["validator"] == union({"type": "null"}, obj(a=S))
    assert f["tablesRead"] == ["t"]
    assert "fns:typed" in b.function_ids()


def test_generic_arrow_and_function_declarations(convex_project) -> None:
    b = convex_project({"convex/fns.ts": server_ts("""
        function identity<T>(x: T): T { return x; }
        export function pick<T extends object, K extends keyof T>(o: T, k: K): T[K] { return o[k]; }
        export const wrap = <T,>(x: T): T[] => [x];
        export const wrap2 = <T extends unknown>(x: T) => x;
        export const f = query({ args: { a: v.string() }, handler: async () => identity(1) });
    """)})
    no_errors(b)
    assert b.function_ids() == ["fns:f"]


def test_template_literals_with_nested_substitutions(convex_project) -> None:
    b = convex_project({"convex/fns.ts": server_ts("""
        const PREFIX = `pre-${`nested-${1 + 2}`}-{`;
        export const f = query({
          args: { a: v.string() },
          handler: async (ctx, args) => {
            const s = `Invalid ${JSON.stringify(args.a)}${args.a.length > 80 ? ` (${args.a.length} > ${80})` : ""} }`;
            return await ctx.db.query("t").collect();
          },
        });
        export const g = query({ args: { b: v.literal(`plain`) }, handler: async () => `x${"}"}` });
    """)})
    no_errors(b)
    assert b.function("fns:f")["argsValidator"]["validator"] == obj(a=S)
    assert b.function("fns:f")["tablesRead"] == ["t"]
    assert b.function("fns:g")["argsValidator"]["validator"] == obj(b=lit("plain"))


def test_regex_literals(convex_project) -> None:
    b = convex_project({"convex/fns.ts": server_ts("""
        const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,79}$/;
        const FORBIDDEN = /[<>"'`]|\\/\\*/;
        const SLASHES = /[/*]/g;
        const half = 10 / 2 / 5;
        export const f = mutation({
          args: { name: v.string() },
          handler: async (ctx, args) => {
            if (!CHANNEL_NAME.test(args.name) || /[{(]/.test(args.name)) throw new Error("bad");
            await ctx.db.insert("channels", { name: args.name });
          },
        });
    """)})
    no_errors(b)
    f = b.function("fns:f")
    assert f["argsValidator"]["validator"] == obj(name=S)
    assert f["tablesWritten"] == ["channels"]


def test_comments_anywhere(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        // a line comment with "quotes", 'single', `ticks`, commas, { and [ and (
        export default defineSchema(
          /* leading, block { */ {
            users: defineTable({
              // `tokenIdentifier` comes from ctx.auth.getUserIdentity(), see {docs}
              tokenIdentifier: v.string(), // trailing, "quoted" ] comment
              /* between entries: a, b, "c" } */
              name: v.string(/* inside a call ( */),
              email: v.optional( // after paren
                v.string(),
              ),
            }) // before a method call .index("fake", ["x"])
              .index("by_token", ["tokenIdentifier"] /* , "nope" */),
            // Note: "channels" is not `rooms`, {sic}; it keeps [a, b] => ({ c }) here, ok?
            channels: defineTable({ name: v.string() }),
          },
          { schemaValidation: true }, // options
        );
    """)})
    no_errors(b)
    assert b.table_names() == ["users", "channels"]
    assert b.table("users")["documentType"] == obj(tokenIdentifier=S, name=S, email=("opt", S))
    assert b.table("users")["indexes"] == [{"type": "index", "name": "by_token", "fields": ["tokenIdentifier"], "staged": False}]
    assert b.column("users", "name")["rawValidator"] == "v.string()", "comments are removed from rawValidator"
    assert b.column("users", "email")["rawValidator"].replace(" ", "").startswith("v.optional(v.string()")


def test_jsx_in_tsx_module(convex_project) -> None:
    b = convex_project({"convex/view.tsx": server_ts("""
        export function View({ items }: { items: string[] }) {
          return (
            <ul className="list {braces}">
              {items.map((i) => <li key={i}>{i} {"}"}</li>)}
              <>fragment's text</>
            </ul>
          );
        }
        export const el = <img src="/x.png" alt='}' />;
        export const ok = query({ args: { a: v.string() }, handler: async (ctx) => { await ctx.db.query("items").collect(); return <b>hi</b>; } });
    """)})
    no_errors(b)
    assert b.function_ids() == ["view:ok"]
    assert b.function("view:ok")["argsValidator"]["validator"] == obj(a=S)
    assert b.function("view:ok")["tablesRead"] == ["items"]


def test_classes(convex_project) -> None:
    b = convex_project({"convex/cls.ts": server_ts("""
        export class Repo<T> extends Base implements IRepo {
          private readonly table = "t";
          static create() { return new Repo(); }
          async find(ctx: any, id: string): Promise<T | null> { return ctx.db.get(this.table, id); }
        }
        abstract class Base { protected x: number = 1; }
        export const f = query({ args: { id: v.string() }, handler: async (ctx, args) => new Repo().find(ctx, args.id) });
    """)})
    no_errors(b)
    assert b.function_ids() == ["cls:f"]
    assert b.function("cls:f")["argsValidator"]["validator"] == obj(id=S)


@pytest.mark.parametrize(
    "handler",
    [
        "async (ctx) => { await ctx.db.query(\"t\").collect(); }",
        "async ctx => { await ctx.db.query(\"t\").collect(); }",
        "async (ctx, { a, b: renamed }) => { await ctx.db.query(\"t\").collect(); }",
        "async (ctx, args): Promise<void> => { await ctx.db.query(\"t\").collect(); }",
        "async (ctx) => await ctx.db.query(\"t\").collect()",
        "async function (ctx) { await ctx.db.query(\"t\").collect(); }",
        "async function named(ctx: QueryCtx) { await ctx.db.query(\"t\").collect(); }",
        "async (ctx, { limit = 10 }) => { await ctx.db.query(\"t\").take(limit); }",
        "async (ctx, limit = 10) => { await ctx.db.query(\"t\").take(limit); }",
        "async (ctx, ...rest: unknown[]) => { await ctx.db.query(\"t\").collect(); }",
        # Return types ending in object types: the body is the brace after the type.
        "async (ctx, args): Promise<void> & { cancel?: () => void } => { await ctx.db.query(\"t\").collect(); }",
        "async (ctx): Promise<void> | { pending: true } => { await ctx.db.query(\"t\").collect(); }",
        "async (ctx): Promise<void> | { a: 1 } | { b: { c: 2 } } => await ctx.db.query(\"t\").collect()",
        "async <T,>(ctx): Promise<T> & { a: 1 } => { await ctx.db.query(\"t\").collect(); }",
        "async function (ctx): Promise<void> & { a: 1 } { await ctx.db.query(\"t\").collect(); }",
        "async (ctx): Promise<A extends B ? { a: 1 } : { b: 2 }> => { await ctx.db.query(\"t\").collect(); }",
        "async (ctx): A extends B ? { a: 1 } : { b: 2 } => { await ctx.db.query(\"t\").collect(); }",
    ],
)
def test_arrow_and_function_handlers_async_await(convex_project, handler) -> None:
    b = convex_project({"convex/h.ts": SERVER + f"export const f = query({{ args: {{ a: v.string() }}, handler: {handler} }});\n"})
    no_errors(b)
    f = b.function("h:f")
    assert f["argsValidator"]["validator"] == obj(a=S)
    assert f["tablesRead"] == ["t"] and f["uses"]["dbRead"] is True


def test_method_handler(convex_project) -> None:
    b = convex_project({"convex/h.ts": server_ts("""
        export const f = mutation({
          args: { a: v.string() },
          async handler(ctx, args) { await ctx.db.insert("t", { a: args.a }); },
        });
    """)})
    no_errors(b)
    assert b.function("h:f")["tablesWritten"] == ["t"]


@pytest.mark.parametrize(
    "head",
    [
        "async handler(ctx, args): Promise<void> & { audit?: { what: string } }",
        "async handler(ctx, args): Promise<void> | { a: 1 }",
        "async handler<T>(ctx, args: T): Promise<void> & { a: T }",
        "handler(ctx, args): void & { a: 1 }",
    ],
)
def test_method_handler_with_object_type_in_return_type(convex_project, head) -> None:
    b = convex_project({"convex/h.ts": server_ts(f"""
        export const f = mutation({{
          args: {{ a: v.string() }},
          {head} {{ await ctx.db.insert("t", {{ a: args.a }}); }},
        }});
    """)})
    no_errors(b)
    assert b.function("h:f")["argsValidator"]["validator"] == obj(a=S)
    assert b.function("h:f")["tablesWritten"] == ["t"]


def test_statements_with_object_types_in_return_types_are_read(convex_project) -> None:
    """An annotation such as `): A & { id: string } {` used to end the return type at the
    object type and make the whole statement unreadable (CSX100)."""
    b = convex_project({
        "convex/schema.ts": schema_ts("""
            import type { Validator } from "convex/values";
            type F = Record<string, Validator<any, any, any>>;
            const withOwner = <T extends F>(fields: T): T & { owner: Validator<string> } => ({ ...fields, owner: v.string() });
            function audited<T extends F>(fields: T): T & { by: Validator<string> } {
              return { ...fields, by: v.string() };
            }
            const guard = (x: unknown): x is { a: string } & object => true;
            export default defineSchema({
              notes: defineTable(withOwner({ body: v.string() })),
              audits: defineTable(audited({ what: v.number() })),
            });
        """),
        "convex/fns.ts": server_ts("""
            const shapes = {
              fields: { name: v.string() },
              tag<T extends object>(x: T): T & { tagged: true } { return { ...x, tagged: true }; },
              async load(id: string): Promise<null> | { id: string } { return null; },
              get size(): { n: number } & object { return { n: 1 }; },
              set size(value: { n: number }) {},
            };
            export const { one, two } = {
              one: query({ args: shapes.fields, handler: (ctx): { a: 1 } | { b: 2 } => ({ a: 1 }) }),
              two: mutation({ args: {}, handler: (ctx): (() => { a: 1 }) | null => null }),
            };
        """),
    })
    no_errors(b)
    assert b.table("notes")["documentType"] == obj(body=S, owner=S)
    assert b.table("audits")["documentType"] == obj(what=N, by=S)
    assert b.function_ids() == ["fns:one", "fns:two"]
    assert b.function("fns:one")["argsValidator"]["validator"] == obj(name=S)


def test_object_accessors_are_values_not_understood(convex_project) -> None:
    """`get`/`set` accessors parse; reading one is not understood (never a function or an
    invented validator), and `get`/`set` stay usable as names."""
    b = convex_project({"convex/fns.ts": server_ts("""
        const get = (x: string) => x;
        const set = { get: v.string(), set: v.number() };
        const shapes = { get name() { return v.string(); }, get, set };
        export const f = query({ args: { a: shapes.name }, handler: async () => null });
        export const g = query({ args: { a: set.get, b: set.set }, handler: async () => null });
    """)})
    assert b.function("fns:g")["argsValidator"]["validator"] == obj(a=S, b=N)
    assert "CSX100" not in b.codes()
    assert [(d["code"], d["line"]) for d in b.diagnostics if "getter" in d["message"]] == [("CSX200", 6)], b.diagnostics
    assert b.function("fns:f")["argsValidator"]["validator"] == obj(a={"type": "any"})


def test_top_level_expression_statements_do_not_break_neighbours(convex_project) -> None:
    b = convex_project({"convex/iife.ts": server_ts("""
        export const before = query({ args: { a: v.string() }, handler: async () => 1 });
        (async () => { await Promise.resolve(); })();
        [1, 2].forEach((x) => x);
        export const after = query({ args: { b: v.number() }, handler: async () => 2 });
    """)})
    assert (b.function("iife:before")["argsValidator"] or {}).get("validator") == obj(a=S)
    assert (b.function("iife:after")["argsValidator"] or {}).get("validator") == obj(b=N)
    no_errors(b)


# ================================================================ diagnostics for what the grammar cannot place


def test_syntax_error_is_a_diagnostic_with_position_and_the_rest_is_read(convex_project) -> None:
    src = SERVER + (
        "export const first = query({ args: { a: v.string() }, handler: async () => 1 });\n"
        "export const broken = compute(1 + );\n"
        "export const last = mutation({ args: { b: v.number() }, handler: async () => 2 });\n"
    )
    b = convex_project({
        "convex/bad.ts": src,
        "convex/good.ts": SERVER + "export const ok = query({ handler: async () => 1 });\n",
        "convex/schema.ts": IMPORTS + "export default defineSchema({ t: defineTable({ a: v.string() }) });\n",
    })
    assert b.function("bad:first")["argsValidator"]["validator"] == obj(a=S)
    assert b.function("bad:last")["argsValidator"]["validator"] == obj(b=N)
    assert "good:ok" in b.function_ids()
    assert b.table_names() == ["t"]
    diags = b.functions["diagnostics"]
    assert len(diags) == 1, diags
    d = diags[0]
    line = 4  # two import lines, then `first`, then `broken`
    col = src.splitlines()[line - 1].index(")") + 1  # the token the grammar could not place
    assert (d["file"], d["line"], d["column"], d["code"]) == ("convex/bad.ts", line, col, "CSX100")
    assert d["severity"] in ("warning", "error") and d["message"]
    assert b.db["diagnostics"] == [], "a function-module problem is not a schema diagnostic"


def test_unparsable_schema_table_is_reported_and_other_tables_kept(convex_project) -> None:
    src = IMPORTS + (
        "const broken = defineTable({ a: v.string() ]);\n"
        "export default defineSchema({\n"
        "  ok: defineTable({ a: v.string() }),\n"
        "});\n"
    )
    b = convex_project({"convex/schema.ts": src})
    assert b.table_names() == ["ok"]
    d = b.db["diagnostics"]
    assert [(x["file"], x["line"], x["code"]) for x in d] == [("convex/schema.ts", 3, "CSX100")]
    assert d[0]["column"] == src.splitlines()[2].index("]") + 1


def test_lexical_error_is_a_diagnostic_with_position(convex_project) -> None:
    src = SERVER + "export const ok = query({ handler: async () => 1 });\nconst s = \"unterminated;\n"
    b = convex_project({"convex/lex.ts": src})
    assert "lex:ok" in b.function_ids()
    d = [x for x in b.functions["diagnostics"] if x["code"] == "CSX001"]
    assert len(d) == 1
    assert (d[0]["file"], d[0]["line"], d[0]["column"]) == ("convex/lex.ts", 4, 11)


def test_unresolved_validator_is_a_diagnostic_and_recorded_as_any(convex_project) -> None:
    b = convex_project({"convex/schema.ts": schema_ts("""
        import { mystery } from "some-unknown-package";
        export default defineSchema({ t: defineTable({ ok: v.string(), odd: mystery() }) });
    """)})
    assert b.field("t", "ok") == {"fieldType": S, "optional": False}
    assert b.field("t", "odd") == {"fieldType": {"type": "any"}, "optional": False}
    (d,) = b.db["diagnostics"]
    assert (d["file"], d["line"]) == ("convex/schema.ts", 4)
    assert d["column"] == 1 + "export default defineSchema({ t: defineTable({ ok: v.string(), odd: ".__len__()


def test_diagnostics_are_sorted_and_split_by_contract(convex_project) -> None:
    # docs/contracts.md §1.1: diagnostics sorted by (file, line, column, code, message);
    # schema-module problems go to the DB contract, function-module problems to the other.
    b = convex_project({
        "convex/schema.ts": schema_ts("""
            const bad1 = defineTable({ a: v.string() ]);
            export default defineSchema({ t: defineTable({ a: v.string() }) });
            const bad2 = (1 + ;
        """),
        "convex/b.ts": server_ts("""
            export const x = f(1 + );
            export const ok = query({ handler: async () => 1 });
            const y = [;
        """),
        "convex/a.ts": server_ts("""
            const z = (;
        """),
    })
    key = lambda d: (d["file"], d["line"], d["column"], d["code"], d["message"])  # noqa: E731
    for contract in (b.db, b.functions):
        assert contract["diagnostics"] == sorted(contract["diagnostics"], key=key)
    assert {d["file"] for d in b.db["diagnostics"]} == {"convex/schema.ts"}
    assert [d["file"] for d in b.functions["diagnostics"]] == ["convex/a.ts", "convex/b.ts", "convex/b.ts"]
    assert [d["line"] for d in b.db["diagnostics"]] == [3, 5]
    assert b.table_names() == ["t"] and "b:ok" in b.function_ids()


def test_functions_sorted_by_function_id_code_points(convex_project) -> None:
    reg = 'import {{ query }} from "{up}_generated/server";\nexport const {name} = query({{ handler: async () => 1 }});\n'
    b = convex_project({
        "convex/alpha.ts": reg.format(up="./", name="b"),
        "convex/Zeta.ts": reg.format(up="./", name="f"),
        "convex/_under.ts": reg.format(up="./", name="f"),
        "convex/dir.ts": reg.format(up="./", name="f"),
        "convex/dir/mod.ts": reg.format(up="../", name="f"),
        "convex/alpha2.ts": reg.format(up="./", name="A"),
    })
    ids = b.function_ids()
    assert ids == ["Zeta:f", "_under:f", "alpha2:A", "alpha:b", "dir/mod:f", "dir:f"]
    assert ids == sorted(ids)


def test_kitchen_sink_contracts_match_json_schemas(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": schema_ts("""
            export default defineSchema({
              a: defineTable({ s: v.string(), n: v.optional(v.nullable(v.id("b"))), l: v.array(v.literal(-0)), r: v.record(v.string(), v.bigint()) })
                .index("by_s", ["s"]).searchIndex("search_s", { searchField: "s" }),
              b: defineTable(v.union(v.object({ k: v.literal("x"), x: v.number() }), v.object({ k: v.literal("y") }))),
              c: defineTable(v.any()),
            }, { schemaValidation: false });
        """),
        "convex/fns.ts": server_ts("""
            export const q = query({ args: { a: v.optional(v.string()) }, returns: v.nullable(v.array(v.id("a"))), handler: async () => null });
            export const h = httpAction(async () => new Response());
            export default internalAction(async () => null);
        """),
    })
    assert schema_errors("db-schema.schema.json", b.db) == []
    assert schema_errors("functions.schema.json", b.functions) == []
