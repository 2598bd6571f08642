"""Which files are Convex function modules.

The rules are Convex's own: ``entryPoints()`` in convex 1.48 ``src/bundler/index.ts``
(walkDir + the skip list), summarised in convex_ssot/resolve/project.py's docstring:

* extensions ``.ts .tsx .js .jsx .mjs .cjs .mts .cts`` (case-sensitive);
* skipped: ``_generated/`` at the top level of the convex dir only; base names starting
  with ``.`` or ``#``; ``schema.ts`` / ``schema.js`` at any depth; base names with more than
  one dot (``auth.config.ts``, ``*.test.ts``, ``*.d.ts``); paths containing a space;
  directories holding ``convex.config.ts`` (components); ``.ts`` files without a line
  that starts with ``import``/``export``.
* walkDir does not skip dot-*directories*; only the file's base name is checked.

Every candidate file below registers ``f``; a module is "discovered" when ``<module>:f``
appears in the function contract.
"""

from __future__ import annotations

import pytest

from convex_ssot.resolve.project import discover_modules

SCHEMA = 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n'


def registering(depth: int) -> str:
    up = "./" if depth == 0 else "../" * depth
    return f'import {{ query }} from "{up}_generated/server";\nexport const f = query({{ handler: async () => 1 }});\n'


def ids_for(convex_project, files: dict[str, str]) -> list[str]:
    b = convex_project({"convex/schema.ts": SCHEMA, **files})
    return sorted(x for x in b.function_ids())


INCLUDED = {
    "convex/plain.ts": "plain",
    "convex/view.tsx": "view",
    "convex/js.js": "js",
    "convex/jsx.jsx": "jsx",
    "convex/esm.mjs": "esm",
    "convex/cjs.cjs": "cjs",
    "convex/mts.mts": "mts",
    "convex/cts.cts": "cts",
    "convex/nested/deep/mod.ts": "nested/deep/mod",
    "convex/sub/_generated/notgen.ts": "sub/_generated/notgen",  # only top-level _generated is skipped
    "convex/schema.tsx": "schema",  # only schema.ts / schema.js are skipped
}


@pytest.mark.parametrize("path, module", sorted(INCLUDED.items()))
def test_included_modules(convex_project, path, module) -> None:
    depth = path.count("/") - 1
    assert ids_for(convex_project, {path: registering(depth)}) == [f"{module}:f"]


SKIPPED = [
    "convex/_generated/server.ts",
    "convex/_generated/api.js",
    "convex/.hidden.ts",
    "convex/sub/.hidden.ts",
    "convex/#emacs-temp.ts",
    "convex/sub/schema.ts",
    "convex/sub/schema.js",
    "convex/a.test.ts",
    "convex/a.spec.ts",
    "convex/auth.config.ts",
    "convex/types.d.ts",
    "convex/with space.ts",
    "convex/dir with space/mod.ts",
    "convex/upper.TS",
    "convex/readme.md",
    "convex/data.json",
]


@pytest.mark.parametrize("path", SKIPPED)
def test_skipped_files(convex_project, path) -> None:
    depth = path.count("/") - 1
    assert ids_for(convex_project, {path: registering(depth), "convex/ok.ts": registering(0)}) == ["ok:f"]


def test_component_directory_with_convex_config_ts_is_skipped(convex_project) -> None:
    files = {
        "convex/comp/convex.config.ts": 'import { defineComponent } from "convex/server";\nexport default defineComponent("comp");\n',
        "convex/comp/inner.ts": registering(1),
        "convex/comp/sub/deeper.ts": registering(2),
        "convex/ok.ts": registering(0),
    }
    assert ids_for(convex_project, files) == ["ok:f"]


def test_convex_config_at_top_level_does_not_skip_the_convex_dir(convex_project) -> None:
    files = {
        "convex/convex.config.ts": 'import { defineApp } from "convex/server";\nconst app = defineApp();\nexport default app;\n',
        "convex/ok.ts": registering(0),
    }
    assert ids_for(convex_project, files) == ["ok:f"]


def test_convex_config_js_does_not_mark_a_component(convex_project) -> None:
    # Convex checks only for convex.config.ts (looksLikeNestedComponent in bundler/index.ts).
    files = {
        "convex/notcomp/convex.config.js": "export default {};\n",
        "convex/notcomp/mod.ts": registering(1),
    }
    assert ids_for(convex_project, files) == ["notcomp/mod:f"]


def test_files_inside_dot_directories_are_modules(convex_project) -> None:
    # walkDir descends into every directory; only base names starting with "." are skipped.
    assert ids_for(convex_project, {"convex/.internal/mod.ts": registering(1)}) == [".internal/mod:f"]


def test_ts_file_without_import_or_export_is_not_read(convex_project) -> None:
    files = {
        # No line starts with import/export: Convex skips it, so its lexical error must not be reported.
        "convex/scratch.ts": 'const s = "unterminated;\n',
        "convex/ok.ts": registering(0),
    }
    b = convex_project({"convex/schema.ts": SCHEMA, **files})
    assert b.function_ids() == ["ok:f"]
    assert [d for d in b.diagnostics if d["file"] == "convex/scratch.ts"] == []


def test_js_file_without_import_or_export_is_still_a_module(convex_project) -> None:
    # The import/export filter applies to TypeScript files only.
    files = {"convex/plain.js": 'const s = "unterminated;\n'}
    b = convex_project({"convex/schema.ts": SCHEMA, **files})
    assert "CSX001" in [d["code"] for d in b.diagnostics if d["file"] == "convex/plain.js"]


def test_discover_modules_is_sorted_and_skips_schema(tmp_path) -> None:
    convex = tmp_path / "convex"
    for rel in ["b.ts", "a.ts", "schema.ts", "z/y.ts", "_generated/api.ts", "m.test.ts"]:
        p = convex / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("export {};\n")
    got = [p.relative_to(convex).as_posix() for p in discover_modules(convex)]
    assert got == ["a.ts", "b.ts", "z/y.ts"]


def test_discover_modules_on_missing_directory(tmp_path) -> None:
    assert discover_modules(tmp_path / "nope") == []


def test_module_paths_use_the_schema_directory(convex_project) -> None:
    # The functions directory is the schema's parent (docs/contracts.md §3.1 source.path).
    b = convex_project(
        {
            "backend/convex/schema.ts": SCHEMA,
            "backend/convex/dir/mod.ts": registering(1),
        },
        schema_rel="backend/convex/schema.ts",
    )
    assert b.functions["source"] == {"kind": "convex-functions", "path": "backend/convex/"}
    f = b.function("dir/mod:f")
    assert (f["file"], f["modulePath"]) == ("backend/convex/dir/mod.ts", "dir/mod")
