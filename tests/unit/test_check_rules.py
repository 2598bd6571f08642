"""Every rule of ``ctl-convex check``: a failing example (the rule fires where expected) and
a passing one (it does not), through the whole check (sources → IR → facts → rules)."""

from __future__ import annotations

import pytest

from check_helpers import HEADER, SCHEMA, check, rules_of
from convex_ssot.checks.registry import RULES


def schema_with(tables: str) -> str:
    return (
        'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
        f"export default defineSchema({{\n{tables}\n}});\n"
    )


def fn_module(body: str) -> str:
    return HEADER + body


# (rule, failing files, passing files, (file, line) of the expected finding)
CASES = [
    # ---- push
    ("invalid-table-name", {"convex/schema.ts": schema_with('  "bad-name": defineTable({ a: v.string() }),')},
     {"convex/schema.ts": schema_with("  good_name: defineTable({ a: v.string() }),")}, ("convex/schema.ts", 4)),
    ("invalid-index-name", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by a", ["a"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]),')}, ("convex/schema.ts", 4)),
    ("reserved-index-name", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_id", ["a"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]),')}, ("convex/schema.ts", 4)),
    ("duplicate-index-name", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string(), b: v.string() }).index("by_a", ["a"]).index("by_a", ["b"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string(), b: v.string() }).index("by_a", ["a"]).index("by_b", ["b"]),')}, ("convex/schema.ts", 4)),
    ("empty-index", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_nothing", []),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]),')}, ("convex/schema.ts", 4)),
    ("too-many-index-fields", {"convex/schema.ts": schema_with("  t: defineTable({ " + ", ".join(f"f{i}: v.string()" for i in range(16)) + ' }).index("by_all", [' + ", ".join(f'"f{i}"' for i in range(16)) + "]),")},
     {"convex/schema.ts": schema_with("  t: defineTable({ " + ", ".join(f"f{i}: v.string()" for i in range(15)) + ' }).index("by_all", [' + ", ".join(f'"f{i}"' for i in range(15)) + "]),")}, ("convex/schema.ts", 4)),
    ("repeated-index-field", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a_and_a", ["a", "a"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]),')}, ("convex/schema.ts", 4)),
    ("reserved-index-field", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_creation", ["_creationTime"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]),')}, ("convex/schema.ts", 4)),
    ("duplicate-index-fields", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]).index("by_a2", { fields: ["a"], staged: true }),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]),')}, ("convex/schema.ts", 4)),
    ("unknown-index-field", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_b", ["b"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", ["a"]),')}, ("convex/schema.ts", 4)),
    ("vector-field-type", {"convex/schema.ts": schema_with('  t: defineTable({ e: v.string() }).vectorIndex("by_e", { vectorField: "e", dimensions: 8 }),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 8 }),')}, ("convex/schema.ts", 4)),
    ("too-many-filter-fields", {"convex/schema.ts": schema_with("  t: defineTable({ s: v.string(), " + ", ".join(f"f{i}: v.string()" for i in range(17)) + ' }).searchIndex("search_s", { searchField: "s", filterFields: [' + ", ".join(f'"f{i}"' for i in range(17)) + "] }),")},
     {"convex/schema.ts": schema_with('  t: defineTable({ s: v.string(), f: v.string() }).searchIndex("search_s", { searchField: "s", filterFields: ["f"] }),')}, ("convex/schema.ts", 4)),
    ("duplicate-search-index", {"convex/schema.ts": schema_with('  t: defineTable({ s: v.string() }).searchIndex("search_s", { searchField: "s" }).searchIndex("search_s2", { searchField: "s" }),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ s: v.string() }).searchIndex("search_s", { searchField: "s" }),')}, ("convex/schema.ts", 4)),
    ("duplicate-vector-index", {"convex/schema.ts": schema_with('  t: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 8 }).vectorIndex("by_e2", { vectorField: "e", dimensions: 8 }),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 8 }),')}, ("convex/schema.ts", 4)),
    ("vector-dimensions", {"convex/schema.ts": schema_with('  t: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 5000 }),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 4096 }),')}, ("convex/schema.ts", 4)),
    ("too-many-indexes", {"convex/schema.ts": schema_with("  t: defineTable({ " + ", ".join(f"f{i}: v.string()" for i in range(65)) + " })" + "".join(f'.index("by_f{i}", ["f{i}"])' for i in range(65)) + ",")},
     {"convex/schema.ts": schema_with("  t: defineTable({ " + ", ".join(f"f{i}: v.string()" for i in range(64)) + " })" + "".join(f'.index("by_f{i}", ["f{i}"])' for i in range(64)) + ",")}, ("convex/schema.ts", 4)),
    ("index-count-over-limit", {"convex/schema.ts": schema_with("  t: defineTable({ " + ", ".join(f"f{i}: v.string()" for i in range(33)) + " })" + "".join(f'.index("by_f{i}", ["f{i}"])' for i in range(33)) + ",")},
     {"convex/schema.ts": schema_with("  t: defineTable({ " + ", ".join(f"f{i}: v.string()" for i in range(32)) + " })" + "".join(f'.index("by_f{i}", ["f{i}"])' for i in range(32)) + ",")}, ("convex/schema.ts", 4)),
    ("query-in-node-module", {"convex/n.ts": '"use node";\n' + fn_module("export const q = query({ args: {}, returns: v.null(), handler: async () => null });\n")},
     {"convex/n.ts": '"use node";\n' + fn_module("export const a = action({ args: {}, returns: v.null(), handler: async () => null });\n")}, ("convex/n.ts", 4)),
    # ---- guideline
    ("no-filter-in-query", {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("messages").withIndex("by_authorId", (q) => q.eq("authorId", "x" as any)).filter((q) => q.eq(q.field("body"), "x")).first() });\n')},
     {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  (await ctx.db.query("messages").withIndex("by_authorId", (q) => q.eq("authorId", "x" as any)).take(10)).filter((m) => m.body === "x") });\n')}, ("convex/f.ts", 4)),
    ("no-unbounded-collect", {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("messages").order("desc").collect() });\n')},
     {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("messages").withIndex("by_authorId", (q) => q.eq("authorId", "x" as any)).collect() });\n')}, ("convex/f.ts", 4)),
    ("no-fetch-in-query-or-mutation", {"convex/f.ts": fn_module('export const f = mutation({ args: {}, returns: v.null(), handler: async () => {\n  await fetch("https://example.com"); return null; } });\n')},
     {"convex/f.ts": fn_module('export const f = action({ args: {}, returns: v.null(), handler: async () => {\n  await fetch("https://example.com"); return null; } });\n')}, ("convex/f.ts", 4)),
    ("no-db-in-action", {"convex/f.ts": fn_module('export const f = action({ args: {}, returns: v.null(), handler: async (ctx: any) => {\n  await ctx.db.insert("users", { name: "a" }); return null; } });\n')},
     {"convex/f.ts": fn_module('export const f = mutation({ args: {}, returns: v.null(), handler: async (ctx) => {\n  await ctx.db.insert("users", { name: "a" }); return null; } });\n')}, ("convex/f.ts", 4)),
    ("require-returns-validator", {"convex/f.ts": fn_module("export const f = query({ args: {}, handler: async () => 1 });\n")},
     {"convex/f.ts": fn_module("export const f = query({ args: {}, returns: v.number(), handler: async () => 1 });\n")}, ("convex/f.ts", 3)),
    ("require-args-validator", {"convex/f.ts": fn_module("export const f = query({ returns: v.number(), handler: async () => 1 });\n")},
     {"convex/f.ts": fn_module("export const f = query({ args: {}, returns: v.number(), handler: async () => 1 });\n")}, ("convex/f.ts", 3)),
    ("no-old-function-syntax", {"convex/f.ts": fn_module("export const f = query(async () => 1);\n")},
     {"convex/f.ts": fn_module("export const f = query({ args: {}, returns: v.number(), handler: async () => 1 });\n")}, ("convex/f.ts", 3)),
    ("no-v-bigint", {"convex/schema.ts": schema_with("  t: defineTable({ n: v.bigint() }),")},
     {"convex/schema.ts": schema_with("  t: defineTable({ n: v.int64() }),")}, ("convex/schema.ts", 4)),
    ("redundant-index", {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string(), b: v.string() }).index("by_a", ["a"]).index("by_a_and_b", ["a", "b"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string(), b: v.string() }).index("by_b", ["b"]).index("by_a_and_b", ["a", "b"]),')}, ("convex/schema.ts", 4)),
    ("index-name-fields", {"convex/schema.ts": schema_with('  t: defineTable({ ownerId: v.string(), b: v.string() }).index("by_thing", ["ownerId", "b"]),')},
     {"convex/schema.ts": schema_with('  t: defineTable({ ownerId: v.string(), b: v.string() }).index("by_owner_and_b", ["ownerId", "b"]),')}, ("convex/schema.ts", 4)),
    ("no-run-in-loop", {"convex/f.ts": fn_module('import { internal } from "./_generated/api";\nexport const f = action({ args: {}, returns: v.null(), handler: async (ctx) => {\n  for (const x of [1, 2]) {\n    await ctx.runMutation(internal.f.g, { x });\n  }\n  return null; } });\n')},
     {"convex/f.ts": fn_module('import { internal } from "./_generated/api";\nexport const f = action({ args: {}, returns: v.null(), handler: async (ctx) => {\n  await ctx.runMutation(internal.f.g, { xs: [1, 2] });\n  return null; } });\n')}, ("convex/f.ts", 6)),
    ("no-nondeterminism-in-query", {"convex/f.ts": fn_module("export const f = query({ args: {}, returns: v.number(), handler: async () => {\n  return Math.random(); } });\n")},
     {"convex/f.ts": fn_module("export const f = mutation({ args: {}, returns: v.number(), handler: async () => {\n  return Math.random(); } });\n")}, ("convex/f.ts", 4)),
    ("node-builtin-without-use-node", {"convex/f.ts": 'import { readFileSync } from "node:fs";\n' + fn_module("export const f = action({ args: {}, returns: v.null(), handler: async () => null });\n")},
     {"convex/f.ts": '"use node";\nimport { readFileSync } from "node:fs";\n' + fn_module("export const f = action({ args: {}, returns: v.null(), handler: async () => null });\n")}, ("convex/f.ts", 1)),
    ("require-access-control", {"convex/f.ts": fn_module("export const f = query({ args: {}, returns: v.null(), handler: async () => null });\n")},
     {"convex/f.ts": fn_module("export const f = query({ args: {}, returns: v.null(), handler: async (ctx) => {\n  const who = await ctx.auth.getUserIdentity();\n  return null; } });\n")}, ("convex/f.ts", 3)),
    ("no-process-env-in-query-or-mutation", {"convex/f.ts": fn_module("export const f = query({ args: {}, returns: v.any(), handler: async () => {\n  return process.env.SECRET; } });\n")},
     {"convex/f.ts": fn_module("export const f = action({ args: {}, returns: v.any(), handler: async () => {\n  return process.env.SECRET; } });\n")}, ("convex/f.ts", 4)),
    ("no-top-of-hour-cron", {"convex/crons.ts": 'import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\nconst crons = cronJobs();\ncrons.cron("sweep", "0 * * * *", internal.f.g);\nexport default crons;\n'},
     {"convex/crons.ts": 'import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\nconst crons = cronJobs();\ncrons.cron("sweep", "17 * * * *", internal.f.g);\ncrons.hourly("h", { minuteUTC: 5 }, internal.f.g);\nexport default crons;\n'}, ("convex/crons.ts", 4)),
    # ---- whole program
    ("unknown-index", {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("messages").withIndex("by_author", (q) => q.eq("authorId", "x" as any)).first() });\n')},
     {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("messages").withIndex("by_creation_time").order("desc").first() });\n')}, ("convex/f.ts", 4)),
    ("index-range-order", {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("messages").withIndex("by_channel_and_authorId", (q) => q.eq("authorId", "x" as any)).first() });\n')},
     {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("messages").withIndex("by_channel_and_authorId", (q) => q.eq("channel", "c").eq("authorId", "x" as any).gt("_creationTime", 0)).first() });\n')}, ("convex/f.ts", 4)),
    ("insert-missing-field", {"convex/f.ts": fn_module('export const f = mutation({ args: {}, returns: v.null(), handler: async (ctx) => {\n  await ctx.db.insert("messages", { body: "x", channel: "c" }); return null; } });\n')},
     {"convex/f.ts": fn_module('export const f = mutation({ args: { u: v.id("users") }, returns: v.null(), handler: async (ctx, { u }) => {\n  await ctx.db.insert("messages", { body: "x", channel: "c", authorId: u }); return null; } });\n')}, ("convex/f.ts", 4)),
    ("insert-unknown-field", {"convex/f.ts": fn_module('export const f = mutation({ args: {}, returns: v.null(), handler: async (ctx) => {\n  await ctx.db.insert("users", { name: "a", nickname: "b" }); return null; } });\n')},
     {"convex/f.ts": fn_module('export const f = mutation({ args: {}, returns: v.null(), handler: async (ctx) => {\n  await ctx.db.insert("users", { name: "a", email: "b" }); return null; } });\n')}, ("convex/f.ts", 4)),
    ("id-of-unknown-table", {"convex/f.ts": fn_module('export const f = query({ args: { c: v.id("channels") }, returns: v.null(), handler: async () => null });\n')},
     {"convex/f.ts": fn_module('export const f = query({ args: { c: v.id("users"), s: v.id("_storage") }, returns: v.null(), handler: async () => null });\n')}, ("convex/f.ts", 3)),
]


def test_every_rule_has_a_case():
    from test_check_surface_rules import CASES as SURFACE

    tested = {c[0] for c in CASES + SURFACE} | {"zod-extra-field", "zod-missing-field", "zod-type-mismatch", "zod-union-mismatch"}
    assert tested == set(RULES)


@pytest.mark.parametrize("rule,bad,good,where", CASES, ids=[c[0] for c in CASES])
def test_rule_fails_and_passes(tmp_path, rule, bad, good, where):
    bad_report = check(tmp_path / "bad", bad, select=[rule])
    found = rules_of(bad_report, rule)
    assert found, f"{rule} did not fire: {bad_report.findings}"
    assert (found[0][0], found[0][1]) == where
    assert all(f.severity == RULES[rule].severity for f in bad_report.findings)
    good_report = check(tmp_path / "good", good, select=[rule])
    assert rules_of(good_report, rule) == []


def test_schema_rules_still_reported_by_sync(tmp_path):
    """The push rules stay CSX3xx diagnostics of the DB contract (sync-to-context)."""
    from check_helpers import write

    from convex_ssot.config import load_config
    from convex_ssot.pipeline import derive

    write(tmp_path, {"convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_id", ["a"]),')})
    db = derive(load_config(tmp_path), use_cache=False).db
    codes = {(d["code"], d["severity"]) for d in db["diagnostics"]}
    assert ("CSX302", "error") in codes


def test_insert_with_spread_reports_unknown_but_not_missing(tmp_path):
    files = {"convex/f.ts": fn_module('export const f = mutation({ args: {}, returns: v.null(), handler: async (ctx) => {\n  const rest = { channel: "c" };\n  await ctx.db.insert("messages", { ...rest, body: "x", colour: 1 }); return null; } });\n')}
    report = check(tmp_path, files, select=["program"])
    assert rules_of(report, "insert-unknown-field") == [("convex/f.ts", 5, 57)]
    assert rules_of(report, "insert-missing-field") == []


def test_patch_checks_unknown_fields_only(tmp_path):
    files = {"convex/f.ts": fn_module('export const f = mutation({ args: { id: v.id("users") }, returns: v.null(), handler: async (ctx, a) => {\n  await ctx.db.patch("users", a.id, { nick: "b" });\n  await ctx.db.patch("users", a.id, { name: "b" }); return null; } });\n')}
    report = check(tmp_path, files, select=["insert-unknown-field", "insert-missing-field"])
    assert [(f.rule, f.line) for f in report.findings] == [("insert-unknown-field", 4)]


def test_helper_findings_are_reported_once_at_the_helper(tmp_path):
    files = {
        "convex/lib.ts": 'export async function all(ctx: any) {\n  return await ctx.db.query("users").collect();\n}\n',
        "convex/f.ts": fn_module('import { all } from "./lib";\nexport const a = query({ args: {}, returns: v.any(), handler: async (ctx) => all(ctx) });\nexport const b = query({ args: {}, returns: v.any(), handler: async (ctx) => all(ctx) });\n'),
    }
    report = check(tmp_path, files, select=["no-unbounded-collect"])
    assert rules_of(report, "no-unbounded-collect") == [("convex/lib.ts", 2, 38)]


def test_withsearchindex_unknown_and_known(tmp_path):
    files = {"convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) => {\n  await ctx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "x")).take(5);\n  return ctx.db.query("messages").withSearchIndex("search_title", (q) => q.search("body", "x")).take(5); } });\n')}
    report = check(tmp_path, files, select=["unknown-index"])
    assert [f.line for f in report.findings] == [5]


def test_staged_index_cannot_be_queried(tmp_path):
    files = {
        "convex/schema.ts": schema_with('  t: defineTable({ a: v.string() }).index("by_a", { fields: ["a"], staged: true }),'),
        "convex/f.ts": fn_module('export const f = query({ args: {}, returns: v.any(), handler: async (ctx) =>\n  ctx.db.query("t").withIndex("by_a", (q) => q.eq("a", "x")).first() });\n'),
    }
    report = check(tmp_path, files, select=["unknown-index"])
    assert len(report.findings) == 1 and "staged" in report.findings[0].message


def test_unresolved_schema_disables_whole_program_rules(tmp_path):
    """A table the tool could not read must not make ids or indexes look missing."""
    files = {
        "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nimport { tables } from "some-unknown-package";\nexport default defineSchema({ ...tables, users: defineTable({ name: v.string() }) });\n',
        "convex/f.ts": fn_module('export const f = query({ args: { c: v.id("channels") }, returns: v.null(), handler: async () => null });\n'),
    }
    report = check(tmp_path, files, select=["id-of-unknown-table"])
    assert report.findings == []


def test_library_registered_functions_are_not_the_projects_code(tmp_path):
    """convexAuth() registers signIn & co.: no args/returns/access findings for them."""
    files = {"convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\nexport const { auth, signIn, signOut, store, isAuthenticated } = convexAuth({ providers: [] });\n'}
    report = check(tmp_path, files, select=["guideline"])
    assert [f for f in report.findings if f.file == "convex/auth.ts"] == []


@pytest.mark.parametrize(
    "chain,reported",
    [
        ('.withIndex("by_authorId", range).collect()', False),  # a range built elsewhere
        ('.withIndex("by_authorId", (q) => q).collect()', True),  # the whole index
        ('.withIndex("by_authorId").collect()', True),
        ('.withSearchIndex("search_body", (q) => q.search("body", "x")).collect()', False),
        ('.filter((q) => q.eq(q.field("body"), "x")).collect()', True),
        (".take(10)", False),
    ],
)
def test_collect_bounds(tmp_path, chain, reported):
    files = {"convex/f.ts": fn_module(f'export const f = query({{ args: {{}}, returns: v.any(), handler: async (ctx) => {{\n  const range = (q: any) => q.eq("authorId", "x");\n  return ctx.db.query("messages"){chain}; }} }});\n')}
    report = check(tmp_path, files, select=["no-unbounded-collect"])
    assert bool(report.findings) == reported


def test_access_by_capability_argument_is_an_access_check(tmp_path):
    files = {"convex/f.ts": fn_module('export const f = query({ args: { contactSessionId: v.string() }, returns: v.null(), handler: async () => null });\nexport const g = query({ args: { channel: v.string() }, returns: v.null(), handler: async () => null });\n')}
    report = check(tmp_path, files, select=["require-access-control"])
    assert [f.message.split()[2] for f in report.findings] == ["f:g"]


def test_access_check_by_helper_name(tmp_path):
    files = {"convex/f.ts": fn_module('async function requireMember(ctx: any) { return 1; }\nexport const f = query({ args: {}, returns: v.null(), handler: async (ctx) => { await requireMember(ctx); return null; } });\n')}
    assert check(tmp_path, files, select=["require-access-control"]).findings == []


def test_range_alternatives_are_checked_one_by_one(tmp_path):
    """`c ? q.eq(a).gte(t) : q.eq(a)` is two ranges, each in index order."""
    files = {"convex/f.ts": fn_module('export const f = query({ args: { t: v.optional(v.number()) }, returns: v.any(), handler: async (ctx, a) =>\n  ctx.db.query("messages").withIndex("by_channel_and_authorId", (q) => a.t ? q.eq("channel", "c").eq("authorId", "x" as any).gte("_creationTime", a.t) : q.eq("channel", "c")).first() });\nexport const g = query({ args: { t: v.optional(v.number()) }, returns: v.any(), handler: async (ctx, a) =>\n  ctx.db.query("messages").withIndex("by_channel_and_authorId", (q) => a.t ? q.eq("channel", "c") : q.eq("authorId", "x" as any)).first() });\n')}
    report = check(tmp_path, files, select=["index-range-order"])
    assert [f.line for f in report.findings] == [6]


@pytest.mark.parametrize(
    "name,fields,says",
    [
        ("by_agent_time", ("agentId", "timestamp"), True),
        ("by_workspace_active", ("workspaceId", "isActive"), True),
        ("by_user_updated", ("userId", "updatedAt"), True),
        ("by_period", ("period", "timestamp"), False),
        ("by_sender", ("fromUserId",), False),
        ("by_user", ("userId", "scenario"), False),
    ],
)
def test_index_name_says_fields(name, fields, says):
    from convex_ssot.checks.project_rules import _name_says_fields

    assert _name_says_fields(name, fields) is says


def test_reexported_function_is_reported_where_it_is_defined(tmp_path):
    files = {
        "convex/impl.ts": fn_module("export const f = query({ args: {}, handler: async () => 1 });\n"),
        "convex/index.ts": 'export { f } from "./impl";\n',
    }
    report = check(tmp_path, files, select=["require-returns-validator"])
    assert [(f.file, f.line) for f in report.findings] == [("convex/impl.ts", 3)]


def test_nested_index_field_named_by_a_part():
    from convex_ssot.checks.project_rules import _name_says_fields

    assert _name_says_fields("by_budget", ("compensation.budget.min",))
    assert not _name_says_fields("by_cost", ("compensation.budget.min",))


def test_db_in_action_ignores_helpers_shared_by_every_kind(tmp_path):
    files = {
        "convex/lib.ts": 'export async function who(ctx: any) {\n  if ("db" in ctx) return await ctx.db.get("users", "x" as any);\n  return null;\n}\n',
        "convex/f.ts": fn_module('import { who } from "./lib";\nexport const a = action({ args: {}, returns: v.null(), handler: async (ctx) => { await who(ctx); return null; } });\n'),
    }
    assert check(tmp_path, files, select=["no-db-in-action"]).findings == []


def test_access_check_delegated_to_a_query(tmp_path):
    """An action that runs `api.users.getCurrentUser` checks access through it."""
    files = {"convex/f.ts": fn_module('import { api } from "./_generated/api";\nexport const a = action({ args: {}, returns: v.null(), handler: async (ctx) => {\n  const user = await ctx.runQuery(api.users.getCurrentUser);\n  return null; } });\nexport const b = action({ args: {}, returns: v.null(), handler: async (ctx) => {\n  await ctx.runQuery(api.users.list);\n  return null; } });\n')}
    report = check(tmp_path, files, select=["require-access-control"])
    assert [f.message.split()[2] for f in report.findings] == ["f:b"]
