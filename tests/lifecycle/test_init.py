"""``ctl-convex init``: layout check, skeleton, never overwriting, package.json, dry-run."""

from __future__ import annotations

import json
import os

import pytest

from convex_ssot.emit.jsonout import loads
from convex_ssot.resources import schema_path, template_dir
from convex_ssot.validate import validate

from .conftest import ctl, snapshot, write

SKELETON = [
    "convex/AGENTS.md",
    "convex/README.md",
    "convex/schema.ts",
    "convex/auth.config.ts",
    "docs/context/convex/INDEX.md",
    "docs/context/convex/functions.json",
    "docs/context/convex/functions.schema.json",
]


def test_fresh_repo_gets_the_whole_skeleton(repo):
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0, res.all
    lines = res.out.splitlines()
    assert lines[0] == "[ok] Convex skeleton initialized."
    for d in ("convex/", "docs/context/db/", "docs/context/convex/"):
        assert f"  mkdir: {d}" in lines
        assert (repo / d).is_dir()
    for rel in SKELETON:
        assert (repo / rel).is_file(), rel
        assert any(line.startswith(f"  write: {rel}") for line in lines), rel
    assert "  update: package.json {dependencies.convex = ^1.48.0; scripts.convex:dev = convex dev; scripts.convex:codegen = convex codegen}" in lines
    assert not (repo / "docs/context/db/schema.json").exists()


def test_skeleton_contents(repo):
    assert ctl("init", "--repo-root", repo).code == 0
    contract = loads((repo / "docs/context/convex/functions.json").read_bytes())
    assert contract == {
        "version": 1,
        "updatedAt": "1970-01-01T00:00:00.000Z",
        "source": {"kind": "convex-functions", "path": "convex/"},
        "functions": [],
    }
    assert validate("functions", contract) == []
    assert (repo / "docs/context/convex/functions.schema.json").read_bytes() == schema_path("functions.schema.json").read_bytes()
    schema = (repo / "convex/schema.ts").read_text()
    for needle in ("users: defineTable", "tokenIdentifier: v.string()", "email: v.optional(v.string())", "name: v.optional(v.string())", '.index("by_tokenIdentifier", ["tokenIdentifier"])'):
        assert needle in schema
    assert "providers: []" in (repo / "convex/auth.config.ts").read_text()
    readme = (repo / "convex/README.md").read_text()
    for cmd in ("ctl-db-ssot sync-to-context", "ctl-convex verify --strict", "convex:dev", "convex:codegen"):
        assert cmd in readme
    for rel in SKELETON:
        assert "{{" not in (repo / rel).read_text(), rel
    pkg = json.loads((repo / "package.json").read_text())
    assert list(pkg) == ["name", "private", "scripts", "dependencies"]
    assert pkg["dependencies"] == {"convex": "^1.48.0"}
    assert pkg["scripts"] == {"convex:dev": "convex dev", "convex:codegen": "convex codegen"}


def test_the_starter_schema_derives_one_table(repo):
    assert ctl("init", "--repo-root", repo).code == 0
    from convex_ssot.config import load_config
    from convex_ssot.pipeline import derive

    derived = derive(load_config(repo))
    assert [t["name"] for t in derived.db["tables"]] == ["users"]
    assert [i["name"] for i in derived.db["tables"][0]["indexes"]] == ["by_tokenIdentifier"]
    assert derived.db["diagnostics"] == [] and derived.functions["functions"] == []


def test_second_run_skips_everything_and_overwrites_nothing(repo):
    assert ctl("init", "--repo-root", repo).code == 0
    write(repo, "convex/AGENTS.md", "mine\n")
    write(repo, "convex/schema.ts", "// my schema\n")
    before = snapshot(repo)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0, res.all
    assert snapshot(repo) == before
    assert "  skip: convex/AGENTS.md [exists]" in res.out
    assert "  skip: convex/schema.ts [exists]" in res.out
    assert "  skip: convex/ [exists]" in res.out
    assert "  skip: package.json [convex dependency and scripts present]" in res.out
    assert "write:" not in res.out and "mkdir:" not in res.out and "update:" not in res.out


def test_dry_run_prints_the_plan_and_changes_nothing(repo):
    before = snapshot(repo)
    res = ctl("init", "--repo-root", repo, "--dry-run")
    assert res.code == 0, res.all
    assert snapshot(repo) == before
    assert "(dry-run)" in res.out.splitlines()[0]
    assert "  mkdir: convex/ (dry-run)" in res.out
    assert "  write: convex/schema.ts {starter users table} (dry-run)" in res.out
    assert "  update: package.json {" in res.out
    # the same plan as the real run, line for line
    real = ctl("init", "--repo-root", repo)
    strip = lambda text: [line.removesuffix(" (dry-run)") for line in text.splitlines()[1:]]  # noqa: E731
    assert strip(res.out) == strip(real.out)


def test_dangling_symlink_counts_as_existing(repo):
    (repo / "convex").mkdir()
    os.symlink("nowhere.ts", repo / "convex" / "schema.ts")
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0, res.all
    assert "  skip: convex/schema.ts [exists]" in res.out
    assert os.readlink(repo / "convex" / "schema.ts") == "nowhere.ts"


# --------------------------------------------------------------------------- package.json


def test_missing_package_json_is_a_warning(tmp_path):
    res = ctl("init", "--repo-root", tmp_path)
    assert res.code == 0, res.all
    assert "  skip: package.json [missing]" in res.out
    assert "[warn] no package.json" in res.out
    assert not (tmp_path / "package.json").exists()
    assert (tmp_path / "convex/schema.ts").is_file()


def test_invalid_package_json_is_left_untouched(repo):
    write(repo, "package.json", '{"name": "app",,}\n')
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0, res.all
    assert (repo / "package.json").read_text() == '{"name": "app",,}\n'
    assert "  skip: package.json [invalid JSON]" in res.out
    assert "[warn] package.json: invalid JSON at line 1 column" in res.out


def test_package_json_that_is_not_an_object_is_left_untouched(repo):
    write(repo, "package.json", "[]\n")
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0
    assert (repo / "package.json").read_text() == "[]\n"
    assert "[warn] package.json: not a JSON object" in res.out


def test_convex_in_dev_dependencies_is_enough(repo):
    write(repo, "package.json", json.dumps({"name": "a", "devDependencies": {"convex": "1.20.0"}}, indent=2) + "\n")
    res = ctl("init", "--repo-root", repo)
    pkg = json.loads((repo / "package.json").read_text())
    assert "dependencies" not in pkg
    assert pkg["devDependencies"] == {"convex": "1.20.0"}
    assert "dependencies.convex" not in res.out


def test_customized_script_is_kept_with_a_warning(repo):
    write(repo, "package.json", json.dumps({"name": "a", "scripts": {"convex:dev": "npx convex dev --tail-logs"}, "dependencies": {"convex": "^1.0.0"}}, indent=2) + "\n")
    res = ctl("init", "--repo-root", repo)
    pkg = json.loads((repo / "package.json").read_text())
    assert pkg["scripts"] == {"convex:dev": "npx convex dev --tail-logs", "convex:codegen": "convex codegen"}
    assert pkg["dependencies"] == {"convex": "^1.0.0"}
    assert '[warn] package.json: script "convex:dev" is "npx convex dev --tail-logs", not "convex dev"; kept as is' in res.out
    assert "  update: package.json {scripts.convex:codegen = convex codegen}" in res.out


def test_key_order_indentation_and_sorted_dependencies_are_kept(repo):
    original = '{\n\t"version": "1.0.0",\n\t"name": "a",\n\t"dependencies": {\n\t\t"react": "^19.0.0",\n\t\t"zod": "^3.0.0"\n\t},\n\t"license": "MIT"\n}'
    write(repo, "package.json", original)
    assert ctl("init", "--repo-root", repo).code == 0
    text = (repo / "package.json").read_text()
    assert text.startswith('{\n\t"version"') and not text.endswith("\n")
    pkg = json.loads(text)
    assert list(pkg) == ["version", "name", "scripts", "dependencies", "license"]
    assert list(pkg["dependencies"]) == ["convex", "react", "zod"]


def test_unsorted_dependencies_get_convex_appended(repo):
    write(repo, "package.json", json.dumps({"dependencies": {"zod": "1", "react": "1"}}, indent=4))
    assert ctl("init", "--repo-root", repo).code == 0
    text = (repo / "package.json").read_text()
    assert '\n    "dependencies"' in text
    assert list(json.loads(text)["dependencies"]) == ["zod", "react", "convex"]


def test_dependencies_of_the_wrong_type_are_not_touched(repo):
    write(repo, "package.json", json.dumps({"dependencies": ["convex"], "scripts": "nope"}))
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0
    assert json.loads((repo / "package.json").read_text()) == {"dependencies": ["convex"], "scripts": "nope"}
    assert "'dependencies' is not an object" in res.out and "'scripts' is not an object" in res.out


# --------------------------------------------------------------------------- layouts


def test_nested_layout_follows_the_configuration(repo):
    write(repo, "docs/project/db-ssot.json", json.dumps({"db": {"ssot": "convex", "source": {"path": "apps/api/convex/schema.ts"}}}))
    write(repo, "apps/api/package.json", json.dumps({"name": "api"}, indent=2) + "\n")
    root_pkg = (repo / "package.json").read_text()
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0, res.all
    assert "  mkdir: apps/api/convex/" in res.out
    for name in ("AGENTS.md", "README.md", "schema.ts", "auth.config.ts"):
        assert (repo / "apps/api/convex" / name).is_file()
    assert not (repo / "convex").exists()
    assert (repo / "package.json").read_text() == root_pkg
    assert json.loads((repo / "apps/api/package.json").read_text())["dependencies"] == {"convex": "^1.48.0"}
    assert "  update: apps/api/package.json {" in res.out
    assert loads((repo / "docs/context/convex/functions.json").read_bytes())["source"]["path"] == "apps/api/convex/"
    assert "apps/api/convex/schema.ts" in (repo / "apps/api/convex/AGENTS.md").read_text()


def test_nested_layout_without_its_own_package_json_uses_the_root_one(repo):
    write(repo, "docs/project/db-ssot.json", json.dumps({"db": {"ssot": "convex", "source": {"path": "apps/api/convex/schema.ts"}}}))
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0
    assert "  update: package.json {" in res.out
    assert "convex" in json.loads((repo / "package.json").read_text())["dependencies"]


def test_package_json_inside_the_convex_dir_is_not_the_manifest(repo):
    write(repo, "convex/package.json", "{}")
    res = ctl("init", "--repo-root", repo)
    assert "  update: package.json {" in res.out
    assert (repo / "convex/package.json").read_text() == "{}"


@pytest.mark.parametrize(
    "config",
    [
        {"db": {"ssot": "convex", "source": {"path": "../outside/convex/schema.ts"}}},
        {"mode": "convex", "paths": {"convexSchema": "../outside/convex/schema.ts"}},
        {"db": {"source": {"path": "/abs/convex/schema.ts"}}},
    ],
)
def test_layout_outside_the_repository_creates_nothing(tmp_path, repo, config):
    write(repo, "docs/project/db-ssot.json", json.dumps(config))
    before = snapshot(tmp_path)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1
    assert "outside repo root" in res.err
    assert "Traceback" not in res.all
    assert snapshot(tmp_path) == before


def test_symlinked_convex_dir_pointing_outside(tmp_path, repo):
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", repo / "convex")
    before = snapshot(tmp_path)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1 and "outside repo root" in res.err
    assert snapshot(tmp_path) == before


def test_package_json_symlinked_outside(tmp_path, repo):
    (repo / "package.json").unlink()
    write(tmp_path, "shared/package.json", "{}")
    os.symlink(tmp_path / "shared/package.json", repo / "package.json")
    before = snapshot(tmp_path)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1 and "package.json" in res.err and "outside repo root" in res.err
    assert snapshot(tmp_path) == before


def test_docs_context_symlinked_outside(tmp_path, repo):
    (tmp_path / "ext").mkdir()
    (repo / "docs").mkdir()
    os.symlink(tmp_path / "ext", repo / "docs" / "context")
    before = snapshot(tmp_path)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1 and "outside repo root" in res.err
    assert snapshot(tmp_path) == before


def test_a_file_where_a_directory_goes(repo):
    write(repo, "convex", "not a dir")
    before = snapshot(repo)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1 and "a file is in the way" in res.err
    assert snapshot(repo) == before


def test_other_configured_modes_are_refused(repo):
    write(repo, "docs/project/db-ssot.json", json.dumps({"db": {"ssot": "repo-prisma"}}))
    before = snapshot(repo)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1 and "repo-prisma" in res.err
    assert snapshot(repo) == before


def test_configured_mode_none_is_a_warning(repo):
    write(repo, "docs/project/db-ssot.json", json.dumps({"mode": "none"}))
    res = ctl("init", "--repo-root", repo)
    assert res.code == 0 and "[warn] docs/project/db-ssot.json sets the DB SSOT mode to 'none'" in res.out


def test_invalid_configuration_is_an_error_without_traceback(repo):
    write(repo, "docs/project/db-ssot.json", "{ nope")
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1
    assert res.err.startswith("[error] docs/project/db-ssot.json: invalid JSON")
    assert not (repo / "convex").exists()


def test_missing_repo_root_is_a_usage_error(tmp_path):
    res = ctl("init", "--repo-root", tmp_path / "nope")
    assert res.code == 2


def test_templates_are_package_data():
    import convex_ssot

    tdir = template_dir()
    pkg = os.path.dirname(convex_ssot.__file__)
    assert os.path.realpath(tdir).startswith(os.path.realpath(pkg) + os.sep)
    for name in ("AGENTS.md", "README.md", "schema.ts", "auth.config.ts", "INDEX.md"):
        assert (tdir / name).is_file(), name



@pytest.mark.parametrize(("rel", "mode"), [("prisma/schema.prisma", "repo-prisma"), ("db/schema/tables.json", "database")])
def test_init_refuses_when_the_inferred_mode_is_not_convex(tmp_path, rel, mode):
    """Without a configuration, a Prisma schema or DB mirror makes the mode repo-prisma or
    database; scaffolding convex/schema.ts would silently switch it to convex."""
    repo = tmp_path / "repo"
    write(repo, rel, "{}\n")
    before = snapshot(repo)
    res = ctl("init", "--repo-root", repo)
    assert res.code == 1 and f"inferred as '{mode}'" in res.err and "nothing was created" in res.err
    assert snapshot(repo) == before
