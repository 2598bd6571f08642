"""The internal refresh commands and ``--help``."""

from __future__ import annotations

import json

import pytest

from convex_ssot.config import load_config
from convex_ssot.pipeline import derive
from convex_ssot.validate import validate

from .conftest import ctl, snapshot

INTERNAL = ("sync-to-context", "extract-functions")


@pytest.mark.parametrize("command", INTERNAL)
@pytest.mark.parametrize("caller", [None, "someone-else"])
def test_refused_without_the_internal_caller(synced_app, command, caller):
    before = snapshot(synced_app)
    args = [command, "--repo-root", synced_app] + (["--internal-caller", caller] if caller else [])
    res = ctl(*args)
    assert res.code == 1
    assert f"Use the public entrypoint: ctl-db-ssot sync-to-context --repo-root {synced_app}" in res.err
    assert res.out == ""
    assert snapshot(synced_app) == before


def test_refusal_names_the_absolute_root(synced_app, monkeypatch):
    monkeypatch.chdir(synced_app.parent)
    res = ctl("sync-to-context", "--repo-root", synced_app.name)
    assert f"--repo-root {synced_app}" in res.err


def test_help_lists_only_the_public_commands():
    out = ctl("--help").out
    section = out.split("Commands:")[1].splitlines()
    commands = [line.split()[0] for line in section if line.startswith("  ") and not line.startswith("   ")]
    assert commands == ["check", "init", "status", "verify"]


def test_internal_sync(synced_app):
    (synced_app / "docs/context/db/schema.json").unlink()
    res = ctl("sync-to-context", "--repo-root", synced_app, "--internal-caller", "ctl-db-ssot")
    assert res.code == 0, res.all
    assert "  written: docs/context/db/schema.json" in res.out
    assert "  unchanged: docs/context/convex/functions.json" in res.out
    assert "  registry: skipped (no docs/context/registry.json)" in res.out
    assert ctl("verify", "--repo-root", synced_app, "--strict").code == 0


def test_extract_functions_prints_the_contract(synced_app):
    before = snapshot(synced_app)
    res = ctl("extract-functions", "--repo-root", synced_app, "--internal-caller", "ctl-db-ssot")
    assert res.code == 0, res.all
    doc = json.loads(res.out)
    assert validate("functions", doc) == []
    on_disk = json.loads((synced_app / "docs/context/convex/functions.json").read_text())
    assert doc == on_disk  # unchanged sources: same contract, same updatedAt
    assert {**doc, "updatedAt": "1970-01-01T00:00:00.000Z"} == derive(load_config(synced_app)).functions
    assert snapshot(synced_app) == before


def test_extract_functions_outside_convex_mode(repo):
    res = ctl("extract-functions", "--repo-root", repo, "--internal-caller", "ctl-db-ssot")
    assert res.code == 1 and "not 'convex'" in res.err
