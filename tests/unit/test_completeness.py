"""Never a wrong value, never a silent loss (issue 9 §4): unknown parts make their whole
validator v.any(), diagnostics reach every contract they affect, and exports Convex could
register but the contract cannot list are named by CSX250."""

from __future__ import annotations

SCHEMA = '''
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { KINDS, extra } from "unknown-pkg";
import { literals } from "convex-helpers/validators";
export const kind = v.union(v.literal("a"), ...KINDS.map((k: string) => v.literal(k)));
export const lit = literals("x", ...KINDS);
export default defineSchema({
  items: defineTable({ kind, lit, name: v.string() }).index("by_name", ["name"]),
  other: defineTable({ ...extra, a: v.string() }).index("by_a", ["a"]),
});
'''

FNS = '''
import { query } from "./_generated/server";
import { makeThing, wrap } from "unknown-lib";
import { v } from "convex/values";
import { kind } from "./schema";
export const byKind = query({ args: { kind, n: v.number() }, handler: async () => [] });
export const x = makeThing({ args: {}, handler: async (ctx) => 1 });
export const y = wrap(async (ctx, args) => 2);
export const { a, b } = makeThing({});
export const notAFunction = makeThing(3);
export const plain = { handler: 1 };
'''


def _codes_at(built, contract: dict, code: str) -> list[str]:
    return [d["message"] for d in contract["diagnostics"] if d["code"] == code]


def test_unknown_spread_makes_the_whole_union_any(convex_project):
    b = convex_project({"convex/schema.ts": SCHEMA})
    assert b.field("items", "kind")["fieldType"] == {"type": "any"}
    assert b.field("items", "lit")["fieldType"] == {"type": "any"}
    msgs = _codes_at(b, b.db, "CSX200")
    assert any("v.union(...spread)" in m and "recorded as v.any()" in m for m in msgs), msgs
    assert any("literals()" in m for m in msgs), msgs


def test_unknown_fields_spread_makes_the_document_any_and_keeps_the_table(convex_project):
    b = convex_project({"convex/schema.ts": SCHEMA})
    other = b.table("other")
    assert other["documentType"] == {"type": "any"}
    assert [ix["name"] for ix in other["indexes"]] == ["by_a"]
    assert any("the object is recorded as v.any()" in m for m in _codes_at(b, b.db, "CSX201"))


def test_schema_level_diagnostic_reaches_the_function_contract(convex_project):
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/fns.ts": FNS})
    fn = b.function("fns:byKind")
    assert fn["argsValidator"]["validator"]["value"]["kind"]["fieldType"] == {"type": "any"}
    union_diag = [d for d in b.functions["diagnostics"] if d["code"] == "CSX200" and "v.union" in d["message"]]
    assert union_diag and union_diag[0]["file"] == "convex/schema.ts"
    assert union_diag[0] in b.db["diagnostics"]


def test_exports_shaped_like_registrations_are_named(convex_project):
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/fns.ts": FNS, "convex/re.ts": 'export { x as reX } from "./fns";\nexport * from "some-pkg/convex";\nexport { other } from "other-pkg";\n'})
    msgs = _codes_at(b, b.functions, "CSX250")
    for fid, why in [("fns:x", "a call with a `handler`"), ("fns:y", "a function of `ctx`"), ("fns:a", "destructured"), ("fns:b", "destructured"), ("re:reX", "a call with a `handler`"), ("re:other", "re-exported from package `other-pkg`")]:
        assert any(m.startswith(fid + " ") and why in m for m in msgs), (fid, msgs)
    assert any('`export * from "some-pkg/convex"`' in m for m in msgs), msgs
    assert not any(m.startswith(("fns:notAFunction", "fns:plain", "fns:byKind")) for m in msgs), msgs
    d = next(d for d in b.functions["diagnostics"] if d["message"].startswith("fns:x "))
    assert (d["file"], d["line"], d["column"]) == ("convex/fns.ts", 6, 14)


def test_alias_to_missing_generated_registers_functions(convex_project):
    """The issue's minimal reproduction, in-process (the conformance fixture
    module_resolution checks it against Convex)."""
    b = convex_project({
        "convex/tsconfig.json": '{"compilerOptions":{"baseUrl":".","paths":{"@cvx/*":["./*"]}}}',
        "convex/schema.ts": 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n',
        "convex/notes.ts": 'import { query } from "@cvx/_generated/server";\nimport { v } from "convex/values";\nexport const list = query({ args: { n: v.number() }, handler: async () => [] });\n',
    })
    fn = b.function("notes:list")
    assert (fn["kind"], fn["visibility"]) == ("query", "public")
    assert fn["argsValidator"]["validator"] == {"type": "object", "value": {"n": {"fieldType": {"type": "number"}, "optional": False}}}
