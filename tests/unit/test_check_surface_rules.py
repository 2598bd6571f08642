"""The callable-surface rules of ``ctl-convex check``: a failing and a passing example each."""

from __future__ import annotations

import pytest

from check_helpers import HEADER, check, rules_of

TARGETS = HEADER + (
    'export const g = internalMutation({ args: {}, returns: v.null(), handler: async () => null });\n'
    'export const pub = mutation({ args: {}, returns: v.null(), handler: async () => null });\n'
)


def caller(call: str) -> str:
    return HEADER + 'import { api, internal } from "./_generated/api";\n' + (
        "export const a = action({ args: {}, returns: v.null(), handler: async (ctx) => {\n"
        f"  {call};\n"
        "  return null; } });\n"
    )


def crons(job: str) -> str:
    return f'import {{ cronJobs }} from "convex/server";\nimport {{ api, internal }} from "./_generated/api";\nconst crons = cronJobs();\n{job};\nexport default crons;\n'


def http(route: str) -> str:
    return f'import {{ httpRouter }} from "convex/server";\nimport {{ httpAction }} from "./_generated/server";\nconst http = httpRouter();\n{route};\nexport default http;\n'


ROUTE = 'http.route({{ path: "{p}", method: "GET", handler: httpAction(async () => new Response("ok")) }})'
APP = 'import {{ defineApp }} from "convex/server";\nimport counter from "@acme/counter/convex.config.js";\nconst app = defineApp();\napp.use(counter, {{ httpPrefix: "{p}" }});\nexport default app;\n'
COUNTER = {
    "node_modules/@acme/counter/package.json": '{"name": "@acme/counter", "version": "1.2.3", "exports": {"./convex.config": {"import": "./dist/convex.config.js"}}}',
    "node_modules/@acme/counter/dist/convex.config.js": 'import { defineComponent } from "convex/server";\nexport default defineComponent("counter");\n',
}

CASES = [
    ("unknown-function", {"convex/t.ts": TARGETS, "convex/c.ts": caller("await ctx.runMutation(internal.t.nope, {})")},
     {"convex/t.ts": TARGETS, "convex/c.ts": caller("await ctx.runMutation(internal.t.g, {})")}, ("convex/c.ts", 5)),
    ("wrong-function-visibility", {"convex/t.ts": TARGETS, "convex/c.ts": caller("await ctx.runMutation(api.t.g, {})")},
     {"convex/t.ts": TARGETS, "convex/c.ts": caller("await ctx.runMutation(api.t.pub, {})")}, ("convex/c.ts", 5)),
    ("schedule-public-function", {"convex/t.ts": TARGETS, "convex/c.ts": caller("await ctx.scheduler.runAfter(0, api.t.pub, {})")},
     {"convex/t.ts": TARGETS, "convex/c.ts": caller("await ctx.scheduler.runAfter(0, internal.t.g, {})")}, ("convex/c.ts", 5)),
    ("invalid-cron-job", {"convex/t.ts": TARGETS, "convex/crons.ts": crons('crons.daily("j", { hourUTC: 25, minuteUTC: 5 }, internal.t.g)')},
     {"convex/t.ts": TARGETS, "convex/crons.ts": crons('crons.daily("j", { hourUTC: 3, minuteUTC: 5 }, internal.t.g)')}, ("convex/crons.ts", 4)),
    ("invalid-http-route", {"convex/http.ts": http(ROUTE.format(p="x"))}, {"convex/http.ts": http(ROUTE.format(p="/x"))}, ("convex/http.ts", 4)),
    ("invalid-component", {**COUNTER, "convex/convex.config.ts": APP.format(p="counter")},
     {**COUNTER, "convex/convex.config.ts": APP.format(p="/counter/")}, ("convex/convex.config.ts", 4)),
]


@pytest.mark.parametrize("rule,bad,good,where", CASES, ids=[c[0] for c in CASES])
def test_surface_rule_fails_and_passes(tmp_path, rule, bad, good, where):
    found = rules_of(check(tmp_path / "bad", bad, select=[rule]), rule)
    assert found and (found[0][0], found[0][1]) == where, found
    assert rules_of(check(tmp_path / "good", good, select=[rule]), rule) == []


def test_cron_of_a_missing_and_of_a_public_function(tmp_path):
    files = {"convex/t.ts": TARGETS, "convex/crons.ts": crons('crons.hourly("a", { minuteUTC: 5 }, internal.t.gone);\ncrons.hourly("b", { minuteUTC: 5 }, api.t.pub)')}
    report = check(tmp_path, files, select=["program"])
    assert [(f.rule, f.line) for f in report.findings] == [("unknown-function", 4), ("schedule-public-function", 5)]


def test_components_and_unresolved_references_are_not_reported(tmp_path):
    files = {"convex/t.ts": TARGETS, "convex/c.ts": caller("await ctx.runMutation(components.counter.lib.add, {}); await ctx.runMutation(someRef, {})").replace("{ api, internal }", "{ api, internal, components }")}
    assert check(tmp_path, files, select=["program"]).findings == []
