"""Installed packages are read (convex_ssot/resolve/installed.py): small fake packages in a
fixture's node_modules, written for these tests. A package's exports selected as esbuild
selects them for Convex, its validators, a ``defineTable`` map, a component client class
whose constructor stores options a later method reads, a pnpm-style symlinked layout; its
unreadable statements cost nothing and report nothing; a recorded model is used only at
its own version, and a use at another version is never silent (CSX245)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ssot_testlib import build

VALIDATORS_PKG = {
    "node_modules/fake-validators/package.json": json.dumps({
        "name": "fake-validators", "version": "1.0.0", "type": "module",
        "exports": {".": {"types": "./dist/index.d.ts", "require": "./dist/index.cjs", "import": "./dist/index.js"}, "./tables": "./dist/tables.js"},
    }),
    # the `require` condition's file is not what Convex's bundler picks: it must not be read
    "node_modules/fake-validators/dist/index.cjs": 'exports.vThing = require("convex/values").v.string();\n',
    "node_modules/fake-validators/dist/index.js": """import { v } from "convex/values";
export const vStatus = v.union(v.literal("open"), v.literal("closed"));
export const vThing = v.object({ name: v.string(), status: vStatus, tags: v.array(v.string()) });
export function nullable(x) {
  return v.union(x, v.null());
}
this is not javascript the grammar reads = ;
export const unused = weird syntax here;
""",
    "node_modules/fake-validators/dist/tables.js": """import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vThing } from "./index.js";
export const fakeTables = {
  things: defineTable(vThing).index("by_name", ["name"]),
  counters: defineTable({ n: v.number() }),
};
""",
}

STORE = "node_modules/.pnpm/@fake+component@1.2.0/node_modules/@fake/component"
COMPONENT_PKG = {
    f"{STORE}/package.json": json.dumps({"name": "@fake/component", "version": "1.2.0", "module": "./dist/client.js", "main": "./dist/client.cjs"}),
    f"{STORE}/dist/client.js": """import { queryGeneric, internalMutationGeneric } from "convex/server";
import { v } from "convex/values";
export const vItemId = v.string();
export class Client {
    component;
    options;
    constructor(component, options) {
        this.component = component;
        this.options = options ?? {};
    }
    api() {
        return {
            getItem: queryGeneric({
                args: { id: vItemId },
                returns: v.union(v.null(), v.object({ id: vItemId, label: v.string() })),
                handler: async (ctx, args) => {
                    return await ctx.runQuery(this.component.lib.get, args);
                },
            }),
            setLabel: internalMutationGeneric({
                args: { id: vItemId, label: this.options.labelValidator },
                handler: async () => null,
            }),
        };
    }
}
""",
}

SCHEMA = """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { vThing, nullable } from "fake-validators";
import { fakeTables } from "fake-validators/tables";
export default defineSchema({
  ...fakeTables,
  notes: defineTable({ thing: vThing, maybe: nullable(v.string()) }),
});
"""

ITEMS = """import { Client } from "@fake/component";
import { v } from "convex/values";
import { components } from "./_generated/api";
const client = new Client(components.items, { labelValidator: v.string() });
export const { getItem, setLabel } = client.api();
"""


def _project(tmp_path: Path, files: dict[str, str]):
    root = tmp_path / "app"
    (root / "node_modules" / "@fake").mkdir(parents=True)
    # pnpm: node_modules/@fake/component is a symlink into node_modules/.pnpm
    os.symlink(os.path.join("..", ".pnpm", "@fake+component@1.2.0", "node_modules", "@fake", "component"), root / "node_modules" / "@fake" / "component")
    base = {"package.json": json.dumps({"name": "app", "dependencies": {"fake-validators": "1.0.0", "@fake/component": "1.2.0"}})}
    return build(root, {**base, **VALIDATORS_PKG, **COMPONENT_PKG, **files})


def test_validators_and_tables_of_an_installed_package(tmp_path) -> None:
    b = _project(tmp_path, {"convex/schema.ts": SCHEMA, "convex/items.ts": ITEMS})
    assert b.table_names() == ["things", "counters", "notes"]
    things = b.table("things")
    assert things["origin"] == "fake-validators@1.0.0"
    assert [i["name"] for i in things["indexes"]] == ["by_name"]
    assert b.field("things", "status")["fieldType"] == {"type": "union", "value": [{"type": "literal", "value": "open"}, {"type": "literal", "value": "closed"}]}
    assert b.field("counters", "n")["fieldType"] == {"type": "number"}
    assert b.field("notes", "thing")["fieldType"]["type"] == "object"  # the ESM file, not the CJS one
    assert b.field("notes", "maybe")["fieldType"] == {"type": "union", "value": [{"type": "string"}, {"type": "null"}]}
    # statements of the package the grammar cannot read are neither parsed nor reported
    assert b.diagnostics == [], b.diagnostics


def test_component_client_class_through_a_pnpm_symlink(tmp_path) -> None:
    b = _project(tmp_path, {"convex/schema.ts": SCHEMA, "convex/items.ts": ITEMS})
    get = b.function("items:getItem")
    assert (get["kind"], get["visibility"]) == ("query", "public")
    assert [(f["name"], f["type"]) for f in get["argsValidator"]["fields"]] == [("id", "string")]
    assert get["returnsValidator"]["validator"] == {"type": "union", "value": [{"type": "null"}, {"type": "object", "value": {"id": {"fieldType": {"type": "string"}, "optional": False}, "label": {"fieldType": {"type": "string"}, "optional": False}}}]}
    put = b.function("items:setLabel")
    # the option the constructor stored, read by api(): the project's own validator
    assert (put["visibility"], [(f["name"], f["type"]) for f in put["argsValidator"]["fields"]]) == ("internal", [("id", "string"), ("label", "string")])
    # reading never writes into node_modules
    assert not any("node_modules" in str(p.relative_to(b.root)) and p.name.endswith(".json") and p.stat().st_mtime > (b.root / "package.json").stat().st_mtime + 5 for p in b.root.rglob("*") if p.is_file())


RECORDED = "node_modules/@useautumn/convex"


def _autumn(version: str) -> dict[str, str]:
    return {
        f"{RECORDED}/package.json": json.dumps({"name": "@useautumn/convex", "version": version, "module": "./dist/index.js"}),
        f"{RECORDED}/dist/index.js": """import { actionGeneric } from "convex/server";
import { v } from "convex/values";
export class Autumn {
  constructor(component, options) { this.options = options; }
  api() {
    return { track: actionGeneric({ args: { featureId: v.string(), value: v.optional(v.number()) }, handler: async () => null }) };
  }
}
""",
    }


METERING = """import { Autumn } from "@useautumn/convex";
import { components } from "./_generated/api";
const autumn = new Autumn(components.autumn, { secretKey: "x" });
export const { track } = autumn.api();
"""


def test_a_recorded_model_gives_way_to_another_installed_version(tmp_path) -> None:
    b = _project(tmp_path, {"convex/schema.ts": SCHEMA, "convex/metering.ts": METERING, **_autumn("9.0.0")})
    # the recorded model (0.0.10) has eight optional args; version 9.0.0 as installed: two
    assert [(f["name"], f["type"], f["optional"]) for f in b.function("metering:track")["argsValidator"]["fields"]] == [("featureId", "string", False), ("value", "float64", True)]
    assert "CSX245" not in b.codes()


def test_a_recorded_model_at_another_declared_version_says_so(convex_project) -> None:
    files = {"convex/schema.ts": SCHEMA.split("import { vThing")[0] + "export default defineSchema({});\n", "convex/metering.ts": METERING}
    pinned = convex_project({**files, "package.json": json.dumps({"dependencies": {"@useautumn/convex": "0.0.10"}})})
    track = [f["name"] for f in pinned.function("metering:track")["argsValidator"]["fields"]]
    assert "entityId" in track and "idempotencyKey" in track  # the recorded model
    assert "CSX245" not in pinned.codes()
    other = convex_project({**files, "package.json": json.dumps({"dependencies": {"@useautumn/convex": "^0.0.9"}})})
    assert other.function_ids() == pinned.function_ids()
    msgs = [d["message"] for d in other.diagnostics if d["code"] == "CSX245"]
    assert msgs and "@useautumn/convex@0.0.10" in msgs[0] and "'^0.0.9'" in msgs[0], other.diagnostics


def test_a_node_modules_linked_outside_the_repository_is_named_through_node_modules(tmp_path) -> None:
    # node_modules is a symlink to a store outside the repository: the package file's real
    # path leaves it, and the contracts name it by node_modules/… (convex_ssot/emit/paths.py)
    from convex_ssot.validate import validate
    from ssot_testlib import write_files

    outside = tmp_path / "store"
    write_files(outside, {k: v for k, v in COMPONENT_PKG.items()})
    (outside / "node_modules" / "@fake").mkdir(parents=True)
    os.symlink(os.path.join("..", ".pnpm", "@fake+component@1.2.0", "node_modules", "@fake", "component"), outside / "node_modules" / "@fake" / "component")
    root = tmp_path / "app"
    root.mkdir()
    os.symlink(outside / "node_modules", root / "node_modules")
    base = {"package.json": json.dumps({"name": "app", "dependencies": {"@fake/component": "1.2.0"}})}
    b = build(root, {**base, "convex/schema.ts": 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n', "convex/items.ts": ITEMS})
    calls = b.function("items:getItem")["calls"]
    assert [c["file"] for c in calls] == ["node_modules/@fake/component/dist/client.js"], calls
    assert validate("functions", b.functions) == []



def test_installed_version_is_read_through_a_node_modules_linked_outside(tmp_path) -> None:
    # The version of a package installed in a node_modules that is a symlink to a store
    # outside the repository is read like the package's files: a model recorded at exactly
    # that version is used without CSX245 (before session 7 it said "neither installed nor
    # declared", found by bench/edit_diff.py on a copy whose node_modules was linked).
    from ssot_testlib import write_files

    outside = tmp_path / "store"
    write_files(outside, {k.replace(RECORDED, "node_modules/@useautumn/convex"): v for k, v in _autumn("0.0.10").items()})
    root = tmp_path / "app"
    root.mkdir()
    os.symlink(outside / "node_modules", root / "node_modules")
    b = build(root, {"package.json": json.dumps({"name": "app"}), "convex/schema.ts": SCHEMA.split("import { vThing")[0] + "export default defineSchema({});\n",
                     "convex/metering.ts": METERING})
    assert "CSX245" not in b.codes(), b.diagnostics
    assert "entityId" in [f["name"] for f in b.function("metering:track")["argsValidator"]["fields"]]  # the recorded model


def test_one_cache_for_two_repositories_with_the_same_file_at_two_versions(tmp_path, monkeypatch) -> None:
    # The parse cache is keyed by path and bytes and shared by every repository: a package
    # file unchanged between two versions must give each repository its own version.
    from convex_ssot.config import Config
    from convex_ssot.pipeline import derive
    from ssot_testlib import write_files

    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path / "cache"))
    schema = ('import { defineSchema } from "convex/server";\nimport { fakeTables } from "fake-validators/tables";\n'
              "export default defineSchema({ ...fakeTables });\n")
    origins = []
    for version in ("1.0.0", "1.1.0"):
        root = tmp_path / f"app-{version}"
        files = dict(VALIDATORS_PKG)
        manifest = json.loads(files["node_modules/fake-validators/package.json"])
        files["node_modules/fake-validators/package.json"] = json.dumps({**manifest, "version": version})
        write_files(root, {**files, "package.json": json.dumps({"name": "app", "dependencies": {"fake-validators": version}}),
                           "convex/schema.ts": schema})
        cfg = Config(repo_root=root.resolve(), mode="convex", mode_source="config", config_path="docs/project/db-ssot.json",
                     config_exists=False, schema_rel="convex/schema.ts")
        for _ in range(2):  # the cold run, then the one that reuses everything
            origins.append(sorted({t["origin"] for t in derive(cfg, use_cache=True).db["tables"]}))
    assert origins == [["fake-validators@1.0.0"]] * 2 + [["fake-validators@1.1.0"]] * 2
