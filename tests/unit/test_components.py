"""Functions registered by component client factories (resolve/components.py).

Expected validators are derived from the packages' published source, per version:
@convex-dev/migrations src/shared.ts ``migrationArgs`` (0.2.1–0.3.2: fn, cursor,
batchSize, dryRun, next; 0.3.3 adds reset; 0.3.4+ adds oneBatchOnly), workflow
src/client/workflowMutation.ts (no validators before 0.4.6), better-auth
src/client/create-client.ts ``triggersApi``, workos-authkit src/client/index.ts
``events``/``actions`` and resend src/client/index.ts ``vOnEmailEventArgs`` (0.2.6 adds
``message_id`` to every event's data), workpool src/client/index.ts and
src/component/{shared,logging}.ts (the exported validators; ``vOnCompleteArgs``).
"""

from __future__ import annotations

import json
import textwrap

import pytest

S = {"type": "string"}
B = {"type": "boolean"}
ANY = {"type": "any"}


def opt(t):
    return {"fieldType": t, "optional": True}


def req(t):
    return {"fieldType": t, "optional": False}


MIGRATION_ARGS_029 = {
    "fn": opt(S),
    "cursor": opt({"type": "union", "value": [S, {"type": "null"}]}),
    "batchSize": opt({"type": "number"}),
    "dryRun": opt(B),
    "next": opt({"type": "array", "value": S}),
}


def installed(pkg: str, version: str, where: str = "") -> dict[str, str]:
    """A fake installed package: only its package.json (all the tool reads)."""
    return {f"{where}node_modules/{pkg}/package.json": json.dumps({"name": pkg, "version": version})}


def fn(b, function_id: str) -> dict:
    """A contract entry in Convex's terms: kind, visibility, args and returns as Convex
    exports them (no ``args`` gives ``{"type": "any"}``)."""
    f = b.function(function_id)
    a, r = f["argsValidator"], f["returnsValidator"]
    return {"kind": f["kind"], "visibility": f["visibility"], "args": a["validator"] if a else ANY, "returns": r["validator"] if r else None}


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


SCHEMA = 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n'

MIGRATIONS = src("""
    import { Migrations } from "@convex-dev/migrations";
    import { components, internal } from "./_generated/api";
    import type { DataModel } from "./_generated/dataModel";
    export const migrations = new Migrations<DataModel>(components.migrations);
    export const run = migrations.runner();
    export const setDefault = migrations.define({
      table: "users",
      migrateOne: async (ctx, doc) => ({ plan: "free" }),
    });
    export const runOne = migrations.runner(internal.migrations.setDefault);
    export const runAll = migrations.runner([internal.migrations.setDefault]);
""")


def project(convex_project, files: dict[str, str]):
    return convex_project({"convex/schema.ts": SCHEMA, **files})


@pytest.mark.parametrize(
    ("version", "extra"),
    [("0.2.9", []), ("0.3.3", ["reset"]), ("0.3.6", ["reset", "oneBatchOnly"])],
)
def test_migrations_define_and_runners_follow_the_installed_version(convex_project, version, extra):
    b = project(convex_project, {"convex/migrations.ts": MIGRATIONS, **installed("@convex-dev/migrations", version)})
    expected = {**MIGRATION_ARGS_029, **{k: opt(B) for k in extra}}
    for name in ("run", "setDefault", "runOne", "runAll"):
        f = fn(b, f"migrations:{name}")
        assert (f["kind"], f["visibility"]) == ("mutation", "internal"), name
        assert f["args"] == {"type": "object", "value": expected}, name
        assert f["returns"] is None
    assert "migrations:migrations" not in b.function_ids()  # the client object is no function
    assert not [d for d in b.diagnostics if d["code"].startswith("CSX24")]


def test_migrations_define_uses_the_given_builder(convex_project):
    """``options.internalMutation ?? internalMutationGeneric``: a custom builder's args
    are merged and its kind/visibility kept (client/index.ts define)."""
    b = project(convex_project, {
        "convex/migrations.ts": src("""
            import { Migrations } from "@convex-dev/migrations";
            import { customMutation } from "convex-helpers/server/customFunctions";
            import { v } from "convex/values";
            import { components } from "./_generated/api";
            import { mutation } from "./_generated/server";
            const tenantMutation = customMutation(mutation, { args: { tenant: v.string() }, input: async (ctx, args) => ({ ctx, args }) });
            export const migrations = new Migrations(components.migrations, { internalMutation: tenantMutation });
            export const m = migrations.define({ table: "users", migrateOne: async () => {} });
            export const run = migrations.runner();
        """),
        **installed("@convex-dev/migrations", "0.2.9"),
    })
    m = fn(b, "migrations:m")
    assert m["visibility"] == "public"
    assert list(m["args"]["value"]) == [*MIGRATION_ARGS_029, "tenant"]
    run = fn(b, "migrations:run")  # runner always uses internalMutationGeneric
    assert run["visibility"] == "internal" and list(run["args"]["value"]) == list(MIGRATION_ARGS_029)


def test_version_from_pnpm_layout_in_a_parent_directory(convex_project):
    files = {"packages/backend/convex/schema.ts": SCHEMA, "packages/backend/convex/migrations.ts": MIGRATIONS}
    files.update(installed("@convex-dev/migrations", "0.3.3", "packages/backend/"))
    files.update(installed("@convex-dev/migrations", "0.3.6"))  # the nearer copy wins
    b = convex_project(files, "packages/backend/convex/schema.ts")
    assert list(fn(b, "migrations:run")["args"]["value"])[-1] == "reset"


def test_version_pinned_in_package_json_when_not_installed(convex_project):
    b = project(convex_project, {"convex/migrations.ts": MIGRATIONS, "package.json": json.dumps({"dependencies": {"@convex-dev/migrations": "0.2.9"}})})
    assert list(fn(b, "migrations:run")["args"]["value"]) == list(MIGRATION_ARGS_029)
    assert "CSX244" not in b.codes()


def test_declared_range_takes_the_newest_verified_version_it_allows(convex_project):
    b = project(convex_project, {"convex/migrations.ts": MIGRATIONS, "package.json": json.dumps({"dependencies": {"@convex-dev/migrations": "^0.3.0"}})})
    assert list(fn(b, "migrations:run")["args"]["value"])[-1] == "oneBatchOnly"
    msgs = [d["message"] for d in b.diagnostics if d["code"] == "CSX244"]
    assert msgs and "'^0.3.0'" in msgs[0] and "0.3.6" in msgs[0]


def test_unknown_version_is_modelled_as_the_nearest_with_a_warning(convex_project):
    b = project(convex_project, {"convex/migrations.ts": MIGRATIONS, **installed("@convex-dev/migrations", "0.4.0")})
    assert list(fn(b, "migrations:run")["args"]["value"])[-1] == "oneBatchOnly"
    d = [d for d in b.diagnostics if d["code"] == "CSX244"]
    assert d and "0.4.0" in d[0]["message"] and d[0]["file"] == "convex/migrations.ts" and d[0]["line"] == 1


def test_not_installed_nor_declared_warns(convex_project):
    b = project(convex_project, {"convex/migrations.ts": MIGRATIONS})
    assert "migrations:run" in b.function_ids()
    assert "CSX244" in b.codes()


WORKFLOW = src("""
    import { WorkflowManager, defineWorkflow, vWorkflowId } from "@convex-dev/workflow";
    import { v } from "convex/values";
    import { components } from "./_generated/api";
    import { internalMutation } from "./_generated/server";
    const managers = [new WorkflowManager(components.workflow), new WorkflowManager(components.workflow_1)];
    export const workflow = managers[0];
    export const greet = workflow.define({
      args: { name: v.string() },
      returns: v.null(),
      handler: async (step, args) => null,
    });
    export const second = managers[1].define({ args: { n: v.number() } }).handler(async () => {});
    export const third = defineWorkflow(components.workflow, { args: {} }).handler(async () => {});
    export const done = internalMutation({ args: { workflowId: vWorkflowId }, handler: async () => {} });
""")


def test_workflow_before_046_registers_without_validators(convex_project):
    b = project(convex_project, {"convex/wf.ts": WORKFLOW, **installed("@convex-dev/workflow", "0.3.9")})
    for name in ("greet", "second", "third"):
        f = fn(b, f"wf:{name}")
        assert (f["kind"], f["visibility"], f["args"], f["returns"]) == ("mutation", "internal", ANY, None), name
    assert fn(b, "wf:done")["args"] == {"type": "object", "value": {"workflowId": req(S)}}
    assert "wf:workflow" not in b.function_ids()


def test_workflow_046_validators_come_from_the_workflow(convex_project):
    b = project(convex_project, {"convex/wf.ts": WORKFLOW, **installed("@convex-dev/workflow", "0.4.8")})
    f = fn(b, "wf:greet")
    args = f["args"]["value"]
    assert list(args) == ["workflowId", "generationNumber", "args", "startAsync", "onComplete", "context", "docs"]
    assert all(e["optional"] for e in args.values())
    assert args["args"]["fieldType"] == {"type": "object", "value": {"name": req(S)}}
    complete = f["returns"]["value"][1]["value"]
    success = complete["runResult"]["fieldType"]["value"][0]["value"]
    assert f["returns"]["value"][0] == S
    assert success["returnValue"]["fieldType"] == {"type": "null"}
    second = fn(b, "wf:second")
    assert second["args"]["value"]["args"]["fieldType"] == {"type": "object", "value": {"n": req({"type": "number"})}}
    # no `returns` on the workflow: returnValue is v.any()
    assert second["returns"]["value"][1]["value"]["runResult"]["fieldType"]["value"][0]["value"]["returnValue"]["fieldType"] == ANY


@pytest.mark.parametrize("version", ["0.8.0", "0.8.4", "0.12.5"])
def test_better_auth_triggers_api_lists_each_destructured_function(convex_project, version):
    b = project(convex_project, {
        "convex/auth.ts": src("""
            import { createClient } from "@convex-dev/better-auth";
            import { components } from "./_generated/api";
            export const authComponent = createClient(components.betterAuth, { triggers: {} });
            export const { onCreate, onUpdate, onDelete } = authComponent.triggersApi();
        """),
        **installed("@convex-dev/better-auth", version),
    })
    doc = {"doc": req(ANY), "model": req(S)}
    assert fn(b, "auth:onCreate")["args"]["value"] == doc
    assert fn(b, "auth:onDelete")["args"]["value"] == doc
    assert list(fn(b, "auth:onUpdate")["args"]["value"]) == ["oldDoc", "newDoc", "model"]
    assert {fn(b, f"auth:{n}")["visibility"] for n in ("onCreate", "onUpdate", "onDelete")} == {"internal"}
    raw = b.function("auth:onCreate")
    assert (raw["constructor"], raw["resolvedConstructor"], raw["auth"]["kind"]) == ("authComponent.triggersApi", "internalMutation", "internal-only")


@pytest.mark.parametrize(("version", "backfill"), [("0.1.6", None), ("0.2.0", "action"), ("0.2.7", "mutation")])
def test_workos_authkit_events_and_actions(convex_project, version, backfill):
    """``events``/``actions`` the same from 0.1.1 to 0.2.7; ``utils()`` from 0.2.0 registers
    ``backfillUsers`` (an internal action, an internal mutation from 0.2.3)."""
    b = project(convex_project, {
        "convex/auth.ts": src("""
            import { AuthKit } from "@convex-dev/workos-authkit";
            import { components } from "./_generated/api";
            export const authKit = new AuthKit(components.workOSAuthKit, {});
            export const { authKitEvent } = authKit.events({ "user.created": async () => {} });
            export const { authKitAction } = authKit.actions({ authentication: async (ctx, a, { allow }) => allow() });
            export const { backfillUsers } = authKit.utils();
        """),
        **installed("@convex-dev/workos-authkit", version),
    })
    if backfill is None:
        assert "auth:backfillUsers" not in b.function_ids() and [d["code"] for d in b.diagnostics] == ["CSX243"]
    else:
        assert fn(b, "auth:backfillUsers") == {"kind": backfill, "visibility": "internal", "args": {"type": "object", "value": {}}, "returns": {"type": "null"}}
        assert b.diagnostics == []
    rec = {"type": "record", "keys": S, "values": req(ANY)}
    ev = fn(b, "auth:authKitEvent")
    assert ev["args"]["value"] == {"event": req(S), "data": req(rec)} and ev["returns"] == {"type": "null"}
    act = fn(b, "auth:authKitAction")
    assert act["args"]["value"] == {"action": req(rec)} and act["returns"] == rec


@pytest.mark.parametrize(("version", "has_message_id"), [("0.2.0", False), ("0.2.6", True)])
def test_resend_email_event_args_follow_the_version(convex_project, version, has_message_id):
    b = project(convex_project, {
        "convex/emails.ts": src("""
            import { vOnEmailEventArgs } from "@convex-dev/resend";
            import { internalMutation } from "./_generated/server";
            export const handleEmailEvent = internalMutation({ args: vOnEmailEventArgs, handler: async () => {} });
        """),
        **installed("@convex-dev/resend", version),
    })
    args = fn(b, "emails:handleEmailEvent")["args"]
    assert list(args["value"]) == ["id", "event"]
    members = args["value"]["event"]["fieldType"]["value"]
    kinds = [m["value"]["type"]["fieldType"]["value"] for m in members]
    assert kinds == ["email.sent", "email.delivered", "email.delivery_delayed", "email.complained",
                     "email.bounced", "email.opened", "email.clicked", "email.failed"]
    assert all(("message_id" in m["value"]["data"]["fieldType"]["value"]) == has_message_id for m in members)
    assert "CSX200" not in b.codes() and "CSX230" not in b.codes()


# ---------------------------------------------------------------- unmodelled factories


def test_unmodelled_component_client_method_export_is_diagnosed(convex_project):
    b = project(convex_project, {
        "convex/billing.ts": src("""
            import { Billing } from "@acme/convex-billing";
            import { components } from "./_generated/api";
            export const billing = new Billing(components.billing, {});
            export const { checkout, portal } = billing.api();
            export const single = billing.webhook();
        """),
    })
    d = sorted((x["line"], x["message"].split(" ")[0]) for x in b.diagnostics if x["code"] == "CSX243")
    assert d == [(4, "billing:checkout"), (4, "billing:portal"), (5, "billing:single")]
    assert b.function_ids() == []


def test_unmodelled_method_of_a_modelled_client_is_diagnosed(convex_project):
    b = project(convex_project, {
        "convex/auth.ts": src("""
            import { createClient, createApi } from "@convex-dev/better-auth";
            import { components } from "./_generated/api";
            export const authComponent = createClient(components.betterAuth);
            export const { getAuthUser } = authComponent.clientApi();
            export const { create, findOne } = createApi({}, () => null);
            export const single = createApi({}, () => null);
        """),
        **installed("@convex-dev/better-auth", "0.12.5"),
    })
    names = sorted(x["message"].split(" ")[0] for x in b.diagnostics if x["code"] == "CSX243")
    # a package function's single (not destructured) result is not reported
    assert names == ["auth:create", "auth:findOne", "auth:getAuthUser"]


def test_component_api_factory_exports_are_diagnosed_whatever_the_scope(convex_project):
    """``f(components.x, ...)`` of a package function is a component's client API factory:
    its result, exported plainly, destructured or through a property, may be Convex
    functions (CSX243 per exported name); a ``new X(components.x)`` client and calls
    without a component argument are plain values."""
    b = project(convex_project, {
        "convex/teams.ts": src("""
            import { makeTeamsAPI, Teams } from "@acme/convex-teams";
            import * as other from "@other/convex-things";
            import { helper } from "@acme/plain";
            import { components } from "./_generated/api";
            export const teams = new Teams(components.teams, {});
            export const { createTeam, listTeams: list } = makeTeamsAPI(components.teams, {
              auth: async (ctx) => null,
            });
            export const api = makeTeamsAPI(components.teams);
            const things = other.build({ component: components.things });
            export const one = things.one;
            export const two = things.two();
            export const plain = helper({});
            export const { x } = helper({});
            export const { y } = teams;
            export const z = teams.z;
        """),
    })
    d = sorted((x["line"], x["message"].split(" ")[0]) for x in b.diagnostics if x["code"] == "CSX243")
    assert d == [(6, "teams:createTeam"), (6, "teams:list"), (9, "teams:api"), (11, "teams:one"), (12, "teams:two")]
    assert b.function_ids() == []


def test_no_noise_without_component_factories(convex_project):
    """Library objects built without a component argument, or never called through a
    method, are plain values: no CSX243 (docs/diagnostics.md)."""
    b = project(convex_project, {
        "convex/lib.ts": src("""
            import { createOpenAI } from "@ai-sdk/openai";
            import { createTool } from "@convex-dev/agent";
            import { Resend } from "@convex-dev/resend";
            import { RateLimiter } from "@convex-dev/rate-limiter";
            import Stripe from "stripe";
            import { components } from "./_generated/api";
            const openai = createOpenAI({ apiKey: "x" });
            export const model = openai.chat("gpt-4o");
            export const stripe = new Stripe("key");
            export const customers = stripe.customers.list();
            export const resend = new Resend(components.resend, {});
            export const limiter = new RateLimiter(components.rateLimiter, {});
            export const check = limiter.check;
            export const searchTool = createTool({ description: "search", handler: async () => [] });
        """),
        **installed("@convex-dev/resend", "0.2.6"),
    })
    assert [d for d in b.diagnostics if d["code"] in ("CSX243", "CSX244")] == []
    assert b.function_ids() == []


# ---------------------------------------------------------------- workpool validators

# src/client/index.ts: vWorkId = v.string(); src/component/shared.ts: vResult =
# v.union(v.object({kind: "success", returnValue: v.any()}), {kind: "failed", error:
# v.string()}, {kind: "canceled"}) (0.4.10+: vRunResult(v.any()), the same JSON).
LIT = lambda s: {"type": "literal", "value": s}  # noqa: E731


def run_result(return_value):
    return {"type": "union", "value": [
        {"type": "object", "value": {"kind": req(LIT("success")), "returnValue": return_value}},
        {"type": "object", "value": {"kind": req(LIT("failed")), "error": req(S)}},
        {"type": "object", "value": {"kind": req(LIT("canceled"))}},
    ]}


N = {"type": "number"}
V_RESULT = run_result(req(ANY))
# src/component/logging.ts logLevel, src/component/shared.ts retryBehavior
V_LOG_LEVEL = {"type": "union", "value": [LIT(x) for x in ("DEBUG", "TRACE", "INFO", "REPORT", "WARN", "ERROR")]}
V_RETRY = {"type": "object", "value": {"maxAttempts": req(N), "initialBackoffMs": req(N), "base": req(N)}}

WORKPOOL_SCHEMA = src("""
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";
    import { vWorkIdValidator, vResultValidator, workIdValidator, resultValidator, vLogLevel, vRetryBehavior, vOnComplete, Workpool } from "@convex-dev/workpool";
    export default defineSchema({
      jobs: defineTable({
        poolId: v.optional(v.union(vWorkIdValidator, v.null())),
        legacyId: workIdValidator,
        result: vResultValidator,
        legacyResult: v.optional(resultValidator),
        level: vLogLevel,
        retry: vRetryBehavior,
        done: vOnComplete,
      }),
    });
""")

WORKPOOL_FUNCTIONS = src("""
    import { vOnCompleteArgs, vOnCompleteValidator } from "@convex-dev/workpool";
    import { v } from "convex/values";
    import { internalMutation } from "./_generated/server";
    export const plain = internalMutation({ args: vOnCompleteArgs(), handler: async () => {} });
    export const typed = internalMutation({ args: vOnCompleteArgs(v.string(), v.number()), handler: async () => {} });
    export const optional = internalMutation({ args: vOnCompleteValidator(v.optional(v.id("jobs"))), handler: async () => {} });
""")


@pytest.mark.parametrize(("version", "returns_optional"), [("0.2.18", False), ("0.4.9", False), ("0.4.12", True)])
def test_workpool_validators_follow_the_version(convex_project, version, returns_optional):
    b = convex_project({"convex/schema.ts": WORKPOOL_SCHEMA, "convex/pool.ts": WORKPOOL_FUNCTIONS, **installed("@convex-dev/workpool", version)})
    assert b.field("jobs", "poolId") == opt({"type": "union", "value": [S, {"type": "null"}]})
    assert b.field("jobs", "legacyId") == req(S)
    assert b.field("jobs", "result") == req(V_RESULT)
    assert b.field("jobs", "legacyResult") == opt(V_RESULT)
    assert b.field("jobs", "level") == req(V_LOG_LEVEL)
    assert b.field("jobs", "retry") == req(V_RETRY)
    # vOnComplete = vOnCompleteArgs(v.any()): context required; from 0.4.10 the result's
    # returnValue is v.optional(v.any()) unless given
    returned = {"fieldType": ANY, "optional": returns_optional}
    done = {"type": "object", "value": {"workId": req(S), "context": req(ANY), "result": req(run_result(returned))}}
    assert b.field("jobs", "done") == req(done)
    assert fn(b, "pool:plain")["args"] == {"type": "object", "value": {"workId": req(S), "context": opt(ANY), "result": req(run_result(returned))}}
    # the second argument exists from 0.4.10 (before, JavaScript ignores it)
    typed_rv = req(N) if returns_optional else req(ANY)
    assert fn(b, "pool:typed")["args"] == {"type": "object", "value": {"workId": req(S), "context": req(S), "result": req(run_result(typed_rv))}}
    assert fn(b, "pool:optional")["args"]["value"]["context"] == opt({"type": "id", "tableName": "jobs"})
    assert [c for c in b.codes() if c in ("CSX200", "CSX230", "CSX244")] == []


def test_workpool_vworkid_is_exported_from_031(convex_project):
    code = src("""
        import { vWorkId, vResult } from "@convex-dev/workpool";
        import { internalMutation } from "./_generated/server";
        export const f = internalMutation({ args: { id: vWorkId, r: vResult }, handler: async () => {} });
    """)
    new = project(convex_project, {"convex/pool.ts": code, **installed("@convex-dev/workpool", "0.3.1")})
    assert fn(new, "pool:f")["args"]["value"] == {"id": req(S), "r": req(V_RESULT)}
    old = project(convex_project, {"convex/pool.ts": code, **installed("@convex-dev/workpool", "0.3.0")})
    assert "CSX230" in old.codes() or "CSX200" in old.codes()


def test_workpool_version_is_only_checked_for_modelled_exports(convex_project):
    """Importing the Workpool class of an unverified version says nothing (its methods
    register nothing); a modelled validator of that version gets CSX244."""
    only_class = project(convex_project, {
        "convex/pool.ts": src("""
            import { Workpool } from "@convex-dev/workpool";
            import { components } from "./_generated/api";
            export const pool = new Workpool(components.pool, { maxParallelism: 1 });
        """),
        **installed("@convex-dev/workpool", "0.2.10"),
    })
    assert [d["code"] for d in only_class.diagnostics] == []
    validator = project(convex_project, {
        "convex/pool.ts": src("""
            import { vWorkIdValidator } from "@convex-dev/workpool";
            import { internalMutation } from "./_generated/server";
            export const f = internalMutation({ args: { id: vWorkIdValidator }, handler: async () => {} });
        """),
        **installed("@convex-dev/workpool", "0.2.10"),
    })
    assert [d["code"] for d in validator.diagnostics] == ["CSX244"]


ON_COMPLETE = src("""
    import { Workpool } from "@convex-dev/workpool";
    import { v } from "convex/values";
    import { components } from "./_generated/api";
    export const pool = new Workpool(components.pool, { maxParallelism: 1 });
    export const done = pool.defineOnComplete({ context: v.object({ jobId: v.string() }), handler: async () => {} });
    export const anyDone = pool.defineOnComplete({ handler: async () => {} });
""")


@pytest.mark.parametrize("version", ["0.2.18", "0.3.1", "0.4.9"])
def test_workpool_define_on_complete_registers_vOnCompleteArgs_of_its_context(convex_project, version):
    """src/client/index.ts 0.2.18–0.4.9: ``internalMutationGeneric({args: vOnCompleteArgs(context), handler})``."""
    b = project(convex_project, {"convex/pool.ts": ON_COMPLETE, **installed("@convex-dev/workpool", version)})
    done = fn(b, "pool:done")
    assert (done["kind"], done["visibility"], done["returns"]) == ("mutation", "internal", None)
    ctx = {"type": "object", "value": {"jobId": req(S)}}
    assert done["args"] == {"type": "object", "value": {"workId": req(S), "context": req(ctx), "result": req(V_RESULT)}}
    assert fn(b, "pool:anyDone")["args"]["value"]["context"] == opt(ANY)
    assert b.diagnostics == []


def test_workpool_define_on_complete_of_an_unread_version_is_diagnosed(convex_project):
    """0.4.10+ was not read: neither installed JavaScript nor a model gives its functions (CSX243)."""
    b = project(convex_project, {"convex/pool.ts": ON_COMPLETE, **installed("@convex-dev/workpool", "0.4.12")})
    assert b.function_ids() == []
    assert sorted(d["message"].split(" ")[0] for d in b.diagnostics if d["code"] == "CSX243") == ["pool:anyDone", "pool:done"]


BETTER_AUTH_07 = src("""
    import { BetterAuth } from "@convex-dev/better-auth";
    import { components } from "./_generated/api";
    export const betterAuthComponent = new BetterAuth(components.betterAuth, {});
    export const { createUser, updateUser, deleteUser, createSession, isAuthenticated } =
      betterAuthComponent.createAuthFunctions({ onCreateUser: async () => "id" });
""")


@pytest.mark.parametrize(("version", "image"), [
    ("0.7.7", S), ("0.7.11", S),
    ("0.7.12", {"type": "union", "value": [{"type": "null"}, S]}), ("0.7.15", {"type": "union", "value": [{"type": "null"}, S]}),
])
def test_better_auth_07_create_auth_functions(convex_project, version, image):
    """0.7.x ``new BetterAuth(...).createAuthFunctions(opts)`` (src/client/index.ts): a public
    query and four internal mutations whose args come from the component schema
    (src/component/schema.ts makes optional user fields nullable from 0.7.12)."""
    b = project(convex_project, {"convex/auth.ts": BETTER_AUTH_07, **installed("@convex-dev/better-auth", version)})
    kinds = {f.split(":")[1]: (fn(b, f)["kind"], fn(b, f)["visibility"]) for f in b.function_ids()}
    assert kinds == {"isAuthenticated": ("query", "public"), "createUser": ("mutation", "internal"), "updateUser": ("mutation", "internal"),
                     "deleteUser": ("mutation", "internal"), "createSession": ("mutation", "internal")}
    data = fn(b, "auth:createUser")["args"]["value"]["input"]["fieldType"]["value"]["data"]["fieldType"]["value"]
    assert data["image"] == opt(image)
    assert b.diagnostics == []


def test_better_auth_prerelease_is_modelled_as_the_release_below_with_a_warning(convex_project):
    b = project(convex_project, {"convex/auth.ts": BETTER_AUTH_07, "package.json": json.dumps({"dependencies": {"@convex-dev/better-auth": "0.8.0-alpha.8"}}),
                                 "pnpm-lock.yaml": "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      '@convex-dev/better-auth':\n        specifier: 0.8.0-alpha.8\n        version: 0.8.0-alpha.8(convex@1.25.4)\n"})
    assert len(b.function_ids()) == 5
    assert [d["message"] for d in b.diagnostics if d["code"] == "CSX244"] == [
        "@convex-dev/better-auth 0.8.0-alpha.8 is not a version the tool has verified; modelled as 0.7.15 (what it registers may differ)"]


def test_rag_entry_and_namespace_ids_are_strings(convex_project):
    """src/shared.ts (0.1.1–0.7.5): ``brandedString("EntryId")``/``("NamespaceId")`` = v.string();
    the RAG class is not modelled (a fresh clone's ``new RAG(...)`` reports nothing)."""
    b = project(convex_project, {"convex/files.ts": src("""
        import { RAG, vEntryId, vNamespaceId } from "@convex-dev/rag";
        import { components } from "./_generated/api";
        import { internalMutation } from "./_generated/server";
        export const rag = new RAG(components.rag, { embeddingDimension: 1536 });
        export const remove = internalMutation({ args: { entryId: vEntryId, ns: vNamespaceId }, handler: async () => null });
    """), "package.json": json.dumps({"dependencies": {"@convex-dev/rag": "^0.3.3"}})})
    assert fn(b, "files:remove")["args"] == {"type": "object", "value": {"entryId": req(S), "ns": req(S)}}
    assert [d["code"] for d in b.diagnostics] == ["CSX244"]  # the range ^0.3.3 taken as 0.3.5


POLAR = src("""
    import { Polar } from "@convex-dev/polar";
    import { components } from "./_generated/api";
    export const polar = new Polar(components.polar, { getUserInfo: async () => ({ userId: "u", email: "e" }) });
    export const { generateCheckoutLink, listAllProducts, cancelCurrentSubscription } = polar.api();
""")


@pytest.mark.parametrize(("version", "subscription_id"), [("0.4.0", False), ("0.6.3", False), ("0.6.4", True), ("0.7.3", True)])
def test_polar_api_registers_its_public_functions(convex_project, version, subscription_id):
    """src/client/index.ts ``api()``: public actions and queries; ``generateCheckoutLink``
    takes ``subscriptionId`` from 0.6.4."""
    b = project(convex_project, {"convex/polar.ts": POLAR, **installed("@convex-dev/polar", version)})
    assert b.function_ids() == ["polar:cancelCurrentSubscription", "polar:generateCheckoutLink", "polar:listAllProducts"]
    link = fn(b, "polar:generateCheckoutLink")
    assert (link["kind"], link["visibility"]) == ("action", "public")
    assert ("subscriptionId" in link["args"]["value"]) == subscription_id
    assert link["returns"] == {"type": "object", "value": {"url": req(S)}}
    assert (fn(b, "polar:listAllProducts")["kind"], fn(b, "polar:listAllProducts")["args"]) == ("query", {"type": "object", "value": {}})
    assert fn(b, "polar:cancelCurrentSubscription")["args"] == {"type": "object", "value": {"revokeImmediately": opt(B)}}
    assert b.diagnostics == []


def test_polar_client_alone_reports_no_version(convex_project):
    """Importing Polar for its routes or helpers only: no version is looked up (CSX244 only
    when api() is modelled from an assumed version)."""
    code = POLAR.split("export const {")[0]
    b = project(convex_project, {"convex/polar.ts": code, **installed("@convex-dev/polar", "0.9.1")})
    assert b.diagnostics == []
    b = project(convex_project, {"convex/polar.ts": POLAR, **installed("@convex-dev/polar", "0.9.1")})
    assert len(b.function_ids()) == 3 and [d["code"] for d in b.diagnostics] == ["CSX244"]


def test_component_passed_through_a_constant_is_still_a_component_client(convex_project):
    """``const c = (components as any).payments; new Payments(c)``: the client is recognised
    through the module-level constant, so its unmodelled API gets CSX243 instead of silence."""
    b = project(convex_project, {
        "convex/polar.ts": src("""
            import { Payments } from "@acme/convex-payments";
            import { components } from "./_generated/api";
            const paymentsComponent = (components as unknown as { payments: any }).payments;
            export const payments = new Payments(paymentsComponent, {});
            export const { listAllProducts, generateCheckoutLink } = payments.api();
        """),
    })
    names = sorted(x["message"].split(" ")[0] for x in b.diagnostics if x["code"] == "CSX243")
    assert names == ["polar:generateCheckoutLink", "polar:listAllProducts"]
