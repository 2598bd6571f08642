"""The reliability guarantees in the repo-prisma, database and none modes (docs/reliability.md
§7): bad inputs give ``[error] file:line:column: …``, exit 1, no traceback and nothing
written (an existing contract is left byte-identical); re-runs are byte-identical; the
repository boundary holds for the Prisma schema; writes are atomic (no temporary files
left behind). The installed console script runs in a subprocess."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from .helpers import CONFIG, assert_clean, db_ssot, snapshot, temp_leftovers, write_files
from ssot_testlib import DB_CONTRACT, FUNCTIONS_CONTRACT

SCHEMA = '''datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

/// People.
model User {
  id    Int     @id @default(autoincrement())
  email String  @unique @db.VarChar(255)
  posts Post[]
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id], onDelete: Cascade)
  @@index([authorId(sort: Desc)])
}
'''

MIRROR_V1 = {"version": 1, "updatedAt": "2025-01-02T03:04:05.000Z", "tables": [
    {"name": "users", "columns": [{"name": "id", "type": "uuid", "constraints": ["PK"]}, {"name": "email", "type": "text", "constraints": ["unique", "notnull"]},
                                  {"name": "nick", "type": "text", "constraints": ["null"]}, {"name": "bio", "type": "text"}]},
    {"name": "Accounts", "columns": [{"name": "id", "type": "int", "constraints": ["primary"]}]},
    {"name": "", "columns": []}]}


def _prisma_repo(root: Path, text: str | bytes = SCHEMA, rel: str = "prisma/schema.prisma") -> Path:
    return write_files(root, {rel: text})


def _error(run, rel: str, line: int | None = None) -> re.Match:
    assert_clean(run, {1})
    m = re.search(rf"\[error\] {re.escape(rel)}:(\d+):(\d+): ", run.err)
    assert m, str(run)
    if line is not None:
        assert int(m.group(1)) == line, str(run)
    return m


# ------------------------------------------------------------------ repo-prisma: bad inputs

PRISMA_CASES = {
    "truncated_block": (SCHEMA[: SCHEMA.index("  @@index")], None, "not closed"),
    "unknown_field_attribute": (SCHEMA.replace("@unique", "@uniq"), 9, "@uniq"),
    "unknown_block_attribute": (SCHEMA.replace("@@index", "@@indexx"), 17, "@@indexx"),
    "unknown_type": (SCHEMA.replace("Int  @id\n", "Integer @id\n"), 14, "Integer"),
    "one_line_block": (SCHEMA.replace("model Post {\n  id       Int  @id\n", "model Post { id Int @id\n"), 13, "own line"),
    "unknown_keyword": ("table X {\n  id Int @id\n}\n", 1, "model"),
    "missing_opposite_relation": (SCHEMA.replace("  posts Post[]\n", ""), 15, "opposite"),
    "unterminated_string": (SCHEMA.replace('"postgresql"', '"postgresql'), 2, "unexpected"),
}


@pytest.mark.parametrize("case", list(PRISMA_CASES))
def test_bad_prisma_schema(tmp_path, case) -> None:
    text, line, words = PRISMA_CASES[case]
    root = _prisma_repo(tmp_path, text)
    before = snapshot(root)
    run = db_ssot("sync-to-context", "--repo-root", root)
    _error(run, "prisma/schema.prisma", line)
    assert words in run.err, str(run)
    assert snapshot(root) == before and temp_leftovers(root) == []


def test_bad_prisma_schema_keeps_the_existing_contract(tmp_path) -> None:
    root = _prisma_repo(tmp_path)
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    contract = (root / DB_CONTRACT).read_bytes()
    (root / "prisma/schema.prisma").write_text(SCHEMA.replace("@unique", "@uniq"), encoding="utf-8")
    _error(db_ssot("sync-to-context", "--repo-root", root), "prisma/schema.prisma", 9)
    assert (root / DB_CONTRACT).read_bytes() == contract


def test_prisma_schema_not_utf8(tmp_path) -> None:
    data = SCHEMA.encode().replace(b"People.", b"Peop\xffle.")
    root = _prisma_repo(tmp_path, data)
    run = db_ssot("sync-to-context", "--repo-root", root)
    m = _error(run, "prisma/schema.prisma", 6)
    assert m.group(2) == "9" and "UTF-8" in run.err
    assert not (root / DB_CONTRACT).exists()


def test_prisma_schema_with_bom_and_crlf_reads_like_without(tmp_path) -> None:
    a = _prisma_repo(tmp_path / "a")
    b = _prisma_repo(tmp_path / "b", b"\xef\xbb\xbf" + SCHEMA.replace("\n", "\r\n").encode())
    for root in (a, b):
        assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    da, db = (json.loads((r / DB_CONTRACT).read_text(encoding="utf-8")) for r in (a, b))
    da["updatedAt"] = db["updatedAt"] = "X"
    assert da == db


def test_huge_prisma_schema(tmp_path) -> None:
    """2,000 models (about 1.3 MB) are read; the contract lists them all."""
    body = "".join(f"model M{i} {{\n  id Int @id\n  name String @default(\"m{i}\")\n  n{i} Int? @unique\n}}\n\n" for i in range(2000))
    root = _prisma_repo(tmp_path, 'datasource db {\n  provider = "sqlite"\n  url = "file:x"\n}\n' + body * 1)
    run = db_ssot("sync-to-context", "--repo-root", root)
    assert_clean(run, {0})
    assert len(json.loads((root / DB_CONTRACT).read_text(encoding="utf-8"))["tables"]) == 2000


def test_prisma_schema_over_the_size_limit(tmp_path, monkeypatch) -> None:
    from convex_ssot.errors import InputError
    from convex_ssot.prisma import sources

    root = _prisma_repo(tmp_path)
    monkeypatch.setattr(sources, "MAX_BYTES", 100)
    with pytest.raises(InputError, match=r"prisma/schema\.prisma:1:1: .* more than the 100"):
        sources.read_schema_files(root, ["prisma/schema.prisma"])


# ------------------------------------------------------------------ repo-prisma: boundary, atomicity, re-runs


def test_prisma_rerun_is_byte_identical_and_atomic(tmp_path) -> None:
    root = _prisma_repo(tmp_path)
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    first = snapshot(root)
    run = db_ssot("sync-to-context", "--repo-root", root, "--format", "json")
    assert_clean(run, {0})
    assert json.loads(run.out)["unchanged"] == [DB_CONTRACT]
    assert snapshot(root) == first and temp_leftovers(root) == []
    assert not (root / FUNCTIONS_CONTRACT).exists()


def test_configured_prisma_schema_outside_the_repository(tmp_path) -> None:
    outside = tmp_path / "outside.prisma"
    outside.write_text(SCHEMA, encoding="utf-8")
    root = write_files(tmp_path / "repo", {CONFIG: json.dumps({"db": {"ssot": "repo-prisma", "source": {"path": "../outside.prisma"}}})})
    run = db_ssot("sync-to-context", "--repo-root", root)
    assert_clean(run, {1})
    assert "outside repo root" in run.err and not (root / DB_CONTRACT).exists()


def test_symlinked_schema_file_leaving_the_repository(tmp_path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.prisma").write_text(SCHEMA, encoding="utf-8")
    root = write_files(tmp_path / "repo", {"prisma/schema/base.prisma": 'datasource db {\n  provider = "sqlite"\n  url = "file:x"\n}\n'})
    os.symlink(outside / "x.prisma", root / "prisma/schema/x.prisma")
    run = db_ssot("sync-to-context", "--repo-root", root)
    assert_clean(run, {1})
    assert "outside repo root" in run.err and not (root / DB_CONTRACT).exists()


# ------------------------------------------------------------------ database mode


def _mirror_repo(root: Path, content: str | bytes) -> Path:
    return write_files(root, {CONFIG: json.dumps({"db": {"ssot": "database"}}), "db/schema/tables.json": content})


def test_mirror_v1_is_normalized_as_the_tool_we_replace_does(tmp_path) -> None:
    root = _mirror_repo(tmp_path, json.dumps(MIRROR_V1))
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    doc = json.loads((root / DB_CONTRACT).read_text(encoding="utf-8"))
    assert [t["name"] for t in doc["tables"]] == ["Accounts", "users"]  # localeCompare order, unnamed dropped
    users = doc["tables"][1]
    assert [c["name"] for c in users["columns"]] == ["bio", "email", "id", "nick"]
    bio, email, cid, nick = users["columns"]
    assert "nullable" not in bio  # no null/notnull constraint: JavaScript drops the undefined key
    assert list(email) == ["name", "type", "nullable", "list", "dbName", "dbType", "default", "primaryKey", "unique", "constraints"]
    assert (email["nullable"], email["unique"], cid["primaryKey"], nick["nullable"]) == (False, True, True, True)
    assert doc["ssot"] == {"mode": "database", "source": {"kind": "database", "path": "db/schema/tables.json"}}
    assert doc["notes"] == "Upgraded from legacy db/schema/tables.json v1."
    assert doc["mirrorUpdatedAt"] == "2025-01-02T03:04:05.000Z"


def test_mirror_v2_passes_through_sorted(tmp_path) -> None:
    v2 = {"version": 2, "database": {"dialect": "postgresql"}, "enums": [{"name": "b"}, {"name": "A"}],
          "tables": [{"name": "zeta", "columns": [], "extra": 1}, {"name": "Alpha", "columns": []}], "notes": ""}
    root = _mirror_repo(tmp_path, json.dumps(v2))
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    doc = json.loads((root / DB_CONTRACT).read_text(encoding="utf-8"))
    assert list(doc) == ["version", "updatedAt", "ssot", "database", "enums", "tables", "notes", "mirrorUpdatedAt"]
    assert doc["database"] == {"kind": "relational", "dialect": "postgresql", "name": "", "schemas": []}
    assert [e["name"] for e in doc["enums"]] == ["A", "b"] and doc["tables"][1] == {"name": "zeta", "columns": [], "extra": 1}
    assert doc["ssot"]["source"] == {"kind": "database", "path": "db/schema/tables.json"}
    assert doc["notes"] == "Mirrored from real DB via repo artifacts (SSOT: database)."


MIRROR_CASES = {
    "not_json": ('{\n  "version": 1,\n  "tables": [,]\n}\n', 3, "not valid JSON"),
    "top_level_list": ("[]", 1, "not a JSON object"),
    "no_tables": ('{"version": 1}', 1, "no `tables`"),
    "tables_not_a_list": ('{\n  "version": 1,\n  "tables": {}\n}', 3, "must be a list"),
    "table_not_an_object": ('{\n  "tables": [1]\n}', 2, "tables[0]"),
    "not_utf8": (b'{"tables": [{"name": "\xff"}]}', 1, "UTF-8"),
}


@pytest.mark.parametrize("case", list(MIRROR_CASES))
def test_bad_db_mirror(tmp_path, case) -> None:
    content, line, words = MIRROR_CASES[case]
    root = _mirror_repo(tmp_path, content)
    before = snapshot(root)
    run = db_ssot("sync-to-context", "--repo-root", root)
    _error(run, "db/schema/tables.json", line)
    assert words in run.err and snapshot(root) == before


def test_mirror_rerun_is_byte_identical(tmp_path) -> None:
    root = _mirror_repo(tmp_path, json.dumps(MIRROR_V1))
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    first = snapshot(root)
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    assert snapshot(root) == first


# ------------------------------------------------------------------ none


def test_none_mode_empty_contract_and_rerun(tmp_path) -> None:
    root = write_files(tmp_path, {CONFIG: json.dumps({"db": {"ssot": "none"}})})
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    doc = json.loads((root / DB_CONTRACT).read_text(encoding="utf-8"))
    assert doc["ssot"]["mode"] == "none" and doc["tables"] == [] and doc["enums"] == []
    first = snapshot(root)
    assert_clean(db_ssot("sync-to-context", "--repo-root", root), {0})
    assert snapshot(root) == first


# ------------------------------------------------------------------ atomicity (in-process fault injection)


@pytest.mark.parametrize("mode", ["repo-prisma", "database"])
def test_a_failed_rename_leaves_the_old_contract_and_no_temporary_file(tmp_path, monkeypatch, mode) -> None:
    """The other modes write through the same stage-and-rename writer as convex mode: a
    rename that fails leaves the previous contract byte for byte and nothing half-written."""
    from convex_ssot import fsutil, pipeline
    from convex_ssot.config import load_config

    if mode == "repo-prisma":
        root = _prisma_repo(tmp_path)
        change = lambda: (root / "prisma/schema.prisma").write_text(SCHEMA.replace("  posts Post[]\n", "  posts Post[]\n  nick String?\n"), encoding="utf-8")  # noqa: E731
    else:
        root = _mirror_repo(tmp_path, json.dumps(MIRROR_V1))
        change = lambda: (root / "db/schema/tables.json").write_text(json.dumps({**MIRROR_V1, "tables": MIRROR_V1["tables"][:1]}), encoding="utf-8")  # noqa: E731
    pipeline.sync(load_config(root), use_cache=False)
    old = (root / DB_CONTRACT).read_bytes()
    change()

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsutil.os, "replace", failing_replace)
    with pytest.raises(OSError):
        pipeline.sync(load_config(root), use_cache=False)
    monkeypatch.undo()
    assert (root / DB_CONTRACT).read_bytes() == old and temp_leftovers(root) == []
    result = pipeline.sync(load_config(root), use_cache=False)
    assert result.written == [DB_CONTRACT] and (root / DB_CONTRACT).read_bytes() != old
