"""``ctl-convex verify``: errors, warnings, advisories, drift, exit codes, JSON form, read-only."""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import ctl, snapshot, write

PASSED = "[ok] Convex verification passed."


def verify(root, *extra):
    return ctl("verify", "--repo-root", root, *extra)


def edit(root, rel, old, new, count=1):
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, count))


def test_a_synced_project_passes_strict(synced_app):
    res = verify(synced_app, "--strict")
    assert res.code == 0, res.all
    assert res.out.strip() == PASSED
    assert res.err == ""


def test_verify_never_writes(synced_app):
    edit(synced_app, "convex/schema.ts", "    users: defineTable({", "    audits: defineTable({ action: v.string() }),\n    users: defineTable({")
    shutil.rmtree(synced_app / "convex/_generated")
    before = snapshot(synced_app)
    for args in ((), ("--strict",), ("--format", "json"), ("--fail-on-diagnostics",)):
        verify(synced_app, *args)
    assert snapshot(synced_app) == before


# --------------------------------------------------------------------------- errors (exit 1)


def test_mode_not_convex(synced_app):
    write(synced_app, "docs/project/db-ssot.json", json.dumps({"db": {"ssot": "repo-prisma"}}))
    res = verify(synced_app)
    assert res.code == 1
    assert "[error] DB SSOT mode is 'repo-prisma' (config), not 'convex'" in res.err
    assert PASSED not in res.out


def test_invalid_configuration(synced_app):
    write(synced_app, "docs/project/db-ssot.json", "{")
    res = verify(synced_app)
    assert res.code == 1 and "[error] docs/project/db-ssot.json: invalid JSON" in res.err
    assert "Traceback" not in res.all


@pytest.mark.parametrize(
    "config, key",
    [
        ({"db": {"contracts": {"dbSchema": "docs/db.json"}}}, "db.contracts.dbSchema"),
        ({"db": {"contracts": {"convexFunctions": "out/functions.json"}}}, "db.contracts.convexFunctions"),
        ({"paths": {"dbContextContract": "x/schema.json"}}, "paths.dbContextContract"),
        ({"paths": {"convexFunctionsContract": "x/functions.json"}}, "paths.convexFunctionsContract"),
    ],
)
def test_contract_path_overrides(synced_app, config, key):
    base = {"version": 1, "db": {"ssot": "convex", "source": {"kind": "convex-schema", "path": "convex/schema.ts"}}}
    for k, v in config.items():
        base[k] = {**base.get(k, {}), **v}
    write(synced_app, "docs/project/db-ssot.json", json.dumps(base))
    res = verify(synced_app)
    assert res.code == 1
    assert f"[error] docs/project/db-ssot.json: {key} is " in res.err
    assert "contract paths are fixed in v1" in res.err


def test_overrides_equal_to_the_fixed_paths_are_fine(synced_app):
    write(
        synced_app,
        "docs/project/db-ssot.json",
        json.dumps({"db": {"ssot": "convex", "contracts": {"dbSchema": "./docs/context/db/schema.json"}}, "paths": {"convexFunctionsContract": "docs/context/convex/functions.json"}}),
    )
    assert verify(synced_app, "--strict").code == 0


def test_schema_source_missing(synced_app):
    (synced_app / "convex/schema.ts").unlink()
    res = verify(synced_app)
    assert res.code == 1
    assert "[error] Convex schema convex/schema.ts is missing" in res.err


def test_package_json_without_convex(synced_app):
    pkg = json.loads((synced_app / "package.json").read_text())
    del pkg["dependencies"]["convex"]
    write(synced_app, "package.json", json.dumps(pkg))
    res = verify(synced_app)
    assert res.code == 1
    assert '[error] package.json has no "convex" in dependencies or devDependencies' in res.err


def test_convex_as_dev_dependency_is_accepted(synced_app):
    pkg = json.loads((synced_app / "package.json").read_text())
    pkg["devDependencies"]["convex"] = pkg["dependencies"].pop("convex")
    write(synced_app, "package.json", json.dumps(pkg))
    assert verify(synced_app, "--strict").code == 0


def test_no_package_json_near_the_schema(synced_app):
    (synced_app / "package.json").unlink()
    res = verify(synced_app)
    assert res.code == 1
    assert "[error] no package.json near convex/schema.ts" in res.err


def test_invalid_package_json(synced_app):
    write(synced_app, "package.json", "{oops")
    res = verify(synced_app)
    assert res.code == 1 and "[error] package.json: invalid JSON at line 1" in res.err


@pytest.mark.parametrize("rel", ["docs/context/db/schema.json", "docs/context/convex/functions.json"])
def test_contract_missing(synced_app, rel):
    (synced_app / rel).unlink()
    res = verify(synced_app)
    assert res.code == 1
    assert f"[error] {rel} is missing: run `ctl-db-ssot sync-to-context --repo-root {synced_app}`" in res.err


def test_function_contract_without_functions_array(synced_app):
    write(synced_app, "docs/context/convex/functions.json", json.dumps({"version": 1, "updatedAt": "1970-01-01T00:00:00.000Z"}))
    res = verify(synced_app)
    assert res.code == 1 and "[error] docs/context/convex/functions.json has no 'functions' array" in res.err


def test_contract_that_is_not_json(synced_app):
    write(synced_app, "docs/context/db/schema.json", "not json")
    res = verify(synced_app)
    assert res.code == 1 and "[error] docs/context/db/schema.json is not a valid JSON object" in res.err


def test_layout_outside_root(tmp_path, synced_app):
    write(synced_app, "docs/project/db-ssot.json", json.dumps({"db": {"ssot": "convex", "source": {"path": "../outside/convex/schema.ts"}}}))
    res = verify(synced_app, "--strict")
    assert res.code == 1 and "outside repo root" in res.err


# --------------------------------------------------------------------------- advisories and warnings


def test_missing_and_customized_scripts_are_advisories(synced_app):
    pkg = json.loads((synced_app / "package.json").read_text())
    pkg["scripts"] = {"convex:dev": "npx convex dev --once"}
    write(synced_app, "package.json", json.dumps(pkg))
    res = verify(synced_app, "--strict")
    assert res.code == 0, res.all
    assert '[info] package.json: script "convex:dev" is customized ("npx convex dev --once"; the default is "convex dev")' in res.out
    assert '[info] package.json has no "convex:codegen" script; add "convex:codegen": "convex codegen"' in res.out
    assert res.out.rstrip().endswith(PASSED)


def test_missing_generated_is_a_warning(synced_app):
    shutil.rmtree(synced_app / "convex/_generated")
    res = verify(synced_app)
    assert res.code == 0
    assert "[warn] convex/_generated is missing: run `npx convex dev` or `npx convex codegen` to generate it" in res.out
    assert PASSED in res.out
    strict = verify(synced_app, "--strict")
    assert strict.code == 2
    assert "[fail] Convex verification failed: 1 warning(s) with --strict." in strict.err
    assert PASSED not in strict.out


def test_errors_win_over_warnings(synced_app):
    shutil.rmtree(synced_app / "convex/_generated")
    (synced_app / "docs/context/db/schema.json").unlink()
    assert verify(synced_app, "--strict").code == 1


def test_only_updated_at_changed_is_not_drift(synced_app):
    for rel in ("docs/context/db/schema.json", "docs/context/convex/functions.json"):
        doc = json.loads((synced_app / rel).read_text())
        doc["updatedAt"] = "2001-02-03T04:05:06.789Z"
        write(synced_app, rel, json.dumps(doc))
    res = verify(synced_app, "--strict")
    assert res.code == 0 and "out of date" not in res.all


def test_schema_drift_lines(synced_app):
    edit(synced_app, "convex/schema.ts", "    users: defineTable({", "    audits: defineTable({ action: v.string() }).index(\"by_action\", [\"action\"]),\n    users: defineTable({")
    edit(synced_app, "convex/schema.ts", "      email: v.optional(v.string()),", "      email: v.string(),\n      nickname: v.optional(v.string()),")
    edit(synced_app, "convex/schema.ts", '.index("by_email", { fields: ["email"] })', '.index("by_email", { fields: ["email", "name"] }).index("by_name", ["name"])')
    edit(synced_app, "convex/schema.ts", '.index("by_user", { fields: ["userId"], staged: true })', '.index("by_user", { fields: ["userId"] })')
    res = verify(synced_app)
    assert res.code == 0
    lines = res.out.splitlines()
    i = lines.index("[warn] docs/context/db/schema.json is out of date with current Convex schema.")
    block = lines[i + 1 : i + 8]
    assert block == [
        "  drift: DB tables changed: 6 -> 7",
        "  drift: DB tables added: audits",
        "  drift: DB fields added: users.nickname",
        "  drift: users.email: optional true -> false",
        "  drift: DB indexes added: users.by_name",
        "  drift: users.by_email (index): fields [email] -> [email, name]",
        "  drift: memberships.by_user (index): staged true -> false",
    ]
    assert verify(synced_app, "--strict").code == 2


def test_field_type_change_and_removal(synced_app):
    edit(synced_app, "convex/schema.ts", "      email: v.optional(v.string()),", "      email: v.optional(v.array(v.string())),")
    edit(synced_app, "convex/schema.ts", "      avatarStorageId: v.optional(v.id(\"_storage\")), // uploaded via files.generateUploadUrl\n", "")
    out = verify(synced_app).out
    assert "  drift: DB fields removed: users.avatarStorageId" in out
    assert "  drift: users.email: type string -> array<string>" in out


def test_table_removed(synced_app):
    text = (synced_app / "convex/schema.ts").read_text()
    start = text.index("    reactions: defineTable(")
    end = text.index("    auditLog: defineTable(")
    write(synced_app, "convex/schema.ts", text[:start] + text[end:])
    out = verify(synced_app).out
    assert "  drift: DB tables changed: 6 -> 5" in out
    assert "  drift: DB tables removed: reactions" in out


def test_function_drift_lines(synced_app):
    write(
        synced_app,
        "convex/extra.ts",
        'import { query } from "./_generated/server";\nexport const latest = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").first() });\n',
    )
    edit(synced_app, "convex/channels.ts", "export const list = ", "export const listAll = ")
    res = verify(synced_app)
    lines = res.out.splitlines()
    i = lines.index("[warn] docs/context/convex/functions.json is out of date with current Convex source.")
    assert lines[i + 1 : i + 4] == [
        "  drift: Convex functions changed: 16 -> 17",
        "  drift: Functions added: channels:listAll, extra:latest",
        "  drift: Functions removed: channels:list",
    ]
    assert "docs/context/db/schema.json is out of date" not in res.out


def test_per_function_property_drift(synced_app):
    import re

    from convex_ssot.emit.jsonout import dumps

    rel = "docs/context/convex/functions.json"
    doc = json.loads((synced_app / rel).read_text())
    fn = next(f for f in doc["functions"] if f["functionId"] == "users:me")
    fn["kind"], fn["visibility"] = "mutation", "internal"
    fn["auth"] = {"kind": "internal-only"}
    fn["tablesRead"] = []
    fn["tablesWritten"] = ["users"]
    fn["argsValidator"] = None
    fn["returnsValidator"] = {"raw": "v.null()", "validator": {"type": "null"}, "type": "null", "nullable": False, "list": False}
    (synced_app / rel).write_bytes(dumps(doc))
    out = verify(synced_app).out
    for line in (
        "users:me: kind mutation -> query",
        "users:me: visibility internal -> public",
        "users:me: auth.kind internal-only -> explicit-user-identity",
        "users:me: tablesRead [] -> [users]",
        "users:me: tablesWritten [users] -> []",
        "users:me: argsValidator changed",
        "users:me: returnsValidator changed",
    ):
        assert f"  drift: {line}" in out
    assert not re.search(r"Convex functions changed", out)


def test_names_in_one_drift_line_are_capped(synced_app):
    fields = "".join(f"      extra{i}: v.string(),\n" for i in range(30))
    edit(synced_app, "convex/schema.ts", "      tokenIdentifier: v.string(),\n", "      tokenIdentifier: v.string(),\n" + fields)
    res = verify(synced_app)
    drift = [l for l in res.out.splitlines() if l.startswith("  drift: ")]
    # the list of names is capped within its line; JSON keeps all of them
    assert any(l.startswith("  drift: DB fields added: users.extra0,") and l.endswith("(+20 more)") for l in drift)
    data = json.loads(verify(synced_app, "--format", "json").out)
    assert len(data["drift"]["db"]["changes"][0]["names"]) == 30


def test_many_drift_lines_end_with_and_n_more(synced_app):
    rel = "docs/context/convex/functions.json"
    doc = json.loads((synced_app / rel).read_text())
    for fn in doc["functions"]:
        fn["runtime"] = "node" if fn["runtime"] == "convex" else "convex"
        fn["file"] = "elsewhere.ts"
    write(synced_app, rel, json.dumps(doc))
    res = verify(synced_app)
    drift = [l for l in res.out.splitlines() if l.startswith("  drift: ")]
    assert len(drift) == 20
    assert drift[-1] == "  drift: … and 13 more"
    data = json.loads(verify(synced_app, "--format", "json").out)
    assert len(data["drift"]["functions"]["lines"]) == 32


# --------------------------------------------------------------------------- JSON and diagnostics


def test_json_form(synced_app):
    shutil.rmtree(synced_app / "convex/_generated")
    edit(synced_app, "convex/schema.ts", "    users: defineTable({", "    audits: defineTable({ action: v.string() }),\n    users: defineTable({")
    res = verify(synced_app, "--format", "json", "--strict")
    assert res.code == 2
    data = json.loads(res.out)
    assert data["ok"] is False and data["exitCode"] == 2 and data["strict"] is True and data["mode"] == "convex"
    assert data["errors"] == []
    codes = [w["code"] for w in data["warnings"]]
    assert codes == ["generated-missing", "db-contract-stale"]
    db = data["drift"]["db"]
    assert db["outOfDate"] is True and db["path"] == "docs/context/db/schema.json"
    assert {"kind": "added", "what": "DB tables", "names": ["audits"]} in db["changes"]
    assert "DB tables added: audits" in db["lines"]
    assert data["drift"]["functions"] == {"path": "docs/context/convex/functions.json", "outOfDate": False, "changes": [], "lines": []}
    assert data["advisories"] == [] and data["diagnostics"] == []
    ok = json.loads(verify(synced_app, "--format", "json").out)
    assert ok["ok"] is True and ok["exitCode"] == 0


def test_json_form_with_errors(synced_app):
    (synced_app / "package.json").unlink()
    res = verify(synced_app, "--format", "json")
    assert res.code == 1
    data = json.loads(res.out)
    assert data["ok"] is False and [e["code"] for e in data["errors"]] == ["package-json-missing"]
    assert res.err == ""


DIAG_SCHEMA = """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { tableName } from "./names";

export default defineSchema({
  users: defineTable({ owner: v.id(tableName()) }),
});
"""


def test_fail_on_diagnostics(synced_app):
    write(synced_app, "convex/schema.ts", DIAG_SCHEMA)
    assert ctl_sync(synced_app)
    plain = verify(synced_app, "--strict")
    assert plain.code == 0, plain.all
    assert "[info] 1 diagnostic(s) in the freshly derived contracts" in plain.out
    assert "convex/schema.ts:6:" in plain.out
    res = verify(synced_app, "--fail-on-diagnostics")
    assert res.code == 1
    assert "[error] 1 diagnostic(s) in the freshly derived contracts (--fail-on-diagnostics)" in res.err
    assert "CSX200" in res.err
    data = json.loads(verify(synced_app, "--fail-on-diagnostics", "--format", "json").out)
    assert data["errors"][0]["code"] == "diagnostics" and data["diagnostics"][0]["code"] == "CSX200"


def ctl_sync(root) -> bool:
    from .conftest import db

    return db("sync-to-context", "--repo-root", root).code == 0


def test_no_cache_flag(synced_app):
    assert verify(synced_app, "--strict", "--no-cache").code == 0


# --------------------------------------------------------------------------- stale codegen


def test_stale_codegen_is_a_warning_and_fails_strict(synced_app):
    write(synced_app, "convex/reports.ts", 'import { query } from "./_generated/server";\nexport const r = query({ args: {}, handler: async () => 1 });\n')
    api = synced_app / "convex/_generated/api.d.ts"
    api.write_text(api.read_text() + 'import type * as gone from "../old/gone.js";\n')
    res = verify(synced_app)
    assert res.code == 0, res.all
    assert "[warn] convex/_generated/api.d.ts is out of date (1 module(s) added, 1 removed since codegen ran): run `npx convex dev` or `npx convex codegen`" in res.out
    assert "  added since codegen: reports" in res.out and "  removed since codegen: old/gone" in res.out
    strict = verify(synced_app, "--strict")
    assert strict.code == 2
    data = json.loads(verify(synced_app, "--format", "json").out)
    assert "codegen-stale" in [w["code"] for w in data["warnings"]]


def test_codegen_in_step_and_absent_api_d_ts_are_quiet(synced_app):
    assert "codegen" not in verify(synced_app, "--strict").all
    api = synced_app / "convex/_generated/api.d.ts"
    api.write_text("export declare const api: any;\n")  # a hand-written stand-in lists no modules
    assert "codegen" not in verify(synced_app, "--strict").all
    api.unlink()
    res = verify(synced_app, "--strict")
    assert res.code == 0 and "codegen" not in res.all


def test_a_stand_in_api_d_ts_that_imports_no_module_is_not_compared(synced_app):
    """`export declare const api: any` (test and benchmark stand-ins) is not codegen output."""
    (synced_app / "convex/_generated/api.d.ts").write_text("export declare const api: any;\nexport declare const internal: any;\n")
    res = verify(synced_app, "--strict")
    assert res.code == 0 and "codegen" not in res.all
