"""The resolver's own rules beyond what esbuild decides (tests/conformance/test_resolution.py
checks the esbuild part against esbuild): generated modules by location, the fallbacks
for solution-style tsconfig roots and unlinked workspace members, kinds and packages."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ssot_testlib import write_files

from convex_ssot.resolve.paths import Resolver


def layout(root: Path, files: dict[str, str]) -> Path:
    write_files(root, files)
    return root


@pytest.fixture
def root(tmp_path) -> Path:
    return Path(os.path.realpath(tmp_path))


GEN_SPECS = [
    ("./_generated/server", "convex/a.ts", "server"),
    ("../_generated/api.js", "convex/sub/a.ts", "api"),
    ("@cvx/_generated/server", "convex/a.ts", "server"),
    ("~/convex/_generated/dataModel", "convex/a.ts", "dataModel"),
    ("@repo/backend/convex/_generated/api", "convex/a.ts", "api"),
    ("../convex/_generated/server", "lib/a.ts", "server"),
]


@pytest.mark.parametrize("on_disk", [False, True])
@pytest.mark.parametrize(("spec", "importer", "name"), GEN_SPECS)
def test_generated_modules_by_location(root, spec, importer, name, on_disk):
    files = {
        "package.json": json.dumps({"name": "@repo/backend"}),
        "convex/tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@cvx/*": ["./*"], "~/*": ["../*"]}}}',
        "tsconfig.json": '{"compilerOptions": {"paths": {"~/*": ["./*"]}}}',
        importer: "export {};",
    }
    if on_disk:
        files.update({"convex/_generated/server.js": "", "convex/_generated/api.js": "", "convex/_generated/dataModel.d.ts": ""})
    r = Resolver(layout(root, files), root / "convex").resolve(spec, root / importer)
    assert r is not None and r.kind == "generated" and r.generated == name, r
    assert r.path.parent == root / "convex" / "_generated"


def test_generated_of_another_directory_is_not_generated(root):
    layout(root, {"other/_generated/server.ts": "export {};", "convex/a.ts": ""})
    r = Resolver(root, root / "convex").resolve("../other/_generated/server", root / "convex/a.ts")
    assert r.kind == "project" and r.path == root / "other/_generated/server.ts"
    assert Resolver(root, root / "convex").resolve("../other/_generated/api", root / "convex/a.ts") is None


def test_solution_root_references(root):
    layout(root, {
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.node.json"}, {"path": "./tsconfig.app.json"}]}',
        "tsconfig.node.json": '{"include": ["vite.config.ts"], "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./wrong/*"]}}}',
        "tsconfig.app.json": '{"include": ["src", "convex"], "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}',
        "src/lib/x.ts": "", "wrong/lib/x.ts": "", "convex/a.ts": "", "vite.config.ts": "",
    })
    r = Resolver(root, root / "convex")
    hit = r.resolve("@/lib/x", root / "convex/a.ts")
    assert hit.kind == "project" and hit.path == root / "src/lib/x.ts" and hit.via == "references" and not hit.esbuild
    assert r.resolve("@/lib/x", root / "vite.config.ts").path == root / "wrong/lib/x.ts"


@pytest.mark.parametrize("manifest", ["pnpm", "npm"])
def test_unlinked_workspace_members(root, manifest):
    files = {
        "apps/web/convex/a.ts": "",
        "packages/shared/package.json": json.dumps({"name": "@repo/shared", "exports": {".": "./src/index.ts", "./v": {"import": "./src/v.ts"}}}),
        "packages/shared/src/index.ts": "", "packages/shared/src/v.ts": "",
        "packages/legacy/package.json": json.dumps({"name": "legacy", "main": "./lib/main.js"}),
        "packages/legacy/lib/main.ts": "",
        "packages/ignored/package.json": json.dumps({"name": "ignored"}),
        "packages/ignored/index.ts": "",
    }
    if manifest == "pnpm":
        files["pnpm-workspace.yaml"] = "packages:\n  - 'packages/*'\n  - apps/*\n  - '!packages/ignored'\n"
    else:
        files["package.json"] = json.dumps({"name": "root", "workspaces": {"packages": ["packages/*", "apps/*", "!packages/ignored"]}})
    r = Resolver(layout(root, files), root / "apps/web/convex")
    imp = root / "apps/web/convex/a.ts"
    assert r.resolve("@repo/shared", imp).path == root / "packages/shared/src/index.ts"
    hit = r.resolve("@repo/shared/v", imp)
    assert hit.path == root / "packages/shared/src/v.ts" and hit.via == "workspace" and not hit.esbuild
    assert r.resolve("legacy", imp).path == root / "packages/legacy/lib/main.ts"
    assert r.resolve("ignored", imp) is None
    assert r.resolve("@repo/shared/not-exported", imp) is None


def test_kinds_and_packages(root):
    layout(root, {
        "convex/a.ts": "",
        "node_modules/@convex-dev/thing/package.json": json.dumps({"name": "@convex-dev/thing", "version": "0.3.1", "exports": {".": {"convex": "./src/index.ts", "default": "./dist/index.js"}}}),
        "node_modules/@convex-dev/thing/src/index.ts": "",
    })
    r = Resolver(root, root / "convex")
    hit = r.resolve("@convex-dev/thing", root / "convex/a.ts")
    assert (hit.kind, hit.package, hit.version) == ("package", "@convex-dev/thing", "0.3.1")
    assert hit.path == root / "node_modules/@convex-dev/thing/src/index.ts"
    assert r.resolve("fs", root / "convex/a.ts", "node").kind == "builtin"
    assert r.resolve("node:crypto", root / "convex/a.ts", "node").kind == "builtin"
    assert r.resolve("fs", root / "convex/a.ts", "browser") is None  # esbuild fails there too
    assert r.resolve("server-only", root / "convex/a.ts").kind == "builtin"
    assert r.resolve("async_hooks", root / "convex/a.ts").kind == "builtin"
    assert r.resolve("missing-package", root / "convex/a.ts") is None
    assert r.resolve("./missing", root / "convex/a.ts") is None


def test_extends_cycle_and_bad_json_do_not_raise(root):
    layout(root, {
        "tsconfig.json": '{"extends": "./b.json", "compilerOptions": {"paths": {"@/*": ["./src/*"]}}}',
        "b.json": '{"extends": "./tsconfig.json"}',
        "convex/tsconfig.json": "{ not json",
        "src/x.ts": "", "convex/a.ts": "", "c.ts": "",
    })
    r = Resolver(root, root / "convex")
    assert r.resolve("@/x", root / "c.ts").path == root / "src/x.ts"
    assert r.resolve("@/x", root / "convex/a.ts") is None  # the nearest config is unreadable: no paths
