"""Shared fixtures and helpers for the ``ctl-convex`` lifecycle tests (issue #3)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from convex_ssot import cache
from convex_ssot.cli.convex import cli as convex_cli
from convex_ssot.cli.db_ssot import cli as db_cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "chat-app"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def all(self) -> str:
        return self.out + self.err


def _runner() -> CliRunner:
    try:  # click < 8.2 mixes stderr into stdout unless told otherwise
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def _invoke(cli, args) -> Run:
    res = _runner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return Run(res.exit_code, res.stdout, res.stderr)


def ctl(*args) -> Run:
    """``ctl-convex <args>`` in-process."""
    return _invoke(convex_cli, args)


def db(*args) -> Run:
    """``ctl-db-ssot <args>`` in-process."""
    return _invoke(db_cli, args)


def entry_point(name: str) -> str:
    """The installed console script ``name`` next to the running interpreter; a missing
    script is a failed install step, so the test fails rather than skips."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: the package's console scripts are missing (pip install .)")
    return found


def run_entry(name: str, *args, cwd: Path | None = None) -> Run:
    proc = subprocess.run([entry_point(name), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=os.environ.copy(), timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` → its bytes (None for directories, link target for symlinks)."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = b"->" + os.readlink(p).encode()
            elif p.is_dir():
                out[rel] = None
            else:
                out[rel] = p.read_bytes()
    return out


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _isolated_cache(_cache_dir, monkeypatch):
    """Keep the parse cache out of the user's home (one per session: entries are keyed by
    content, and the compiled grammar is then built once) and reset --no-cache between tests."""
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(_cache_dir))
    monkeypatch.delenv("CONVEX_SSOT_DEBUG", raising=False)
    cache.set_enabled(True)
    yield
    cache.set_enabled(True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """An empty repository with a minimal package.json."""
    root = tmp_path / "repo"
    root.mkdir()
    write(root, "package.json", '{\n  "name": "app",\n  "private": true\n}\n')
    return root


@pytest.fixture
def chat_app(tmp_path) -> Path:
    """A copy of examples/chat-app (not synced)."""
    root = tmp_path / "chat-app"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("context"))
    return root


@pytest.fixture(scope="session")
def _synced_template(tmp_path_factory, _cache_dir) -> Path:
    """One synced copy of the example per session (a sync validates both contracts against
    their JSON Schemas, which takes seconds); tests get a copy of it."""
    old = os.environ.get("CONVEX_SSOT_CACHE_DIR")
    os.environ["CONVEX_SSOT_CACHE_DIR"] = str(_cache_dir)
    try:
        root = tmp_path_factory.mktemp("template") / "chat-app"
        shutil.copytree(EXAMPLE, root)
        res = db("sync-to-context", "--repo-root", root)
        assert res.code == 0, res.all
        # What `npx convex codegen` writes, reduced to the lines verify reads (one import
        # per function module, convex src/cli/codegen_templates/api.ts).
        from convex_ssot.codegen import disk_modules

        imports = "".join(f'import type * as m{i} from "../{m}.js";\n' for i, m in enumerate(sorted(disk_modules(root / "convex"))))
        write(root, "convex/_generated/api.d.ts", imports + "declare const fullApi: ApiFromModules<{}>;\nexport declare const api: any;\n")
    finally:
        if old is None:
            os.environ.pop("CONVEX_SSOT_CACHE_DIR", None)
        else:
            os.environ["CONVEX_SSOT_CACHE_DIR"] = old
    return root


@pytest.fixture
def synced_app(tmp_path, _synced_template) -> Path:
    """The example after `ctl-db-ssot sync-to-context`, with convex/_generated present.
    Contracts hold repo-relative paths only, so a copy is as good as a fresh sync."""
    root = tmp_path / "chat-app"
    shutil.copytree(_synced_template, root, symlinks=True)
    return root
