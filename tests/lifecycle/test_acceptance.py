"""Issue #3 acceptance: init → sync → verify --strict, drift, _generated, outside root, nested layout.

Uses the installed ``ctl-convex`` / ``ctl-db-ssot`` entry points (subprocess) for the
steps a CI pipeline runs, and the in-process CLI for the rest.
"""

from __future__ import annotations

import json
import shutil

from .conftest import ctl, db, run_entry, snapshot, write

SCHEMA = """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({
    tokenIdentifier: v.string(),
    name: v.optional(v.string()),
  }).index("by_tokenIdentifier", ["tokenIdentifier"]),
  messages: defineTable({
    author: v.id("users"),
    body: v.string(),
  }).index("by_author", ["author"]),
});
"""

MESSAGES = """import { v } from "convex/values";
import { mutation, query } from "./_generated/server";

export const list = query({
  args: {},
  handler: async (ctx) => await ctx.db.query("messages").collect(),
});

export const create = mutation({
  args: { author: v.id("users"), body: v.string() },
  handler: async (ctx, args) => await ctx.db.insert("messages", args),
});
"""

LATEST = """
export const latest = query({
  args: {},
  handler: async (ctx) => await ctx.db.query("messages").order("desc").first(),
});
"""

AUDITS = """  audits: defineTable({
    action: v.string(),
  }),
});
"""

PASSED = "[ok] Convex verification passed."
GENERATED_MISSING = "convex/_generated is missing"


def codegen(root, convex_dir="convex"):
    """Stand-in for `npx convex codegen`."""
    write(root, f"{convex_dir}/_generated/server.d.ts", "export {};\n")


def test_lifecycle(tmp_path):
    root = tmp_path / "app"
    write(root, "package.json", json.dumps({"name": "app", "private": True}, indent=2) + "\n")

    # init (installed entry point), then the project's own schema and module
    res = run_entry("ctl-convex", "init", "--repo-root", root)
    assert res.code == 0, res.out + res.err
    assert res.out.startswith("[ok] Convex skeleton initialized.")
    pkg = json.loads((root / "package.json").read_text())
    assert pkg["dependencies"]["convex"] == "^1.48.0"
    write(root, "convex/schema.ts", SCHEMA)
    write(root, "convex/messages.ts", MESSAGES)

    # sync-to-context, then verify --strict passes
    res = run_entry("ctl-db-ssot", "sync-to-context", "--repo-root", root)
    assert res.code == 0, res.out + res.err
    fc = json.loads((root / "docs/context/convex/functions.json").read_text())
    assert [f["functionId"] for f in fc["functions"]] == ["messages:create", "messages:list"]
    codegen(root)
    res = run_entry("ctl-convex", "verify", "--repo-root", root, "--strict")
    assert res.code == 0, res.out + res.err
    assert PASSED in res.out

    # without _generated: a warning; --strict turns it into exit 2
    shutil.rmtree(root / "convex/_generated")
    res = ctl("verify", "--repo-root", root)
    assert res.code == 0 and GENERATED_MISSING in res.out and PASSED in res.out
    res = run_entry("ctl-convex", "verify", "--repo-root", root, "--strict")
    assert res.code == 2 and GENERATED_MISSING in res.out
    codegen(root)

    # only updatedAt changed: no drift
    for rel in ("docs/context/db/schema.json", "docs/context/convex/functions.json"):
        doc = json.loads((root / rel).read_text())
        doc["updatedAt"] = "2025-12-31T23:59:59.999Z"
        write(root, rel, json.dumps(doc, indent=2) + "\n")
    res = ctl("verify", "--repo-root", root, "--strict")
    assert res.code == 0, res.all
    assert "out of date" not in res.all

    # a new table and a new query: drift
    write(root, "convex/schema.ts", SCHEMA[: SCHEMA.rindex("});")] + AUDITS)
    write(root, "convex/messages.ts", MESSAGES + LATEST)
    res = ctl("verify", "--repo-root", root)
    assert res.code == 0
    assert "docs/context/db/schema.json is out of date with current Convex schema." in res.out
    assert "docs/context/convex/functions.json is out of date with current Convex source." in res.out
    assert "  drift: DB tables changed: 2 -> 3" in res.out
    assert "  drift: DB tables added: audits" in res.out
    assert "  drift: Convex functions changed: 2 -> 3" in res.out
    assert "  drift: Functions added: messages:latest" in res.out
    assert ctl("verify", "--repo-root", root, "--strict").code == 2

    # and a sync brings it back
    assert db("sync-to-context", "--repo-root", root).code == 0
    assert ctl("verify", "--repo-root", root, "--strict").code == 0

    # a schema path outside the repository: init, sync and verify all refuse, nothing escapes
    write(root, "docs/project/db-ssot.json", json.dumps({"version": 1, "db": {"source": {"kind": "convex-schema", "path": "../outside/convex/schema.ts"}}}))
    before = snapshot(tmp_path)
    for res in (
        run_entry("ctl-convex", "init", "--repo-root", root),
        ctl("init", "--repo-root", root),
        db("sync-to-context", "--repo-root", root),
        run_entry("ctl-convex", "verify", "--repo-root", root, "--strict"),
    ):
        assert res.code == 1, res.out + res.err
        assert "outside repo root" in res.err
        assert "Traceback" not in res.err
    assert not (tmp_path / "outside").exists()
    assert snapshot(tmp_path) == before


def test_outside_root_with_an_explicit_mode(tmp_path):
    root = tmp_path / "repo"
    write(root, "package.json", "{}")
    write(root, "docs/project/db-ssot.json", json.dumps({"db": {"ssot": "convex", "source": {"path": "../outside/convex/schema.ts"}}}))
    before = snapshot(tmp_path)
    for res in (ctl("init", "--repo-root", root), db("sync-to-context", "--repo-root", root), ctl("verify", "--repo-root", root, "--strict")):
        assert res.code == 1 and "outside repo root" in res.err
    assert snapshot(tmp_path) == before


USERS_NESTED = """import { v } from "convex/values";
import { query as baseQuery } from "./_generated/server";

const authedQuery = baseQuery;

export const listByAccount = authedQuery({
  args: { tokenIdentifier: v.string() },
  handler: async (ctx, { tokenIdentifier }) =>
    await ctx.db
      .query("users")
      .withIndex("by_tokenIdentifier", (q) => q.eq("tokenIdentifier", tokenIdentifier))
      .collect(),
});
"""


def test_nested_layout(tmp_path):
    root = tmp_path / "mono"
    write(root, "package.json", json.dumps({"name": "mono", "private": True, "workspaces": ["apps/*"]}, indent=2) + "\n")
    write(root, "apps/api/package.json", json.dumps({"name": "api"}, indent=2) + "\n")
    write(root, "docs/project/db-ssot.json", json.dumps({"version": 1, "db": {"ssot": "convex", "source": {"kind": "convex-schema", "path": "apps/api/convex/schema.ts"}}}, indent=2))
    root_pkg = (root / "package.json").read_bytes()

    res = ctl("init", "--repo-root", root)
    assert res.code == 0, res.all
    assert not (root / "convex").exists()
    assert (root / "package.json").read_bytes() == root_pkg
    api_pkg = json.loads((root / "apps/api/package.json").read_text())
    assert api_pkg["dependencies"] == {"convex": "^1.48.0"}
    assert api_pkg["scripts"] == {"convex:dev": "convex dev", "convex:codegen": "convex codegen"}

    write(root, "apps/api/convex/users.ts", USERS_NESTED)
    assert db("sync-to-context", "--repo-root", root).code == 0
    fc = json.loads((root / "docs/context/convex/functions.json").read_text())
    assert fc["source"]["path"] == "apps/api/convex/"
    (fn,) = fc["functions"]
    assert fn["functionId"] == "users:listByAccount"
    assert fn["constructor"] == "authedQuery" and fn["resolvedConstructor"] == "query"
    assert fn["file"] == "apps/api/convex/users.ts"

    res = ctl("verify", "--repo-root", root, "--strict")
    assert res.code == 2 and "apps/api/convex/_generated is missing" in res.out
    codegen(root, "apps/api/convex")
    res = run_entry("ctl-convex", "verify", "--repo-root", root, "--strict")
    assert res.code == 0, res.out + res.err
    assert PASSED in res.out

    status = json.loads(ctl("status", "--repo-root", root, "--format", "json").out)
    assert status["packageJsonPath"] == "apps/api/package.json"
    assert status["artifacts"]["generated"] == {"path": "apps/api/convex/_generated", "exists": True}
    assert status["artifacts"]["functionContract"]["functions"] == 1
