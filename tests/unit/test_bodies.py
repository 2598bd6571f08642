"""What a handler touches: ``uses``, ``tablesRead``, ``tablesWritten`` and ``auth.kind``.

Reference: docs/contracts.md §3.2 (tables, auth, uses) and the ctx API of convex 1.48
(/work/shared/convex-api-surface.md §5): ``db.get/patch/replace/delete`` take the table
name as an optional first argument (1.31.0), ``insert(table, value)`` and
``query(table)`` always name it; legacy id-only forms name no table.
"""

from __future__ import annotations

import textwrap

import pytest

SERVER = (
    'import { query, mutation, action, internalQuery, internalMutation } from "./_generated/server";\n'
    'import { v } from "convex/values";\n'
)

NO_USES = {
    "dbRead": False,
    "dbWrite": False,
    "scheduler": False,
    "storage": False,
    "runQuery": False,
    "runMutation": False,
    "runAction": False,
    "fetch": False,
    "vectorSearch": False,
}


def module(body: str) -> str:
    return SERVER + textwrap.dedent(body).lstrip("\n")


def fn(convex_project, source: str, name: str = "f", extra: dict | None = None) -> dict:
    b = convex_project({"convex/m.ts": module(source), **(extra or {})})
    return b.function(f"m:{name}")


def uses(**on) -> dict:
    return {**NO_USES, **on}


# ---------------------------------------------------------------- database reads / writes


def test_table_name_forms_read_and_write(convex_project) -> None:
    f = fn(convex_project, """
        export const f = mutation({ args: { id: v.string() }, handler: async (ctx, args) => {
          await ctx.db.query("q1").collect();
          await ctx.db.get("g1", args.id);
          await ctx.db.patch("p1", args.id, { a: 1 });
          await ctx.db.replace("r1", args.id, { a: 1 });
          await ctx.db.delete("d1", args.id);
          await ctx.db.insert("i1", { a: 1 });
          await ctx.db.query('q1').first();
          await ctx.db.insert("a0", {});
        } });
    """)
    assert f["tablesRead"] == ["g1", "q1"]
    assert f["tablesWritten"] == ["a0", "d1", "i1", "p1", "r1"], "sorted, unique"
    assert f["uses"] == uses(dbRead=True, dbWrite=True)


def test_legacy_id_only_forms_set_uses_but_name_no_table(convex_project) -> None:
    f = fn(convex_project, """
        export const f = mutation({ args: { id: v.id("t") }, handler: async (ctx, args) => {
          await ctx.db.get(args.id);
          await ctx.db.patch(args.id, { name: "not a table" });
          await ctx.db.replace(args.id, { name: "x" });
          await ctx.db.delete(args.id);
        } });
    """)
    assert f["tablesRead"] == [] and f["tablesWritten"] == []
    assert f["uses"] == uses(dbRead=True, dbWrite=True)


def test_patch_with_string_first_argument_only_counts_when_table_form(convex_project) -> None:
    # patch("t", id, v) names table t; patch(id, {…}) with a string-typed id variable does not.
    f = fn(convex_project, """
        export const f = mutation({ args: { id: v.id("t") }, handler: async (ctx, { id }) => {
          await ctx.db.patch("users", id, { a: 1 });
          await ctx.db.patch(id, { a: "users2" });
        } });
    """)
    assert f["tablesWritten"] == ["users"]


def test_query_only_reads(convex_project) -> None:
    f = fn(convex_project, """
        export const f = query({ args: {}, handler: async (ctx) => {
          return await ctx.db.query("messages").withIndex("by_x", (q) => q.eq("x", 1)).order("desc").take(10);
        } });
    """)
    assert (f["tablesRead"], f["tablesWritten"]) == (["messages"], [])
    assert f["uses"] == uses(dbRead=True)


def test_destructured_db(convex_project) -> None:
    b = convex_project({"convex/m.ts": module("""
        export const f = mutation({ args: {}, handler: async ({ db }) => {
          const rows = await db.query("src").collect();
          await db.insert("dst", { n: rows.length });
        } });
        export const g = mutation({ args: {}, handler: async (ctx) => {
          const { db, scheduler } = ctx;
          await db.delete("gone", "some-id");
          await scheduler.runAfter(0, "x" as any, {});
        } });
    """)})
    f = b.function("m:f")
    assert (f["tablesRead"], f["tablesWritten"]) == (["src"], ["dst"])
    g = b.function("m:g")
    assert g["tablesWritten"] == ["gone"]
    assert g["uses"] == uses(dbWrite=True, scheduler=True)


def test_table_scoped_db(convex_project) -> None:
    # runtime ctx.db.table(name) → {get, query, insert, patch, replace, delete} (api-surface §4).
    f = fn(convex_project, """
        export const f = mutation({ args: {}, handler: async (ctx) => {
          await ctx.db.table("tq").query().collect();
          await ctx.db.table("ti").insert({});
        } });
    """)
    assert (f["tablesRead"], f["tablesWritten"]) == (["tq"], ["ti"])


def test_system_tables_read(convex_project) -> None:
    f = fn(convex_project, """
        export const f = query({ args: {}, handler: async (ctx) => {
          return await ctx.db.system.query("_scheduled_functions").collect();
        } });
    """)
    assert f["uses"]["dbRead"] is True and f["uses"]["dbWrite"] is False


def test_calls_in_nested_closures_count(convex_project) -> None:
    f = fn(convex_project, """
        export const f = mutation({ args: { ids: v.array(v.string()) }, handler: async (ctx, { ids }) => {
          await Promise.all(ids.map(async (id) => { await ctx.db.insert("fanout", { id }); }));
        } });
    """)
    assert f["tablesWritten"] == ["fanout"]


def test_comments_in_bodies_are_not_calls(convex_project) -> None:
    f = fn(convex_project, """
        export const f = query({ args: {}, handler: async (ctx) => {
          // await ctx.db.insert("commented", {});
          /* ctx.scheduler.runAfter(0, x); fetch("https://x") */
          return 1;
        } });
    """)
    assert f["uses"] == NO_USES
    assert (f["tablesRead"], f["tablesWritten"]) == ([], [])


def test_string_literals_in_bodies_are_not_calls(convex_project) -> None:
    f = fn(convex_project, """
        export const f = query({ args: {}, handler: async (ctx) => {
          const doc = "call ctx.db.insert(table, value) or fetch(url) to do it";
          return doc;
        } });
    """)
    assert f["uses"] == NO_USES


def test_dynamic_table_names_are_not_listed(convex_project) -> None:
    f = fn(convex_project, """
        export const f = query({ args: { t: v.string() }, handler: async (ctx, { t }) => {
          return await ctx.db.query(t as any).collect();
        } });
    """)
    assert f["tablesRead"] == [] and f["uses"]["dbRead"] is True


# ---------------------------------------------------------------- other ctx members


@pytest.mark.parametrize(
    "call, key",
    [
        ("await ctx.scheduler.runAfter(0, ref, {});", "scheduler"),
        ("await ctx.scheduler.runAt(Date.now(), ref, {});", "scheduler"),
        ("await ctx.scheduler.cancel(id);", "scheduler"),
        ("await ctx.storage.getUrl(id);", "storage"),
        ("await ctx.storage.generateUploadUrl();", "storage"),
        ("await ctx.storage.store(blob);", "storage"),
        ("await ctx.storage.delete(id);", "storage"),
        ("await ctx.runQuery(ref, {});", "runQuery"),
        ("await ctx.runMutation(ref, {});", "runMutation"),
        ("await ctx.runAction(ref, {});", "runAction"),
        ('await fetch("https://example.com");', "fetch"),
        ('await ctx.vectorSearch("t", "by_v", { vector: [1, 2] });', "vectorSearch"),
    ],
)
def test_uses_flags(convex_project, call, key) -> None:
    f = fn(convex_project, f"""
        declare const ref: any, id: any, blob: any;
        export const f = action({{ args: {{}}, handler: async (ctx) => {{
          {call}
        }} }});
    """)
    assert f["uses"] == uses(**{key: True})


def test_method_named_fetch_is_not_global_fetch(convex_project) -> None:
    f = fn(convex_project, """
        declare const client: any;
        export const f = action({ args: {}, handler: async (ctx) => { await client.fetch("/x"); } });
    """)
    assert f["uses"]["fetch"] is False


def test_uses_always_has_nine_keys(convex_project) -> None:
    f = fn(convex_project, "export const f = query({ args: {}, handler: async () => 1 });\n")
    assert f["uses"] == NO_USES
    assert list(f["uses"]) == list(NO_USES)


# ---------------------------------------------------------------- same-module helpers


def test_same_module_helper_called_with_ctx(convex_project) -> None:
    f = fn(convex_project, """
        async function loadUser(ctx: any, id: string) {
          await ctx.scheduler.runAfter(0, "x" as any);
          return await ctx.db.get("users", id);
        }
        const audit = async (ctx: any) => { await ctx.db.insert("auditLog", {}); };
        export const f = mutation({ args: { id: v.string() }, handler: async (ctx, { id }) => {
          const u = await loadUser(ctx, id);
          await audit(ctx);
          return u;
        } });
    """)
    assert f["tablesRead"] == ["users"]
    assert f["tablesWritten"] == ["auditLog"]
    assert f["uses"] == uses(dbRead=True, dbWrite=True, scheduler=True)


def test_helper_identity_check_counts_for_auth(convex_project) -> None:
    f = fn(convex_project, """
        async function requireUser(ctx: any) {
          const identity = await ctx.auth.getUserIdentity();
          if (!identity) throw new Error("no");
          return identity;
        }
        export const f = query({ args: {}, handler: async (ctx) => { await requireUser(ctx); } });
    """)
    assert f["auth"] == {"kind": "explicit-user-identity"}


def test_helpers_are_followed_three_calls_deep(convex_project) -> None:
    # docs/contracts.md: the functions a handler calls are scanned up to three calls deep.
    f = fn(convex_project, """
        async function l4(ctx: any) { await ctx.db.insert("tooDeep", {}); }
        async function l3(ctx: any) { await l4(ctx); await ctx.db.insert("third", {}); }
        async function l2(ctx: any) { await l3(ctx); await ctx.db.insert("second", {}); }
        async function outer(ctx: any) { await l2(ctx); await ctx.db.insert("shallow", {}); }
        export const f = mutation({ args: {}, handler: async (ctx) => { await outer(ctx); } });
    """)
    assert f["tablesWritten"] == ["second", "shallow", "third"]


def test_recursive_helpers_terminate(convex_project) -> None:
    f = fn(convex_project, """
        async function a(ctx: any): Promise<void> { await b(ctx); await ctx.db.insert("fromA", {}); }
        async function b(ctx: any): Promise<void> { await a(ctx); }
        export const f = mutation({ args: {}, handler: async (ctx) => { await a(ctx); } });
    """)
    assert f["tablesWritten"] == ["fromA"]


def test_helpers_of_other_modules_are_followed(convex_project) -> None:
    f = fn(convex_project, """
        import { writeAudit } from "./lib/audit";
        export const f = mutation({ args: {}, handler: async (ctx) => { await writeAudit(ctx); } });
    """, extra={"convex/lib/audit.ts": 'export async function writeAudit(ctx: any) { await ctx.db.insert("auditLog", {}); await ctx.auth.getUserIdentity(); }\n'})
    assert f["tablesWritten"] == ["auditLog"]
    assert f["auth"] == {"kind": "explicit-user-identity"}


def test_generic_helper_calls_are_followed(convex_project) -> None:
    f = fn(convex_project, """
        async function post<T>(url: string): Promise<T> { return (await fetch(url)).json(); }
        export const f = action({ args: {}, handler: async () => { await post<{ a: 1 }>("https://x"); } });
    """)
    assert f["uses"]["fetch"] is True


# ---------------------------------------------------------------- auth.kind


def test_auth_explicit_user_identity(convex_project) -> None:
    f = fn(convex_project, """
        export const f = query({ args: {}, handler: async (ctx) => { return await ctx.auth.getUserIdentity(); } });
    """)
    assert f["auth"] == {"kind": "explicit-user-identity"}


def test_auth_destructured(convex_project) -> None:
    f = fn(convex_project, """
        export const f = query({ args: {}, handler: async ({ auth }) => { return await auth.getUserIdentity(); } });
    """)
    assert f["auth"] == {"kind": "explicit-user-identity"}


def test_auth_convex_auth(convex_project) -> None:
    f = fn(convex_project, """
        import { getAuthUserId } from "@convex-dev/auth/server";
        export const f = query({ args: {}, handler: async (ctx) => { return await getAuthUserId(ctx); } });
    """)
    assert f["auth"] == {"kind": "convex-auth"}


def test_auth_internal_only_and_not_detected(convex_project) -> None:
    b = convex_project({"convex/m.ts": module("""
        export const i = internalQuery({ args: {}, handler: async (ctx) => 1 });
        export const im = internalMutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", {}); } });
        export const p = query({ args: {}, handler: async (ctx) => 1 });
    """)})
    assert b.function("m:i")["auth"] == {"kind": "internal-only"}
    assert b.function("m:im")["auth"] == {"kind": "internal-only"}
    assert b.function("m:p")["auth"] == {"kind": "not-detected"}


def test_auth_identity_check_wins_over_internal(convex_project) -> None:
    # docs/contracts.md §3.2: rows are checked in order, first match wins, so an internal
    # function that reads the identity is explicit-user-identity.
    f = fn(convex_project, """
        export const f = internalQuery({ args: {}, handler: async (ctx) => { return await ctx.auth.getUserIdentity(); } });
    """)
    assert f["visibility"] == "internal"
    assert f["auth"] == {"kind": "explicit-user-identity"}
