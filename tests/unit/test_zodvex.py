"""convex_ssot.packages.zodvex: what the conformance fixture (tests/conformance/fixtures/zodvex)
cannot show, because Convex itself fails on it: exports of zodvex the model does not know and
builders wrapped around something unresolved must give diagnostics, never silent drops."""

from __future__ import annotations

from pathlib import Path

from convex_ssot.config import Config
from convex_ssot.pipeline import derive
from convex_ssot.packages import zodvex
from convex_ssot.packages.zod import ZodSchema


def _derive(root: Path, files: dict[str, str]):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    cfg = Config(repo_root=root.resolve(), mode="convex", mode_source="config", config_path="docs/project/db-ssot.json",
                 config_exists=False, schema_rel="convex/schema.ts")
    d = derive(cfg, use_cache=False)
    return d.db, d.functions


SCHEMA = """import { defineSchema } from "convex/server";
import { z } from "zod";
import { zodTable, convexCodec } from "zodvex";
const T = zodTable("things", { a: z.string(), c: convexCodec(z.string()).validator });
export default defineSchema({ things: T.table });
"""

FNS = """import { z } from "zod";
import { zQueryBuilder, zInternalQuery, zCustomQueryBuilder } from "zodvex";
import { query } from "./_generated/server";
import { missing } from "./nowhere";
const zq = zQueryBuilder(query);
const bad = zCustomQueryBuilder(missing, {});
export const ok = zq({ args: { a: z.string() }, handler: async () => 1 });
export const lost = zInternalQuery(query, {}, async () => 1);
export const lost2 = bad({ handler: async () => 1 });
"""


def test_unmodelled_exports_and_unresolved_builders_are_diagnosed(tmp_path: Path) -> None:
    db, fns = _derive(tmp_path, {"convex/schema.ts": SCHEMA, "convex/fns.ts": FNS})
    db_diags = [(d["code"], d["message"]) for d in db["diagnostics"]]
    assert any(c == "CSX203" and "convexCodec()" in m and zodvex.PACKAGE in m for c, m in db_diags), db_diags
    # the table is kept; the unresolved field is recorded as v.any() and reported too
    (things,) = db["tables"]
    col = {c["name"]: c for c in things["columns"]}
    assert col["a"]["validator"] == {"type": "string"}
    assert col["c"]["validator"] == {"type": "any"}
    assert any(c == "CSX200" and "`c`" in m for c, m in db_diags), db_diags

    fn_diags = [(d["code"], d["line"], d["message"]) for d in fns["diagnostics"]]
    assert ("CSX203", 8) in [(c, line) for c, line, m in fn_diags if "zInternalQuery()" in m], fn_diags
    assert ("CSX203", 6) in [(c, line) for c, line, m in fn_diags if "the wrapped builder is not resolved" in m], fn_diags
    ids = [f["functionId"] for f in fns["functions"]]
    assert ids == ["fns:ok"]  # nothing invented for the two that cannot be read


def test_visited_schemas_become_any_only_within_one_conversion() -> None:
    """zodToConvexInternal's `visited` set (src/mapping/core.ts): a schema instance met twice
    in one conversion is v.any(); union branches get copies; each call starts afresh."""
    point = ZodSchema("number")
    obj = ZodSchema("object", shape=(("a", point), ("b", point)))
    v = zodvex.to_convex(obj)
    assert [f.validator.kind for f in v.fields] == ["float64", "any"]
    union = ZodSchema("union", options=(ZodSchema("array", inner=point), ZodSchema("array", inner=point)))
    assert [m.element.kind for m in zodvex.to_convex(union).members] == ["float64", "float64"]
    assert zodvex.to_convex(point).kind == "float64" and zodvex.to_convex(point).kind == "float64"
    # an equal but distinct instance is not the same schema
    twins = ZodSchema("object", shape=(("a", ZodSchema("number")), ("b", ZodSchema("number"))))
    assert [f.validator.kind for f in zodvex.to_convex(twins).fields] == ["float64", "float64"]
