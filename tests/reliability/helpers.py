"""Helpers shared by the reliability tests (issue #5; see docs/reliability.md).

Everything here builds throw-away repositories under ``tmp_path`` and runs the tool either
in-process (click's CliRunner, the library) or as the installed console scripts in a
subprocess (so that "Traceback" on stderr and the real exit code are observable).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from ssot_testlib import DB_CONTRACT, EXAMPLES_DIR, FUNCTIONS_CONTRACT, REPO_ROOT, script_path

CONTRACTS = (DB_CONTRACT, FUNCTIONS_CONTRACT)
REGISTRY = "docs/context/registry.json"
CONFIG = "docs/project/db-ssot.json"
GEN_PROJECT = REPO_ROOT / "bench" / "gen_project.py"
EXIT_CODES = {0, 1, 2, 3}

HEADER = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
PACKAGE_JSON = '{\n  "name": "app",\n  "private": true,\n  "dependencies": {\n    "convex": "^1.48.0"\n  },\n  "scripts": {\n    "convex:dev": "convex dev",\n    "convex:codegen": "convex codegen"\n  }\n}\n'
MODULE = (
    'import { query } from "./_generated/server";\n'
    'import { v } from "convex/values";\n'
    "export const get = query({ args: { id: v.id(\"items\") }, handler: async (ctx, { id }) => ctx.db.get(id) });\n"
)
SCHEMA = HEADER + 'export default defineSchema({\n  items: defineTable({ name: v.string(), n: v.number() }).index("by_name", ["name"]),\n});\n'


@dataclass
class Run:
    args: list[str]
    code: int
    out: str
    err: str

    @property
    def all(self) -> str:
        return self.out + self.err

    def __str__(self) -> str:  # shown by pytest on assertion failures
        return f"$ {' '.join(map(str, self.args))}\n[exit {self.code}]\n--- stdout\n{self.out[-4000:]}\n--- stderr\n{self.err[-4000:]}"


def tool(name: str, *args, cwd: Path | None = None, env: dict | None = None, timeout: float = 300) -> Run:
    """Run the installed console script ``name`` (``ctl-db-ssot`` / ``ctl-convex``)."""
    cmd = [str(script_path(name)), *map(str, args)]
    full_env = dict(os.environ)
    full_env.pop("CONVEX_SSOT_DEBUG", None)
    if env:
        full_env.update(env)
    proc = subprocess.run(cmd, cwd=str(cwd) if cwd else None, env=full_env, capture_output=True, timeout=timeout)
    return Run(cmd, proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def db_ssot(*args, **kw) -> Run:
    return tool("ctl-db-ssot", *args, **kw)


def ctl_convex(*args, **kw) -> Run:
    return tool("ctl-convex", *args, **kw)


def assert_clean(run: Run, codes=EXIT_CODES) -> None:
    """No traceback, an exit code the README defines (or one of ``codes``)."""
    assert "Traceback" not in run.err and "Traceback" not in run.out, str(run)
    assert run.code in codes, str(run)


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def make_repo(root: Path, files: dict[str, str | bytes] | None = None, *, schema: str | None = SCHEMA, module: bool = True) -> Path:
    """A small valid Convex repository: package.json, convex/schema.ts, convex/items.ts,
    convex/_generated/server.d.ts; ``files`` override or add."""
    base: dict[str, str | bytes] = {"package.json": PACKAGE_JSON, "convex/_generated/server.d.ts": "export declare const query: any;\n"}
    if schema is not None:
        base["convex/schema.ts"] = schema
    if module:
        base["convex/items.ts"] = MODULE
    base.update(files or {})
    root.mkdir(parents=True, exist_ok=True)
    return write_files(root, base)


def copy_chat_app(dest: Path) -> Path:
    shutil.copytree(EXAMPLES_DIR / "chat-app", dest, ignore=shutil.ignore_patterns("node_modules", "context"))
    return dest


def gen_project(dest: Path, modules: int, tables: int = 100, seed: int = 0) -> Path:
    """``bench/gen_project.py DEST --modules N`` (deterministic)."""
    proc = subprocess.run(
        [sys.executable, str(GEN_PROJECT), str(dest), "--modules", str(modules), "--tables", str(tables), "--seed", str(seed)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return dest


def snapshot(root: Path) -> dict[str, bytes | str | None]:
    """Every path under ``root`` → bytes (files), ``"-> target"`` (symlinks), None (dirs)."""
    out: dict[str, bytes | str | None] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_dir():
                out[rel] = None
            else:
                out[rel] = p.read_bytes()
    return out


def stat_snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` → (mode, size, mtime_ns, inode): catches a rewrite with identical bytes."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[p.relative_to(root).as_posix()] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def temp_leftovers(root: Path) -> list[str]:
    """Temporary files of the tool's atomic writes (``.<name>.<random>.tmp``) and rollback
    backups (``.<name>.<random>.bak``) still under ``root``."""
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".tmp") or (name.startswith(".") and name.endswith(".bak")):
                found.append((Path(dirpath) / name).relative_to(root).as_posix())
    return sorted(found)


def load_json(path: Path):
    return json.loads(path.read_bytes())


def schema_errors(name: str, doc) -> list[str]:
    """Errors of ``doc`` against ``schemas/<name>`` (whole-document validation, independent of
    the tool's own entry-wise validator)."""
    from ssot_testlib import schema_errors as _errors

    return _errors(name, doc)


CONTRACT_SCHEMAS = {DB_CONTRACT: "db-schema.schema.json", FUNCTIONS_CONTRACT: "functions.schema.json"}


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
