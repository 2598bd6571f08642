"""File states from ``stat`` (convex_ssot/file_states.py; docs/architecture.md, "File
states"): a file whose size, mtime, ctime, inode and device are as recorded is not read
again, and only files old enough for git's racy-timestamp rule are recorded.

Files written by a test are seconds younger than the rule's margin, so most tests move
the table's clock ahead (``old_files``): every file then counts as old enough to record,
which is what a project edited minutes ago looks like. Each end-to-end test compares the
contracts of the cached run with a ``--no-cache`` run, byte for byte, and counts which
parts were evaluated again (tests/reliability/test_incremental.py's fixtures).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from convex_ssot import file_states
from convex_ssot.cache import write_atomic

from .helpers import make_repo, write_files
from .test_incremental import FILES, _check, _contracts, _user, counted  # noqa: F401 - fixture

AHEAD_NS = 60_000_000_000


@pytest.fixture()
def old_files(monkeypatch):
    """The table's clock a minute ahead: files written so far count as old enough to record."""
    monkeypatch.setattr(file_states, "_now_ns", lambda: time.time_ns() + AHEAD_NS)


@pytest.fixture()
def reads(monkeypatch) -> list[str]:
    """Paths the tables read (every read of a file's bytes goes through StateTable.read)."""
    seen: list[str] = []
    real = file_states.StateTable.read

    def read(self, path):
        seen.append(path)
        return real(self, path)

    monkeypatch.setattr(file_states.StateTable, "read", read)
    return seen


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _table(tmp_path: Path) -> file_states.StateTable:
    return file_states.StateTable.open(tmp_path / "t.states", write_atomic)


def _recorded(tmp_path: Path) -> tuple[Path, os.stat_result]:
    """A file whose state a stored table records, and its stat."""
    f = tmp_path / "a.ts"
    f.write_bytes(b"export const a = 1;\n")
    t = _table(tmp_path)
    assert t.sha256(str(f)) == _sha(b"export const a = 1;\n")
    assert t.save()
    return f, os.stat(f)


def _new_tick() -> None:
    time.sleep(0.03)  # past the kernel's coarse clock tick: a write now gets a newer ctime


# ---------------------------------------------------------------- the table itself


def test_recorded_state_spares_the_read(tmp_path, old_files, reads) -> None:
    f = tmp_path / "a.ts"
    f.write_bytes(b"export const a = 1;\n")
    t = _table(tmp_path)
    assert t.sha256(str(f)) == _sha(f.read_bytes())
    assert t.save()
    reads.clear()
    assert _table(tmp_path).sha256(str(f)) == _sha(f.read_bytes())
    assert reads == []


def test_same_size_edit_with_the_old_mtime_is_detected(tmp_path, old_files) -> None:
    f, before = _recorded(tmp_path)
    _new_tick()
    f.write_bytes(b"export const a = 2;\n")  # same size
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back: only ctime tells
    after = os.stat(f)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert _table(tmp_path).sha256(str(f)) == _sha(b"export const a = 2;\n")


def test_file_replaced_by_rename_is_detected(tmp_path, old_files) -> None:
    f, before = _recorded(tmp_path)
    tmp = tmp_path / "a.ts.new"
    tmp.write_bytes(b"export const a = 9;\n")
    os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(tmp, f)  # an editor's atomic save: same size and mtime, another inode
    assert _table(tmp_path).sha256(str(f)) == _sha(b"export const a = 9;\n")


def test_racy_file_is_not_recorded(tmp_path, reads) -> None:
    # git's racy-timestamp rule: a file changed within the margin before the run that read
    # it is read again by the next run, whatever its stat says.
    f = tmp_path / "a.ts"
    f.write_bytes(b"export const a = 1;\n")
    t = _table(tmp_path)
    assert t.sha256(str(f)) == _sha(f.read_bytes())
    assert t.kept == {}
    reads.clear()
    assert _table(tmp_path).sha256(str(f)) == _sha(f.read_bytes())
    assert reads == [str(f)]


def test_damaged_table_is_not_used(tmp_path, old_files, reads) -> None:
    f, _ = _recorded(tmp_path)
    path = tmp_path / "t.states"
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit of the payload
    reads.clear()
    assert _table(tmp_path).entries == {}
    path.write_bytes(data[: len(data) // 2])  # a partial file
    assert _table(tmp_path).entries == {}
    path.write_bytes(data.replace(b"\n" + file_states._version() + b"\n", b"\n999\n", 1))  # another format
    assert _table(tmp_path).entries == {}


def test_missing_file_has_no_state(tmp_path, old_files) -> None:
    f = tmp_path / "a.ts"
    f.write_bytes(b"x")
    t = _table(tmp_path)
    t.sha256(str(f))
    t.save()
    f.unlink()
    assert _table(tmp_path).sha256(str(f)) is None


# ---------------------------------------------------------------- whole runs


@pytest.fixture()
def repo(tmp_path, counted, old_files) -> Path:  # noqa: F811 - the fixture imported above
    root = make_repo(tmp_path / "app", FILES)
    _contracts(root, True)  # primes the cache and records every file's state
    _contracts(root, True)
    counted.clear()
    return root


def test_unchanged_project_reads_no_source(repo, counted, reads) -> None:  # noqa: F811
    assert _check(repo, counted) == []
    assert [p for p in reads if p.endswith((".ts", ".js"))] == []


def test_stat_only_change_gives_identical_outputs(repo, counted, reads) -> None:  # noqa: F811
    first = _contracts(repo, True)
    for rel in ("convex/a.ts", "convex/shared.ts", "lib/validators.ts"):
        os.utime(repo / rel, ns=(time.time_ns(), time.time_ns()))  # touch: same bytes
    reads.clear()
    assert _check(repo, counted) == []  # read again, same hashes: nothing evaluated again
    assert {os.path.relpath(p, repo) for p in reads} >= {"convex/a.ts", "convex/shared.ts", "lib/validators.ts"}
    assert _contracts(repo, True) == first


def test_same_size_edit_with_the_old_mtime_reevaluates(repo, counted) -> None:  # noqa: F811
    f = repo / "convex/c.ts"
    before = os.stat(f)
    text = f.read_text()
    _new_tick()
    f.write_text(text.replace("put3", "put9"))  # same size
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(f).st_size == before.st_size
    assert _check(repo, counted) == ["convex/c.ts"]


def test_module_replaced_by_rename_reevaluates(repo, counted) -> None:  # noqa: F811
    f = repo / "convex/shared.ts"
    before = os.stat(f)
    tmp = repo / "convex/.shared.ts.tmp"
    tmp.write_text(f.read_text().replace("n: v.number()", "n: v.bigint()"))
    os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(tmp, f)
    assert _check(repo, counted) == ["convex/a.ts", "convex/b.ts", "convex/c.ts", "convex/shared.ts"]


# ---------------------------------------------------------------- resolutions checked again


def test_file_that_now_wins_a_resolution(tmp_path, counted, old_files) -> None:  # noqa: F811
    # "../lib/x" resolved to lib/x/index.ts; a new lib/x.ts wins (esbuild: the file before
    # the directory). Outside the Convex directory: the set of function modules is the same,
    # so only the recorded probes (cache.note_probe) tell the project entry is stale.
    files = dict(FILES)
    files["lib/x/index.ts"] = 'import { v } from "convex/values";\nexport const xArgs = { i: v.string() };\n'
    files["convex/usesx.ts"] = ('import { query } from "./_generated/server";\nimport { xArgs } from "../lib/x";\n'
                                "export const viaX = query({ args: xArgs, handler: async () => null });\n")
    root = make_repo(tmp_path / "app", files)
    _contracts(root, True)
    write_files(root, {"lib/x.ts": 'import { v } from "convex/values";\nexport const xArgs = { f: v.number() };\n'})
    assert _check(root, counted) == ["convex/usesx.ts"]
    fns = json.loads(_contracts(root, True)[1])["functions"]
    assert [f for f in fns if f["functionId"] == "usesx:viaX"][0]["argsValidator"]["fields"][0]["name"] == "f"


def test_package_appearing_in_node_modules(tmp_path, counted, old_files) -> None:  # noqa: F811
    files = dict(FILES)
    files["convex/later.ts"] = ('import { query } from "./_generated/server";\nimport { laterArgs } from "later-pkg";\n'
                                "export const viaLater = query({ args: laterArgs, handler: async () => null });\n")
    root = make_repo(tmp_path / "app", files)
    _contracts(root, True)
    write_files(root, {
        "node_modules/later-pkg/package.json": '{ "name": "later-pkg", "version": "1.0.0", "main": "index.js" }\n',
        "node_modules/later-pkg/index.js": 'import { v } from "convex/values";\nexport const laterArgs = { l: v.string() };\n',
    })
    assert _check(root, counted) == ["convex/later.ts"]


def test_edit_after_recorded_states_of_many_modules(repo, counted) -> None:  # noqa: F811
    # the ordinary edit, with every other file's state taken from the table
    (repo / "convex/a.ts").write_text(_user(1) + "export const more = query({ args: {}, handler: async () => 2 });\n")
    assert _check(repo, counted) == ["convex/a.ts"]


def test_recorded_resolutions_are_not_resolved_again(repo, counted, monkeypatch) -> None:  # noqa: F811
    # every probe answers as recorded: only the edited module's specifiers are resolved
    from convex_ssot.resolve import paths

    asked: list[str] = []
    real = paths.Resolver._resolve

    def resolve(self, spec, directory, importer, platform):
        asked.append(os.path.relpath(importer, repo))
        return real(self, spec, directory, importer, platform)

    monkeypatch.setattr(paths.Resolver, "_resolve", resolve)
    (repo / "convex/c.ts").write_text(_user(3) + "export const more = query({ args: {}, handler: async () => 3 });\n")
    counted.clear()
    warm = _contracts(repo, True)
    assert sorted(counted) == ["convex/c.ts"]
    assert set(asked) == {"convex/c.ts"}
    assert warm == _contracts(repo, False)


def test_configuration_files_are_read_only_when_their_state_changed(repo, counted, reads, monkeypatch) -> None:  # noqa: F811
    # tsconfig.json and the installed package.json files are inputs of every record: their
    # states come from the table too; a same-size edit with the old mtime put back is seen
    from convex_ssot import cache

    hashed: list[int] = []
    real = cache._sha256
    monkeypatch.setattr(cache, "_sha256", lambda data: hashed.append(len(data)) or real(data))
    (repo / "convex/alone.ts").write_text((repo / "convex/alone.ts").read_text() + "\n")
    reads.clear()
    assert _check(repo, counted) == ["convex/alone.ts"]
    assert not [p for p in reads if p.endswith(("tsconfig.json", "package.json"))]
    assert len(hashed) <= 2  # the project entry's digest; no configuration file hashed from its bytes
    f = repo / "tsconfig.json"
    before = os.stat(f)
    _new_tick()
    f.write_text(f.read_text().replace('"lib/*"', '"li2/*"'))  # same size, another alias target
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(f).st_size == before.st_size
    assert "convex/aliased.ts" in _check(repo, counted)  # a configuration file changed: everything again
