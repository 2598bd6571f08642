"""docs/context/registry.json after a sync (:mod:`convex_ssot.registry`)."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

from convex_ssot.config import load_config
from convex_ssot.registry import refresh_registry, update_after_sync
from convex_ssot.validate import validate

from .conftest import db, write

REG = "docs/context/registry.json"
FC = "docs/context/convex/functions.json"
DBC = "docs/context/db/schema.json"
EPOCH_Z = "1970-01-01T00:00:00Z"


def sha(root, rel):
    return hashlib.sha256((root / rel).read_bytes()).hexdigest()


def reg(root, artifacts=(), **extra):
    doc = {"version": 1, "updatedAt": EPOCH_Z, "artifacts": list(artifacts), **extra}
    write(root, REG, json.dumps(doc, indent=2) + "\n")
    return doc


def load(root):
    return json.loads((root / REG).read_text())


def sync(root, *extra):
    res = db("sync-to-context", "--repo-root", root, *extra)
    assert res.code == 0, res.all
    return res


def test_no_registry_is_skipped(synced_app):
    res = sync(synced_app)
    assert "  registry: skipped (no docs/context/registry.json)" in res.out
    assert not (synced_app / REG).exists()


def test_function_contract_is_registered(synced_app):
    reg(synced_app)
    res = sync(synced_app)
    assert "  registry: registered convex-functions (docs/context/convex/functions.json)" in res.out
    doc = load(synced_app)
    assert validate("registry", doc) == []
    assert doc["updatedAt"] != EPOCH_Z
    (art,) = doc["artifacts"]
    assert {k: art[k] for k in ("id", "type", "path", "mode", "format", "tags")} == {
        "id": "convex-functions",
        "type": "json",
        "path": FC,
        "mode": "generated",
        "format": "convex-functions-v1",
        "tags": ["db", "convex", "llm"],
    }
    assert art["checksumSha256"] == sha(synced_app, FC)
    assert art["lastUpdated"] == doc["updatedAt"]
    # a second sync with nothing changed leaves the registry byte for byte
    before = (synced_app / REG).read_bytes()
    res = sync(synced_app)
    assert "  registry: up to date (1 artifacts)" in res.out
    assert (synced_app / REG).read_bytes() == before


def test_changed_files_get_new_checksums_and_unknown_keys_survive(synced_app):
    reg(
        synced_app,
        [
            {"id": "db-schema", "type": "json", "path": DBC, "mode": "contract", "checksumSha256": "0" * 64, "lastUpdated": EPOCH_Z, "owner": "db-tool"},
            {"id": "convex-functions", "type": "json", "path": FC, "mode": "generated", "checksumSha256": sha(synced_app, FC), "lastUpdated": EPOCH_Z},
        ],
        generator={"name": "other-tool"},
    )
    res = sync(synced_app)
    assert "  registry: refreshed checksum of docs/context/db/schema.json" in res.out
    assert "registered" not in res.out
    doc = load(synced_app)
    assert list(doc) == ["version", "updatedAt", "artifacts", "generator"]
    db_art, fc_art = doc["artifacts"]
    assert db_art["checksumSha256"] == sha(synced_app, DBC) and db_art["lastUpdated"] != EPOCH_Z
    assert db_art["owner"] == "db-tool" and db_art["mode"] == "contract"
    assert fc_art["lastUpdated"] == EPOCH_Z  # unchanged file: untouched entry


def test_a_real_change_refreshes_both_contracts(synced_app):
    sync(synced_app)
    reg(synced_app)
    sync(synced_app)
    p = synced_app / "convex/schema.ts"
    p.write_text(p.read_text().replace("    users: defineTable({", "    audits: defineTable({ action: v.string() }),\n    users: defineTable({", 1))
    write(synced_app, "convex/audits.ts", 'import { query } from "./_generated/server";\nexport const latest = query({ args: {}, handler: async (ctx) => null });\n')
    reg(synced_app, load(synced_app)["artifacts"] + [
        {"id": "db-schema", "type": "json", "path": DBC, "mode": "generated", "checksumSha256": sha(synced_app, DBC), "lastUpdated": EPOCH_Z}
    ])
    res = sync(synced_app)
    assert "  registry: refreshed checksum of docs/context/convex/functions.json" in res.out
    assert "  registry: refreshed checksum of docs/context/db/schema.json" in res.out
    for art in load(synced_app)["artifacts"]:
        assert art["checksumSha256"] == sha(synced_app, art["path"])


def test_json_output_of_sync_carries_the_registry_lines(synced_app):
    reg(synced_app)
    res = sync(synced_app, "--format", "json")
    assert json.loads(res.out)["registry"] == ["registered convex-functions (docs/context/convex/functions.json)"]


def test_invalid_json_registry_is_left_untouched(synced_app):
    write(synced_app, REG, '{"version": 1,')
    res = sync(synced_app)
    assert "  registry: warning: docs/context/registry.json: invalid JSON at line 1" in res.out
    assert "left untouched" in res.out
    assert (synced_app / REG).read_text() == '{"version": 1,'


def test_registry_not_matching_its_schema_is_left_untouched(synced_app):
    reg(synced_app, [{"id": "x", "type": "json", "path": DBC, "mode": "generated", "checksumSha256": "NOT-HEX", "lastUpdated": EPOCH_Z}])
    before = (synced_app / REG).read_bytes()
    res = sync(synced_app)
    assert "does not match the registry schema" in res.out and "left untouched" in res.out
    assert (synced_app / REG).read_bytes() == before


def test_missing_and_outside_artifact_files_are_reported_and_kept(synced_app):
    gone = {"id": "gone", "type": "md", "path": "docs/context/gone.md", "mode": "contract", "checksumSha256": "a" * 64, "lastUpdated": EPOCH_Z}
    out = {"id": "out", "type": "md", "path": "../elsewhere.md", "mode": "contract", "checksumSha256": "b" * 64, "lastUpdated": EPOCH_Z}
    reg(synced_app, [gone, out])
    lines = refresh_registry(load_config(synced_app), register_functions=True, now="2030-01-01T00:00:00.000Z")
    assert lines == [
        "registered convex-functions (docs/context/convex/functions.json)",
        "warning: artifact gone: docs/context/gone.md is missing; entry kept",
        "warning: artifact out: path '../elsewhere.md' is outside the repository; not checked",
    ]
    doc = load(synced_app)
    assert doc["artifacts"][:2] == [gone, out]
    assert doc["updatedAt"] == "2030-01-01T00:00:00.000Z"


def test_function_contract_registered_under_another_id_is_not_duplicated(synced_app):
    reg(synced_app, [{"id": "functions", "type": "json", "path": "./" + FC, "mode": "generated", "checksumSha256": sha(synced_app, FC), "lastUpdated": EPOCH_Z}])
    before = (synced_app / REG).read_bytes()
    lines = refresh_registry(load_config(synced_app), register_functions=True)
    assert lines == ["up to date (1 artifacts)"]
    assert (synced_app / REG).read_bytes() == before


def test_not_registered_outside_convex_mode(synced_app):
    reg(synced_app)
    cfg = load_config(synced_app)
    result = SimpleNamespace(mode="none", derived=SimpleNamespace(summary={"functions": None}))
    assert update_after_sync(cfg, result) == ["up to date (0 artifacts)"]
    assert load(synced_app)["artifacts"] == []
