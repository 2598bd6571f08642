"""The repository boundary (docs/reliability.md §2).

A Convex directory, a schema file, a ``docs/context`` directory (or a contract directory or
file below it) or an init destination that is, or passes through, a symlink pointing
outside the repository is refused with "outside repo root", and nothing is written
through it: the outside directory keeps its bytes and its inodes/mtimes, and nothing is
written inside the repository either. Each case runs ``ctl-db-ssot sync-to-context``,
``ctl-convex init`` and ``ctl-convex verify`` as subprocesses.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import CONTRACTS, MODULE, REGISTRY, SCHEMA, assert_clean, ctl_convex, db_ssot, make_repo, snapshot, stat_snapshot, write_files

COMMANDS = {
    "sync": lambda root: db_ssot("sync-to-context", "--repo-root", root),
    "init": lambda root: ctl_convex("init", "--repo-root", root),
    "verify": lambda root: ctl_convex("verify", "--repo-root", root),
}


def _outside(tmp_path: Path) -> Path:
    """A directory next to the repository with a complete Convex project in it."""
    out = tmp_path / "outside"
    write_files(
        out,
        {
            "convex/schema.ts": SCHEMA,
            "convex/items.ts": MODULE,
            "schema.ts": SCHEMA,
            "context/db/schema.json": '{"sentinel": true}\n',
            "context/convex/functions.json": '{"sentinel": true}\n',
            "ctxdir/keep.txt": "keep\n",
            "files/schema.json": '{"sentinel": "db"}\n',
            "files/AGENTS.md": "outside agents file\n",
            "apps/api/convex/schema.ts": SCHEMA,
            "apps/api/package.json": '{"name": "outside", "dependencies": {"convex": "1"}}\n',
            "package.json": '{"name": "outside"}\n',
        },
    )
    return out


def _link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        if path.is_dir() and not path.is_symlink():
            import shutil

            shutil.rmtree(path)
        else:
            path.unlink()
    os.symlink(target, path, target_is_directory=target.is_dir())


def _case_convex_dir(root: Path, out: Path) -> None:
    _link(root / "convex", out / "convex")


def _case_schema_file(root: Path, out: Path) -> None:
    _link(root / "convex/schema.ts", out / "schema.ts")


def _case_docs_context(root: Path, out: Path) -> None:
    _link(root / "docs/context", out / "context")


def _case_docs_context_empty_target(root: Path, out: Path) -> None:
    _link(root / "docs/context", out / "ctxdir")


def _case_db_contract_dir(root: Path, out: Path) -> None:
    (root / "docs/context").mkdir(parents=True, exist_ok=True)
    _link(root / "docs/context/db", out / "ctxdir")


def _case_db_contract_file(root: Path, out: Path) -> None:
    _link(root / "docs/context/db/schema.json", out / "files/schema.json")


def _case_docs(root: Path, out: Path) -> None:
    """``docs`` itself leaves the repository (the configuration is then outside too)."""
    _link(root / "docs", out / "ctxdir")


def _case_configured_path_through_symlink(root: Path, out: Path) -> None:
    """db.source.path = apps/api/convex/schema.ts, and ``apps`` is a symlink to outside."""
    write_files(root, {"docs/project/db-ssot.json": '{"version": 1, "db": {"ssot": "convex", "source": {"kind": "convex-schema", "path": "apps/api/convex/schema.ts"}}}\n'})
    _link(root / "apps", out / "apps")


CASES = {
    "convex-dir": _case_convex_dir,
    "schema-file": _case_schema_file,
    "docs-context": _case_docs_context,
    "docs-context-to-empty-dir": _case_docs_context_empty_target,
    "db-contract-dir": _case_db_contract_dir,
    "db-contract-file": _case_db_contract_file,
    "docs-dir": _case_docs,
    "schema-path-through-symlink": _case_configured_path_through_symlink,
}

#: cases where the configuration itself cannot be read from inside the repository: the
#: tool then infers the layout; the boundary must hold all the same.


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", list(CASES))
def test_symlink_outside_is_refused_and_nothing_is_written(tmp_path, case, command) -> None:
    root = make_repo(tmp_path / "repo")
    out = _outside(tmp_path)
    CASES[case](root, out)
    outside_before, outside_stat = snapshot(out), stat_snapshot(out)
    inside_before = snapshot(root)
    run = COMMANDS[command](root)
    assert_clean(run)
    assert run.code == 1, str(run)
    assert "outside repo root" in run.err, str(run)
    assert snapshot(out) == outside_before, f"{command} wrote through the symlink ({case})"
    assert stat_snapshot(out) == outside_stat, f"{command} rewrote a file outside the repository ({case})"
    assert snapshot(root) == inside_before, f"{command} changed the repository although it refused ({case})"


@pytest.mark.parametrize("dangling", [False, True], ids=["existing-target", "dangling"])
@pytest.mark.parametrize("dest", ["convex/AGENTS.md", "convex/README.md", "convex/auth.config.ts", "docs/context/convex/INDEX.md", "docs/context/convex/functions.json"])
def test_init_destination_symlinked_outside_is_refused(tmp_path, dest, dangling) -> None:
    root = make_repo(tmp_path / "repo", schema=None, module=False)
    (root / "convex").mkdir(exist_ok=True)
    out = _outside(tmp_path)
    target = out / "files" / ("missing.md" if dangling else "AGENTS.md")
    _link(root / dest, target)
    outside_before, outside_stat = snapshot(out), stat_snapshot(out)
    inside_before = snapshot(root)
    run = ctl_convex("init", "--repo-root", root)
    assert_clean(run)
    assert run.code == 1 and "outside repo root" in run.err, str(run)
    assert not target.exists() or dangling is False
    assert snapshot(out) == outside_before and stat_snapshot(out) == outside_stat, "init wrote through the symlink"
    assert snapshot(root) == inside_before, "init refused but changed the repository"


def test_sync_refuses_a_contract_dir_symlink_even_when_the_target_would_be_created(tmp_path) -> None:
    """``docs/context/convex`` points at a directory outside that does not exist yet."""
    root = make_repo(tmp_path / "repo")
    out = tmp_path / "outside"
    out.mkdir()
    (root / "docs/context").mkdir(parents=True)
    os.symlink(out / "not-yet", root / "docs/context/convex")
    run = db_ssot("sync-to-context", "--repo-root", root)
    assert_clean(run)
    assert run.code == 1 and "outside repo root" in run.err, str(run)
    assert not (out / "not-yet").exists(), "sync created a directory outside the repository"
    assert not (root / CONTRACTS[0]).exists(), "both contracts or neither"


def test_registry_symlinked_outside_is_left_untouched(tmp_path) -> None:
    root = make_repo(tmp_path / "repo")
    out = tmp_path / "outside"
    out.mkdir()
    reg = out / "registry.json"
    reg.write_text('{\n  "version": 1,\n  "updatedAt": "2024-01-01T00:00:00.000Z",\n  "artifacts": []\n}\n', encoding="utf-8")
    (root / "docs/context").mkdir(parents=True)
    os.symlink(reg, root / REGISTRY)
    before = stat_snapshot(out), snapshot(out)
    run = db_ssot("sync-to-context", "--repo-root", root)
    assert_clean(run)
    assert run.code == 0, str(run)
    assert "registry: warning:" in run.out and "outside repo root" in run.out, str(run)
    assert (stat_snapshot(out), snapshot(out)) == before
    assert os.path.islink(root / REGISTRY), "the symlink itself is kept"


def test_source_module_symlinked_outside_is_not_read(tmp_path) -> None:
    """A helper module imported by the schema resolves outside the repository: CSX102, not read."""
    root = make_repo(
        tmp_path / "repo",
        {"convex/schema.ts": 'import { defineSchema } from "convex/server";\nimport { items } from "./lib/tables";\nexport default defineSchema({ items });\n'},
    )
    out = tmp_path / "outside"
    write_files(out, {"tables.ts": 'import { defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport const items = defineTable({ secret: v.string() });\n'})
    (root / "convex/lib").mkdir()
    os.symlink(out / "tables.ts", root / "convex/lib/tables.ts")
    run = db_ssot("sync-to-context", "--repo-root", root, "--format", "json")
    assert_clean(run)
    assert run.code == 0, str(run)
    import json

    doc = json.loads(run.out)
    assert any(d["code"] == "CSX102" and d["file"] == "convex/lib/tables.ts" for d in doc["diagnostics"]), doc["diagnostics"]
    assert "secret" not in (root / CONTRACTS[0]).read_text(encoding="utf-8")


def test_source_path_leaving_the_repository_is_reported_at_the_import(tmp_path) -> None:
    """A relative import from the project that leads out of the repository (a monorepo
    member run as the repository root importing a sibling by path): not read, CSX102 at the
    import in the importing module, and the contracts are written (a diagnostic naming
    the outside file would not be a repository path: the contracts' schemas refuse it)."""
    mono = tmp_path / "mono"
    write_files(mono / "packages/shared", {"tables.ts": 'import { defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport const items = defineTable({ secret: v.string() });\n'})
    root = make_repo(
        mono / "packages/backend",
        {"convex/schema.ts": 'import { defineSchema } from "convex/server";\nimport { items } from "../../shared/tables";\nexport default defineSchema({ items });\n'},
    )
    run = db_ssot("sync-to-context", "--repo-root", root, "--format", "json")
    assert_clean(run)
    assert run.code == 0, str(run)
    import json

    doc = json.loads(run.out)
    hits = [d for d in doc["diagnostics"] if d["code"] == "CSX102"]
    assert [(d["file"], d["line"], d["column"]) for d in hits] == [("convex/schema.ts", 2, 23)], doc["diagnostics"]  # at the specifier
    assert "../../shared/tables" in hits[0]["message"]
    assert "secret" not in (root / CONTRACTS[0]).read_text(encoding="utf-8")


def test_workspace_member_linked_from_outside_is_read_with_its_own_imports(tmp_path) -> None:
    """A workspace member linked into node_modules whose real path lies outside the
    repository is read as an installed package, and so are the files its own relative
    imports reach (docs/reliability.md): its validators reach both contracts, nothing is
    refused with CSX102, and nothing is written in it."""
    mono = tmp_path / "mono"
    member = mono / "packages/shared"
    write_files(member, {
        "package.json": '{"name": "@acme/shared", "version": "0.0.0", "main": "src/index.ts"}\n',
        "src/index.ts": 'export * from "./fields";\nexport { kinds } from "./kinds";\n',
        "src/fields.ts": 'import { v } from "convex/values";\nexport const itemFields = { name: v.string(), tags: v.array(v.string()) };\n',
        "src/kinds.ts": 'import { v } from "convex/values";\nexport const kinds = v.union(v.literal("a"), v.literal("b"));\n',
    })
    root = make_repo(mono / "packages/backend", {
        "convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { itemFields, kinds } from "@acme/shared";\n'
                            'export default defineSchema({ items: defineTable({ ...itemFields, kind: kinds }) });\n',
        "convex/items.ts": 'import { query } from "./_generated/server";\nimport { itemFields } from "@acme/shared";\n'
                           'export const find = query({ args: itemFields, handler: async () => null });\n',
    })
    (root / "node_modules/@acme").mkdir(parents=True)
    os.symlink(os.path.join("..", "..", "..", "shared"), root / "node_modules/@acme/shared")
    before = (stat_snapshot(member), snapshot(member))
    run = db_ssot("sync-to-context", "--repo-root", root, "--format", "json")
    assert_clean(run)
    assert run.code == 0, str(run)
    import json

    doc = json.loads(run.out)
    assert not [d for d in doc["diagnostics"] if d["code"] == "CSX102"], doc["diagnostics"]
    db = json.loads((root / CONTRACTS[0]).read_text(encoding="utf-8"))
    fields = {c["name"]: c["type"] for t in db["tables"] if t["name"] == "items" for c in t["columns"]}
    assert (fields.get("name"), fields.get("tags"), fields.get("kind")) == ("string", "array<string>", 'union<literal<"a"> | literal<"b">>'), fields
    functions = json.loads((root / CONTRACTS[1]).read_text(encoding="utf-8"))
    find = [f for f in functions["functions"] if f["functionId"] == "items:find"]
    assert [(a["name"], a["type"]) for a in find[0]["argsValidator"]["fields"]] == [("name", "string"), ("tags", "array<string>")]
    assert (stat_snapshot(member), snapshot(member)) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_nothing_is_written_outside_the_repository_but_cache_and_lock(tmp_path, command) -> None:
    """With HOME, XDG_CACHE_HOME and TMPDIR pointing at scratch directories, a run writes
    inside the repository, into the cache directory and (sync) one lock file in TMPDIR."""
    root = make_repo(tmp_path / "work" / "repo")
    sibling = tmp_path / "work" / "sibling"
    write_files(sibling, {"keep.txt": "x\n"})
    home, xdg, tmp = tmp_path / "home", tmp_path / "xdg", tmp_path / "tmp"
    for d in (home, xdg, tmp):
        d.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(xdg), "TMPDIR": str(tmp), "CONVEX_SSOT_CACHE_DIR": ""}
    import subprocess

    from ssot_testlib import script_path

    full_env = {k: v for k, v in os.environ.items() if k != "CONVEX_SSOT_CACHE_DIR"}
    full_env.update(env)
    del full_env["CONVEX_SSOT_CACHE_DIR"]
    tool, *args = {"sync": ["ctl-db-ssot", "sync-to-context"], "init": ["ctl-convex", "init"], "verify": ["ctl-convex", "verify"]}[command]
    before = snapshot(tmp_path / "work" / "sibling"), stat_snapshot(tmp_path / "work")
    proc = subprocess.run([str(script_path(tool)), *args, "--repo-root", str(root)], env=full_env, cwd=str(home), capture_output=True, text=True)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    assert snapshot(sibling) == before[0]
    after = stat_snapshot(tmp_path / "work")
    outside = [p for p in after if not p.startswith("repo") and before[1].get(p) != after[p]]
    assert outside == [], outside
    assert snapshot(home) == {}, snapshot(home)
    assert all(p.startswith("convex-ssot") for p in snapshot(xdg)), sorted(snapshot(xdg))
    leftovers = sorted(snapshot(tmp))
    allowed = [p for p in leftovers if p.startswith("convex-ssot-") and p.endswith(".lock")]
    assert leftovers == allowed, f"unexpected files in TMPDIR: {leftovers}"
    assert len(allowed) <= (1 if command == "sync" else 0), allowed
