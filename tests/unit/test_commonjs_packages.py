"""CommonJS files of installed packages are read (convex_ssot/resolve/commonjs.py): fake
packages written for these tests (tests/commonjs_fakes.py) in the shapes hand-written
CommonJS, TypeScript's ``--module commonjs``, esbuild's ``--format=cjs`` and Babel emit.
Each gives the same validators, table map and component client; the project's contract
must be the same whichever form the package ships, and nothing is reported. The same
packages are checked against the real ``convex`` package in
tests/conformance/test_reading_commonjs.py."""

from __future__ import annotations

import json

import pytest

from commonjs_fakes import ITEMS, SCHEMA, STYLES, TSC, package_files
from ssot_testlib import build


def _project(tmp_path, files: dict[str, str], main: str = "./dist/index.js"):
    pkg = package_files(files, main)
    return build(tmp_path / "app", {"package.json": json.dumps({"dependencies": {"fake-cjs": "2.0.0"}}), "convex/schema.ts": SCHEMA, "convex/items.ts": ITEMS, **pkg})


STATUS = {"type": "union", "value": [{"type": "literal", "value": "open"}, {"type": "literal", "value": "closed"}]}


@pytest.mark.parametrize("style", list(STYLES))
def test_a_commonjs_package_is_read_in_every_compiler_shape(tmp_path, style) -> None:
    b = _project(tmp_path, STYLES[style])
    assert b.table_names() == ["things", "notes"]
    things = b.table("things")
    assert things["origin"] == "fake-cjs@2.0.0"
    assert [i["name"] for i in things["indexes"]] == ["by_name"]
    assert b.field("notes", "status")["fieldType"] == STATUS
    thing = b.field("notes", "thing")["fieldType"]
    assert thing["type"] == "object" and thing["value"]["status"]["fieldType"] == STATUS
    get = b.function("items:getThing")
    assert (get["kind"], get["visibility"]) == ("query", "public")
    assert [(f["name"], f["type"]) for f in get["argsValidator"]["fields"]] == [("id", "string"), ("extra", "float64")]
    assert b.diagnostics == [], b.diagnostics


def test_tsc_getter_exports_and_exports_read_back(tmp_path) -> None:
    files = dict(TSC)
    files["index.js"] = files["index.js"].rstrip(" ") + "        exports.vPair = values_1.v.object({ a: exports.vThing, b: exports.vStatusAlias });\n"
    b = _project(tmp_path, files)
    # `exports.vStatusAlias` is a getter (`Object.defineProperty(exports, …, { get })`),
    # `exports.vThing` an earlier export read back inside the module
    schema = SCHEMA.replace("vThing, vStatus, fakeTables", "vPair").replace("  ...fakeTables,\n", "").replace("{ thing: vThing, status: vStatus }", "{ pair: vPair }")
    b = build(b.root, {"convex/schema.ts": schema})
    assert b.diagnostics == [], b.diagnostics
    pair = b.field("notes", "pair")["fieldType"]["value"]
    assert pair["b"]["fieldType"] == STATUS and pair["a"]["fieldType"]["type"] == "object"


def test_module_exports_object_and_default_import(tmp_path) -> None:
    files = {
        "index.js": """
            const values = require("convex/values");
            const shared = require("./shared");
            const vCount = values.v.number();
            const api = {
              vCount,
              vLabel: values.v.string(),
              ...require("./shared"),
            };
            module.exports = api;
        """,
        "shared.js": """
            const { v } = require("convex/values");
            module.exports = { vShared: v.boolean(), vTag: v.literal("t") };
        """,
    }
    schema = """import { defineSchema, defineTable } from "convex/server";
import lib, { vCount, vLabel, vShared } from "fake-cjs";
export default defineSchema({ t: defineTable({ c: vCount, l: vLabel, s: vShared, tag: lib.vTag }) });
"""
    b = _project(tmp_path, files)
    b = build(b.root, {"convex/schema.ts": schema, "convex/items.ts": "export {};\n"})
    assert [(n, b.field("t", n)["fieldType"]) for n in ("c", "l", "s", "tag")] == [
        ("c", {"type": "number"}), ("l", {"type": "string"}), ("s", {"type": "boolean"}), ("tag", {"type": "literal", "value": "t"})]
    assert b.diagnostics == [], b.diagnostics


def test_an_unread_commonjs_export_is_reported_where_it_is_used(tmp_path) -> None:
    files = {"index.js": """
        const { v } = require("convex/values");
        if (process.env.FLAG) { module.exports.vThing = v.string(); }
        exports.vOther = v.string();
    """}
    schema = """import { defineSchema, defineTable } from "convex/server";
import { vThing, vOther } from "fake-cjs";
export default defineSchema({ t: defineTable({ a: vThing, b: vOther }) });
"""
    b = _project(tmp_path, files)
    b = build(b.root, {"convex/schema.ts": schema, "convex/items.ts": "export {};\n"})
    assert b.field("t", "a")["fieldType"] == {"type": "any"}
    assert b.field("t", "b")["fieldType"] == {"type": "string"}
    (d,) = b.diagnostics
    assert d["code"] == "CSX200" and d["file"] == "convex/schema.ts" and "vThing" in d["message"], d
