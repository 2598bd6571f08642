"""Incremental evaluation (issue 10; docs/architecture.md, "Incremental evaluation").

A run after an edit reuses what the previous run's evaluation of each function module, of
the schema and of the callable surface produced, when nothing it read changed. Every test
here edits one kind of input and checks two things:

* the contracts of the run that reused records are byte-identical to those of a run that
  evaluated everything (``--no-cache``);
* exactly the expected parts were evaluated again: the edited module and the modules whose
  recorded inputs changed, no others (the evaluation functions are counted).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from ssot_testlib import REPO_ROOT

from .helpers import PACKAGE_JSON, SCHEMA, make_repo, write_files

SHARED = (
    'import { v } from "convex/values";\n'
    "export const itemFields = { name: v.string(), n: v.number() };\n"
    "export const unknownThing = { ref: v.id(notDefinedAnywhere) };\n"  # a diagnostic on the shared module
)


def _user(i: int, what: str = "itemFields") -> str:
    return (
        'import { query, mutation } from "./_generated/server";\n'
        'import { v } from "convex/values";\n'
        f'import {{ {what} }} from "./shared";\n'
        f"export const get{i} = query({{ args: {{ id: v.id(\"items\") }}, handler: async (ctx, {{ id }}) => ctx.db.get(id) }});\n"
        f"export const put{i} = mutation({{ args: {what}, handler: async (ctx, a) => ctx.db.insert(\"items\", a) }});\n"
    )


ALONE = (
    'import { query } from "./_generated/server";\n'
    'import { v } from "convex/values";\n'
    "export const list = query({ args: {}, handler: async (ctx) => ctx.db.query(\"items\").collect() });\n"
)

FILES = {
    "convex/shared.ts": SHARED,
    "convex/a.ts": _user(1),
    "convex/b.ts": _user(2, "unknownThing"),
    "convex/c.ts": _user(3),
    "convex/alone.ts": ALONE,
    "convex/aliased.ts": (
        'import { query } from "./_generated/server";\n'
        'import { fields } from "@lib/validators";\n'
        "export const viaAlias = query({ args: fields, handler: async () => null });\n"
    ),
    "lib/validators.ts": 'import { v } from "convex/values";\nexport const fields = { a: v.string() };\n',
    "lib2/validators.ts": 'import { v } from "convex/values";\nexport const fields = { b: v.boolean() };\n',
    "tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["lib/*"] } } }\n',
    "convex/pkg.ts": (
        'import { query } from "./_generated/server";\n'
        'import { pkgArgs } from "my-validators";\n'
        "export const viaPackage = query({ args: pkgArgs, handler: async () => null });\n"
    ),
    "node_modules/my-validators/package.json": '{ "name": "my-validators", "version": "1.0.0", "main": "index.js" }\n',
    "node_modules/my-validators/index.js": 'import { v } from "convex/values";\nexport const pkgArgs = { p: v.string() };\n',
    "convex/_generated/server.js": "export const query = 1;\n",
}


@pytest.fixture()
def counted(monkeypatch):
    """Which parts each run evaluates: repo-relative module paths, ``schema``, ``surface``."""
    from convex_ssot.resolve import project

    seen: list[str] = []
    real_functions, real_schema, real_surface = project._functions_of, project._read_schema, project.read_surface

    def functions_of(ev, loader, mod, *a):
        seen.append(mod.rel)
        return real_functions(ev, loader, mod, *a)

    def read_schema(*a):
        seen.append("schema")
        return real_schema(*a)

    def read_surface(*a):
        seen.append("surface")
        return real_surface(*a)

    monkeypatch.setattr(project, "_functions_of", functions_of)
    monkeypatch.setattr(project, "_read_schema", read_schema)
    monkeypatch.setattr(project, "read_surface", read_surface)
    return seen


def _contracts(root: Path, use_cache: bool) -> tuple[bytes, bytes]:
    from convex_ssot.config import load_config
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.pipeline import derive

    d = derive(load_config(root), use_cache=use_cache)
    return dumps(d.db), dumps(d.functions)


def _check(root: Path, counted: list[str]) -> list[str]:
    """Run with the cache (reusing records), compare with a run without; the parts the
    cached run evaluated, sorted."""
    counted.clear()
    warm = _contracts(root, True)
    evaluated = sorted(counted)
    cold = _contracts(root, False)
    assert warm[0] == cold[0], "DB contract differs from a run that evaluated everything"
    assert warm[1] == cold[1], "function contract differs from a run that evaluated everything"
    return evaluated


@pytest.fixture()
def repo(tmp_path, counted) -> Path:
    root = make_repo(tmp_path / "app", FILES)
    _contracts(root, True)  # primes the cache
    counted.clear()
    return root


def _edit(root: Path, rel: str, text: str) -> None:
    write_files(root, {rel: text})


def test_edit_of_one_module_evaluates_only_it(repo, counted) -> None:
    _edit(repo, "convex/a.ts", _user(1) + "export const extra = query({ args: {}, handler: async () => 1 });\n")
    assert _check(repo, counted) == ["convex/a.ts"]
    fns = json.loads(_contracts(repo, True)[1])["functions"]
    assert "a:extra" in {f["functionId"] for f in fns}


def test_comment_edit_evaluates_only_the_module(repo, counted) -> None:
    _edit(repo, "convex/c.ts", "// a comment\n" + _user(3))
    assert _check(repo, counted) == ["convex/c.ts"]


def test_shared_validator_module_edit_evaluates_its_importers(repo, counted) -> None:
    _edit(repo, "convex/shared.ts", SHARED.replace("n: v.number()", "n: v.int64()"))
    assert _check(repo, counted) == ["convex/a.ts", "convex/b.ts", "convex/c.ts", "convex/shared.ts"]


def test_diagnostics_of_a_shared_module_survive_partial_runs(repo, counted) -> None:
    # b.ts reaches the shared module's unresolved validator: its diagnostic is reported
    # although only a.ts is evaluated in the second run (shared.ts is not evaluated again).
    _edit(repo, "convex/a.ts", _user(1) + "\n")
    assert _check(repo, counted) == ["convex/a.ts"]
    diags = json.loads(_contracts(repo, True)[1])["diagnostics"]
    assert any(d["file"] == "convex/shared.ts" for d in diags)


def test_tsconfig_path_alias_target_edit(repo, counted) -> None:
    _edit(repo, "lib/validators.ts", 'import { v } from "convex/values";\nexport const fields = { a: v.number() };\n')
    assert _check(repo, counted) == ["convex/aliased.ts"]


def test_tsconfig_edit_evaluates_everything(repo, counted) -> None:
    _edit(repo, "tsconfig.json", '{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["lib2/*"] } } }\n')
    evaluated = _check(repo, counted)
    assert "convex/aliased.ts" in evaluated and "convex/alone.ts" in evaluated and "schema" in evaluated
    fns = json.loads(_contracts(repo, True)[1])["functions"]
    assert [f for f in fns if f["functionId"] == "aliased:viaAlias"][0]["argsValidator"]["fields"][0]["name"] == "b"


def test_installed_package_file_edit(repo, counted) -> None:
    _edit(repo, "node_modules/my-validators/index.js", 'import { v } from "convex/values";\nexport const pkgArgs = { q: v.number() };\n')
    assert _check(repo, counted) == ["convex/pkg.ts"]


def test_installed_package_version_edit(repo, counted) -> None:
    _edit(repo, "node_modules/my-validators/package.json", '{ "name": "my-validators", "version": "2.0.0", "main": "index.js" }\n')
    _edit(repo, "node_modules/my-validators/index.js", 'import { v } from "convex/values";\nexport const pkgArgs = { r: v.boolean() };\n')
    assert "convex/pkg.ts" in _check(repo, counted)


def test_schema_edit_evaluates_the_schema_only(repo, counted) -> None:
    _edit(repo, "convex/schema.ts", SCHEMA.replace("n: v.number()", "n: v.number(), m: v.optional(v.string())"))
    assert _check(repo, counted) == ["schema"]


def test_module_added(repo, counted) -> None:
    _edit(repo, "convex/d.ts", _user(4))
    assert _check(repo, counted) == ["convex/d.ts"]


def test_module_removed(repo, counted) -> None:
    (repo / "convex/c.ts").unlink()
    assert _check(repo, counted) == []
    fns = json.loads(_contracts(repo, True)[1])["functions"]
    assert not any(f["functionId"].startswith("c:") for f in fns)


def test_imported_module_renamed(repo, counted) -> None:
    (repo / "convex/shared.ts").rename(repo / "convex/common.ts")
    evaluated = _check(repo, counted)
    # the importers no longer resolve "./shared"; the renamed module is new
    assert evaluated == ["convex/a.ts", "convex/b.ts", "convex/c.ts", "convex/common.ts"]


def test_file_that_shadows_a_resolution(repo, counted) -> None:
    # "./shared" resolved to shared.ts; a directory index does not change that, but a
    # file the resolver prefers would: resolutions are re-checked, not assumed.
    _edit(repo, "convex/shared/index.ts", SHARED.replace("v.string()", "v.boolean()"))
    assert _check(repo, counted) == ["convex/shared/index.ts"]
    os.remove(repo / "convex/shared.ts")
    assert _check(repo, counted) == ["convex/a.ts", "convex/b.ts", "convex/c.ts"]


def test_generated_change(repo, counted) -> None:
    _edit(repo, "convex/_generated/server.js", "export const query = 2; // regenerated\n")
    assert _check(repo, counted) == []


def test_http_routes_follow_their_handlers(tmp_path, counted) -> None:
    files = dict(FILES)
    files["convex/actions.ts"] = (
        'import { httpAction } from "./_generated/server";\n'
        "export const hook = httpAction(async () => new Response(null));\n"
    )
    files["convex/http.ts"] = (
        'import { httpRouter } from "convex/server";\n'
        'import { hook } from "./actions";\n'
        "const http = httpRouter();\n"
        'http.route({ path: "/hook", method: "POST", handler: hook });\n'
        "export default http;\n"
    )
    root = make_repo(tmp_path / "app", files)
    _contracts(root, True)
    _edit(root, "convex/alone.ts", ALONE + "\n")
    assert _check(root, counted) == ["convex/alone.ts"]
    _edit(root, "convex/actions.ts", files["convex/actions.ts"] + "export const hook2 = httpAction(async () => new Response(null));\n")
    # http.ts's own exports do not read actions.ts; the surface (its routes) does
    assert _check(root, counted) == ["convex/actions.ts", "surface"]
    routes = json.loads(_contracts(root, True)[1])["httpRoutes"]
    assert routes and routes[0]["handler"] == {"functionId": "actions:hook"}


def test_once_per_module_diagnostic_is_kept_by_every_part_that_reaches_it(tmp_path, counted) -> None:
    # CSX245 (a package model assumed at another version) is reported once per module and
    # package. b.ts reaches it second in a cold run (through another import of the same
    # package); when a.ts stops reaching it, the record of b.ts must still carry it. The
    # module is outside convex/, so no record of its own carries it.
    files = {
        "lib/helpers.ts": (
            'import { literals } from "convex-helpers/validators";\n'
            'import { nullable } from "convex-helpers/validators";\n'
            'import { v } from "convex/values";\n'
            'export const status = literals("a", "b");\n'
            "export const maybe = nullable(v.string());\n"
        ),
        "convex/a.ts": _user(1, "status").replace("args: status", "args: { s: status }").replace('"./shared"', '"../lib/helpers"'),
        "convex/b.ts": _user(2, "maybe").replace("args: maybe", "args: { m: maybe }").replace('"./shared"', '"../lib/helpers"'),
    }
    root = make_repo(tmp_path / "app", files)
    _contracts(root, True)
    cold = json.loads(_contracts(root, False)[1])["diagnostics"]
    assert [d["code"] for d in cold if d["file"] == "lib/helpers.ts"] == ["CSX245"]
    _edit(root, "convex/a.ts", ALONE)
    assert _check(root, counted) == ["convex/a.ts"]


def test_once_per_module_diagnostic_does_not_depend_on_which_part_came_first(tmp_path, counted) -> None:
    # CSX245 is reported once per module and package. In a cold run the schema reaches the
    # module first, through its second import of the package; an edit run that evaluates
    # only a.ts reaches it through the first import. Both must place it at the module's
    # first import of the package, or the edit run carries one diagnostic more than a cold
    # run (found on a real project by differential edit runs, session 7).
    files = {
        "lib/helpers.ts": (
            'import { literals } from "convex-helpers/validators";\n'
            'import { migrationsTable } from "convex-helpers/server/migrations";\n'
            "export const status = literals(\"a\", \"b\");\n"
            "export const migrations = migrationsTable;\n"
        ),
        "convex/schema.ts": (
            'import { defineSchema, defineTable } from "convex/server";\n'
            'import { v } from "convex/values";\n'
            'import { migrations } from "../lib/helpers";\n'
            "export default defineSchema({ migrations, items: defineTable({ name: v.string() }) });\n"
        ),
        "convex/a.ts": _user(1, "status").replace("args: status", "args: { s: status }").replace('"./shared"', '"../lib/helpers"'),
    }
    root = make_repo(tmp_path / "app", files)
    _contracts(root, True)
    cold = json.loads(_contracts(root, False)[1])["diagnostics"]
    assert [(d["code"], d["line"]) for d in cold if d["file"] == "lib/helpers.ts"] == [("CSX245", 1)]
    _edit(root, "convex/a.ts", _user(1, "status").replace("args: status", "args: { t: status }").replace('"./shared"', '"../lib/helpers"'))
    assert _check(root, counted) == ["convex/a.ts"]


def test_package_declaration_read_lazily_from_the_parse_cache_keeps_its_template_literals(tmp_path, counted) -> None:
    # An installed package's declarations are parsed when first looked up; the parse
    # cache's copy of the module has no source text, and a template literal of such a
    # declaration was then unreadable: after an edit the schema, read afresh with the package
    # module from the cache, recorded the field as v.any() with CSX200 where a cold run
    # resolved it (found by bench/edit_diff.py on a real project, session 7).
    files = {
        "node_modules/fake-tpl/package.json": json.dumps({"name": "fake-tpl", "version": "1.0.0", "module": "./index.js"}),
        "node_modules/fake-tpl/index.js": (
            'import { v } from "convex/values";\n'
            'const base = "item";\n'
            "export const vKind = v.union(...[`${base}_a`, `${base}_b`].map((k) => v.literal(k)));\n"
        ),
        "convex/schema.ts": (
            'import { defineSchema, defineTable } from "convex/server";\n'
            'import { vKind } from "fake-tpl";\n'
            "export default defineSchema({ items: defineTable({ kind: vKind }) });\n"
        ),
    }
    root = make_repo(tmp_path / "app", files, module=False)
    first = json.loads(_contracts(root, True)[0])
    kind = [c for t in first["tables"] if t["name"] == "items" for c in t["columns"] if c["name"] == "kind"]
    assert kind and kind[0]["type"] == 'union<literal<"item_a"> | literal<"item_b">>', kind
    _edit(root, "convex/schema.ts", files["convex/schema.ts"] + "// edited\n")
    assert _check(root, counted) == ["schema"]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "other-version", "other-tool", "empty",
                                    "pack-truncated", "pack-flipped", "pack-other", "pack-empty", "pack-missing"])
def test_damaged_entry_is_never_used(repo, counted, damage) -> None:
    from convex_ssot.cache import cache_dir

    projects = cache_dir() / "projects"
    entries = list(projects.glob("*.eval.idx")) if not damage.startswith("pack") else list(projects.glob("*.eval.pack"))
    assert entries
    for path in entries:
        data = path.read_bytes()
        if damage in ("truncated", "pack-truncated"):
            data = data[: len(data) // 2]
        elif damage in ("flipped", "pack-flipped"):
            data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
        elif damage == "other-version":
            head, rest = data.split(b"\n", 1)
            data = head + b"\n" + b"999" + rest[rest.index(b"\n"):]
        elif damage == "other-tool":
            lines = data.split(b"\n", 3)
            data = b"\n".join(lines[:2] + [b"0" * len(lines[2])] + lines[3:])
        elif damage == "pack-other":  # another pack (another token) with the very same parts
            head, token, rest = data.split(b"\n", 2)
            data = b"\n".join([head, b"f" * len(token), rest])
        elif damage == "pack-missing":
            path.unlink()
            continue
        else:
            data = b""
        path.write_bytes(data)
    _edit(repo, "convex/a.ts", _user(1) + "\n")
    evaluated = _check(repo, counted)
    assert "convex/alone.ts" in evaluated and "schema" in evaluated  # nothing was reused
    _edit(repo, "convex/a.ts", _user(1) + "\n\n")
    assert _check(repo, counted) == ["convex/a.ts"]  # the entry written after it is whole


def test_pack_is_appended_to_then_written_afresh(repo, counted) -> None:
    # an edit run appends its fresh records to the pack (the reused ones stay where they
    # are); once the pack holds more than twice what the index points at, it is written
    # afresh with a new token, and each state is read back like a cold run's
    from convex_ssot.cache import ModuleCache
    from convex_ssot.eval_pack import pack_token

    pack = ModuleCache.open()._project_path(repo, "convex/schema.ts", ".eval.pack")
    first = pack.read_bytes()
    _edit(repo, "convex/alone.ts", ALONE + "\n")
    assert _check(repo, counted) == ["convex/alone.ts"]
    second = pack.read_bytes()
    assert second.startswith(first) and len(second) > len(first)  # appended, nothing rewritten
    sizes = [len(second)]
    for i in range(200):
        _edit(repo, "convex/alone.ts", ALONE + "\n" * (i + 2))
        counted.clear()
        _contracts(repo, True)
        assert counted == ["convex/alone.ts"]
        sizes.append(len(pack.read_bytes()))
        if sizes[-1] < sizes[-2]:
            break
    else:
        raise AssertionError("the pack was never written afresh")
    assert pack_token(pack.read_bytes()) != pack_token(first)
    assert sizes[-1] <= len(second) + 1000  # only what the index points at
    assert _check(repo, counted) == []  # the whole-project entry answers: nothing read
    _edit(repo, "convex/c.ts", _user(3) + "\n")
    assert _check(repo, counted) == ["convex/c.ts"]


def _fixtures() -> list[Path]:
    base = REPO_ROOT / "tests" / "conformance" / "fixtures"
    return sorted(p for p in base.iterdir() if (p / "convex").is_dir())


def _most_imported(convex: Path) -> Path:
    """The function module other modules import most often (else the first one)."""
    mods = sorted(p for p in convex.rglob("*.ts") if "_generated" not in p.parts and p.name != "schema.ts" and p.name.count(".") == 1)
    texts = {p: p.read_text("utf-8", errors="replace") for p in mods}

    def importers(p: Path) -> int:
        stem = "/" + p.stem + '"'
        return sum(stem in t for q, t in texts.items() if q != p)

    return max(mods, key=lambda p: (importers(p), -mods.index(p)))


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: p.name)
def test_conformance_fixture_warm_after_edit_equals_cold(tmp_path, counted, fixture) -> None:
    root = tmp_path / fixture.name
    shutil.copytree(fixture, root, ignore=shutil.ignore_patterns("expected*", "context"))
    if not (root / "package.json").exists():
        (root / "package.json").write_text(PACKAGE_JSON)
    _contracts(root, True)
    target = _most_imported(root / "convex")
    target.write_text(target.read_text("utf-8") + "\nexport const __incrementalEdit = 1;\n", "utf-8")
    evaluated = _check(root, counted)
    assert target.relative_to(root).as_posix() in evaluated
    schema = root / "convex" / "schema.ts"
    if schema.is_file():
        schema.write_text("// edited\n" + schema.read_text("utf-8"), "utf-8")
        assert "schema" in _check(root, counted)



def test_updated_at_after_an_edit(repo) -> None:
    # The contract on disk is the previous run's own serialisation: an edit that changes
    # it gets a new updatedAt without the file being parsed; a contract reformatted by
    # hand whose content the edit does not change keeps its updatedAt.
    from convex_ssot.config import load_config
    from convex_ssot.pipeline import sync

    fc = repo / "docs/context/convex/functions.json"
    sync(load_config(repo), now="2001-01-01T00:00:00.000Z")
    _edit(repo, "convex/a.ts", _user(1) + "export const more = query({ args: {}, handler: async () => 2 });\n")
    sync(load_config(repo), now="2002-02-02T00:00:00.000Z")
    assert json.loads(fc.read_bytes())["updatedAt"] == "2002-02-02T00:00:00.000Z"
    fc.write_text(json.dumps(json.loads(fc.read_bytes()), indent=4), "utf-8")  # same content, other format
    _edit(repo, "convex/a.ts", _user(1) + "export const more = query({ args: {}, handler: async () => 2 });\n\n\n")
    result = sync(load_config(repo), now="2003-03-03T00:00:00.000Z")
    assert "docs/context/convex/functions.json" in result.written  # put back in our format
    assert json.loads(fc.read_bytes())["updatedAt"] == "2002-02-02T00:00:00.000Z"


# ---- function entries reused from the last validated contract (docs/architecture.md,
# "Emitted entries"): a sync after an edit emits only the fresh roots' functions, and
# writes the same bytes as a sync that evaluated and emitted everything.

NOW = "2004-04-04T00:00:00.000Z"

CALLS = {
    "convex/callee.ts": (
        'import { query, internalQuery } from "./_generated/server";\n'
        "export const target = internalQuery({ args: {}, handler: async () => 1 });\n"
        "export const other = query({ args: {}, handler: async () => 2 });\n"
    ),
    "convex/caller.ts": (
        'import { query } from "./_generated/server";\n'
        'import { internal, api } from "./_generated/api";\n'
        "export const run = query({ args: {}, handler: async (ctx) => {\n"
        "  await ctx.runQuery(internal.callee.target, {});\n"
        "  return await ctx.runQuery(api.callee.other, {});\n"
        "} });\n"
    ),
    "convex/crons.ts": (
        'import { cronJobs } from "convex/server";\n'
        'import { internal } from "./_generated/api";\n'
        "const crons = cronJobs();\n"
        'crons.interval("tick", { minutes: 5 }, internal.callee.target, {});\n'
        "export default crons;\n"
    ),
}


@pytest.fixture()
def emitted(monkeypatch):
    """The functionIds (``function_json``) and tables (``table_json``: ``table:<name>``)
    emitted afresh in each sync."""
    from convex_ssot.emit import db_contract as dbc, functions_contract as fc

    seen: list[str] = []
    real_function, real_table = fc.function_json, dbc.table_json

    def function_json(f, *a):
        seen.append(f.function_id)
        return real_function(f, *a)

    def table_json(t):
        seen.append(f"table:{t.name}")
        return real_table(t)

    monkeypatch.setattr(fc, "function_json", function_json)
    monkeypatch.setattr(dbc, "table_json", table_json)
    return seen


def _sync_bytes(root: Path, use_cache: bool = True) -> tuple[bytes, bytes]:
    from convex_ssot.config import load_config
    from convex_ssot.pipeline import sync

    sync(load_config(root), use_cache=use_cache, now=NOW)
    return (root / "docs/context/db/schema.json").read_bytes(), (root / "docs/context/convex/functions.json").read_bytes()


def _sync_check(root: Path, emitted: list[str], tmp_path: Path, linked: list[str] | None = None) -> list[str]:
    """Sync with the cache, then a copy of the repository without it: byte-identical files;
    the functionIds the cached sync emitted afresh, sorted (``linked``: emptied, then
    holds what the cached sync alone recorded there)."""
    emitted.clear()
    if linked is not None:
        linked.clear()
    warm = _sync_bytes(root)
    fresh = sorted(emitted)
    if linked is not None:
        linked[:] = sorted(set(linked))
        seen = list(linked)
    copy = tmp_path / f"nocache-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("context"))
    cold = _sync_bytes(copy, use_cache=False)
    assert warm[0] == cold[0], "DB contract differs from a sync that emitted everything"
    assert warm[1] == cold[1], "function contract differs from a sync that emitted everything"
    if linked is not None:
        linked[:] = seen
    return fresh


@pytest.fixture()
def synced_calls(tmp_path, emitted) -> Path:
    root = make_repo(tmp_path / "app", {**FILES, **CALLS})
    _sync_bytes(root)  # primes the cache: evaluation records and the validated entries
    emitted.clear()
    return root


def test_sync_after_an_edit_emits_only_the_edited_module(synced_calls, emitted, tmp_path) -> None:
    _edit(synced_calls, "convex/a.ts", _user(1) + "export const extra = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["a:extra", "a:get1", "a:put1"]


def test_schema_edit_emits_the_tables_only(synced_calls, emitted, tmp_path) -> None:
    _edit(synced_calls, "convex/schema.ts", SCHEMA.replace("n: v.number()", "n: v.number(), m: v.optional(v.string())"))
    assert _sync_check(synced_calls, emitted, tmp_path) == ["table:items"]
    _edit(synced_calls, "convex/alone.ts", ALONE + "export const more = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list", "alone:more"]


def test_reused_entries_get_calls_and_called_by_of_this_run(synced_calls, emitted, tmp_path) -> None:
    # caller.ts and crons.ts are not evaluated again, yet the entry of caller:run must say
    # its internal.callee.target call no longer resolves (target became public), and the
    # entry of callee:other must list a new caller from the edited module.
    _edit(synced_calls, "convex/callee.ts", CALLS["convex/callee.ts"].replace("internalQuery({", "query({", 1))
    assert _sync_check(synced_calls, emitted, tmp_path) == ["callee:other", "callee:target"]
    _edit(synced_calls, "convex/a.ts", _user(1).replace('from "./_generated/server";\n', 'from "./_generated/server";\nimport { api } from "./_generated/api";\n', 1)
          + "export const more = query({ args: {}, handler: async (ctx) => ctx.runQuery(api.callee.other, {}) });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["a:get1", "a:more", "a:put1"]
    fns = {f["functionId"]: f for f in json.loads(_sync_bytes(synced_calls)[1])["functions"]}
    assert {"via": "runQuery", "functionId": "a:more"} in fns["callee:other"]["calledBy"]
    assert [c["resolved"] for c in fns["caller:run"]["calls"]] == [False, True]


def test_edit_that_leaves_the_contract_unchanged(synced_calls, emitted, tmp_path) -> None:
    # a sync that writes nothing validates nothing: the entries it reused stay reusable,
    # those it emitted afresh are emitted (and validated) again by the next sync that
    # writes the contract; after it, all are reusable again
    _edit(synced_calls, "convex/alone.ts", ALONE + "\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list"]
    _edit(synced_calls, "convex/c.ts", _user(3) + "\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list", "c:get3", "c:put3"]
    _edit(synced_calls, "convex/c.ts", _user(3) + "export const extra = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list", "c:extra", "c:get3", "c:put3"]
    _edit(synced_calls, "convex/b.ts", _user(2, "unknownThing") + "export const extra = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["b:extra", "b:get2", "b:put2"]


@pytest.mark.parametrize("stale", ["derive-between", "index-flipped", "contracts-edited", "contract-updated-at", "contract-deleted",
                                   "copy-edited", "schema-changed", "duplicate-id"])
def test_stored_entries_are_never_used_when_not_provably_this_runs(synced_calls, emitted, tmp_path, monkeypatch, stale) -> None:
    from convex_ssot.cache import cache_dir

    projects = cache_dir() / "projects"
    _edit(synced_calls, "convex/a.ts", _user(1) + "\n// edited\n")
    if stale == "derive-between":
        # a derive (verify, status) writes another evaluation entry and contracts file and
        # validates nothing: only the entries it reused itself stay reusable
        _edit(synced_calls, "convex/c.ts", _user(3) + "export const extra = query({ args: {}, handler: async () => 1 });\n")
        _contracts(synced_calls, True)
        _edit(synced_calls, "convex/alone.ts", ALONE + "\n")
        assert _sync_check(synced_calls, emitted, tmp_path) == ["a:get1", "a:put1", "alone:list", "c:extra", "c:get3", "c:put3"]
        return
    elif stale == "index-flipped":
        for path in projects.glob("*.entries"):
            data = bytearray(path.read_bytes())
            data[-10] ^= 0x01
            path.write_bytes(bytes(data))
    elif stale == "contracts-edited":  # the entries are read from the contracts a sync wrote to the repository
        contract = synced_calls / "docs/context/convex/functions.json"
        db = synced_calls / "docs/context/db/schema.json"
        contract.write_bytes(contract.read_bytes().replace(b'"alone:list"', b'"alone:LIST"'))
        db.write_bytes(db.read_bytes().replace(b'"items"', b'"itemz"'))
    elif stale == "contract-updated-at":  # another updatedAt length: same entries, other offsets
        _edit(synced_calls, "convex/a.ts", _user(1) + "export const extra = query({ args: {}, handler: async () => 1 });\n")
        contract = synced_calls / "docs/context/convex/functions.json"
        contract.write_bytes(re.sub(rb'\n  "updatedAt": "[^"]*"', b'\n  "updatedAt": "2026"', contract.read_bytes(), count=1))
        fresh = _sync_check(synced_calls, emitted, tmp_path)
        assert fresh == ["a:extra", "a:get1", "a:put1"]  # the other entries were still taken from the file
        return
    elif stale == "contract-deleted":
        (synced_calls / "docs/context/convex/functions.json").unlink()
        (synced_calls / "docs/context/db/schema.json").unlink()
    elif stale == "copy-edited":  # a derive kept copies of its contracts in the cache: edited, never used
        _edit(synced_calls, "convex/c.ts", _user(3) + "export const extra = query({ args: {}, handler: async () => 1 });\n")
        before = {path: path.stat().st_mtime_ns for path in projects.glob("*.contract.json")}
        _contracts(synced_calls, True)
        copies = [path for path in projects.glob("*.contract.json") if before.get(path) != path.stat().st_mtime_ns]
        assert len(copies) == 2  # this project's DB and function contracts
        for path in copies:
            path.write_bytes(path.read_bytes().replace(b'"alone:list"', b'"alone:LIST"').replace(b'"items"', b'"itemz"'))
    elif stale == "schema-changed":
        from convex_ssot import validate

        monkeypatch.setattr(validate, "schema_digest", lambda name: "0" * 64)
    else:  # the same functionId twice (a.ts and a.js): neither entry is taken from the store
        _edit(synced_calls, "convex/a.js", _user(1).replace("get1", "alone"))
        _sync_bytes(synced_calls)
        _edit(synced_calls, "convex/b.ts", _user(2, "unknownThing") + "\n")
        assert "a:put1" in _sync_check(synced_calls, emitted, tmp_path)
        return
    fresh = _sync_check(synced_calls, emitted, tmp_path)
    assert {"alone:list", "pkg:viaPackage"} <= set(fresh)  # every function emitted afresh
    # (after "copy-edited" the repository's DB contract is intact and the same: its tables may be taken from it)
    assert stale == "copy-edited" or "table:items" in fresh


def test_links_of_reused_entries_are_validated(synced_calls, monkeypatch) -> None:
    # validation checks the calls/calledBy of every reused entry (the rest of each passed
    # validation when it was written): a bad one fails the sync, nothing is written
    from convex_ssot.config import load_config
    from convex_ssot.emit import surface
    from convex_ssot.errors import ContractError
    from convex_ssot.pipeline import sync
    from convex_ssot.validate import validate_links

    assert validate_links([([], [])]) == []
    assert validate_links([([{"via": "bogus"}], [])])
    before = (synced_calls / "docs/context/convex/functions.json").read_bytes()
    # callee.ts is evaluated again: the links of caller:run (which calls it) are computed
    # again, though its record and entry are reused
    _edit(synced_calls, "convex/callee.ts", CALLS["convex/callee.ts"] + "\n")
    real = surface.calls_json
    monkeypatch.setattr(surface, "calls_json", lambda f, *a: [{"via": "bogus"}] if f.function_id == "caller:run" else real(f, *a))
    from convex_ssot.emit import functions_contract as fc

    monkeypatch.setattr(fc, "calls_json", surface.calls_json)
    with pytest.raises(ContractError):
        sync(load_config(synced_calls), now=NOW)
    assert (synced_calls / "docs/context/convex/functions.json").read_bytes() == before


def test_unchanged_db_contract_becomes_reusable(synced_calls, emitted, tmp_path) -> None:
    # the cache is lost while the contracts on disk stay (a fresh clone with committed
    # contracts): the DB contract is never written again, yet the cold sync validates both
    # unchanged contracts (it took nothing from an index), and the tables and functions
    # are reused from then on
    from convex_ssot.cache import cache_dir

    shutil.rmtree(cache_dir())
    assert "table:items" in _sync_check(synced_calls, emitted, tmp_path)  # cold: nothing written
    _edit(synced_calls, "convex/alone.ts", ALONE + "export const more = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list", "alone:more"]
    _edit(synced_calls, "convex/alone.ts", ALONE + "export const more2 = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list", "alone:more2"]


@pytest.fixture()
def linked(monkeypatch):
    """The functionIds whose ``calls`` were computed (``calls_json``) in each sync."""
    from convex_ssot.emit import functions_contract as fc

    seen: list[str] = []
    real = fc.calls_json

    def calls_json(f, *a):
        seen.append(f.function_id)
        return real(f, *a)

    monkeypatch.setattr(fc, "calls_json", calls_json)
    return seen


def test_settled_entries_are_placed_whole(synced_calls, emitted, linked, tmp_path) -> None:
    # an edit of a module nothing calls and that calls nothing: every other entry is the
    # stored one, calls and calledBy included (docs/architecture.md, "Emitted entries")
    _edit(synced_calls, "convex/alone.ts", ALONE + "export const more = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path, linked) == ["alone:list", "alone:more"]
    assert linked == ["alone:list", "alone:more"]
    # an edit of the callee: its caller's calls (resolved or not) are computed again
    _edit(synced_calls, "convex/callee.ts", CALLS["convex/callee.ts"] + "\n")
    assert _sync_check(synced_calls, emitted, tmp_path, linked) == ["callee:other", "callee:target"]
    assert linked == ["callee:other", "callee:target", "caller:run"]


@pytest.mark.parametrize("change", ["added", "removed", "visibility"])
def test_links_follow_functions_that_appear_or_go(synced_calls, emitted, linked, tmp_path, change) -> None:
    # caller.ts is never evaluated again, yet its entry's calls say whether each target
    # exists now, with the visibility its reference implies
    _edit(synced_calls, "convex/caller.ts", CALLS["convex/caller.ts"].replace(
        "  return await", "  await ctx.runMutation(internal.later.make, {});\n  return await"))
    _sync_bytes(synced_calls)
    later = 'import { internalMutation, mutation } from "./_generated/server";\nexport const make = internalMutation({ args: {}, handler: async () => 1 });\n'
    if change in ("removed", "visibility"):
        _edit(synced_calls, "convex/later.ts", later)
        _sync_bytes(synced_calls)
    if change == "added":
        _edit(synced_calls, "convex/later.ts", later)
    elif change == "removed":
        (synced_calls / "convex/later.ts").unlink()
    else:
        _edit(synced_calls, "convex/later.ts", later.replace("= internalMutation(", "= mutation("))
    fresh = _sync_check(synced_calls, emitted, tmp_path, linked)
    assert "caller:run" not in fresh and "caller:run" in linked
    calls = {c["target"]: c["resolved"] for c in {f["functionId"]: f for f in json.loads(_sync_bytes(synced_calls)[1])["functions"]}["caller:run"]["calls"]}
    assert calls["later:make"] is (change == "added")


def test_unchanged_contract_taken_whole_from_the_index_is_not_validated_again(synced_calls, emitted, tmp_path, monkeypatch) -> None:
    # an edit of a function module leaves the DB contract as it was, every table taken
    # from the index: nothing to validate there (its tables stay reusable); a schema edit
    # validates it, and the next edit run still takes the tables from the index
    from convex_ssot import pipeline

    checked: list[str] = []
    real = pipeline._validation_errors
    monkeypatch.setattr(pipeline, "_validation_errors", lambda name, *a: checked.append(name) or real(name, *a))
    _edit(synced_calls, "convex/alone.ts", ALONE + "export const more = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list", "alone:more"]
    assert checked == ["functions", "db", "functions"]  # the cached sync's, then the sync of the copy without cache
    _edit(synced_calls, "convex/schema.ts", SCHEMA.replace("n: v.number()", "n: v.number(), m: v.optional(v.string())"))
    checked.clear()
    assert _sync_check(synced_calls, emitted, tmp_path) == ["table:items"]
    assert checked == ["db", "db", "functions"]  # (the function contract is unchanged: written by neither)
    _edit(synced_calls, "convex/alone.ts", ALONE + "export const more2 = query({ args: {}, handler: async () => 1 });\n")
    assert _sync_check(synced_calls, emitted, tmp_path) == ["alone:list", "alone:more2"]
