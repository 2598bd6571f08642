"""A model that covers the installed version but not everything the project uses gives way
to the installed package's JavaScript for the rest (issue 9 §2): an export the model does
not list, a method of a modelled client the model does not know. The packages here are
fakes written for these tests, installed at versions the models cover, so the model's
answer (for what it models) and the JavaScript's (for the rest) can be told apart."""

from __future__ import annotations

import json
import textwrap

import pytest

from ssot_testlib import build

SCHEMA = 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n'


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def package(name: str, version: str, js: str) -> dict[str, str]:
    base = f"node_modules/{name}"
    return {
        f"{base}/package.json": json.dumps({"name": name, "version": version, "type": "module", "exports": {".": {"types": "./dist/index.d.ts", "default": "./dist/index.js"}}}),
        f"{base}/dist/index.js": src(js),
    }


# A fake @convex-dev/migrations 0.3.6 (a version the model covers): `runner()` here
# registers something else than the real package, so the contract shows which one answered.
MIGRATIONS_JS = """
    import { internalMutationGeneric, queryGeneric } from "convex/server";
    import { v } from "convex/values";
    export class Migrations {
      constructor(component, options) {
        this.component = component;
        this.options = options ?? {};
      }
      runner() {
        return internalMutationGeneric({ args: { fake: v.string() }, handler: async () => null });
      }
      statusApi(prefix) {
        return {
          getStatus: queryGeneric({
            args: { names: v.optional(v.array(v.string())), tag: prefix },
            returns: v.array(v.object({ name: v.string(), isDone: v.boolean() })),
            handler: async () => [],
          }),
        };
      }
    }
"""

MIGRATIONS_MODULE = """
    import { Migrations } from "@convex-dev/migrations";
    import { v } from "convex/values";
    import { components } from "./_generated/api";
    export const migrations = new Migrations(components.migrations);
    export const run = migrations.runner();
    export const { getStatus } = migrations.statusApi(v.literal("x"));
"""


def test_an_unmodelled_method_of_a_modelled_client_is_read_from_the_installed_class(tmp_path) -> None:
    b = build(tmp_path / "app", {
        "convex/schema.ts": SCHEMA,
        "convex/migrations.ts": src(MIGRATIONS_MODULE),
        **package("@convex-dev/migrations", "0.3.6", MIGRATIONS_JS),
    })
    # modelled method, covered version: the model answers (migrationArgs of 0.3.6)
    run = [f["name"] for f in b.function("migrations:run")["argsValidator"]["fields"]]
    assert run == ["fn", "cursor", "batchSize", "dryRun", "next", "reset", "oneBatchOnly"]
    # a method the model does not know: read from the installed class, with the project's argument
    status = b.function("migrations:getStatus")
    assert (status["kind"], status["visibility"]) == ("query", "public")
    assert [(f["name"], f["type"], f["optional"]) for f in status["argsValidator"]["fields"]] == [("names", "array<string>", True), ("tag", 'literal<"x">', False)]
    assert status["returnsValidator"]["validator"]["type"] == "array"
    assert [d for d in b.diagnostics if d["code"] in ("CSX243", "CSX244", "CSX245")] == []


def test_without_the_installed_package_the_unmodelled_method_is_diagnosed(tmp_path) -> None:
    b = build(tmp_path / "app", {
        "convex/schema.ts": SCHEMA,
        "convex/migrations.ts": src(MIGRATIONS_MODULE),
        "package.json": json.dumps({"dependencies": {"@convex-dev/migrations": "0.3.6"}}),
    })
    assert "migrations:run" in b.function_ids() and "migrations:getStatus" not in b.function_ids()
    (d,) = [d for d in b.diagnostics if d["code"] == "CSX243"]
    assert d["message"].startswith("migrations:getStatus ")


def test_an_unmodelled_method_whose_code_is_not_understood_says_why(tmp_path) -> None:
    js = MIGRATIONS_JS.replace("return {\n          getStatus", "return mystery() ?? {\n          getStatus")
    b = build(tmp_path / "app", {
        "convex/schema.ts": SCHEMA,
        "convex/migrations.ts": src(MIGRATIONS_MODULE),
        **package("@convex-dev/migrations", "0.3.6", js),
    })
    (d,) = [d for d in b.diagnostics if d["code"] == "CSX243"]
    assert d["message"].startswith("migrations:getStatus ") and "whose code in the installed package is not understood" in d["message"], d["message"]


# A fake @convex-dev/resend 0.2.6 (covered: the model gives `vOnEmailEventArgs`), whose
# `Resend` class and `vEmailId` the model does not list.
RESEND_JS = """
    import { internalMutationGeneric } from "convex/server";
    import { v } from "convex/values";
    export const vEmailId = v.string();
    export const vOnEmailEventArgs = v.object({ fake: v.boolean() });
    export class Resend {
      constructor(component, options) { this.options = options; }
      defineEventHandler(extra) {
        return internalMutationGeneric({ args: { id: vEmailId, extra }, handler: async () => null });
      }
    }
"""


def test_an_export_the_model_does_not_list_is_read_from_the_installed_package(tmp_path) -> None:
    b = build(tmp_path / "app", {
        "convex/schema.ts": SCHEMA,
        "convex/mail.ts": src("""
            import { Resend, vEmailId, vOnEmailEventArgs } from "@convex-dev/resend";
            import { v } from "convex/values";
            import { components } from "./_generated/api";
            import { internalMutation } from "./_generated/server";
            export const resend = new Resend(components.resend, {});
            export const onEvent = resend.defineEventHandler(v.number());
            export const byId = internalMutation({ args: { id: vEmailId }, handler: async () => null });
            export const modelled = internalMutation({ args: vOnEmailEventArgs, handler: async () => null });
        """),
        **package("@convex-dev/resend", "0.2.6", RESEND_JS),
    })
    assert [(f["name"], f["type"]) for f in b.function("mail:onEvent")["argsValidator"]["fields"]] == [("id", "string"), ("extra", "float64")]
    assert [(f["name"], f["type"]) for f in b.function("mail:byId")["argsValidator"]["fields"]] == [("id", "string")]
    # what the model lists still comes from the model at a version it covers
    assert list(b.function("mail:modelled")["argsValidator"]["validator"]["value"]) == ["id", "event"]
    assert [d for d in b.diagnostics if d["code"] in ("CSX243", "CSX244", "CSX245", "CSX200")] == []


# A fake @convex-dev/auth at a version the hand-written model (0.0.95) was not read from.
# Its `convexAuth` builds its functions through helpers the statement subset follows.
AUTH_PKG = {
    "node_modules/@convex-dev/auth/package.json": json.dumps({
        "name": "@convex-dev/auth", "version": "0.0.40", "type": "module",
        "exports": {"./server": {"types": "./dist/server/index.d.ts", "import": "./dist/server/index.js"}},
    }),
    "node_modules/@convex-dev/auth/dist/server/index.js": 'export { convexAuth, getAuthUserId } from "./implementation.js";\n',
    "node_modules/@convex-dev/auth/dist/server/implementation.js": src("""
        import { actionGeneric, internalMutationGeneric, httpActionGeneric } from "convex/server";
        import { v } from "convex/values";
        const storeArgs = v.object({ args: v.any() });
        function configDefaults(config) {
            return { ...config, providers: config.providers ?? [] };
        }
        export function convexAuth(config_) {
            const config = configDefaults(config_);
            const auth = {
                addHttpRoutes: (http) => {
                    http.route({ path: "/.well-known/jwks.json", method: "GET", handler: httpActionGeneric(async () => null) });
                },
            };
            return {
                auth,
                signIn: actionGeneric({
                    args: { provider: v.optional(v.string()), params: v.optional(v.any()), refreshToken: v.optional(v.string()) },
                    handler: async () => null,
                }),
                signOut: actionGeneric({ args: {}, handler: async () => null }),
                store: internalMutationGeneric({ args: storeArgs, handler: async () => null }),
            };
        }
        export async function getAuthUserId(ctx) {
            return null;
        }
    """),
}

AUTH_MODULE = src("""
    import { convexAuth } from "@convex-dev/auth/server";
    import { Password } from "@convex-dev/auth/providers/Password";
    export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password] });
""")

HTTP_MODULE = src("""
    import { httpRouter } from "convex/server";
    import { auth } from "./auth";
    const http = httpRouter();
    auth.addHttpRoutes(http);
    export default http;
""")


def test_convex_auth_of_another_installed_version_is_read_not_modelled(tmp_path) -> None:
    b = build(tmp_path / "app", {"convex/schema.ts": SCHEMA, "convex/auth.ts": AUTH_MODULE, "convex/http.ts": HTTP_MODULE, **AUTH_PKG})
    assert b.function_ids() == ["auth:signIn", "auth:signOut", "auth:store"]
    # 0.0.95's signIn has `calledBy` and `verifier`; the installed 0.0.40 (as written here) has neither
    assert [f["name"] for f in b.function("auth:signIn")["argsValidator"]["fields"]] == ["provider", "params", "refreshToken"]
    assert b.function("auth:store")["argsValidator"]["validator"]["value"] == {"args": {"fieldType": {"type": "any"}, "optional": False}}
    # no model is applied, so no version assumption is reported for the functions
    assert "CSX245" not in b.codes(), b.diagnostics
    # the route registrar stays the modelled one, and says which version it models (CSX503)
    assert [(r["method"], r["path"]) for r in b.functions["httpRoutes"]] == [("GET", "/.well-known/jwks.json"), ("GET", "/.well-known/openid-configuration")]
    assert [d["code"] for d in b.diagnostics] == ["CSX503"]


def test_convex_auth_not_understood_in_the_installed_package_falls_back_to_the_model(tmp_path) -> None:
    broken = dict(AUTH_PKG)
    key = "node_modules/@convex-dev/auth/dist/server/implementation.js"
    broken[key] = broken[key].replace("const config = configDefaults(config_);", "const config = configDefaults(config_);\n    while (mystery()) {}")
    b = build(tmp_path / "app", {"convex/schema.ts": SCHEMA, "convex/auth.ts": AUTH_MODULE, **broken})
    assert b.function_ids() == ["auth:signIn", "auth:signOut", "auth:store"]
    assert "calledBy" in [f["name"] for f in b.function("auth:signIn")["argsValidator"]["fields"]]
    (d,) = [d for d in b.diagnostics if d["code"] == "CSX245"]
    assert "@convex-dev/auth 0.0.40 is installed" in d["message"] and "@convex-dev/auth@0.0.95" in d["message"]


@pytest.mark.parametrize(("pinned", "old"), [("0.0.43", True), ("0.0.47", True), ("0.0.95", False)])
def test_convex_auth_model_of_the_pinned_version_in_a_fresh_clone(tmp_path, pinned, old) -> None:
    """Without node_modules the model of the pinned version answers: 0.0.43–0.0.47 (their
    src/server/implementation.ts) has no `isAuthenticated`, no `calledBy`/... in signIn,
    authAccounts' `accountIdAndProvider` index and no refresh-token reuse fields."""
    schema = 'import { defineSchema } from "convex/server";\nimport { authTables } from "@convex-dev/auth/server";\nexport default defineSchema({ ...authTables });\n'
    module = AUTH_MODULE.replace("{ auth, signIn, signOut, store }", "{ auth, signIn, signOut, store, isAuthenticated }")
    b = build(tmp_path / "app", {"convex/schema.ts": schema, "convex/auth.ts": module, "package.json": json.dumps({"dependencies": {"@convex-dev/auth": pinned}})})
    ids = b.function_ids()
    assert ("auth:isAuthenticated" in ids) is not old
    assert ("calledBy" in [f["name"] for f in b.function("auth:signIn")["argsValidator"]["fields"]]) is not old
    accounts = [i["name"] for i in b.table("authAccounts")["indexes"]]
    assert accounts == (["userIdAndProvider", "accountIdAndProvider"] if old else ["userIdAndProvider", "providerAndAccountId"])
    refresh = [c["name"] for c in b.table("authRefreshTokens")["columns"] if not c["name"].startswith("_")]
    assert refresh == (["sessionId", "expirationTime"] if old else ["sessionId", "expirationTime", "firstUsedTime", "parentRefreshTokenId"])
    assert b.table("users")["origin"] == f"@convex-dev/auth@{pinned}"
    assert "CSX245" not in b.codes()


def test_convex_auth_of_an_unread_pinned_version_is_the_latest_model_with_a_warning(tmp_path) -> None:
    b = build(tmp_path / "app", {"convex/schema.ts": SCHEMA, "convex/auth.ts": AUTH_MODULE, "package.json": json.dumps({"dependencies": {"@convex-dev/auth": "0.0.60"}})})
    assert "calledBy" in [f["name"] for f in b.function("auth:signIn")["argsValidator"]["fields"]]
    (d,) = [d for d in b.diagnostics if d["code"] == "CSX245"]
    assert "@convex-dev/auth 0.0.60 is pinned" in d["message"] and "@convex-dev/auth@0.0.95" in d["message"]


def test_an_installed_function_that_receives_the_router_runs(tmp_path) -> None:
    """A library's route registrar that no model knows is read: its `http.route(...)` calls
    add the routes. The surface model is asked first about functions of installed packages
    (for the modelled registrars) and lets every other one run (no CSX502)."""
    b = build(tmp_path / "app", {
        "convex/schema.ts": SCHEMA,
        "convex/http.ts": src("""
            import { httpRouter } from "convex/server";
            import { registerWebhooks } from "fake-webhooks";
            const http = httpRouter();
            registerWebhooks(http, { prefix: "/hooks" });
            export default http;
        """),
        **package("fake-webhooks", "1.0.0", """
            import { httpActionGeneric } from "convex/server";
            export function registerWebhooks(http, options) {
              http.route({ path: options.prefix + "/in", method: "POST", handler: httpActionGeneric(async () => new Response()) });
              http.route({ pathPrefix: options.prefix + "/files/", method: "GET", handler: httpActionGeneric(async () => new Response()) });
            }
        """),
    })
    assert [(r["method"], r.get("path") or r.get("pathPrefix")) for r in b.functions["httpRoutes"]] == [("POST", "/hooks/in"), ("GET", "/hooks/files/")]
    assert b.diagnostics == [], b.diagnostics


# A fake @convex-dev/better-auth 0.12.5 (covered: the model gives `triggersApi()`), whose
# `clientApi()` the model does not know; the client is made by a factory function.
BETTER_AUTH_JS = """
    import { internalMutationGeneric, queryGeneric } from "convex/server";
    import { v } from "convex/values";
    export function createClient(component, config) {
      return {
        component,
        triggersApi: () => ({ onCreate: internalMutationGeneric({ args: { fake: v.null() }, handler: async () => null }) }),
        clientApi: () => ({
          getAuthUser: queryGeneric({ args: {}, returns: v.union(v.null(), v.object({ name: v.string() })), handler: async () => null }),
        }),
      };
    }
"""


def test_an_unmodelled_method_of_a_client_made_by_a_factory_is_read(tmp_path) -> None:
    b = build(tmp_path / "app", {
        "convex/schema.ts": SCHEMA,
        "convex/auth.ts": src("""
            import { createClient } from "@convex-dev/better-auth";
            import { components } from "./_generated/api";
            export const authComponent = createClient(components.betterAuth, {});
            export const { onCreate } = authComponent.triggersApi();
            export const { getAuthUser } = authComponent.clientApi();
        """),
        **package("@convex-dev/better-auth", "0.12.5", BETTER_AUTH_JS),
    })
    # the modelled method at a covered version: the model (doc/model args), not the fake
    assert list(b.function("auth:onCreate")["argsValidator"]["validator"]["value"]) == ["doc", "model"]
    user = b.function("auth:getAuthUser")
    assert (user["kind"], user["visibility"]) == ("query", "public")
    assert user["returnsValidator"]["validator"]["type"] == "union"
    assert [d for d in b.diagnostics if d["code"] == "CSX243"] == []
