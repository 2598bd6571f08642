"""Atomic writes and both-or-neither (docs/reliability.md §1).

Faults are injected in-process: a rename, a write or a JSON Schema validation fails at a
chosen moment. Afterwards every file the tool manages holds either its old bytes or its
complete new bytes, the two contracts agree (both old or both new), no temporary file is
left behind, and the next run succeeds.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from convex_ssot import fsutil, pipeline, temp_files
from convex_ssot.cli.convex import cli as convex_cli
from convex_ssot.cli.db_ssot import cli as db_cli
from convex_ssot.config import load_config

from .helpers import CONTRACTS, REGISTRY, SCHEMA, load_json, make_repo, snapshot, temp_leftovers, write_files

SCHEMA_V2 = SCHEMA.replace("n: v.number() })", "n: v.number(), tags: v.array(v.string()) })")
MODULE_V2 = (
    'import { query, mutation } from "./_generated/server";\n'
    'import { v } from "convex/values";\n'
    'export const get = query({ args: { id: v.id("items") }, handler: async (ctx, { id }) => ctx.db.get(id) });\n'
    'export const add = mutation({ args: { name: v.string() }, handler: async (ctx, { name }) => ctx.db.insert("items", { name, n: 0, tags: [] }) });\n'
)


def _invoke(cli, *args):
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    res = runner.invoke(cli, [str(a) for a in args], catch_exceptions=True)
    return res


@pytest.fixture
def synced(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A synced repository whose sources were then changed, so that the next sync must
    rewrite both contracts; returns (root, the old contract bytes)."""
    root = make_repo(tmp_path / "repo")
    pipeline.sync(load_config(root), use_cache=False)
    old = {rel: (root / rel).read_bytes() for rel in CONTRACTS}
    write_files(root, {"convex/schema.ts": SCHEMA_V2, "convex/items.ts": MODULE_V2})
    return root, old


def _state(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in CONTRACTS}


def _assert_old_and_clean(root: Path, old: dict[str, bytes]) -> None:
    now = _state(root)
    changed = [rel for rel in CONTRACTS if now[rel] != old[rel]]
    assert not changed, f"a failed sync must leave both contracts as they were; changed: {changed}"
    assert temp_leftovers(root) == [], temp_leftovers(root)


def _assert_next_sync_completes(root: Path) -> None:
    res = pipeline.sync(load_config(root), use_cache=False)
    assert set(res.written) == set(CONTRACTS)
    for rel in CONTRACTS:
        doc = load_json(root / rel)
        assert isinstance(doc.get("version"), int)
    assert "tags" in (root / CONTRACTS[0]).read_text(encoding="utf-8")
    assert '"items:add"' in (root / CONTRACTS[1]).read_text(encoding="utf-8")
    assert temp_leftovers(root) == []


class _FailOnNth:
    """Wraps ``os.replace``: the ``n``-th rename whose target lies in ``root`` raises ``exc``."""

    def __init__(self, root: Path, n: int, exc: BaseException, real=os.replace) -> None:
        self.root, self.n, self.exc, self.real = os.path.realpath(root), n, exc, real
        self.count = 0

    def __call__(self, src, dst, **kw):
        if os.path.realpath(dst).startswith(self.root + os.sep):
            self.count += 1
            if self.count == self.n:
                raise self.exc
        return self.real(src, dst, **kw)


@pytest.mark.parametrize(
    "exc",
    [OSError(errno.EIO, "Input/output error"), OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
    ids=["EIO", "ENOSPC", "KeyboardInterrupt"],
)
def test_failure_on_second_rename_leaves_both_contracts_old(synced, monkeypatch, exc) -> None:
    """The second of the two renames fails: the first contract must not stay replaced."""
    root, old = synced
    spy = _FailOnNth(root, 2, exc)
    monkeypatch.setattr(os, "replace", spy)
    with pytest.raises(type(exc)):
        pipeline.sync(load_config(root), use_cache=False)
    assert spy.count >= 2, "the second rename was attempted (a rollback may rename more)"
    monkeypatch.undo()
    _assert_old_and_clean(root, old)
    _assert_next_sync_completes(root)


def test_failure_on_first_rename_leaves_both_contracts_old(synced, monkeypatch) -> None:
    root, old = synced
    monkeypatch.setattr(os, "replace", _FailOnNth(root, 1, OSError(errno.EIO, "Input/output error")))
    with pytest.raises(OSError):
        pipeline.sync(load_config(root), use_cache=False)
    monkeypatch.undo()
    _assert_old_and_clean(root, old)
    _assert_next_sync_completes(root)


def test_second_temp_file_vanishing_before_commit(synced, monkeypatch) -> None:
    """The second staged temp file disappears before ``fsutil.commit_staged`` runs (a temp
    cleaner, a full disk): its rename fails, and the first contract must not stay replaced."""
    root, old = synced
    real_commit = fsutil.commit_staged

    def commit(pairs):
        assert len(pairs) == 2
        os.unlink(pairs[1][0])
        return real_commit(pairs)

    monkeypatch.setattr(fsutil, "commit_staged", commit)
    with pytest.raises(OSError):
        pipeline.sync(load_config(root), use_cache=False)
    monkeypatch.undo()
    _assert_old_and_clean(root, old)
    _assert_next_sync_completes(root)


def test_failure_while_staging_the_second_file(synced, monkeypatch) -> None:
    """The disk fills up while the second temp file is written: nothing is renamed."""
    root, old = synced
    real_stage = fsutil.stage
    calls = []

    def stage(repo_root, path, data, **options):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_stage(repo_root, path, data, **options)

    monkeypatch.setattr(fsutil, "stage", stage)
    with pytest.raises(OSError):
        pipeline.sync(load_config(root), use_cache=False)
    monkeypatch.undo()
    _assert_old_and_clean(root, old)
    _assert_next_sync_completes(root)


def test_short_write_in_staging_leaves_no_temp(synced, monkeypatch) -> None:
    """``os.fsync`` fails on the second temp file (a flush error): the temp file is removed."""
    root, old = synced
    real_fsync = os.fsync
    count = [0]

    def fsync(fd):
        count[0] += 1
        if count[0] == 2:
            raise OSError(errno.EIO, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError):
        pipeline.sync(load_config(root), use_cache=False)
    monkeypatch.undo()
    _assert_old_and_clean(root, old)


@pytest.mark.parametrize("which", ["functions", "db"])
def test_contract_failing_validation_writes_neither(synced, monkeypatch, which) -> None:
    """One contract fails its JSON Schema (a bug in the emitter): exit 3, nothing written."""
    from convex_ssot import validate as validate_mod

    root, old = synced
    real_validate = validate_mod.validate

    def validate(name, doc):
        if name == which:
            return ["$.injected: fails validation"]
        return real_validate(name, doc)

    monkeypatch.setattr(validate_mod, "validate", validate)
    res = _invoke(db_cli, "sync-to-context", "--repo-root", root, "--no-cache")
    assert res.exit_code == 3, res.output
    assert "does not match its JSON Schema" in res.stderr and "nothing was written" in res.stderr
    assert "Traceback" not in res.output + res.stderr
    monkeypatch.undo()
    _assert_old_and_clean(root, old)


def test_write_error_through_the_cli_is_an_error_not_a_traceback(synced, monkeypatch) -> None:
    """A failing rename seen through ``ctl-db-ssot``: one ``[error]`` line, a non-zero exit,
    files untouched."""
    root, old = synced
    monkeypatch.setattr(os, "replace", _FailOnNth(root, 2, OSError(errno.ENOSPC, "No space left on device")))
    res = _invoke(db_cli, "sync-to-context", "--repo-root", root, "--no-cache")
    monkeypatch.undo()
    assert res.exit_code in (1, 3), res.output
    assert res.stderr.startswith("[error]") and "Traceback" not in res.stderr + res.output
    _assert_old_and_clean(root, old)


def test_first_sync_failing_creates_neither_contract(tmp_path, monkeypatch) -> None:
    """No contracts yet, the second rename fails: neither contract may appear."""
    root = make_repo(tmp_path / "repo")
    monkeypatch.setattr(os, "replace", _FailOnNth(root, 2, OSError(errno.EIO, "Input/output error")))
    with pytest.raises(OSError):
        pipeline.sync(load_config(root), use_cache=False)
    monkeypatch.undo()
    present = [rel for rel in CONTRACTS if (root / rel).exists()]
    assert present == [], f"a failed first sync must create neither contract; present: {present}"
    assert temp_leftovers(root) == []


# ------------------------------------------------------------------ every write is temp + rename


class _WriteSpy:
    """Records renames into ``root`` and fsyncs, to check that every file that changed
    was produced by renaming a flushed temporary file from the same directory."""

    def __init__(self, root: Path, monkeypatch) -> None:
        self.root = os.path.realpath(root)
        self.renames: list[tuple[str, str]] = []
        self.fsyncs = 0
        real_replace, real_rename, real_fsync = os.replace, os.rename, os.fsync

        def replace(src, dst, **kw):
            if os.path.realpath(dst).startswith(self.root + os.sep):
                self.renames.append((os.fspath(src), os.fspath(dst)))
            return real_replace(src, dst, **kw)

        def rename(src, dst, **kw):
            if os.path.realpath(dst).startswith(self.root + os.sep):
                self.renames.append((os.fspath(src), os.fspath(dst)))
            return real_rename(src, dst, **kw)

        def fsync(fd):
            self.fsyncs += 1
            return real_fsync(fd)

        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(os, "rename", rename)
        monkeypatch.setattr(os, "fsync", fsync)

    def check(self, before: dict, after: dict) -> list[str]:
        changed = sorted(rel for rel, data in after.items() if data is not None and before.get(rel) != data)
        targets = {os.path.relpath(dst, self.root).replace(os.sep, "/"): src for src, dst in self.renames}
        for rel in changed:
            assert rel in targets, f"{rel} changed without a rename (written in place?)"
            src = Path(targets[rel])
            assert src.parent == (Path(self.root) / rel).parent, f"{rel}: temp file {src} is not in the target's directory"
            assert src.name.startswith(".") and src.name.endswith(".tmp"), src.name
        assert self.fsyncs >= len(changed), f"{len(changed)} files written, {self.fsyncs} fsync calls"
        return changed


def test_sync_and_registry_write_through_temp_files(tmp_path, monkeypatch) -> None:
    root = make_repo(tmp_path / "repo")
    write_files(root, {REGISTRY: '{\n  "version": 1,\n  "updatedAt": "2024-01-01T00:00:00.000Z",\n  "artifacts": []\n}\n'})
    before = snapshot(root)
    spy = _WriteSpy(root, monkeypatch)
    res = _invoke(db_cli, "sync-to-context", "--repo-root", root, "--no-cache")
    assert res.exit_code == 0, res.output + res.stderr
    changed = spy.check(before, snapshot(root))
    assert set(changed) == {*CONTRACTS, REGISTRY}, changed


def test_init_and_package_json_write_through_temp_files(tmp_path, monkeypatch) -> None:
    root = tmp_path / "repo"
    write_files(root, {"package.json": '{\n  "name": "app"\n}\n'})
    before = snapshot(root)
    spy = _WriteSpy(root, monkeypatch)
    res = _invoke(convex_cli, "init", "--repo-root", root)
    assert res.exit_code == 0, res.output + res.stderr
    changed = spy.check(before, snapshot(root))
    assert "package.json" in changed and "convex/schema.ts" in changed and "docs/context/convex/functions.json" in changed, changed
    assert len(changed) == 8, changed


def test_init_failing_midway_leaves_whole_files_and_can_be_rerun(tmp_path, monkeypatch) -> None:
    """init's files are independent; a failure after some of them leaves each one either
    absent or complete, package.json untouched, and a second init finishes the job."""
    root = tmp_path / "repo"
    pkg = '{\n  "name": "app"\n}\n'
    write_files(root, {"package.json": pkg})
    monkeypatch.setattr(os, "replace", _FailOnNth(root, 4, OSError(errno.ENOSPC, "No space left on device")))
    res = _invoke(convex_cli, "init", "--repo-root", root)
    monkeypatch.undo()
    assert res.exit_code in (1, 3) and "Traceback" not in res.output + res.stderr, res.output + res.stderr
    assert (root / "package.json").read_text() == pkg
    assert temp_leftovers(root) == []
    res = _invoke(convex_cli, "init", "--repo-root", root)
    assert res.exit_code == 0, res.output + res.stderr
    from convex_ssot.scaffold.init import plan_init

    plan = plan_init(load_config(root))
    assert [a.op for a in plan.actions if a.op not in ("skip",)] == [], [a.line() for a in plan.actions]
    for p in ("convex/AGENTS.md", "convex/README.md", "convex/schema.ts", "convex/auth.config.ts"):
        assert (root / p).stat().st_size > 0, p


def test_registry_write_failure_keeps_registry_and_contracts(tmp_path, monkeypatch) -> None:
    root = make_repo(tmp_path / "repo")
    reg = '{\n  "version": 1,\n  "updatedAt": "2024-01-01T00:00:00.000Z",\n  "artifacts": []\n}\n'
    write_files(root, {REGISTRY: reg})
    # renames 1 and 2 are the contracts, 3 is the registry
    monkeypatch.setattr(os, "replace", _FailOnNth(root, 3, OSError(errno.ENOSPC, "No space left on device")))
    res = _invoke(db_cli, "sync-to-context", "--repo-root", root, "--no-cache")
    monkeypatch.undo()
    assert res.exit_code == 0, res.output + res.stderr
    assert "registry: warning: could not write" in res.output
    assert (root / REGISTRY).read_text() == reg
    for rel in CONTRACTS:
        assert isinstance(load_json(root / rel).get("version"), int)
    assert temp_leftovers(root) == []


def test_temp_file_is_new_private_and_exclusive(tmp_path, monkeypatch):
    """temp_files.temp_file (what fsutil and the cache write through): what tempfile.mkstemp gives (a new file, mode 0600, absolute path,
    the prefix and suffix asked for), without importing tempfile; a name already taken is
    never opened, and after 100 taken names it gives up with FileExistsError."""
    import stat as st

    fd, name = temp_files.temp_file(tmp_path, ".schema.json.", ".tmp")
    os.close(fd)
    assert os.path.isabs(name) and os.path.dirname(name) == str(tmp_path)
    base = os.path.basename(name)
    assert base.startswith(".schema.json.") and base.endswith(".tmp") and len(base) == len(".schema.json..tmp") + 12
    assert st.S_IMODE(os.stat(name).st_mode) == 0o600 and os.path.getsize(name) == 0
    free = b"\x01" * 6
    names = iter([bytes(6), bytes(6), free])
    monkeypatch.setattr(os, "urandom", lambda n: next(names))
    (tmp_path / f"x{bytes(6).hex()}.y").write_text("taken")
    fd, name = temp_files.temp_file(tmp_path, "x", ".y")  # two taken, the third is free
    os.close(fd)
    assert name.endswith(f"x{free.hex()}.y")
    assert (tmp_path / f"x{bytes(6).hex()}.y").read_text() == "taken"
    monkeypatch.setattr(os, "urandom", lambda n: bytes(6))
    with pytest.raises(FileExistsError):
        temp_files.temp_file(tmp_path, "x", ".y")
    assert "tempfile" not in vars(temp_files) and "tempfile" not in vars(fsutil)
