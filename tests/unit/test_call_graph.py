"""Per-function ``calls`` and ``calledBy`` (resolve/surface/calls.py, emit/surface.py):
every call form, targets written from each reference form, resolution against the
contract's functions and their visibility, calls made from project helpers."""

from __future__ import annotations

import textwrap

SCHEMA = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({ t: defineTable({ n: v.number() }) });\n'


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


TARGETS = src(
    """
    import { internalMutation, mutation, query, internalAction } from "../_generated/server";
    export const sweep = internalMutation({ args: {}, handler: async () => {} });
    export const status = query({ args: {}, handler: async () => 1 });
    export const bump = mutation({ args: {}, handler: async () => {} });
    export const crawl = internalAction({ args: {}, handler: async () => {} });
    export default internalMutation({ args: {}, handler: async () => {} });
    """
)


def project(convex_project, main: str, extra: dict | None = None):
    files = {"convex/schema.ts": SCHEMA, "convex/lib/cleanup.ts": TARGETS, "convex/main.ts": src(main)}
    files.update(extra or {})
    return convex_project(files)


def calls_of(b, fid):
    return [(c["via"], c["target"], c["resolved"]) for c in b.function(fid)["calls"]]


def test_every_call_form_and_reference_form(convex_project):
    b = project(
        convex_project,
        """
        import { makeFunctionReference } from "convex/server";
        import { api, internal } from "./_generated/api";
        import { action } from "./_generated/server";
        const SWEEP = internal.lib.cleanup.sweep;
        export const run = action({
          args: {},
          handler: async (ctx) => {
            await ctx.runQuery(api.lib.cleanup.status, {});
            await ctx.runMutation(SWEEP, {});
            await ctx.runAction(internal.lib.cleanup.crawl);
            await ctx.scheduler.runAfter(1000, internal.lib.cleanup.default, {});
            await ctx.scheduler.runAt(Date.now() + 5, makeFunctionReference<"mutation">("lib/cleanup:bump"), {});
            const local = api.lib.cleanup.bump;
            await ctx.runMutation(local, {});
            const { runQuery } = ctx;
            await runQuery("lib/cleanup:status");
          },
        });
        """,
    )
    assert calls_of(b, "main:run") == [
        ("runQuery", "lib/cleanup:status", True),
        ("runMutation", "lib/cleanup:sweep", True),
        ("runAction", "lib/cleanup:crawl", True),
        ("scheduler.runAfter", "lib/cleanup:default", True),
        ("scheduler.runAt", "lib/cleanup:bump", True),
        ("runMutation", "lib/cleanup:bump", True),
        ("runQuery", "lib/cleanup:status", True),
    ]
    call = b.function("main:run")["calls"][1]
    assert call["reference"] == "SWEEP" and call["file"] == "convex/main.ts" and call["line"] == 9


def test_unresolved_targets_and_visibility(convex_project):
    b = project(
        convex_project,
        """
        import { api, internal } from "./_generated/api";
        import { mutation } from "./_generated/server";
        export const m = mutation({
          args: {},
          handler: async (ctx, args: any) => {
            await ctx.runMutation(internal.lib.cleanup.missing, {});
            await ctx.runMutation(api.lib.cleanup.sweep, {});
            await ctx.runQuery(internal.lib.cleanup.status, {});
            await ctx.runMutation(args.fn, {});
          },
        });
        """,
    )
    calls = b.function("main:m")["calls"]
    assert [(c["target"], c["resolved"]) for c in calls] == [
        ("lib/cleanup:missing", False),  # no such function
        ("lib/cleanup:sweep", False),  # api.* names an internal function
        ("lib/cleanup:status", False),  # internal.* names a public one
        (None, False),  # not a reference the tool resolves
    ]
    assert calls[3]["reference"] == "args.fn"


def test_component_references(convex_project):
    b = project(
        convex_project,
        """
        import { components } from "./_generated/api";
        import { action } from "./_generated/server";
        export const a = action({
          args: {},
          handler: async (ctx) => {
            await ctx.runMutation(components.ratelimiter.lib.limit, {});
            await ctx.runQuery(components.other.lib.get, {});
          },
        });
        """,
        {
            "convex/convex.config.ts": 'import { defineApp } from "convex/server";\nimport rl from "./rl/convex.config";\nconst app = defineApp();\napp.use(rl, { name: "ratelimiter" });\nexport default app;\n',
            "convex/rl/convex.config.ts": 'import { defineComponent } from "convex/server";\nexport default defineComponent("rateLimiter");\n',
        },
    )
    assert calls_of(b, "main:a") == [
        ("runMutation", "components.ratelimiter.lib.limit", True),
        ("runQuery", "components.other.lib.get", False),
    ]
    assert b.functions["components"][0]["name"] == "ratelimiter"


def test_calls_made_in_project_helpers_and_called_by(convex_project):
    b = project(
        convex_project,
        """
        import { internal } from "./_generated/api";
        import { mutation } from "./_generated/server";
        import { enqueue } from "./helpers";
        async function audit(ctx: any) {
          await ctx.runMutation(internal.lib.cleanup.sweep, {});
        }
        export const m = mutation({
          args: {},
          handler: async (ctx) => {
            await audit(ctx);
            await enqueue(ctx);
          },
        });
        """,
        {
            "convex/helpers.ts": src(
                """
                import { internal } from "./_generated/api";
                export async function enqueue(ctx: any) {
                  await ctx.scheduler.runAfter(0, internal.lib.cleanup.crawl, {});
                }
                """
            )
        },
    )
    calls = b.function("main:m")["calls"]
    assert [(c["via"], c["target"], c["file"]) for c in calls] == [
        ("runMutation", "lib/cleanup:sweep", "convex/main.ts"),
        ("scheduler.runAfter", "lib/cleanup:crawl", "convex/helpers.ts"),
    ]
    assert b.function("lib/cleanup:sweep")["calledBy"] == [{"via": "runMutation", "functionId": "main:m"}]
    assert b.function("lib/cleanup:crawl")["calledBy"] == [{"via": "scheduler.runAfter", "functionId": "main:m"}]
    assert b.function("lib/cleanup:status")["calledBy"] == []


def test_crons_and_routes_appear_in_called_by(convex_project):
    b = project(
        convex_project,
        """
        import { httpAction } from "./_generated/server";
        export const hook = httpAction(async () => new Response("ok"));
        """,
        {
            "convex/crons.ts": 'import { cronJobs } from "convex/server";\nimport { internal } from "./_generated/api";\nconst crons = cronJobs();\ncrons.daily("nightly", { hourUTC: 3 }, internal.lib.cleanup.sweep);\nexport default crons;\n',
            "convex/http.ts": 'import { httpRouter } from "convex/server";\nimport { hook } from "./main";\nconst http = httpRouter();\nhttp.route({ path: "/hook", method: "POST", handler: hook });\nexport default http;\n',
        },
    )
    assert b.function("lib/cleanup:sweep")["calledBy"] == [{"via": "cron", "cron": "nightly"}]
    assert b.function("main:hook")["calledBy"] == [{"via": "http", "route": "POST /hook"}]
    assert b.functions["crons"][0]["resolved"] is True


def test_a_function_declared_with_a_run_name_is_not_a_call(convex_project):
    b = project(
        convex_project,
        """
        import { internal } from "./_generated/api";
        import { mutation } from "./_generated/server";
        async function runMutation(ctx: any, ref: any) {
          return await ctx.runMutation(ref, {});
        }
        export const m = mutation({
          args: {},
          handler: async (ctx) => {
            await runMutation(ctx, internal.lib.cleanup.sweep);
          },
        });
        """,
    )
    # the helper's own ctx.runMutation(ref) is found (its target is a parameter: null); its
    # declaration and the handler's call of the helper `runMutation(ctx, …)` are not calls
    calls = b.function("main:m")["calls"]
    assert [(c["via"], c["target"], c["reference"], c["line"]) for c in calls] == [("runMutation", None, "ref", 4)]
