"""The shipped ``.pre-commit-hooks.yaml``."""

from __future__ import annotations

import re

import pytest
import yaml

from .conftest import REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())


def hook():
    (h,) = [h for h in HOOKS if h["id"] == "convex-ssot-verify"]
    return h


def test_hook_definition():
    h = hook()
    assert h["entry"] == "ctl-convex verify --strict"
    assert h["language"] == "python"
    assert h["pass_filenames"] is False
    assert h["require_serial"] is True
    assert h["name"]


@pytest.mark.parametrize(
    "path",
    [
        "convex/schema.ts",
        "convex/messages.ts",
        "convex/lib/permissions.ts",
        "convex/http.js",
        "apps/api/convex/users.ts",
        "docs/context/db/schema.json",
        "docs/context/convex/functions.json",
        "docs/context/registry.json",
        "docs/project/db-ssot.json",
        "package.json",
        "apps/api/package.json",
        "pnpm-lock.yaml",
        "package-lock.json",
        "bun.lock",
        "yarn.lock",
        "pnpm-workspace.yaml",
    ],
)
def test_files_regex_matches(path):
    # pre-commit applies `files` with re.search
    assert re.search(hook()["files"], path), path


@pytest.mark.parametrize("path", ["src/index.ts", "README.md", "docs/guide.md", "convex.json", "myconvex/x.ts", "convex/README.md"])
def test_files_regex_ignores(path):
    assert not re.search(hook()["files"], path), path


def test_entry_is_an_installed_script():
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["ctl-convex"] == "convex_ssot.cli.entry:convex"


def test_check_hook_definition():
    (h,) = [h for h in HOOKS if h["id"] == "convex-ssot-check"]
    assert h["entry"] == "ctl-convex check"
    assert h["language"] == "python" and h["pass_filenames"] is False
    assert re.search(h["files"], "convex/messages.ts") and re.search(h["files"], "docs/project/db-ssot.json")
    assert not re.search(h["files"], "docs/context/db/schema.json")
