"""The wheel is complete and works outside the checkout.

Builds a wheel from a copy of the repository, checks that the package data the code needs
at run time is inside it (grammar, JSON Schemas, scaffold templates), installs it
(non-editable, dependencies from the package index) into a fresh virtual environment
*without* system site-packages, and runs ``ctl-db-ssot sync-to-context`` from an unrelated
directory on a copy of examples/chat-app.

Slow (a build and a venv), but part of the normal test run.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
import zipfile
from configparser import ConfigParser
from pathlib import Path

import pytest

from ssot_testlib import DB_CONTRACT, FUNCTIONS_CONTRACT, GOLDEN_DIR, REPO_ROOT, copy_example, normalize_updated_at

pytestmark = pytest.mark.slow

IGNORE = shutil.ignore_patterns(".git", "node_modules", "__pycache__", ".pytest_cache", "dist", "build", "*.egg-info", ".venv", "venv")


def _run(cmd: list[str], *, cwd: Path, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"$ {' '.join(cmd)}\n[exit {proc.returncode}]\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def _clean_env(**extra: str) -> dict:
    """The environment without anything that could make the checkout importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a snapshot copy of the repository (never into the checkout)."""
    base = tmp_path_factory.mktemp("pkg")
    src = base / "src"
    shutil.copytree(REPO_ROOT, src, ignore=IGNORE, symlinks=True)
    out = base / "dist"
    out.mkdir()
    try:
        import build  # noqa: F401
        import hatchling  # noqa: F401

        cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)]
    except ImportError:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(src)]
    _run(cmd, cwd=base)
    wheels = sorted(out.glob("convex_ssot-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_wheel_contains_grammar(wheel_names) -> None:
    assert "convex_ssot/grammars/convex.lark" in wheel_names
    assert "convex_ssot/grammars/prisma.lark" in wheel_names  # repo-prisma mode


def test_installed_wheel_reads_a_prisma_schema(installed: Path, tmp_path: Path) -> None:
    """repo-prisma mode from a fresh install: the Prisma grammar and its JSON Schema are found."""
    project = tmp_path / "prisma-app"
    (project / "prisma").mkdir(parents=True)
    (project / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "sqlite"\n  url      = "file:dev.db"\n}\n\nmodel Note {\n  id Int @id\n  body String?\n}\n', encoding="utf-8"
    )
    proc = _run([str(installed / "ctl-db-ssot"), "sync-to-context", "--repo-root", str(project)], cwd=tmp_path, env=_clean_env(CONVEX_SSOT_CACHE_DIR=str(tmp_path / "c")))
    assert "Traceback" not in proc.stderr
    doc = json.loads((project / DB_CONTRACT).read_text(encoding="utf-8"))
    assert doc["ssot"]["mode"] == "repo-prisma" and [c["name"] for c in doc["tables"][0]["columns"]] == ["body", "id"]


def test_wheel_contains_compiled_grammar_tables(wheel_names) -> None:
    # hatch_build.py compiles the LALR tables at build time (docs/performance.md).
    assert "convex_ssot/grammars/convex.lark-tables" in wheel_names


def test_wheel_contains_every_json_schema(wheel_names) -> None:
    expected = {f"convex_ssot/schemas/{p.name}" for p in (REPO_ROOT / "schemas").glob("*.json")}
    assert expected, "the repository has JSON Schemas"
    assert {"convex_ssot/schemas/db-schema.schema.json", "convex_ssot/schemas/functions.schema.json"} <= expected
    assert expected <= wheel_names, sorted(expected - wheel_names)


def test_wheel_contains_every_package_model(wheel_names) -> None:
    """The package models read packages/models/**.json at run time (auth, recorded packages)."""
    models = REPO_ROOT / "convex_ssot" / "packages" / "models"
    expected = {p.relative_to(REPO_ROOT).as_posix() for p in models.rglob("*.json")}
    assert "convex_ssot/packages/models/recorded/raideno-convex-stripe.json" in expected
    assert expected <= wheel_names, sorted(expected - wheel_names)


def test_wheel_contains_scaffold_templates_if_present(wheel_names) -> None:
    templates = REPO_ROOT / "convex_ssot" / "scaffold" / "templates"
    if not templates.is_dir():
        return  # nothing to ship (yet)
    expected = {p.relative_to(REPO_ROOT).as_posix() for p in templates.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert expected <= wheel_names, sorted(expected - wheel_names)


def test_wheel_contains_every_python_module(wheel_names) -> None:
    expected = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "convex_ssot").rglob("*.py")}
    assert expected <= wheel_names, sorted(expected - wheel_names)


def test_wheel_metadata_and_console_scripts(wheel, wheel_names) -> None:
    with zipfile.ZipFile(wheel) as zf:
        dist_info = next(n.split("/")[0] for n in wheel_names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(f"{dist_info}/METADATA"))
        eps = ConfigParser()
        eps.read_string(zf.read(f"{dist_info}/entry_points.txt").decode("utf-8"))
    assert meta["Name"].replace("_", "-").lower() == "convex-ssot"
    requires = " ".join(meta.get_all("Requires-Dist") or [])
    for dep in ("click", "lark", "jsonschema", "orjson"):
        assert dep in requires
    scripts = dict(eps["console_scripts"])
    assert scripts["ctl-db-ssot"] == "convex_ssot.cli.entry:db_ssot"
    for name, target in scripts.items():
        module = target.split(":")[0].replace(".", "/") + ".py"
        assert module in wheel_names, f"console script {name} points at {target}, which is not in the wheel"


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel: Path) -> Path:
    """A fresh venv (no system site-packages) with the wheel installed; returns its bin dir."""
    venv_dir = tmp_path_factory.mktemp("venv") / "v"
    _run([sys.executable, "-m", "venv", str(venv_dir)], cwd=venv_dir.parent)
    cfg = (venv_dir / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    bindir = venv_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / "python"
    _run([str(py), "-m", "pip", "install", str(wheel)], cwd=venv_dir.parent, env=_clean_env())
    return bindir


def test_installed_package_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    code = (
        "import json, convex_ssot, convex_ssot.resources as r;"
        "print(json.dumps([convex_ssot.__file__, str(r.grammar_path()), str(r.schema_path('db-schema.schema.json'))]))"
    )
    proc = _run([str(installed / "python"), "-c", code], cwd=tmp_path, env=_clean_env())
    pkg, grammar, schema = json.loads(proc.stdout)
    venv = str(installed.parent)
    for p in (pkg, grammar, schema):
        assert p.startswith(venv), f"{p} is not inside the fresh venv {venv}"
        assert Path(p).exists()


def test_installed_cli_syncs_chat_app_from_another_cwd(installed: Path, tmp_path: Path) -> None:
    project = copy_example("chat-app", tmp_path / "chat-app")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = _clean_env(CONVEX_SSOT_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(
        [str(installed / "ctl-db-ssot"), "sync-to-context", "--repo-root", str(project)],
        cwd=str(cwd),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for rel, golden in ((DB_CONTRACT, "schema.json"), (FUNCTIONS_CONTRACT, "functions.json")):
        assert normalize_updated_at((project / rel).read_bytes()) == (GOLDEN_DIR / "chat-app" / golden).read_bytes(), rel
    # status works too, and the version is reported
    status = subprocess.run(
        [str(installed / "ctl-db-ssot"), "status", "--repo-root", str(project), "--format", "json"],
        cwd=str(cwd), env=env, capture_output=True, text=True, timeout=120,
    )
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["exists"]["convexFunctions"] is True
    version = subprocess.run([str(installed / "ctl-db-ssot"), "--version"], cwd=str(cwd), env=env, capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and "0.1.0" in version.stdout, version.stdout + version.stderr


def test_first_run_of_a_fresh_install_loads_the_packaged_tables(installed: Path, tmp_path: Path) -> None:
    """With an empty cache the parser comes from the tables in the wheel: Lark compiles
    nothing (it is not even imported) and nothing is written to the cache (a compile would
    store its tables there), and the parser works."""
    code = (
        "import sys;"
        "from convex_ssot.parse.parser import get_parser, parse_outline;"
        "items = parse_outline('import { v } from \"convex/values\";\\nexport const a = v.string();\\n');"
        "print(len(items), 'lark' in sys.modules)"
    )
    cache = tmp_path / "empty-cache"
    proc = _run([str(installed / "python"), "-c", code], cwd=tmp_path, env=_clean_env(CONVEX_SSOT_CACHE_DIR=str(cache)))
    assert proc.stdout.strip() == "2 False", proc.stdout + proc.stderr
    assert list(cache.glob("grammar-*")) == [], "the grammar was compiled instead of loaded from the wheel"


def test_every_installed_console_script_starts(installed: Path, wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        ep_name = next(n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt"))
        eps = ConfigParser()
        eps.read_string(zf.read(ep_name).decode("utf-8"))
    for name in eps["console_scripts"]:
        proc = subprocess.run([str(installed / name), "--help"], cwd=str(tmp_path), env=_clean_env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{name} --help: {proc.stdout}{proc.stderr}"
        assert "Traceback" not in proc.stderr
