"""What Convex throws while it loads an HTTP router or cron jobs (convex src/server/router.ts,
src/server/cron.ts) is what convex-ssot reports as an error diagnostic (CSX500, CSX510):
each case is a one-statement ``http.ts`` or ``crons.ts`` the real package refuses to load,
and our diagnostic must quote the real package's message."""

from __future__ import annotations

import re

import pytest

import conformance_harness as h

HTTP_HEAD = """import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
const http = httpRouter();
const handler = httpAction(async () => new Response("ok"));
"""
CRONS_HEAD = """import { cronJobs } from "convex/server";
import { components, internal } from "./_generated/api";
const crons = cronJobs();
const fn = internal.jobs.tick;
"""

HTTP_CASES = {
    "no-leading-slash": 'http.route({ path: "x", method: "GET", handler });',
    "files-reserved": 'http.route({ path: "/.files", method: "GET", handler });',
    "files-subpath-reserved": 'http.route({ path: "/.files/a", method: "POST", handler });',
    "prefix-no-trailing-slash": 'http.route({ pathPrefix: "/p", method: "GET", handler });',
    "prefix-no-leading-slash": 'http.route({ pathPrefix: "p/", method: "GET", handler });',
    "prefix-files-reserved": 'http.route({ pathPrefix: "/.files/", method: "GET", handler });',
    "duplicate-path": 'http.route({ path: "/a", method: "GET", handler });\nhttp.route({ path: "/a", method: "GET", handler });',
    "duplicate-prefix": 'http.route({ pathPrefix: "/a/", method: "PUT", handler });\nhttp.route({ pathPrefix: "/a/", method: "PUT", handler });',
    "path-and-prefix": 'http.route({ path: "/a", pathPrefix: "/a/", method: "GET", handler } as any);',
    "neither": 'http.route({ method: "GET", handler } as any);',
    "head-method": 'http.route({ path: "/a", method: "HEAD", handler } as any);',
    "no-handler": 'http.route({ path: "/a", method: "GET" } as any);',
    "no-method": 'http.route({ path: "/a", handler } as any);',
    "loop-duplicate": 'for (const p of ["/x", "/y", "/x"]) http.route({ path: p, method: "GET", handler });',
}
CRON_CASES = {
    "two-units": 'crons.interval("a", { minutes: 1, hours: 1 } as any, fn);',
    "no-unit": 'crons.interval("a", {} as any, fn);',
    "zero-interval": 'crons.interval("a", { minutes: 0 }, fn);',
    "fractional-interval": 'crons.interval("a", { seconds: 1.5 }, fn);',
    "hour-24": 'crons.daily("a", { hourUTC: 24 }, fn);',
    "minute-60": 'crons.hourly("a", { minuteUTC: 60 }, fn);',
    "weekly-minute": 'crons.weekly("a", { dayOfWeek: "monday", hourUTC: 1, minuteUTC: -1 }, fn);',
    "day-0": 'crons.monthly("a", { day: 0, hourUTC: 1 }, fn);',
    "day-32": 'crons.monthly("a", { day: 32, hourUTC: 1 }, fn);',
    "day-of-week": 'crons.weekly("a", { dayOfWeek: "Monday" as any, hourUTC: 1 }, fn);',
    "duplicate": 'crons.daily("a", { hourUTC: 1 }, fn);\ncrons.cron("a", "* * * * *", fn);',
    "identifier": 'crons.daily("caf\\u00e9", { hourUTC: 1 }, fn);',
    "args-not-object": 'crons.daily("a", { hourUTC: 1 }, fn, "x" as any);',
    "component-reference": 'crons.daily("a", { hourUTC: 1 }, components.rl.lib.reset as any);',
}

SCHEMA = 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n'
JOBS = 'import { internalMutation } from "./_generated/server";\nexport const tick = internalMutation({ args: {}, handler: async () => {} });\n'


def _project(tmp_path, module: str, source: str):
    root = tmp_path / "p"
    (root / "convex").mkdir(parents=True)
    (root / "convex" / "schema.ts").write_text(SCHEMA, encoding="utf-8")
    (root / "convex" / "jobs.ts").write_text(JOBS, encoding="utf-8")
    tail = "export default http;\n" if module == "http" else "export default crons;\n"
    (root / "convex" / f"{module}.ts").write_text(source + "\n" + tail, encoding="utf-8")
    return root


def _check(tmp_path, oracle_node, module: str, source: str, code: str):
    root = _project(tmp_path, module, source)
    oracle = h.run_oracle(root / "convex")
    errors = [e["error"] for e in oracle["moduleErrors"] if e["module"] == module]
    assert len(errors) == 1, f"Convex loaded the module; the case must be one it refuses: {oracle['moduleErrors']}"
    # Convex's message without the value it echoes ("... Received: x").
    expected = re.sub(r"\s*Received: .*$", "", errors[0])
    ours = h.run_ours(root).functions
    found = [d for d in ours["diagnostics"] if d["code"] == code and d["severity"] == "error"]
    assert found, f"no {code} error; Convex says: {errors[0]}; ours: {ours['diagnostics']}"
    assert any(expected in d["message"] for d in found), f"Convex says {expected!r}; ours: {[d['message'] for d in found]}"
    assert found[0]["file"] == f"convex/{module}.ts" and found[0]["line"] >= 5


@pytest.mark.parametrize("case", sorted(HTTP_CASES))
def test_route_rejected_like_convex(tmp_path, oracle_node, case):
    _check(tmp_path, oracle_node, "http", HTTP_HEAD + HTTP_CASES[case], "CSX500")


@pytest.mark.parametrize("case", sorted(CRON_CASES))
def test_cron_rejected_like_convex(tmp_path, oracle_node, case):
    _check(tmp_path, oracle_node, "crons", CRONS_HEAD + CRON_CASES[case], "CSX510")
