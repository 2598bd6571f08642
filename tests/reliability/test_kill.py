"""SIGKILL in the middle of a sync (docs/reliability.md §1).

A generated 60-module project (``bench/gen_project.py``, about 0.8 MB of TypeScript and
2 MB of contracts) is synced, its sources are changed, and a new sync is killed with
SIGKILL again and again: at random moments, and the instant its first temporary file
appears (the middle of the write). After every kill each contract is either its old
bytes or the complete new document; the registry is either old or a valid refresh. After
all kills an ordinary sync succeeds, gives the same bytes as a sync on an untouched copy,
and ``verify --strict`` passes.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from ssot_testlib import normalize_updated_at, script_path

from .helpers import CONTRACTS, CONTRACT_SCHEMAS, REGISTRY, ctl_convex, db_ssot, gen_project, schema_errors, temp_leftovers

KILLS_RANDOM = 4
KILLS_AT_TEMP = 2
KILLS_AT_RENAME = 2


def _change_sources(root: Path) -> None:
    schema = root / "convex" / "schema.ts"
    text = schema.read_text(encoding="utf-8")
    marker = "export default defineSchema(\n  {"
    assert marker in text, text[:2000]
    schema.write_text(
        text.replace(marker, marker + '\n  killTest: defineTable({ label: v.string(), at: v.number() }).index("by_label", ["label"]),', 1),
        encoding="utf-8",
    )
    (root / "convex" / "killtest.ts").write_text(
        'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
        'export const list = query({ args: { label: v.string() }, handler: async (ctx, { label }) =>'
        ' ctx.db.query("killTest").withIndex("by_label", (q) => q.eq("label", label)).collect() });\n',
        encoding="utf-8",
    )


def _start_sync(root: Path, env: dict, no_cache: bool) -> subprocess.Popen:
    args = [str(script_path("ctl-db-ssot")), "sync-to-context", "--repo-root", str(root)]
    if no_cache:
        args.append("--no-cache")
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the sync and the worker processes it may have forked (its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)
    if proc.stderr:
        proc.stderr.close()


def _kill_at_first_temp_file(proc: subprocess.Popen, root: Path, deadline: float) -> bool:
    """Poll the contract directories; SIGKILL as soon as a temp file shows up. True if hit."""
    dirs = [root / "docs/context/db", root / "docs/context/convex"]
    while time.monotonic() < deadline and proc.poll() is None:
        for d in dirs:
            try:
                names = os.listdir(d)
            except FileNotFoundError:
                continue
            if any(n.endswith(".tmp") for n in names):
                _kill(proc)
                return True
    _kill(proc)
    return False


def _expected_new(root: Path, env: dict, base: Path, name: str) -> dict[str, bytes]:
    """The new contracts as an undisturbed sync writes them (updatedAt normalised), from a copy."""
    ref = base / name
    if ref.exists():
        shutil.rmtree(ref)
    shutil.copytree(root, ref, ignore=shutil.ignore_patterns("*.tmp"))
    run = db_ssot("sync-to-context", "--repo-root", ref, env=env)
    assert run.code == 0, str(run)
    return {rel: normalize_updated_at((ref / rel).read_bytes()) for rel in CONTRACTS}


@pytest.fixture(scope="module")
def killed_project(tmp_path_factory):
    base = tmp_path_factory.mktemp("kill")
    root = gen_project(base / "app", modules=60)
    env = dict(os.environ)
    env["CONVEX_SSOT_CACHE_DIR"] = str(base / "cache")
    first = db_ssot("sync-to-context", "--repo-root", root, "--no-cache", env=env)
    assert first.code == 0, str(first)
    # a registry that tracks the DB contract, so that the registry write is exercised too
    digest = hashlib.sha256((root / CONTRACTS[0]).read_bytes()).hexdigest()
    (root / REGISTRY).write_text(
        json.dumps(
            {"version": 1, "updatedAt": "2024-01-01T00:00:00.000Z", "artifacts": [
                {"id": "db-schema", "type": "json", "path": CONTRACTS[0], "mode": "generated", "checksumSha256": digest, "lastUpdated": "2024-01-01T00:00:00.000Z"}
            ]},
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    old = {rel: (root / rel).read_bytes() for rel in (*CONTRACTS, REGISTRY)}
    _change_sources(root)
    durations = {}
    t0 = time.monotonic()
    new = _expected_new(root, env, base, "ref")  # cold: parses everything (fills the module cache)
    durations[True] = time.monotonic() - t0
    assert all(new[rel] != normalize_updated_at(old[rel]) for rel in CONTRACTS), "the change must alter both contracts"
    ref = base / "ref"
    for rel in CONTRACTS:
        (ref / rel).write_bytes(old[rel])
    t0 = time.monotonic()
    assert db_ssot("sync-to-context", "--repo-root", ref, env=env).code == 0  # warm: derive from the cache, then write
    durations[False] = time.monotonic() - t0
    return root, env, base, old, durations


def _check_state(root: Path, old: dict, label: str) -> dict:
    """Each contract is its old bytes or a complete, schema-valid new contract."""
    state = {}
    for rel in CONTRACTS:
        data = (root / rel).read_bytes()
        if data == old[rel]:
            state[rel] = "old"
            continue
        try:
            doc = json.loads(data)
        except ValueError as exc:
            pytest.fail(f"{label}: {rel} is neither the old file nor valid JSON ({len(data)} bytes): {exc}")
        assert schema_errors(CONTRACT_SCHEMAS[rel], doc) == [], f"{label}: {rel}"
        text = data.decode("utf-8")
        assert '"killTest"' in text or '"killtest:list"' in text, f"{label}: {rel} changed but is not the new contract"
        state[rel] = "new"
    reg = (root / REGISTRY).read_bytes()
    if reg != old[REGISTRY]:
        doc = json.loads(reg)  # a truncated registry raises here
        assert schema_errors("registry.schema.json", doc) == [], label
    return state


def _restore(root: Path, old: dict) -> None:
    for rel, data in old.items():
        (root / rel).write_bytes(data)


def test_sigkill_at_random_moments_never_leaves_a_truncated_file(killed_project) -> None:
    root, env, base, old, durations = killed_project
    rng = random.Random(5)
    outcomes = []
    for i in range(KILLS_RANDOM):
        no_cache = i % 2 == 0
        delay = rng.uniform(0.05, 1.1) * durations[no_cache]
        proc = _start_sync(root, env, no_cache)
        time.sleep(delay)
        finished = proc.poll() is not None
        _kill(proc)
        outcomes.append((round(delay, 2), no_cache, finished, _check_state(root, old, f"kill #{i} after {delay:.2f}s")))
        _restore(root, old)
    print(f"sync takes ~{durations[True]:.2f}s without cache, ~{durations[False]:.2f}s with; random kills (delay s, --no-cache, had finished, state): {outcomes}")


def _kill_after_first_rename(proc: subprocess.Popen, root: Path, old_inodes: dict, deadline: float) -> bool:
    """Poll the contracts' inodes; SIGKILL as soon as one was replaced. True if hit."""
    while time.monotonic() < deadline and proc.poll() is None:
        for rel, ino in old_inodes.items():
            try:
                if os.stat(root / rel).st_ino != ino:
                    _kill(proc)
                    return True
            except FileNotFoundError:
                continue
    _kill(proc)
    return False


def test_sigkill_while_writing_never_leaves_a_truncated_file(killed_project) -> None:
    root, env, base, old, durations = killed_project
    hits = 0
    states = []
    for i in range(KILLS_AT_TEMP):
        proc = _start_sync(root, env, no_cache=False)
        hit = _kill_at_first_temp_file(proc, root, time.monotonic() + 10 * durations[True] + 60)
        hits += hit
        states.append(_check_state(root, old, f"kill-at-temp #{i}"))
        _restore(root, old)
    print(f"kills while a temp file existed: {hits}/{KILLS_AT_TEMP}; states: {states}")
    assert hits >= 1, "never managed to kill the sync while a temp file existed"


def test_sigkill_between_the_renames_never_leaves_a_truncated_file(killed_project) -> None:
    """Killed right after the first contract was renamed into place. Each contract must
    still be old or complete; whether the pair is mixed is recorded (SIGKILL cannot be
    rolled back by the process itself; the next sync repairs it, see the last test)."""
    root, env, base, old, durations = killed_project
    hits = 0
    states = []
    for i in range(KILLS_AT_RENAME):
        inodes = {rel: os.stat(root / rel).st_ino for rel in CONTRACTS}
        proc = _start_sync(root, env, no_cache=False)
        hit = _kill_after_first_rename(proc, root, inodes, time.monotonic() + 10 * durations[True] + 60)
        hits += hit
        states.append(_check_state(root, old, f"kill-at-rename #{i}"))
        _restore(root, old)
    print(f"kills right after a rename: {hits}/{KILLS_AT_RENAME}; states: {states}")
    assert hits >= 1, "never managed to kill the sync right after a rename"


def test_later_runs_succeed_after_kills(killed_project) -> None:
    """Run after the kill tests (same module-scoped project): leftovers must not break anything."""
    root, env, base, old, durations = killed_project
    leftovers = temp_leftovers(root)
    print(f"temp files left by SIGKILL: {leftovers}")
    for rel in leftovers:
        assert rel.startswith("docs/context/"), f"a temp file outside the contract directories: {rel}"
    run = db_ssot("sync-to-context", "--repo-root", root, env=env)
    assert run.code == 0 and "Traceback" not in run.err, str(run)
    new = _expected_new(root, env, base, "ref-final")
    for rel in CONTRACTS:
        assert normalize_updated_at((root / rel).read_bytes()) == new[rel], rel
    reg = json.loads((root / REGISTRY).read_bytes())

    assert reg["artifacts"][0]["checksumSha256"] == hashlib.sha256((root / CONTRACTS[0]).read_bytes()).hexdigest()
    ver = ctl_convex("verify", "--strict", "--repo-root", root, env=env)
    assert ver.code == 0, str(ver)
    # the cache that kills may have interrupted gives the same result as no cache
    again = db_ssot("sync-to-context", "--repo-root", root, env=env)
    assert again.code == 0 and "unchanged" in again.out, str(again)
