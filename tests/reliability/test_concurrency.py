"""Concurrent syncs of one repository (docs/reliability.md §3).

Two ``ctl-db-ssot sync-to-context`` processes started at the same moment on one
repository both succeed and leave valid contracts identical to what a single sync writes
(``updatedAt`` aside); a registry refreshed by both holds the checksums of the final
files, and both contracts carry the same ``updatedAt`` (one process wrote them together).
Several rounds, with a shared cache, without a cache, and with the second process naming
the repository through a different path (a symlink to it: still one repository, one lock).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from ssot_testlib import normalize_updated_at, script_path

from .helpers import CONTRACTS, CONTRACT_SCHEMAS, REGISTRY, copy_chat_app, gen_project, schema_errors, temp_leftovers

ROUNDS = {"chat-app": 3, "gen30": 2}


def _registry(root: Path) -> None:
    (root / "docs/context").mkdir(parents=True, exist_ok=True)
    (root / REGISTRY).write_text(
        json.dumps({"version": 1, "updatedAt": "2024-01-01T00:00:00.000Z", "artifacts": [
            {"id": "db-schema", "type": "json", "path": CONTRACTS[0], "mode": "generated", "checksumSha256": "0" * 64, "lastUpdated": "2024-01-01T00:00:00.000Z"}
        ]}, indent=2) + "\n",
        encoding="utf-8",
    )


def _run_together(roots: list[Path], env: dict, extra: list[str]) -> list[tuple[int, str, str]]:
    """Start one sync per entry of ``roots`` at the same moment; wait for all."""
    barrier = threading.Barrier(len(roots))
    results: list = [None] * len(roots)

    def go(i: int, root: Path) -> None:
        barrier.wait()
        proc = subprocess.run(
            [str(script_path("ctl-db-ssot")), "sync-to-context", "--repo-root", str(root), *extra],
            env=env, capture_output=True, text=True, timeout=600,
        )
        results[i] = (proc.returncode, proc.stdout, proc.stderr)

    threads = [threading.Thread(target=go, args=(i, r)) for i, r in enumerate(roots)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Contracts of one undisturbed sync of each project (updatedAt normalised)."""
    base = tmp_path_factory.mktemp("concurrency")
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(base / "cache"))
    out = {}
    for name, make in (("chat-app", lambda d: copy_chat_app(d)), ("gen30", lambda d: gen_project(d, modules=30))):
        root = make(base / "ref" / name)
        proc = subprocess.run([str(script_path("ctl-db-ssot")), "sync-to-context", "--repo-root", str(root)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        out[name] = {rel: normalize_updated_at((root / rel).read_bytes()) for rel in CONTRACTS}
    return base, env, out


@pytest.mark.parametrize(
    "project,variant",
    [("chat-app", "shared-cache"), ("chat-app", "no-cache"), ("gen30", "shared-cache"), ("gen30", "symlinked-path")],
)
def test_two_concurrent_syncs_end_with_identical_valid_contracts(reference, tmp_path, project, variant) -> None:
    base, env, expected = reference
    for rnd in range(ROUNDS[project]):
        root = tmp_path / f"r{rnd}" / project
        if project == "chat-app":
            copy_chat_app(root)
        else:
            gen_project(root, modules=30)
        _registry(root)
        roots = [root, root]
        if variant == "symlinked-path":
            alias = tmp_path / f"r{rnd}" / "alias"
            os.symlink(root, alias)
            roots = [root, alias]
        extra = ["--no-cache"] if variant == "no-cache" else []
        results = _run_together(roots, env, extra)
        for code, out, err in results:
            assert code == 0 and "Traceback" not in err, f"round {rnd}: exit {code}\n{out}\n{err}"
        for rel in CONTRACTS:
            data = (root / rel).read_bytes()
            doc = json.loads(data)
            assert schema_errors(CONTRACT_SCHEMAS[rel], doc) == [], rel
            assert normalize_updated_at(data) == expected[project][rel], f"round {rnd}: {rel} differs from a single sync"
        stamps = {json.loads((root / rel).read_bytes())["updatedAt"] for rel in CONTRACTS}
        assert len(stamps) == 1, f"round {rnd}: the two contracts come from different syncs (updatedAt {sorted(stamps)})"
        states = sorted("written" if "(written;" in out else "unchanged" for _, out, _ in results)
        assert states == ["unchanged", "written"], f"round {rnd}: the per-repository lock should make the second sync find nothing to do: {states}"
        reg = json.loads((root / REGISTRY).read_bytes())
        assert schema_errors("registry.schema.json", reg) == []
        by_path = {a["path"]: a["checksumSha256"] for a in reg["artifacts"]}
        for rel, digest in by_path.items():
            assert digest == hashlib.sha256((root / rel).read_bytes()).hexdigest(), f"round {rnd}: registry checksum of {rel} is stale"
        assert temp_leftovers(root) == []
        # a third sync agrees that nothing is left to do
        proc = subprocess.run([str(script_path("ctl-db-ssot")), "sync-to-context", "--repo-root", str(root)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stdout.count("(unchanged;") == 2, proc.stdout + proc.stderr
        assert "refreshed" not in proc.stdout, f"round {rnd}: the registry was stale after the concurrent syncs:\n{proc.stdout}"


def test_the_lock_is_per_repository_not_per_path_spelling(tmp_path) -> None:
    """Deterministic companion of the symlinked-path rounds above: the repository reached
    directly and through a symlink must map to one lock (the lock is an implementation
    detail of ``pipeline.sync``; this checks it in-process)."""
    from convex_ssot.config import load_config
    from convex_ssot.pipeline import _RepoLock

    root = tmp_path / "repo"
    root.mkdir()
    alias = tmp_path / "alias"
    os.symlink(root, alias)
    a, b = load_config(root).repo_root, load_config(alias).repo_root
    assert _RepoLock(a).path == _RepoLock(b).path, "two spellings of one repository take two different locks"
