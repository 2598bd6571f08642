"""Specifier resolution (convex_ssot/resolve/paths.py) checked against esbuild itself.

Each layout below is a small repository written by the test. ``resolve_with_esbuild.mjs``
bundles its entry files with the options Convex's CLI gives esbuild and reports, from the
metafile, which file every import resolved to; our resolver must name the same file for
every (importer, specifier) pair, including imports made inside installed packages.
Layouts cover tsconfig ``paths``/``baseUrl`` with ``extends`` chains (relative, arrays,
packages, ``${configDir}``), a nearer config hiding a farther one, ``jsconfig.json``,
package.json ``imports``, ``exports`` conditions/patterns/folders, main fields per platform,
nested ``node_modules``, workspace members linked by symlink (npm and pnpm layouts),
``.js`` → ``.ts``, ``index`` files and extension order.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import conformance_harness as h
from ssot_testlib import write_files
from convex_ssot.resolve.paths import Resolver

SCRIPT = h.HERE / "resolve_with_esbuild.mjs"


def write_layout(root: Path, files: dict[str, str]) -> None:
    """``files``: repo-relative path → content; a value ``"-> target"`` makes a symlink."""
    write_files(root, {rel: c for rel, c in files.items() if not c.startswith("-> ")})
    for rel, content in files.items():
        if content.startswith("-> "):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(content[3:], root / rel)


def esbuild_imports(node: str, root: Path, entries: list[str], platform: str) -> dict:
    proc = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps({"root": str(root), "entries": entries, "platform": platform}),
        capture_output=True, text=True, cwd=str(h.HERE), timeout=120, check=True,
    )
    return json.loads(proc.stdout)


def _pkg(name: str, **fields) -> str:
    return json.dumps({"name": name, "version": "1.2.3", **fields})


TS = 'export const x = 1;\n'

LAYOUTS: dict[str, tuple[dict[str, str], list[str]]] = {
    "tsconfig_paths": ({
        "tsconfig.json": '{ // comments and trailing commas, as tsc allows\n "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"], "@lib/*": ["./missing/*", "./lib/*"], "@lib/deep/*": ["./deep/*"], "exact": ["./lib/exact.ts"], "typed/*": ["./types/*.d.ts", "./lib/*"]},},}',
        "src/a.ts": 'import "@/b"; import "@lib/c"; import "@lib/deep/d"; import "exact"; import "typed/c"; import "lib/c"; import "src/b.js";\n',
        "src/b.ts": TS, "lib/c.ts": TS, "lib/exact.ts": TS, "deep/d.ts": TS, "types/c.d.ts": "export {};",
    }, ["src/a.ts"]),
    "extends_chain": ({
        "tsconfig.base.json": '{"compilerOptions": {"baseUrl": "./shared", "paths": {"~/*": ["./*"]}}}',
        "configs/mid.json": '{"extends": "../tsconfig.base"}',
        "convex/tsconfig.json": '{"extends": "../configs/mid.json", "compilerOptions": {"strict": true}}',
        "convex/a.ts": 'import "~/util"; import "util2";\n',
        "shared/util.ts": TS, "shared/util2.ts": TS,
    }, ["convex/a.ts"]),
    "extends_array_and_packages": ({
        "node_modules/@tsconfig/strictest/package.json": _pkg("@tsconfig/strictest"),
        "node_modules/@tsconfig/strictest/tsconfig.json": '{"compilerOptions": {"paths": {"@s/*": ["./nowhere/*"]}}}',
        "node_modules/preset-exports/package.json": _pkg("preset-exports", exports={"./base": {"require": "./configs/base.json"}}),
        "node_modules/preset-exports/configs/base.json": '{"compilerOptions": {"baseUrl": "../../..", "paths": {"@e/*": ["./e/*"]}}}',
        "node_modules/preset-field/package.json": _pkg("preset-field", tsconfig="./cfg.json"),
        "node_modules/preset-field/cfg.json": '{"compilerOptions": {"paths": {"@f/*": ["./f/*"]}}}',
        "app/tsconfig.json": '{"extends": ["@tsconfig/strictest/tsconfig.json", "preset-exports/base"]}',
        "app/a.ts": 'import "@e/one";\n',
        "other/tsconfig.json": '{"extends": "preset-field", "compilerOptions": {"baseUrl": "${configDir}/.."}}',
        "other/b.ts": 'import "@f/two";\n',
        "e/one.ts": TS, "f/two.ts": TS, "node_modules/preset-field/f/two.ts": TS,
    }, ["app/a.ts", "other/b.ts"]),
    "nearest_config_hides_parent": ({
        "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"lib/*": ["./src/lib/*"]}}}',
        "src/lib/x.ts": TS,
        "convex/jsconfig.json": '{"compilerOptions": {"jsx": "react"}}',
        "convex/a.ts": 'import "lib/x";\n',
        "node_modules/lib/package.json": _pkg("lib"),
        "node_modules/lib/x.js": TS,
        "web/a.ts": 'import "lib/x";\n',
    }, ["convex/a.ts", "web/a.ts"]),
    "package_imports": ({
        "package.json": _pkg("app", imports={"#lib/*": "./lib/*.js", "#cfg": {"types": "./cfg.d.ts", "convex": "./cfg.convex.ts", "default": "./cfg.ts"}, "#dep": "dep", "#dir/": "./lib/"}),
        "lib/a.ts": 'import "#lib/b"; import "#cfg"; import "#dep"; import "#dir/c.js";\n',
        "lib/b.ts": TS, "lib/c.ts": TS, "cfg.convex.ts": TS, "cfg.ts": TS,
        "node_modules/dep/package.json": _pkg("dep", main="./main.js"),
        "node_modules/dep/main.js": TS,
    }, ["lib/a.ts"]),
    "exports_conditions": ({
        "convex/a.ts": 'import "cond"; import "cond/sub"; import "cond/pat/x"; import "cond/folder/y"; import "sugar"; import "arr"; import "@scope/pkg/feature"; import "nested";\n',
        "node_modules/cond/package.json": _pkg("cond", exports={
            ".": {"types": "./index.d.ts", "require": "./req.js", "node": "./node.js", "convex": "./convex.js", "import": "./import.js", "default": "./default.js"},
            "./sub": {"worker": "./w.js", "browser": {"import": "./sub-browser.mjs", "default": "./sub-b.js"}, "default": "./sub.js"},
            "./pat/*": "./dist/pat/*.js", "./folder/": "./dist/folder/",
        }),
        "node_modules/cond/convex.js": TS, "node_modules/cond/node.js": TS, "node_modules/cond/import.js": TS,
        "node_modules/cond/sub-browser.mjs": TS, "node_modules/cond/sub.js": TS,
        "node_modules/cond/dist/pat/x.js": TS, "node_modules/cond/dist/folder/y.js": TS,
        "node_modules/sugar/package.json": _pkg("sugar", exports="./lib/sugar.js", main="./nope.js"),
        "node_modules/sugar/lib/sugar.js": TS,
        "node_modules/arr/package.json": _pkg("arr", exports={".": ["bad-target", "./ok.js"]}),
        "node_modules/arr/ok.js": TS,
        "node_modules/@scope/pkg/package.json": _pkg("@scope/pkg", exports={"./*": {"module": "./esm/*.mjs", "default": "./cjs/*.cjs"}}),
        "node_modules/@scope/pkg/esm/feature.mjs": 'import "helper";\n', "node_modules/@scope/pkg/cjs/feature.cjs": TS,
        "node_modules/@scope/pkg/node_modules/helper/package.json": _pkg("helper", module="./m.js", main="./c.js"),
        "node_modules/@scope/pkg/node_modules/helper/m.js": TS, "node_modules/@scope/pkg/node_modules/helper/c.js": TS,
        "node_modules/helper/package.json": _pkg("helper", main="./outer.js"), "node_modules/helper/outer.js": TS,
        "node_modules/nested/package.json": _pkg("nested", exports={"import": {"convex": {"module": "./nm.js"}, "default": "./ni.js"}}),
        "node_modules/nested/nm.js": TS, "node_modules/nested/ni.js": TS,
    }, ["convex/a.ts"]),
    "main_fields": ({
        "convex/a.ts": 'import "bro"; import "mod"; import "mainonly"; import "dirmain"; import "idx"; import "both/x";\n',
        "node_modules/bro/package.json": _pkg("bro", browser="./b.js", module="./m.js", main="./c.js"),
        "node_modules/bro/b.js": TS, "node_modules/bro/m.js": TS, "node_modules/bro/c.js": TS,
        "node_modules/mod/package.json": _pkg("mod", module="./m", main="./c.js"),
        "node_modules/mod/m.js": TS, "node_modules/mod/c.js": TS,
        "node_modules/mainonly/package.json": _pkg("mainonly", main="lib"),
        "node_modules/mainonly/lib/index.js": TS,
        "node_modules/dirmain/package.json": _pkg("dirmain", main="./missing.js"),
        "node_modules/dirmain/index.js": TS,
        "node_modules/idx/index.js": TS,
        "node_modules/both/x.ts": TS, "node_modules/both/x.js": TS,
    }, ["convex/a.ts"]),
    "files_and_directories": ({
        "convex/a.ts": 'import "./b.js"; import "./c.jsx"; import "./d.mjs"; import "./e"; import "./dir"; import "./dir2/"; import "./same"; import "../shared/f.js"; import "./g";\n',
        "convex/b.ts": TS, "convex/c.tsx": TS, "convex/d.mts": TS,
        "convex/e.ts": TS, "convex/e.js": TS,
        "convex/dir/index.tsx": TS, "convex/dir/index.ts": TS,
        "convex/dir2/package.json": _pkg("dir2", main="./main.ts"), "convex/dir2/main.ts": TS,
        "convex/same.ts": TS, "convex/same/index.ts": TS,
        "shared/f.js": TS, "shared/f.ts": TS,
        "convex/g.json": "{}",
    }, ["convex/a.ts"]),
    "self_reference_and_workspaces": ({
        "package.json": _pkg("root", workspaces=["packages/*"]),
        "packages/backend/package.json": _pkg("@repo/backend", exports={"./convex/*": "./convex/*.ts", "./lib": {"import": "./lib/index.ts"}}),
        "packages/backend/convex/a.ts": 'import "@repo/backend/lib"; import "@repo/shared"; import "@repo/shared/util"; import "pnpmpkg";\n',
        "packages/backend/convex/b.ts": 'import "@repo/backend/convex/a";\n',
        "packages/backend/lib/index.ts": TS,
        "packages/shared/package.json": _pkg("@repo/shared", main="./src/index.ts"),
        "packages/shared/src/index.ts": TS, "packages/shared/util.ts": TS,
        "node_modules/@repo/shared": "-> ../../packages/shared",
        "node_modules/@repo/backend": "-> ../../packages/backend",
        "node_modules/.pnpm/pnpmpkg@2.0.0/node_modules/pnpmpkg/package.json": _pkg("pnpmpkg", module="./esm.js"),
        "node_modules/.pnpm/pnpmpkg@2.0.0/node_modules/pnpmpkg/esm.js": TS,
        "node_modules/pnpmpkg": "-> .pnpm/pnpmpkg@2.0.0/node_modules/pnpmpkg",
    }, ["packages/backend/convex/b.ts"]),
}

NODE_LAYOUTS = {"main_fields", "exports_conditions"}


#: Every layout on the Convex runtime's platform; those whose result depends on the
#: platform ("use node" modules: main fields, the node condition, built-ins) on node too.
CASES = [(n, "browser") for n in sorted(LAYOUTS)] + [(n, "node") for n in sorted(NODE_LAYOUTS)]


@pytest.mark.parametrize(("name", "platform"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_resolution_matches_esbuild(tmp_path, oracle_node, name, platform):
    files, entries = LAYOUTS[name]
    root = Path(os.path.realpath(tmp_path)) / name
    write_layout(root, files)
    out = esbuild_imports(oracle_node, root, entries, platform)
    assert not out["errors"], out["errors"]
    assert out["imports"], "esbuild reported no imports"
    r = Resolver(root, root / "convex")
    mismatches = []
    for imp in out["imports"]:
        ours = r.resolve(imp["specifier"], root / imp["importer"], platform)
        ours_rel = None if ours is None else (ours.kind if ours.path is None else os.path.relpath(ours.path, root))
        theirs = imp["specifier"] if imp["external"] else imp["path"]
        if imp["external"]:
            ok = ours is not None and ours.kind == "builtin"
        else:
            ok = ours_rel == theirs and ours.esbuild
        if not ok:
            mismatches.append(f"{imp['importer']}: {imp['specifier']!r} esbuild → {theirs}, ours → {ours_rel} ({ours})")
    assert not mismatches, "\n".join(mismatches)


#: Layouts esbuild cannot resolve where our fallbacks apply (docs/architecture.md,
#: "Module resolution"): the result is marked ``esbuild=False``.
FALLBACKS = {
    "solution_root": ({
        "tsconfig.json": '{"files": [], "references": [{"path": "./tsconfig.app.json"}]}',
        "tsconfig.app.json": '{"include": ["convex", "src"], "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}',
        "convex/a.ts": 'import "@/x";\n', "src/x.ts": TS,
    }, "convex/a.ts", "@/x", "src/x.ts"),
    "unlinked_workspace": ({
        "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
        "packages/shared/package.json": _pkg("@repo/shared", exports={".": "./src/index.ts"}),
        "packages/shared/src/index.ts": TS,
        "packages/backend/convex/a.ts": 'import "@repo/shared";\n',
    }, "packages/backend/convex/a.ts", "@repo/shared", "packages/shared/src/index.ts"),
}


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_fallbacks_only_where_esbuild_fails(tmp_path, oracle_node, name):
    files, entry, spec, expected = FALLBACKS[name]
    root = Path(os.path.realpath(tmp_path)) / name
    write_layout(root, files)
    out = esbuild_imports(oracle_node, root, [entry], "browser")
    assert out["errors"] and spec in out["errors"][0]["text"], out
    ours = Resolver(root, root / "convex").resolve(spec, root / entry)
    assert ours is not None and ours.path == root / expected and not ours.esbuild
