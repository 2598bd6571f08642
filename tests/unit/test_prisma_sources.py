"""Where the Prisma schema is (convex_ssot/prisma/sources.py), mode inference with Prisma
files (convex_ssot/config.py), and the parser details the contract depends on
(documentation comments, positions, default source text, row order)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convex_ssot.config import load_config
from convex_ssot.emit.prisma_contract import prisma_contract
from convex_ssot.errors import ConfigError
from convex_ssot.prisma import load_schema
from convex_ssot.prisma.parse import parse_file
from convex_ssot.prisma.sources import locate

DS = 'datasource db {\n  provider = "sqlite"\n  url      = "file:x"\n}\n'
MODEL = "model A {\n  id Int @id\n}\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_default_location(tmp_path) -> None:
    loc = locate(_write(tmp_path, {"prisma/schema.prisma": DS + MODEL}))
    assert (loc.path, loc.files, loc.origin) == ("prisma/schema.prisma", ["prisma/schema.prisma"], "default")


def test_schema_folder_is_read_in_path_order(tmp_path) -> None:
    root = _write(tmp_path, {"prisma/schema/z.prisma": MODEL, "prisma/schema/base.prisma": DS, "prisma/schema/sub/b.prisma": "model B {\n  id Int @id\n}\n",
                             "prisma/schema/notes.txt": "x"})
    loc = locate(root)
    assert loc.path == "prisma/schema" and loc.files == ["prisma/schema/base.prisma", "prisma/schema/sub/b.prisma", "prisma/schema/z.prisma"]
    doc = prisma_contract(load_schema(root, loc.files), loc.path, "t")
    assert [t["name"] for t in doc["tables"]] == ["A", "B"] and doc["ssot"]["source"]["files"] == loc.files
    assert load_config(root).mode == "repo-prisma", "a prisma/schema/ folder makes the mode repo-prisma"


def test_package_json_prisma_schema(tmp_path) -> None:
    root = _write(tmp_path, {"package.json": json.dumps({"prisma": {"schema": "db/main.prisma"}}), "db/main.prisma": DS + MODEL,
                             "prisma/schema.prisma": "ignored"})
    loc = locate(root)
    assert (loc.path, loc.origin) == ("db/main.prisma", "package.json prisma.schema")


def test_prisma_config_ts_string_literal_wins_over_package_json(tmp_path) -> None:
    root = _write(tmp_path, {
        "prisma.config.ts": 'import { defineConfig } from "prisma/config";\nexport default defineConfig({\n  schema: "./db/schema",\n});\n',
        "package.json": json.dumps({"prisma": {"schema": "other.prisma"}}),
        "db/schema/a.prisma": DS + MODEL,
    })
    loc = locate(root)
    assert (loc.path, loc.files, loc.origin) == ("db/schema", ["db/schema/a.prisma"], "prisma.config")


def test_prisma_config_ts_computed_path_is_a_warning(tmp_path) -> None:
    root = _write(tmp_path, {"prisma.config.ts": "export default { schema: path.join(dir, 'x.prisma') }\n", "prisma/schema.prisma": DS})
    loc = locate(root)
    assert loc.path == "prisma/schema.prisma" and "not a string literal" in loc.warnings[0]


def test_configured_path_wins(tmp_path) -> None:
    root = _write(tmp_path, {"docs/project/db-ssot.json": json.dumps({"db": {"ssot": "repo-prisma", "source": {"path": "schema/app.prisma"}}}),
                             "schema/app.prisma": DS + MODEL, "prisma/schema.prisma": DS})
    cfg = load_config(root)
    assert cfg.source_path == "schema/app.prisma" and cfg.schema_rel == "convex/schema.ts"
    assert locate(root, cfg.source_path).files == ["schema/app.prisma"]


def test_configured_path_outside_the_repository(tmp_path) -> None:
    root = _write(tmp_path / "r", {})
    with pytest.raises(ConfigError, match="outside repo root"):
        locate(root, "../x.prisma")


@pytest.mark.parametrize(("files", "mode"), [
    ({"convex/schema.ts": "", "prisma/schema.prisma": ""}, "convex"),
    ({"prisma/schema.prisma": "", "db/schema/tables.json": "{}"}, "repo-prisma"),
    ({"db/schema/tables.json": "{}"}, "database"),
    ({}, "none"),
])
def test_inference_precedence(tmp_path, files, mode) -> None:
    cfg = load_config(_write(tmp_path, files))
    assert (cfg.mode, cfg.mode_source) == (mode, "infer (no config)")


def test_documentation_comments_and_positions() -> None:
    text = "/// first\n// plain\n///   second  \nmodel A {\n  /// f\n  id Int @id /// trailing\n\n  /// cut off by the empty line\n\n  b  Int\n}\n"
    f = parse_file("s.prisma", text)
    (a,) = f.blocks
    assert a.doc == "first\nsecond  " and a.pos == ("s.prisma", 4, 1)
    assert [x.doc for x in a.fields] == ["f\ntrailing", None]
    assert a.fields[1].pos == ("s.prisma", 10, 3) and a.fields[1].type_pos == ("s.prisma", 10, 6)


def test_default_is_the_source_text_and_rows_sort_like_localecompare(tmp_path) -> None:
    root = _write(tmp_path, {"prisma/schema.prisma": DS + 'model b {\n  id Int @id\n  Zed String @default( "a b" )\n  alpha DateTime @default(now())\n}\n\nmodel A_ {\n  id Int @id\n}\n\nmodel a1 {\n  id Int @id\n}\n'})
    doc = prisma_contract(load_schema(root, ["prisma/schema.prisma"]), "prisma/schema.prisma", "t")
    assert [t["name"] for t in doc["tables"]] == ["A_", "a1", "b"]  # "_" sorts before digits
    cols = {c["name"]: c for c in doc["tables"][2]["columns"]}
    assert [c["name"] for c in doc["tables"][2]["columns"]] == ["alpha", "id", "Zed"]
    assert (cols["Zed"]["default"], cols["alpha"]["default"]) == ('"a b"', "now()")
    assert cols["alpha"]["defaultValue"] == {"name": "now", "args": []}
