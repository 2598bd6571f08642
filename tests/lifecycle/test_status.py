"""``ctl-convex status``: the troubleshooting view in text, JSON and YAML."""

from __future__ import annotations

import json

import yaml

from .conftest import ctl, db, write


def test_text_status_of_a_synced_project(synced_app):
    res = ctl("status", "--repo-root", synced_app)
    assert res.code == 0, res.all
    out = res.out
    assert "mode: convex (config)" in out
    assert "config: docs/project/db-ssot.json [present]" in out
    assert "schema source: convex/schema.ts [present]" in out
    assert "DB contract: docs/context/db/schema.json [present; 6 tables]" in out
    assert ("function contract: docs/context/convex/functions.json [present; 16 functions, "
            "1 HTTP route, 0 cron jobs, 0 components, 0 unresolved calls]") in out
    assert "package.json: package.json [present; convex dependency: yes, convex:dev script: yes, convex:codegen script: yes]" in out
    assert "generated: convex/_generated [present]" in out
    assert "[warn]" not in out


def test_json_status_shape(synced_app):
    res = ctl("status", "--repo-root", synced_app, "--format", "json")
    assert res.code == 0
    data = json.loads(res.out)
    assert data["mode"] == "convex" and data["source"] == "config"
    assert data["configPath"] == "docs/project/db-ssot.json"
    assert data["schemaPath"] == "convex/schema.ts"
    assert data["packageJsonPath"] == "package.json"
    a = data["artifacts"]
    assert a["schemaSource"] == {"kind": "convex schema", "path": "convex/schema.ts", "exists": True}
    assert a["dbContract"] == {"path": "docs/context/db/schema.json", "exists": True, "tables": 6}
    assert a["functionContract"] == {"path": "docs/context/convex/functions.json", "exists": True, "functions": 16,
                                     "httpRoutes": 1, "crons": 0, "components": 0, "unresolvedCalls": 0}
    assert a["packageJson"]["hasConvexDependency"] is True
    assert a["packageJson"]["hasConvexDevScript"] is True
    assert a["packageJson"]["hasConvexCodegenScript"] is True
    assert a["generated"] == {"path": "convex/_generated", "exists": True}
    assert data["errors"] == [] and data["warnings"] == [] and data["candidates"] == []


def test_yaml_equals_json(synced_app):
    as_json = json.loads(ctl("status", "--repo-root", synced_app, "--format", "json").out)
    as_yaml = yaml.safe_load(ctl("status", "--repo-root", synced_app, "--format", "yaml").out)
    assert as_yaml == as_json


def test_missing_artifacts_are_reported(chat_app):
    (chat_app / "package.json").unlink()
    data = json.loads(ctl("status", "--repo-root", chat_app, "--format", "json").out)
    a = data["artifacts"]
    assert a["dbContract"]["exists"] is False and a["dbContract"]["tables"] is None
    assert a["functionContract"]["exists"] is False
    assert a["packageJson"]["exists"] is False and a["packageJson"]["hasConvexDependency"] is False
    assert a["generated"]["exists"] is False
    text = "\n".join(data["warnings"])
    assert "docs/context/db/schema.json is missing" in text
    assert "docs/context/convex/functions.json is missing" in text
    assert "convex/_generated is missing" in text
    assert "no package.json" in text


def test_pnpm_monorepo_without_configuration_lists_candidates(tmp_path):
    root = tmp_path / "mono"
    write(root, "pnpm-workspace.yaml", "packages:\n  - 'apps/*'\n  - 'packages/**'\n  - '!apps/legacy'\n")
    write(root, "package.json", '{"name": "mono", "private": true}')
    write(root, "apps/web/package.json", "{}")
    write(root, "apps/web/convex/schema.ts", "export default 1;\n")
    write(root, "packages/backend/package.json", "{}")
    write(root, "packages/backend/convex.json", '{"functions": "src/convex/"}')
    write(root, "packages/backend/src/convex/users.ts", "export const x = 1;\n")
    write(root, "apps/web/node_modules/convex/schema.ts", "")
    res = ctl("status", "--repo-root", root, "--format", "json")
    data = json.loads(res.out)
    assert data["mode"] == "none"
    assert [c["convexDir"] for c in data["candidates"]] == ["apps/web/convex/", "packages/backend/src/convex/"]
    web = data["candidates"][0]
    assert web == {"convexDir": "apps/web/convex/", "schemaPath": "apps/web/convex/schema.ts", "schemaExists": True, "packageJson": "apps/web/package.json", "workspace": "apps/web"}
    assert data["candidates"][1]["schemaExists"] is False
    assert any("candidate Convex schemas: apps/web/convex/schema.ts" in w for w in data["warnings"])
    text = ctl("status", "--repo-root", root).out
    assert "candidate Convex directories:" in text
    assert "  apps/web/convex/ (workspace apps/web): schema apps/web/convex/schema.ts [present]" in text


def test_package_json_workspaces_are_candidates_too(tmp_path):
    root = tmp_path / "mono"
    write(root, "package.json", json.dumps({"private": True, "workspaces": {"packages": ["services/*"]}}))
    write(root, "services/api/convex/schema.ts", "export default 1;\n")
    data = json.loads(ctl("status", "--repo-root", root, "--format", "json").out)
    assert [c["schemaPath"] for c in data["candidates"]] == ["services/api/convex/schema.ts"]


def test_without_workspaces_a_shallow_scan_finds_nested_convex_dirs(tmp_path):
    root = tmp_path / "r"
    write(root, "backend/convex/schema.ts", "export default 1;\n")
    data = json.loads(ctl("status", "--repo-root", root, "--format", "json").out)
    assert [c["schemaPath"] for c in data["candidates"]] == ["backend/convex/schema.ts"]


def test_no_candidates_listed_with_a_configuration(synced_app):
    write(synced_app, "apps/other/convex/schema.ts", "")
    data = json.loads(ctl("status", "--repo-root", synced_app, "--format", "json").out)
    assert data["candidates"] == []


def test_invalid_configuration_is_an_error(chat_app):
    write(chat_app, "docs/project/db-ssot.json", '{"db": {"ssot": 3}}')
    res = ctl("status", "--repo-root", chat_app)
    assert res.code == 1
    assert "mode: convex (infer (invalid config))" in res.out
    assert "[error] docs/project/db-ssot.json: 'db.ssot' must be a string" in res.err


def test_layout_outside_the_repository(tmp_path, repo):
    write(repo, "docs/project/db-ssot.json", json.dumps({"db": {"ssot": "convex", "source": {"path": "../outside/convex/schema.ts"}}}))
    write(tmp_path, "outside/convex/schema.ts", "")
    res = ctl("status", "--repo-root", repo, "--format", "json")
    assert res.code == 1
    data = json.loads(res.out)
    assert any("outside repo root" in e for e in data["errors"])
    assert data["artifacts"]["schemaSource"]["exists"] is None
    assert data["artifacts"]["generated"]["exists"] is None
    text = ctl("status", "--repo-root", repo)
    assert "not checked (outside repo root)" in text.out and "outside repo root" in text.err


def test_status_shows_the_source_of_each_mode(tmp_path):
    """repo-prisma shows the Prisma schema, database the DB mirror, none no source — in
    text, JSON and YAML, and never a Prisma file as the Convex schema."""
    root = tmp_path / "repo"
    write(root, "prisma/schema.prisma", 'datasource db {\n  provider = "sqlite"\n  url = "file:x"\n}\n')
    write(root, "db/schema/tables.json", '{"version": 1, "tables": []}')
    cases = [
        ({"db": {"ssot": "repo-prisma", "source": {"path": "prisma/schema.prisma"}}}, "prisma schema prisma/schema.prisma", "prisma/schema.prisma"),
        ({"db": {"ssot": "database"}}, "db mirror db/schema/tables.json", "db/schema/tables.json"),
        ({"db": {"ssot": "none"}}, "schema source: none", None),
    ]
    for config, text, path in cases:
        write(root, "docs/project/db-ssot.json", json.dumps(config))
        res = ctl("status", "--repo-root", root)
        assert text in res.out, res.all
        data = json.loads(ctl("status", "--repo-root", root, "--format", "json").out)
        assert data["artifacts"]["schemaSource"]["path"] == path
        assert data["schemaPath"] == "convex/schema.ts", "the Prisma file is never the Convex schema"
        assert yaml.safe_load(ctl("status", "--repo-root", root, "--format", "yaml").out)["artifacts"]["schemaSource"]["path"] == path
        dbs = json.loads(db("status", "--repo-root", root, "--format", "json").out)
        assert dbs["ssotSource"]["path"] == path and dbs["paths"]["convexSchema"] == "convex/schema.ts"
        assert (text.split(" ", 2)[-1] if path else "source: none") in db("status", "--repo-root", root).out
        assert yaml.safe_load(db("status", "--repo-root", root, "--format", "yaml").out)["ssotSource"]["path"] == path


def test_surface_counts_follow_the_contract(synced_app):
    rel = synced_app / "docs/context/convex/functions.json"
    doc = json.loads(rel.read_text())
    doc["functions"][0]["calls"].append({"via": "runQuery", "target": None, "reference": "args.fn", "resolved": False, "file": "convex/ai.ts", "line": 1})
    doc["crons"].append({"name": "x"})
    rel.write_text(json.dumps(doc))
    fc = json.loads(ctl("status", "--repo-root", synced_app, "--format", "json").out)["artifacts"]["functionContract"]
    assert (fc["httpRoutes"], fc["crons"], fc["components"], fc["unresolvedCalls"]) == (1, 1, 0, 1)
    for key in ("httpRoutes", "crons", "components"):
        doc.pop(key)
    for f in doc["functions"]:
        f.pop("calls")
    rel.write_text(json.dumps(doc))
    fc = json.loads(ctl("status", "--repo-root", synced_app, "--format", "json").out)["artifacts"]["functionContract"]
    assert (fc["httpRoutes"], fc["crons"], fc["components"], fc["unresolvedCalls"]) == (None, None, None, None)
    assert "HTTP routes" not in ctl("status", "--repo-root", synced_app).out
