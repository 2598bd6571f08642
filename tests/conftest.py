"""Shared test infrastructure for convex-ssot.

* ``--update-goldens``: rewrite ``tests/golden/**`` from the current output instead of
  comparing against it (see docs/testing.md).
* Every test runs with ``CONVEX_SSOT_CACHE_DIR`` pointing at a temporary directory, so the
  user's real cache (``~/.cache/convex-ssot``) is never read or written, and subprocesses
  inherit the same setting.
* :func:`convex_project` builds a throw-away Convex project from a ``{path: text}`` dict and
  returns the IR and both contracts, built in-process through the public resolver and
  emitters (no CLI, no files written besides the sources).
* :func:`cli` runs the *installed* console scripts (``ctl-db-ssot``) or ``python -m
  convex_ssot`` in a subprocess.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = REPO_ROOT / "examples"
GOLDEN_DIR = REPO_ROOT / "tests" / "golden"
SCHEMAS_DIR = REPO_ROOT / "schemas"
EPOCH = "1970-01-01T00:00:00.000Z"
DB_CONTRACT = "docs/context/db/schema.json"
FUNCTIONS_CONTRACT = "docs/context/convex/functions.json"

_UPDATED_AT = re.compile(rb'"updatedAt": "[^"]*"')


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/** from the current output instead of comparing (review the diff!).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds wheels / venvs (still part of the normal run)")


# ---------------------------------------------------------------- cache isolation


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One temporary cache directory shared by the tests of a session (keeps the compiled
    grammar warm across subprocesses while never touching the user's cache)."""
    return tmp_path_factory.mktemp("convex-ssot-cache")


@pytest.fixture(autouse=True)
def _isolated_cache(session_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(session_cache_dir))
    monkeypatch.delenv("CONVEX_SSOT_DEBUG", raising=False)
    # An in-process `--no-cache` run elsewhere must not leak into later tests.
    from convex_ssot import cache

    monkeypatch.setattr(cache, "_enabled", True)
    return session_cache_dir


# ---------------------------------------------------------------- in-process projects


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write ``files`` (repo-relative path → text or bytes) under ``root``; text is dedented."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


@dataclass
class Built:
    """Result of building a project in-process."""

    root: Path
    project: object
    db: dict
    functions: dict
    files: dict = field(default_factory=dict)

    # -- convenience accessors
    def table(self, name: str) -> dict:
        for t in self.db["tables"]:
            if t["name"] == name:
                return t
        raise AssertionError(f"no table {name!r}; tables: {[t['name'] for t in self.db['tables']]}")

    def table_names(self) -> list[str]:
        return [t["name"] for t in self.db["tables"]]

    def field(self, table: str, name: str) -> dict:
        """``documentType.value[name]`` of ``table`` (``{"fieldType", "optional"}``)."""
        doc = self.table(table)["documentType"]
        assert doc["type"] == "object", doc
        return doc["value"][name]

    def column(self, table: str, name: str) -> dict:
        for c in self.table(table)["columns"]:
            if c["name"] == name:
                return c
        raise AssertionError(f"no column {name!r} in {table!r}")

    def function(self, function_id: str) -> dict:
        for f in self.functions["functions"]:
            if f["functionId"] == function_id:
                return f
        raise AssertionError(f"no function {function_id!r}; functions: {self.function_ids()}")

    def function_ids(self) -> list[str]:
        return [f["functionId"] for f in self.functions["functions"]]

    @property
    def diagnostics(self) -> list[dict]:
        return list(self.db["diagnostics"]) + list(self.functions["diagnostics"])

    def codes(self) -> list[str]:
        return [d["code"] for d in self.diagnostics]


def build(root: Path, files: dict[str, str | bytes], schema_rel: str = "convex/schema.ts") -> Built:
    """Write ``files`` under ``root`` and build IR + both contracts in-process."""
    from convex_ssot.emit.db_contract import db_contract
    from convex_ssot.emit.functions_contract import functions_contract
    from convex_ssot.resolve.project import build_project

    write_files(root, files)
    project = build_project(root.resolve(), schema_rel)
    db = db_contract(project.schema, project.schema_diagnostics, EPOCH)
    fc = functions_contract(project.convex_dir, project.functions, project.function_diagnostics, EPOCH,
                            http_routes=project.http_routes, crons=project.crons, components=project.components)
    return Built(root, project, db, fc, files)


@pytest.fixture
def convex_project(tmp_path: Path):
    """Factory: ``convex_project({"convex/schema.ts": "...", ...}) -> Built``.

    Each call uses a fresh sub-directory of ``tmp_path``.
    """
    counter = iter(range(1_000_000))

    def make(files: dict[str, str | bytes], schema_rel: str = "convex/schema.ts") -> Built:
        root = tmp_path / f"p{next(counter)}"
        root.mkdir()
        return build(root, files, schema_rel)

    return make


# ---------------------------------------------------------------- JSON Schema


def schema_validator(name: str):
    """Draft 2020-12 validator for ``schemas/<name>`` (read from the checkout)."""
    import json

    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, doc) -> list[str]:
    v = schema_validator(name)
    return [f"{e.json_path}: {e.message}" for e in sorted(v.iter_errors(doc), key=lambda e: e.json_path)]


# ---------------------------------------------------------------- example projects and bytes


def copy_example(name: str, dest: Path) -> Path:
    """Copy ``examples/<name>`` to ``dest`` (never run the tool inside examples/)."""
    src = EXAMPLES_DIR / name
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("node_modules", "_generated", "context"))
    return dest


def normalize_updated_at(data: bytes, value: str = EPOCH) -> bytes:
    """Replace every ``"updatedAt": "..."`` by ``value`` (the only time-dependent bytes)."""
    return _UPDATED_AT.sub(b'"updatedAt": "' + value.encode() + b'"', data)


# ---------------------------------------------------------------- subprocess CLI


def script_path(name: str) -> Path:
    """The console script ``name`` installed next to this interpreter."""
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / name, Path(sys.executable).parent / name):
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    pytest.fail(
        f"console script {name!r} is not installed in {scripts}; run "
        f"`{sys.executable} -m pip install -e {REPO_ROOT}` (the CLI tests use the installed package)"
    )


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __str__(self) -> str:  # shown by pytest on assertion failures
        return f"$ {' '.join(self.args)}\n[exit {self.returncode}]\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def run_cli(args: list[str], *, module: bool = False, cwd: Path | None = None, env: dict | None = None, timeout: int = 120) -> Run:
    """Run ``ctl-db-ssot ARGS`` (or ``python -m convex_ssot ARGS`` when ``module``)."""
    cmd = [sys.executable, "-m", "convex_ssot", *args] if module else [str(script_path("ctl-db-ssot")), *args]
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    # Run from a neutral directory so the checkout is never importable by accident.
    proc = subprocess.run(
        cmd,
        cwd=str(cwd) if cwd is not None else None,
        env=full_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )
    return Run(cmd, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(tmp_path: Path):
    """``cli(args, module=False, cwd=None, env=None) -> Run``; default cwd is a scratch dir."""
    scratch = tmp_path / "_cwd"
    scratch.mkdir(exist_ok=True)

    def call(args: list[str], *, module: bool = False, cwd: Path | None = None, env: dict | None = None) -> Run:
        return run_cli(args, module=module, cwd=cwd or scratch, env=env)

    return call


# Test modules import the helpers above as ``from ssot_testlib import …``: other directories
# under tests/ have their own conftest.py, so ``import conftest`` would be ambiguous when the
# whole tree is collected. pytest always imports this file before any test module below it.
sys.modules.setdefault("ssot_testlib", sys.modules[__name__])
