"""``ctl-db-ssot`` end to end, as a user runs it: the installed console script (and
``python -m convex_ssot``) in a subprocess, on copies of examples/chat-app.

Exit codes (convex_ssot/errors.py): 0 ok, 1 user-facing error, 2 usage error, 3 internal
error. No run may print a Python traceback. Every test runs with CONVEX_SSOT_CACHE_DIR in a
temporary directory (tests/conftest.py), so the user's cache is never touched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ssot_testlib import (
    DB_CONTRACT,
    EPOCH,
    FUNCTIONS_CONTRACT,
    GOLDEN_DIR,
    copy_example,
    normalize_updated_at,
    schema_errors,
)

CONFIG = "docs/project/db-ssot.json"
GOLDEN_DB = GOLDEN_DIR / "chat-app" / "schema.json"
GOLDEN_FNS = GOLDEN_DIR / "chat-app" / "functions.json"


def ok(run, code: int = 0):
    """Assert the exit code and that nothing looks like a crash."""
    assert run.returncode == code, str(run)
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout, str(run)
    return run


def nothing_written(root: Path) -> None:
    assert not (root / DB_CONTRACT).exists()
    assert not (root / FUNCTIONS_CONTRACT).exists()


def write_config(root: Path, text: str) -> None:
    p = root / CONFIG
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


@pytest.fixture
def chat(tmp_path: Path) -> Path:
    return copy_example("chat-app", tmp_path / "chat-app")


def assert_matches_golden(root: Path) -> None:
    for rel, golden in ((DB_CONTRACT, GOLDEN_DB), (FUNCTIONS_CONTRACT, GOLDEN_FNS)):
        assert normalize_updated_at((root / rel).read_bytes()) == golden.read_bytes(), rel


# ---------------------------------------------------------------- status


@pytest.mark.parametrize("module", [False, True], ids=["ctl-db-ssot", "python -m convex_ssot"])
def test_status_text(cli, chat, module) -> None:
    r = ok(cli(["status", "--repo-root", str(chat)], module=module))
    assert "mode: convex" in r.stdout
    assert "convex/schema.ts" in r.stdout
    assert "present" in r.stdout and "missing" in r.stdout  # the contracts do not exist yet


@pytest.mark.parametrize("module", [False, True], ids=["ctl-db-ssot", "python -m convex_ssot"])
def test_status_json(cli, chat, module) -> None:
    r = ok(cli(["status", "--repo-root", str(chat), "--format", "json"], module=module))
    data = json.loads(r.stdout)
    assert data["mode"] == "convex"
    assert data["source"] == "config"
    assert data["paths"]["convexSchema"] == "convex/schema.ts"
    assert data["exists"]["convexSchema"] is True
    assert data["exists"]["contextContract"] is False
    assert data["errors"] == []
    ok(cli(["sync-to-context", "--repo-root", str(chat)], module=module))
    data = json.loads(ok(cli(["status", "--repo-root", str(chat), "--format", "json"], module=module)).stdout)
    assert data["exists"]["contextContract"] is True and data["exists"]["convexFunctions"] is True


def test_status_reports_invalid_config_without_crashing(cli, chat) -> None:
    write_config(chat, "{ not json")
    r = ok(cli(["status", "--repo-root", str(chat), "--format", "json"]), code=1)
    data = json.loads(r.stdout)
    assert data["errors"] and CONFIG in data["errors"][0]


def test_status_and_sync_from_inside_the_repo_with_default_root(cli, chat) -> None:
    r = ok(cli(["status", "--format", "json"], cwd=chat))
    assert json.loads(r.stdout)["mode"] == "convex"
    ok(cli(["sync-to-context"], cwd=chat))
    assert_matches_golden(chat)


def test_missing_repo_root_is_a_usage_error(cli, tmp_path) -> None:
    ok(cli(["sync-to-context", "--repo-root", str(tmp_path / "does-not-exist")]), code=2)


# ---------------------------------------------------------------- sync-to-context


@pytest.mark.parametrize("module", [False, True], ids=["ctl-db-ssot", "python -m convex_ssot"])
def test_sync_text(cli, chat, module) -> None:
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)], module=module))
    assert "[ok]" in r.stdout
    assert DB_CONTRACT in r.stdout and FUNCTIONS_CONTRACT in r.stdout
    assert_matches_golden(chat)
    for rel, schema in ((DB_CONTRACT, "db-schema.schema.json"), (FUNCTIONS_CONTRACT, "functions.schema.json")):
        doc = json.loads((chat / rel).read_text(encoding="utf-8"))
        assert schema_errors(schema, doc) == []
        assert doc["updatedAt"] != EPOCH, "a real run stamps the current time"


@pytest.mark.parametrize("module", [False, True], ids=["ctl-db-ssot", "python -m convex_ssot"])
def test_sync_json(cli, chat, module) -> None:
    r = ok(cli(["sync-to-context", "--repo-root", str(chat), "--format", "json"], module=module))
    data = json.loads(r.stdout)
    assert data["ok"] is True
    assert data["mode"] == "convex"
    assert sorted(data["written"]) == sorted([DB_CONTRACT, FUNCTIONS_CONTRACT])
    assert data["unchanged"] == []
    golden_db = json.loads(GOLDEN_DB.read_text(encoding="utf-8"))
    golden_fns = json.loads(GOLDEN_FNS.read_text(encoding="utf-8"))
    assert data["tables"] == len(golden_db["tables"]) == 6
    assert data["functions"] == len(golden_fns["functions"]) == 16
    assert data["diagnostics"] == []
    assert_matches_golden(chat)
    # the second run writes nothing
    data2 = json.loads(ok(cli(["sync-to-context", "--repo-root", str(chat), "--format", "json"], module=module)).stdout)
    assert data2["written"] == []
    assert sorted(data2["unchanged"]) == sorted([DB_CONTRACT, FUNCTIONS_CONTRACT])


def test_rerun_leaves_files_byte_identical(cli, chat) -> None:
    ok(cli(["sync-to-context", "--repo-root", str(chat)]))
    first = {rel: (chat / rel).read_bytes() for rel in (DB_CONTRACT, FUNCTIONS_CONTRACT)}
    mtimes = {rel: (chat / rel).stat().st_mtime_ns for rel in first}
    ok(cli(["sync-to-context", "--repo-root", str(chat)]))
    ok(cli(["sync-to-context", "--repo-root", str(chat), "--no-cache"]))
    for rel, data in first.items():
        assert (chat / rel).read_bytes() == data, f"{rel} changed on a no-op re-run (updatedAt must be kept)"
        assert (chat / rel).stat().st_mtime_ns == mtimes[rel], f"{rel} was rewritten on a no-op re-run"


def test_source_change_updates_contract_and_timestamp(cli, chat) -> None:
    ok(cli(["sync-to-context", "--repo-root", str(chat)]))
    db_before = json.loads((chat / DB_CONTRACT).read_text(encoding="utf-8"))
    fns_before = (chat / FUNCTIONS_CONTRACT).read_bytes()
    # pin the old timestamp so a change is visible even within the same millisecond
    db_before["updatedAt"] = EPOCH
    (chat / DB_CONTRACT).write_text(json.dumps(db_before, indent=2) + "\n", encoding="utf-8")
    schema = chat / "convex" / "schema.ts"
    schema.write_text(schema.read_text(encoding="utf-8").replace("emoji: v.string(),", "emoji: v.string(),\n      extra: v.boolean(),"), encoding="utf-8")
    data = json.loads(ok(cli(["sync-to-context", "--repo-root", str(chat), "--format", "json"])).stdout)
    assert DB_CONTRACT in data["written"]
    assert FUNCTIONS_CONTRACT in data["unchanged"]
    db_after = json.loads((chat / DB_CONTRACT).read_text(encoding="utf-8"))
    assert db_after["updatedAt"] != EPOCH
    reactions = next(t for t in db_after["tables"] if t["name"] == "reactions")
    assert reactions["documentType"]["value"]["extra"] == {"fieldType": {"type": "boolean"}, "optional": False}
    assert (chat / FUNCTIONS_CONTRACT).read_bytes() == fns_before


@pytest.mark.parametrize(
    "out",
    [
        "docs/other.json",
        "docs/context/db/other.json",
        "../docs/context/db/schema.json",
        ".docs/context/db/schema.json",
        "/tmp/elsewhere/schema.json",
    ],
)
def test_out_other_path_is_refused(cli, chat, out) -> None:
    r = ok(cli(["sync-to-context", "--repo-root", str(chat), "--out", out], cwd=chat), code=1)
    assert "--out" in r.stderr
    nothing_written(chat)
    target = Path(out) if os.path.isabs(out) else chat / out
    assert not target.exists(), f"{target} was written"


@pytest.mark.parametrize("out", ["docs/context/db/schema.json", "./docs/context/db/schema.json"])
def test_out_the_fixed_path_is_accepted(cli, chat, out) -> None:
    ok(cli(["sync-to-context", "--repo-root", str(chat), "--out", out], cwd=chat))
    assert_matches_golden(chat)


# ---------------------------------------------------------------- configuration errors


def test_invalid_json_config_names_file_line_and_column(cli, chat) -> None:
    write_config(chat, '{\n  "version": 1,\n  "db": { "ssot": "convex", }\n}\n')
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)]), code=1)
    assert CONFIG in r.stderr
    assert "line 3" in r.stderr and "column 29" in r.stderr, r.stderr
    nothing_written(chat)


@pytest.mark.parametrize(
    "config",
    [
        {"db": {"ssot": "convex", "source": {"kind": "convex-schema", "path": "../outside/schema.ts"}}},
        {"mode": "convex", "paths": {"convexSchema": "../../etc/schema.ts"}},
        {"mode": "convex", "paths": {"convexSchema": "convex/../../schema.ts"}},
        {"mode": "convex", "paths": {"convexSchema": "/abs/convex/schema.ts"}},
    ],
)
def test_schema_path_outside_repo_root_is_refused(cli, chat, config) -> None:
    outside = chat.parent / "outside"
    (outside).mkdir(exist_ok=True)
    (outside / "schema.ts").write_text((chat / "convex" / "schema.ts").read_text(encoding="utf-8"), encoding="utf-8")
    write_config(chat, json.dumps(config))
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)]), code=1)
    assert "outside repo root" in r.stderr
    nothing_written(chat)
    assert not (outside.parent / "docs").exists()


def test_schema_dir_symlinked_outside_repo_is_refused(cli, chat, tmp_path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "schema.ts").write_text((chat / "convex" / "schema.ts").read_text(encoding="utf-8"), encoding="utf-8")
    (chat / "linked").symlink_to(outside, target_is_directory=True)
    write_config(chat, json.dumps({"mode": "convex", "paths": {"convexSchema": "linked/schema.ts"}}))
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)]), code=1)
    assert "outside repo root" in r.stderr
    nothing_written(chat)


@pytest.mark.parametrize("key", ["mode", "ssot", "db.ssot"])
def test_mode_none_writes_empty_v2_contract_with_note(cli, tmp_path, key) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    config = {"db": {"ssot": "none"}} if key == "db.ssot" else {key: "none"}
    write_config(root, json.dumps(config))
    ok(cli(["sync-to-context", "--repo-root", str(root)]))
    doc = json.loads((root / DB_CONTRACT).read_text(encoding="utf-8"))
    assert doc["version"] == 2
    assert doc["ssot"] == {"mode": "none", "source": {"kind": "none", "path": None}}
    assert doc["tables"] == [] and doc["enums"] == [] and doc["diagnostics"] == []
    assert doc["schemaOptions"] is None
    assert doc["database"] == {"kind": "document-relational", "dialect": "convex", "name": "convex", "schemas": []}
    assert doc["notes"] and all(isinstance(n, str) and n for n in doc["notes"])
    assert schema_errors("db-schema.schema.json", doc) == []
    assert not (root / FUNCTIONS_CONTRACT).exists(), "no Convex functions in mode none"


@pytest.mark.parametrize(("mode", "source", "schema"), [
    ("repo-prisma", "prisma/schema.prisma", "db-schema-prisma.schema.json"),
    ("database", "db/schema/tables.json", "db-schema-mirror.schema.json"),
])
def test_other_modes_without_their_source_write_the_empty_contract(cli, chat, mode, source, schema) -> None:
    """As the tool we replace: the empty contract says what is missing; a warning too."""
    write_config(chat, json.dumps({"mode": mode}))
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)]))
    assert f"[warn] Missing" in r.stdout and source in r.stdout
    doc = json.loads((chat / DB_CONTRACT).read_text(encoding="utf-8"))
    assert doc["ssot"]["mode"] == mode and doc["tables"] == [] and source in doc["notes"]
    assert schema_errors(schema, doc) == []
    assert not (chat / FUNCTIONS_CONTRACT).exists()


def test_unknown_mode_value_is_refused(cli, chat) -> None:
    write_config(chat, json.dumps({"mode": "mongodb"}))
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)]), code=1)
    assert "mongodb" in r.stderr
    nothing_written(chat)


# ---------------------------------------------------------------- degraded sources


def test_no_define_schema_gives_empty_tables_and_a_warning(cli, chat) -> None:
    (chat / "convex" / "schema.ts").write_text('import { v } from "convex/values";\nexport const x = v.string();\n', encoding="utf-8")
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)]))
    assert "[warn]" in r.stdout + r.stderr
    doc = json.loads((chat / DB_CONTRACT).read_text(encoding="utf-8"))
    assert doc["tables"] == []
    assert doc["schemaOptions"] is None
    assert [(d["file"], d["code"]) for d in doc["diagnostics"]] == [("convex/schema.ts", "CSX220")]
    fns = json.loads((chat / FUNCTIONS_CONTRACT).read_text(encoding="utf-8"))
    assert len(fns["functions"]) == 16, "the function modules are still read"
    assert schema_errors("db-schema.schema.json", doc) == []


def test_non_utf8_module_is_a_diagnostic_and_the_rest_is_processed(cli, chat) -> None:
    (chat / "convex" / "latin1.ts").write_bytes(
        b'import { query } from "./_generated/server";\n// caf\xe9\nexport const q = query({ handler: async () => 1 });\n'
    )
    r = ok(cli(["sync-to-context", "--repo-root", str(chat), "--format", "json"]))
    data = json.loads(r.stdout)
    diags = [d for d in data["diagnostics"] if d["file"] == "convex/latin1.ts"]
    assert len(diags) == 1
    assert (diags[0]["line"], diags[0]["column"], diags[0]["severity"]) == (2, 7, "error")
    fns = json.loads((chat / FUNCTIONS_CONTRACT).read_text(encoding="utf-8"))
    golden_ids = [f["functionId"] for f in json.loads(GOLDEN_FNS.read_text(encoding="utf-8"))["functions"]]
    assert [f["functionId"] for f in fns["functions"]] == golden_ids
    assert normalize_updated_at((chat / DB_CONTRACT).read_bytes()) == GOLDEN_DB.read_bytes()


def test_non_utf8_schema_is_a_diagnostic_and_functions_are_processed(cli, chat) -> None:
    (chat / "convex" / "schema.ts").write_bytes(b"\xff\xfe not utf-8 at all\n")
    r = ok(cli(["sync-to-context", "--repo-root", str(chat), "--format", "json"]))
    data = json.loads(r.stdout)
    assert any(d["file"] == "convex/schema.ts" and d["severity"] == "error" for d in data["diagnostics"])
    assert data["tables"] == 0 and data["functions"] == 16


def test_syntax_error_in_a_module_is_reported_not_fatal(cli, chat) -> None:
    (chat / "convex" / "broken.ts").write_text(
        'import { query } from "./_generated/server";\nexport const nope = query({ args: { a: v.string( }, handler: async () => 1 });\n',
        encoding="utf-8",
    )
    r = ok(cli(["sync-to-context", "--repo-root", str(chat)]))
    assert "convex/broken.ts:2:" in r.stdout + r.stderr
    doc = json.loads((chat / FUNCTIONS_CONTRACT).read_text(encoding="utf-8"))
    assert any(d["file"] == "convex/broken.ts" and d["line"] == 2 for d in doc["diagnostics"])
    assert {"users:me", "messages:send"} <= {f["functionId"] for f in doc["functions"]}


# ---------------------------------------------------------------- cache


def test_no_cache_output_equals_cached_output(cli, tmp_path) -> None:
    a = copy_example("chat-app", tmp_path / "a")
    b = copy_example("chat-app", tmp_path / "b")
    ok(cli(["sync-to-context", "--repo-root", str(a)]))  # cold cache
    (a / DB_CONTRACT).unlink()
    (a / FUNCTIONS_CONTRACT).unlink()
    ok(cli(["sync-to-context", "--repo-root", str(a)]))  # warm cache
    ok(cli(["sync-to-context", "--repo-root", str(b), "--no-cache"]))
    for rel in (DB_CONTRACT, FUNCTIONS_CONTRACT):
        assert normalize_updated_at((a / rel).read_bytes()) == normalize_updated_at((b / rel).read_bytes()), rel
    assert_matches_golden(a)


def test_no_cache_does_not_create_cache_files(cli, chat, tmp_path) -> None:
    cache_dir = tmp_path / "fresh-cache"
    ok(cli(["sync-to-context", "--repo-root", str(chat), "--no-cache"], env={"CONVEX_SSOT_CACHE_DIR": str(cache_dir)}))
    # Only the per-repository lock lives there (one place for every run, so a --no-cache
    # sync and a cached one of the same repository still exclude each other).
    files = [p.relative_to(cache_dir).as_posix() for p in cache_dir.rglob("*") if p.is_file()] if cache_dir.exists() else []
    assert all(f.startswith("locks/") and f.endswith(".lock") for f in files), files
    assert_matches_golden(chat)


def test_cache_dir_env_is_used(cli, chat, tmp_path) -> None:
    cache_dir = tmp_path / "my-cache"
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env={"CONVEX_SSOT_CACHE_DIR": str(cache_dir)}))
    assert any(p.is_file() for p in cache_dir.rglob("*")), "the cache is written where CONVEX_SSOT_CACHE_DIR says"


def _all_cache_files(cache_dir: Path) -> list[Path]:
    return [p for p in cache_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "garbage",
    [b"", b"garbage\x00\x01\x02 not a cache entry", b"\x80\x04\x95 truncated pickle", b'{"truncated": '],
    ids=["empty", "binary", "pickle-prefix", "truncated-json"],
)
def test_corrupt_cache_files_are_ignored_and_rebuilt(cli, chat, tmp_path, garbage) -> None:
    cache_dir = tmp_path / "cache"
    env = {"CONVEX_SSOT_CACHE_DIR": str(cache_dir)}
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env=env))
    files = _all_cache_files(cache_dir)
    assert files, "the first run populates the cache"
    for p in files:
        p.write_bytes(garbage)
    for rel in (DB_CONTRACT, FUNCTIONS_CONTRACT):
        (chat / rel).unlink()
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env=env))
    assert_matches_golden(chat)
    # and the rebuilt cache works again
    for rel in (DB_CONTRACT, FUNCTIONS_CONTRACT):
        (chat / rel).unlink()
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env=env))
    assert_matches_golden(chat)


def test_well_formed_but_wrong_project_cache_entry_is_not_trusted(cli, chat, tmp_path) -> None:
    # A damaged entry that still parses as JSON must not become the contract (cache.py:
    # "a missing, stale or unreadable entry is rebuilt, never trusted").
    cache_dir = tmp_path / "cache"
    env = {"CONVEX_SSOT_CACHE_DIR": str(cache_dir)}
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env=env))
    entries = [p for p in _all_cache_files(cache_dir) if p.suffix == ".json"]
    assert entries
    for p in entries:
        entry = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(entry, dict) and "db" in entry:
            entry["db"] = {"bogus": True}
            p.write_text(json.dumps(entry), encoding="utf-8")
    for rel in (DB_CONTRACT, FUNCTIONS_CONTRACT):
        (chat / rel).unlink()
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env=env))
    assert_matches_golden(chat)


def test_unwritable_cache_dir_is_not_fatal(cli, chat, tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env={"CONVEX_SSOT_CACHE_DIR": str(blocker / "sub")}))
    assert_matches_golden(chat)


def _contracts_side_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("projects/*.contract.json"))


@pytest.mark.parametrize("how", ["edited", "deleted", "copy-intact", "copy-damaged"])
def test_hand_edited_contract_is_rewritten_on_a_whole_project_cache_hit(cli, chat, tmp_path, monkeypatch, how) -> None:
    # The nothing-changed path compares fingerprints of the files on disk. A sync keeps no
    # copy of the contracts (the files it wrote are the copy); a derive (verify) keeps
    # copies in the cache. A contract that differs is rebuilt from an intact copy, checked
    # against its fingerprint, or from the sources.
    cache_dir = tmp_path / "cache"
    env = {"CONVEX_SSOT_CACHE_DIR": str(cache_dir)}
    ok(cli(["sync-to-context", "--repo-root", str(chat)], env=env))
    updated_at = json.loads((chat / DB_CONTRACT).read_text(encoding="utf-8"))["updatedAt"]
    assert _contracts_side_files(cache_dir) == []
    if how.startswith("copy"):  # a source touched (same contracts), then derived without a sync
        from convex_ssot.config import load_config
        from convex_ssot.pipeline import derive

        schema = chat / "convex/schema.ts"
        schema.write_text(schema.read_text(encoding="utf-8") + "\n// touched\n", encoding="utf-8")
        monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(cache_dir))
        derive(load_config(chat))
        side = _contracts_side_files(cache_dir)
        assert len(side) == 2
        if how == "copy-damaged":
            for path in side:
                path.write_bytes(path.read_bytes().replace(b'"users"', b'"bogus"'))
    if how == "deleted":
        (chat / FUNCTIONS_CONTRACT).unlink()
    else:
        edited = json.loads((chat / FUNCTIONS_CONTRACT).read_text(encoding="utf-8"))
        edited["functions"] = edited["functions"][1:]
        (chat / FUNCTIONS_CONTRACT).write_text(json.dumps(edited), encoding="utf-8")
    r = ok(cli(["sync-to-context", "--repo-root", str(chat), "--format", "json"], env=env))
    data = json.loads(r.stdout)
    assert data["written"] == [FUNCTIONS_CONTRACT] and data["unchanged"] == [DB_CONTRACT]
    assert json.loads((chat / DB_CONTRACT).read_text(encoding="utf-8"))["updatedAt"] == updated_at
    assert_matches_golden(chat)


def test_verify_sees_a_hand_edited_contract_on_a_whole_project_cache_hit(cli, chat, tmp_path, monkeypatch) -> None:
    from convex_ssot.drift import verify

    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path / "cache"))
    ok(cli(["sync-to-context", "--repo-root", str(chat)]))
    assert verify(chat).drift["db"]["outOfDate"] is False  # the cache hit, on unchanged files
    doc = json.loads((chat / DB_CONTRACT).read_text(encoding="utf-8"))
    doc["tables"] = doc["tables"][1:]
    (chat / DB_CONTRACT).write_text(json.dumps(doc, indent=2), encoding="utf-8")
    report = verify(chat)
    assert report.drift["db"]["outOfDate"] is True
    assert report.drift["functions"]["outOfDate"] is False
    assert report.drift["db"]["changes"], report.drift["db"]


def test_fingerprint_ignores_only_the_top_level_updated_at() -> None:
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.pipeline import fingerprint

    doc = {"version": 2, "updatedAt": "2026-01-01T00:00:00.000Z", "tables": [{"name": "a", "updatedAt": "x"}]}
    same = {**doc, "updatedAt": "2030-12-31T23:59:59.999Z"}
    nested = {**doc, "tables": [{"name": "a", "updatedAt": "y"}]}
    assert fingerprint(dumps(doc)) == fingerprint(dumps(same))
    assert fingerprint(dumps(doc)) != fingerprint(dumps(nested))
    assert fingerprint(dumps(doc)) != fingerprint(dumps({**doc, "version": 3}))


def test_whole_project_cache_follows_tsconfig_paths(cli, tmp_path) -> None:
    # The project entry is keyed by every file the build read *and* every configuration
    # file it consulted: retargeting a tsconfig path alias must change the contract.
    root = tmp_path / "app"
    (root / "convex").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "convex" / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\n'
        'import { status } from "@shared/status";\n'
        "export default defineSchema({ tasks: defineTable({ status }) });\n",
        encoding="utf-8",
    )
    (root / "shared" / "a.ts").write_text('import { v } from "convex/values";\nexport const status = v.string();\n', encoding="utf-8")
    (root / "shared" / "b.ts").write_text('import { v } from "convex/values";\nexport const status = v.boolean();\n', encoding="utf-8")
    tsconfig = root / "tsconfig.json"
    tsconfig.write_text('{ "compilerOptions": { "paths": { "@shared/status": ["./shared/a.ts"] } } }', encoding="utf-8")
    env = {"CONVEX_SSOT_CACHE_DIR": str(tmp_path / "cache")}

    def status_type() -> dict:
        ok(cli(["sync-to-context", "--repo-root", str(root)], env=env))
        doc = json.loads((root / DB_CONTRACT).read_text(encoding="utf-8"))
        [col] = [c for c in doc["tables"][0]["columns"] if c["name"] == "status"]
        return col["validator"]

    assert status_type() == {"type": "string"}
    tsconfig.write_text('{ "compilerOptions": { "paths": { "@shared/status": ["./shared/b.ts"] } } }', encoding="utf-8")
    assert status_type() == {"type": "boolean"}
    tsconfig.unlink()  # no alias any more: the import cannot be resolved
    assert status_type() == {"type": "any"}


def test_a_reader_that_goes_away_is_not_an_internal_error(chat) -> None:
    """``ctl-db-ssot status --format json | head -c0``: the pipe is closed before the command
    writes; it exits 141 (128 + SIGPIPE) without an internal-error line or a traceback."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "convex_ssot", "status", "--repo-root", str(chat), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader goes away before anything is written
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=120) == 141, err
    assert "internal error" not in err and "Traceback" not in err, err
