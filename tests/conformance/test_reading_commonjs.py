"""CommonJS packages read by convex-ssot give what the real ``convex`` package reports
(issue 9 §2). A project of our own imports ``fake-cjs`` (tests/commonjs_fakes.py: the same
package in the shapes hand-written CommonJS, ``tsc --module commonjs``, esbuild
``--format=cjs`` and Babel emit), installed in its ``node_modules``. The oracle bundles it
with esbuild and loads it with convex 1.48, which runs the package's CommonJS; our side
reads it (convex_ssot/resolve/commonjs.py). Tables, fields, indexes, functions, args and
returns must be identical, nothing missing, nothing reported."""

from __future__ import annotations

import json

import pytest

import conformance_harness as h
from commonjs_fakes import ITEMS, SCHEMA, STYLES, package_files
from ssot_testlib import write_files

# Also the default import of a CommonJS module without `__esModule` (module.exports itself)
# and a named import of an entry spread from another module's exports.
EXTRA = {
    "dist/extra.js": """
        const { v } = require("convex/values");
        module.exports = { vExtra: v.object({ n: v.number(), ...require("./more").fields }) };
    """,
    "dist/more.js": """
        const values = require("convex/values");
        exports.fields = { flag: values.v.boolean() };
    """,
}

EXTRA_MODULE = """import extra from "fake-cjs/dist/extra.js";
import { internalMutation } from "./_generated/server";
export const withExtra = internalMutation({ args: { e: extra.vExtra }, handler: async () => null });
"""


@pytest.mark.parametrize("style", list(STYLES))
def test_commonjs_package_matches_convex(tmp_path, oracle_node, style) -> None:
    root = tmp_path / style
    files = package_files(STYLES[style])
    files.update({f"node_modules/fake-cjs/{k}": v for k, v in EXTRA.items()})
    write_files(root, {
        **files,
        "package.json": json.dumps({"private": True, "dependencies": {"fake-cjs": "2.0.0"}}),
        "convex/schema.ts": SCHEMA,
        "convex/items.ts": ITEMS,
        "convex/extra.ts": EXTRA_MODULE,
    })
    c = h.compare_project(root)
    problems = h.oracle_problems(c.oracle)
    assert not problems, problems
    assert sorted(f["functionId"] for f in c.oracle["functions"]) == ["extra:withExtra", "items:getThing"]
    assert [t["tableName"] for t in c.oracle["schema"]["tables"]] == ["things", "notes"]
    assert not c.schema_diffs, h.report(f"{style} schema", c.schema_diffs, c.diagnostics_text())
    assert not c.function_diffs, h.report(f"{style} functions", c.function_diffs, c.diagnostics_text())
    assert not h.unaccounted(c)
    assert not c.diagnostics, c.diagnostics_text()
