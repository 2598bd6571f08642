"""httpRoutes, crons and components (resolve/surface): what the conformance fixtures cannot
show — diagnostics for what the tool does not follow, routers built in another module,
library registrars, packages that are not installed — and the JSON Schema of the result."""

from __future__ import annotations

import textwrap

from ssot_testlib import schema_errors

SCHEMA = 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n'


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def build(convex_project, files: dict):
    b = convex_project({"convex/schema.ts": SCHEMA, **{k: src(v) for k, v in files.items()}})
    assert schema_errors("functions.schema.json", b.functions) == []
    return b


def routes(b):
    return [(r["method"], r.get("path") or r["pathPrefix"] + "*") for r in b.functions["httpRoutes"]]


def diags(b, code):
    return [d for d in b.functions["diagnostics"] if d["code"] == code]


def test_router_created_in_another_module(convex_project):
    b = build(convex_project, {
        "convex/router.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            export const router = httpRouter();
            router.route({ path: "/from-router", method: "GET", handler: httpAction(async () => new Response()) });
            """,
        "convex/http.ts": """
            import { httpAction } from "./_generated/server";
            import { router } from "./router";
            router.route({ path: "/from-http", method: "POST", handler: httpAction(async () => new Response()) });
            export default router;
            """,
    })
    assert routes(b) == [("POST", "/from-http"), ("GET", "/from-router")]
    assert [r["file"] for r in b.functions["httpRoutes"]] == ["convex/http.ts", "convex/router.ts"]


def test_unknown_code_that_receives_the_router_is_reported(convex_project):
    b = build(convex_project, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { registerRoutes } from "@acme/webhooks";
            const http = httpRouter();
            registerRoutes(http, { path: "/acme" });
            export default http;
            """,
    })
    assert routes(b) == []
    (d,) = diags(b, "CSX502")
    assert d["line"] == 4 and "registerRoutes(...)" in d["message"] and "httpRoutes" in d["message"]


def test_statement_outside_the_subset_is_reported(convex_project):
    b = build(convex_project, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { PATHS } from "some-package";
            const http = httpRouter();
            for (const path of PATHS) {
              http.route({ path, method: "GET", handler: httpAction(async () => new Response()) });
            }
            http.route({ path: "/kept", method: "GET", handler: httpAction(async () => new Response()) });
            export default http;
            """,
    })
    assert routes(b) == [("GET", "/kept")]
    (d,) = diags(b, "CSX530")
    assert d["line"] == 5 and "for…of" in d["message"]


def test_route_spec_not_resolved(convex_project):
    b = build(convex_project, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { BASE } from "some-package";
            const http = httpRouter();
            http.route({ path: BASE, method: "GET", handler: httpAction(async () => new Response()) });
            export default http;
            """,
    })
    assert routes(b) == []
    (d,) = diags(b, "CSX501")
    assert "`path` not resolved" in d["message"]


def test_default_export_that_is_not_a_router(convex_project):
    b = build(convex_project, {
        "convex/http.ts": 'import { router } from "some-package";\nexport default router;\n',
        "convex/crons.ts": 'import { jobs } from "some-package";\nexport default jobs;\n',
    })
    assert b.functions["httpRoutes"] == [] and b.functions["crons"] == []
    assert len(diags(b, "CSX504")) == 1 and len(diags(b, "CSX512")) == 1


def test_auth_routes_follow_the_providers(convex_project):
    auth = """
        import { convexAuth } from "@convex-dev/auth/server";
        import { Password } from "@convex-dev/auth/providers/Password";
        import Resend from "@auth/core/providers/resend";
        export const { auth, signIn, signOut, store } = convexAuth({ providers: [Password, Resend] });
        """
    http = """
        import { httpRouter } from "convex/server";
        import { auth } from "./auth";
        const http = httpRouter();
        auth.addHttpRoutes(http);
        export default http;
        """
    b = build(convex_project, {"convex/auth.ts": auth, "convex/http.ts": http})
    assert routes(b) == [("GET", "/.well-known/jwks.json"), ("GET", "/.well-known/openid-configuration")]
    assert b.functions["httpRoutes"][0]["handler"] == {"inline": True, "package": "@convex-dev/auth"}
    assert b.functions["httpRoutes"][0]["registeredBy"] == "@convex-dev/auth@0.0.95 auth.addHttpRoutes"
    (info,) = diags(b, "CSX503")
    assert info["severity"] == "info" and "0.0.95" in info["message"]
    custom = auth.replace("providers: [Password, Resend]", "providers: [Password, MyProvider]").replace(
        'import Resend from "@auth/core/providers/resend";', 'import { MyProvider } from "some-idp";'
    )
    b = build(convex_project, {"convex/auth.ts": custom, "convex/http.ts": http})
    assert len(routes(b)) == 2
    assert any("OAuth" in d["message"] and d["severity"] == "warning" for d in diags(b, "CSX503"))


def test_cron_not_resolved_is_reported(convex_project):
    b = build(convex_project, {
        "convex/jobs.ts": 'import { internalMutation } from "./_generated/server";\nexport const tick = internalMutation({ args: {}, handler: async () => {} });\n',
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { internal } from "./_generated/api";
            import { HOUR } from "some-package";
            const crons = cronJobs();
            crons.daily("a", { hourUTC: HOUR }, internal.jobs.tick);
            crons.hourly("b", internal.jobs.tick, { n: 1 });
            export default crons;
            """,
    })
    assert [(j["name"], j["schedule"], j["args"]) for j in b.functions["crons"]] == [("b", {"type": "hourly"}, {"n": 1})]
    (d,) = diags(b, "CSX511")
    assert d["line"] == 5 and "hourUTC" in d["message"]


def test_component_not_installed_has_no_name(convex_project):
    b = build(convex_project, {
        "convex/convex.config.ts": """
            import { defineApp } from "convex/server";
            import agent from "@convex-dev/agent/convex.config";
            const app = defineApp();
            app.use(agent);
            app.use(agent, { name: "second" });
            export default app;
            """,
    })
    assert [(c["name"], c["package"], c["version"]) for c in b.functions["components"]] == [
        (None, "@convex-dev/agent", None),
        ("second", "@convex-dev/agent", None),
    ]
    (d,) = diags(b, "CSX520")
    assert "not installed" in d["message"]


def test_component_read_from_the_installed_package(convex_project):
    b = build(convex_project, {
        "node_modules/@acme/counter/package.json": '{"name": "@acme/counter", "version": "1.2.3", "exports": {"./convex.config": {"types": "./x.d.ts", "import": "./dist/convex.config.js"}}}',
        "node_modules/@acme/counter/dist/convex.config.js": '// defineComponent("wrong")\nimport { defineComponent } from "convex/server";\nexport default defineComponent("counter");\n',
        "convex/convex.config.ts": """
            import { defineApp } from "convex/server";
            import counter from "@acme/counter/convex.config.js";
            const app = defineApp();
            app.use(counter, { httpPrefix: "/counter/" });
            app.use(counter, { httpPrefix: "counter" });
            export default app;
            """,
    })
    assert b.functions["components"] == [{
        "name": "counter", "package": "@acme/counter", "version": "1.2.3", "definition": "@acme/counter/convex.config.js",
        "httpPrefix": "/counter/", "file": "convex/convex.config.ts", "line": 4,
    }]
    (d,) = diags(b, "CSX521")
    assert d["severity"] == "error" and 'httpPrefix must start with "/"' in d["message"]


def _installed(pkg: str, version: str) -> dict:
    return {f"node_modules/{pkg}/package.json": f'{{"name": "{pkg}", "version": "{version}"}}'}


def test_component_client_registrars(convex_project):
    files = {
        **_installed("@convex-dev/better-auth", "0.9.7"),
        **_installed("@convex-dev/polar", "0.6.4"),
        **_installed("@convex-dev/workos-authkit", "0.3.0"),
        "convex/auth.ts": """
            import { createClient } from "@convex-dev/better-auth";
            import { AuthKit } from "@convex-dev/workos-authkit";
            import { components } from "./_generated/api";
            export const authComponent = createClient(components.betterAuth);
            export const authKit = new AuthKit(components.workOSAuthKit);
            export const createAuth = (ctx: any) => ({});
            """,
        "convex/polar.ts": """
            import { Polar } from "@convex-dev/polar";
            import { components } from "./_generated/api";
            export const polar = new Polar(components.polar, {});
            """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { authComponent, authKit, createAuth } from "./auth";
            import { polar } from "./polar";
            const http = httpRouter();
            authComponent.registerRoutes(http, createAuth, { cors: true });
            polar.registerRoutes(http, { path: "/billing/polar" });
            authKit.registerRoutes(http);
            export default http;
            """,
    }
    b = build(convex_project, files)
    assert routes(b) == [
        ("GET", "/.well-known/openid-configuration"),
        ("POST", "/billing/polar"),
        ("POST", "/workos/action"),
        ("POST", "/workos/webhook"),
        ("GET", "/api/auth/*"),
        ("OPTIONS", "/api/auth/*"),
        ("POST", "/api/auth/*"),
    ]
    by = {r.get("path") or r["pathPrefix"]: r["registeredBy"] for r in b.functions["httpRoutes"]}
    assert by["/billing/polar"] == "@convex-dev/polar polar.registerRoutes(...)"
    notes = diags(b, "CSX503")
    assert [d["line"] for d in notes] == [7] and "0.1.6, 0.2.7" in notes[0]["message"] and "0.3.0" in notes[0]["message"]


def test_better_auth_keeps_an_existing_openid_route(convex_project):
    b = build(convex_project, {
        **_installed("@convex-dev/better-auth", "0.9.11"),
        "convex/auth.ts": 'import { createClient } from "@convex-dev/better-auth";\nimport { components } from "./_generated/api";\nexport const authComponent = createClient(components.betterAuth);\n',
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { authComponent } from "./auth";
            const http = httpRouter();
            http.route({ pathPrefix: "/.well-known/", method: "GET", handler: httpAction(async () => new Response()) });
            authComponent.registerRoutes(http, () => ({}));
            export default http;
            """,
    })
    assert routes(b) == [("GET", "/.well-known/*"), ("GET", "/api/auth/*"), ("POST", "/api/auth/*")]
    assert diags(b, "CSX503") == []


def test_component_definition_through_tsconfig_paths(convex_project):
    b = build(convex_project, {
        "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@plugins/tasks/*": ["packages/tasks/src/*"]}}}',
        "packages/tasks/src/convex.config.ts": 'import { defineComponent } from "convex/server";\nexport default defineComponent("tasks_plugin");\n',
        "convex/convex.config.ts": """
            import { defineApp } from "convex/server";
            import tasks from "@plugins/tasks/convex.config";
            const app = defineApp();
            app.use(tasks);
            export default app;
            """,
    })
    assert [(c["name"], c["package"], c["definition"]) for c in b.functions["components"]] == [
        ("tasks_plugin", "@plugins/tasks", "@plugins/tasks/convex.config"),
    ]


def test_schedules_computed_with_arithmetic(convex_project):
    b = build(convex_project, {
        "convex/jobs.ts": 'import { internalMutation } from "./_generated/server";\nexport const tick = internalMutation({ args: {}, handler: async () => {} });\n',
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { internal } from "./_generated/api";
            const HOUR = 60 * 60;
            const crons = cronJobs();
            crons.interval("a", { seconds: HOUR }, internal.jobs.tick);
            crons.interval("b", { minutes: 90 - 30 * 2 + 15 / 3 }, internal.jobs.tick);
            crons.daily("c", { hourUTC: 25 % 24, minuteUTC: 7 }, internal.jobs.tick, { ms: 1.5 * 2, x: 10 / 4 });
            crons.interval("d", { minutes: 1 / 0 }, internal.jobs.tick);
            export default crons;
            """,
    })
    assert [(j["name"], j["schedule"], j["args"]) for j in b.functions["crons"]] == [
        ("a", {"seconds": 3600, "type": "interval"}, {}),
        ("b", {"minutes": 35, "type": "interval"}, {}),
        ("c", {"hourUTC": 1, "minuteUTC": 7, "type": "daily"}, {"ms": 3, "x": 2.5}),
    ]
    # 1 / 0 is Infinity (ECMA-262 Number::divide), which Crons.interval rejects (cron.ts
    # validateIntervalNumber): the job is refused with Convex's own message, not left unknown
    (d,) = diags(b, "CSX510")
    assert d["line"] == 8 and "Interval must be an integer greater than 0" in d["message"]
