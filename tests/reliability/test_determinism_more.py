"""Determinism beyond tests/test_determinism.py (docs/reliability.md §6).

tests/test_determinism.py already covers, for examples/chat-app: two copies, PYTHONHASHSEED,
TZ and LC_ALL/LANG, the working directory, a relative --repo-root, file creation order and
cache state. This file adds:

* the order in which the file system lists directory entries (``os.scandir`` /
  ``os.listdir`` reversed and shuffled; ``os.walk``, ``Path.iterdir`` and ``glob`` are built
  on them), in-process and in a subprocess;
* a generated 30-module project run twice in place: byte-identical files, ``updatedAt`` kept;
* ``ctl-convex init``'s files and the ``verify`` / ``status`` JSON reports across LC_ALL, TZ
  and the working directory;
* where diagnostics land (DB or function contract) whatever the cache state and whether
  modules are parsed serially or in worker processes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import textwrap
from pathlib import Path

import pytest

from ssot_testlib import normalize_updated_at

from .helpers import CONTRACTS, copy_chat_app, ctl_convex, db_ssot, gen_project, make_repo, snapshot, write_files


class _ScandirWrapper:
    """What ``os.scandir`` returns (an iterator and a context manager), over a re-ordered list."""

    def __init__(self, entries, inner) -> None:
        self._it, self._inner = iter(entries), inner

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._inner.close()


def _patch_listing(monkeypatch, order: str, seed: int = 0) -> None:
    """Make ``os.scandir`` / ``os.listdir`` return entries reversed or shuffled."""
    real_scandir, real_listdir = os.scandir, os.listdir
    rng = random.Random(seed)

    def arrange(items: list) -> list:
        items = sorted(items, key=lambda e: getattr(e, "name", e))
        if order == "reversed":
            return items[::-1]
        rng.shuffle(items)
        return items

    def scandir(path="."):
        inner = real_scandir(path)
        return _ScandirWrapper(arrange(list(inner)), inner)

    def listdir(path="."):
        return arrange(real_listdir(path))

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)


def _derive(root: Path) -> tuple[bytes, bytes]:
    from convex_ssot.config import load_config
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.pipeline import derive

    d = derive(load_config(root), use_cache=False)
    return dumps(d.db), dumps(d.functions)


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    base = tmp_path_factory.mktemp("det")
    chat = copy_chat_app(base / "chat-app")
    gen = gen_project(base / "gen", modules=30)
    return {"chat-app": chat, "gen30": gen}


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
@pytest.mark.parametrize("project", ["chat-app", "gen30"])
def test_directory_listing_order_does_not_matter(projects, monkeypatch, order, project) -> None:
    root = projects[project]
    expected = _derive(root)
    _patch_listing(monkeypatch, order, seed=7)
    assert sorted(os.listdir(root / "convex")) != os.listdir(root / "convex") or order == "shuffled"
    assert _derive(root) == expected


def test_directory_listing_order_does_not_matter_in_a_subprocess(projects, tmp_path) -> None:
    """The whole CLI (discovery, parallel parsing, writing) with reversed listings, via a
    sitecustomize module on PYTHONPATH."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import os
            _scandir, _listdir = os.scandir, os.listdir
            class _W:
                def __init__(self, entries, inner): self.e, self.i = iter(entries), inner
                def __iter__(self): return self
                def __next__(self): return next(self.e)
                def __enter__(self): return self
                def __exit__(self, *a): self.i.close()
                def close(self): self.i.close()
            def scandir(path="."):
                inner = _scandir(path)
                return _W(sorted(inner, key=lambda e: e.name, reverse=True), inner)
            def listdir(path="."):
                return sorted(_listdir(path), reverse=True)
            os.scandir, os.listdir = scandir, listdir
            """
        ),
        encoding="utf-8",
    )
    outs = []
    for name, env in (("plain", {}), ("reversed", {"PYTHONPATH": str(hook)})):
        root = tmp_path / name
        shutil.copytree(projects["gen30"], root, ignore=shutil.ignore_patterns("context"))
        run = db_ssot("sync-to-context", "--repo-root", root, "--no-cache", env=env)
        assert run.code == 0, str(run)
        outs.append({rel: normalize_updated_at((root / rel).read_bytes()) for rel in CONTRACTS})
    assert outs[0] == outs[1]


def test_generated_project_twice_in_place_is_byte_identical(projects, tmp_path) -> None:
    root = tmp_path / "gen"
    shutil.copytree(projects["gen30"], root, ignore=shutil.ignore_patterns("context"))
    first = db_ssot("sync-to-context", "--repo-root", root)
    assert first.code == 0, str(first)
    a = {rel: (root / rel).read_bytes() for rel in CONTRACTS}
    second = db_ssot("sync-to-context", "--repo-root", root, "--no-cache")
    assert second.code == 0 and second.out.count("(unchanged;") == 2, str(second)
    assert {rel: (root / rel).read_bytes() for rel in CONTRACTS} == a, "updatedAt and every byte are kept"


ENVS = [
    ({"LC_ALL": "C", "LANG": "C", "TZ": "UTC"}, "/"),
    ({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "Asia/Kathmandu"}, "repo"),
    ({"LC_ALL": "POSIX", "TZ": "America/St_Johns", "PYTHONIOENCODING": "latin-1"}, "elsewhere"),
]


def test_init_verify_and_status_do_not_depend_on_locale_tz_or_cwd(tmp_path) -> None:
    results = []
    for i, (env, where) in enumerate(ENVS):
        root = tmp_path / f"r{i}" / "repo"
        write_files(root, {"package.json": '{\n  "name": "app",\n  "dependencies": {\n    "react": "^18.0.0"\n  }\n}\n'})
        cwd = {"/": Path("/"), "repo": root, "elsewhere": tmp_path}[where]
        init = ctl_convex("init", "--repo-root", root, cwd=cwd, env=env)
        assert init.code == 0, str(init)
        files = snapshot(root)
        sync = db_ssot("sync-to-context", "--repo-root", root, cwd=cwd, env=env)
        assert sync.code == 0, str(sync)
        reports = []
        for args in (("verify", "--format", "json"), ("status", "--format", "json")):
            run = ctl_convex(*args, "--repo-root", root, cwd=cwd, env=env)
            assert run.code in (0, 1) and "Traceback" not in run.err, str(run)
            reports.append(run.out.replace(str(root), "<root>"))
        contracts = {rel: normalize_updated_at((root / rel).read_bytes()) for rel in CONTRACTS}
        results.append((init.out.replace(str(root), "<root>"), files, contracts, reports))
    for other in results[1:]:
        assert other[0] == results[0][0], "init output"
        assert other[1] == results[0][1], "init files"
        assert other[2] == results[0][2], "contracts"
        assert other[3] == results[0][3], "verify/status JSON"


# ------------------------------------------------------------------ where diagnostics land

BROKEN = 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\nexport const broken = query({ args: { x: v.string( }, handler: async () => null });\n'


def _placement(root: Path) -> dict[str, list[tuple[str, str]]]:
    return {rel: sorted((d["file"], d["code"]) for d in json.loads((root / rel).read_bytes())["diagnostics"]) for rel in CONTRACTS}


def test_diagnostics_land_in_the_same_contract_with_a_cold_or_warm_cache(tmp_path) -> None:
    """A function module's diagnostic belongs to the function contract (docs/diagnostics.md),
    whether the module was parsed now or taken from the parse cache."""
    env = {"CONVEX_SSOT_CACHE_DIR": str(tmp_path / "cache")}
    placements = []
    for name, extra in (("nocache", ["--no-cache"]), ("cold", []), ("warm", [])):
        root = make_repo(tmp_path / name, {"convex/broken.ts": BROKEN})
        run = db_ssot("sync-to-context", "--repo-root", root, *extra, env=env)
        assert run.code == 0, str(run)
        placements.append((name, _placement(root)))
    expected = {CONTRACTS[0]: [], CONTRACTS[1]: [("convex/broken.ts", "CSX100")]}
    for name, got in placements:
        assert got == expected, f"{name}: {got}"


def test_diagnostics_land_in_the_same_contract_with_parallel_parsing(projects, tmp_path, monkeypatch) -> None:
    """Projects over PARALLEL_MIN_BYTES are parsed in worker processes; the result must be
    the same as parsing one file at a time."""
    from convex_ssot.resolve import project as project_mod

    root = tmp_path / "gen"
    shutil.copytree(projects["gen30"], root, ignore=shutil.ignore_patterns("context"))
    write_files(root, {"convex/zbroken.ts": BROKEN})
    monkeypatch.setattr(project_mod, "PARALLEL_MIN_BYTES", 10**12)
    serial = _derive(root)
    monkeypatch.setattr(project_mod, "PARALLEL_MIN_BYTES", 0)
    parallel = _derive(root)
    db = json.loads(serial[0])
    fn = json.loads(serial[1])
    assert [(d["file"], d["code"]) for d in fn["diagnostics"]] == [("convex/zbroken.ts", "CSX100")]
    assert db["diagnostics"] == []
    assert parallel == serial
