"""Parsing in a forked process ahead of the build (``resolve/source_files.EarlyParse``) and
function modules freed once evaluated (``resolve/project._Loader.drop``).

Each test checks that the contracts are byte-identical to those of a run that parses and
keeps everything in one process (``--no-cache``), and that the path under test was taken:
a child was started (cold runs only), this process parsed what it should not have
needed to parse only when the child could not help, a freed module was read back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .helpers import make_repo, write_files

MAIN = (
    'import { query, httpAction } from "./_generated/server";\n'
    'import { v } from "convex/values";\n'
    "export const mainArgs = { id: v.string() };\n"
    "export const get = query({ args: mainArgs, handler: async () => null });\n"
    'export const hook = httpAction(async () => new Response("ok"));\n'
)

FILES = {
    # `a.ts` is evaluated (and freed) before `b.ts` imports it: read back from the parse cache
    "convex/a.ts": MAIN,
    "convex/b.ts": (
        'import { query } from "./_generated/server";\n'
        'import { mainArgs } from "./a";\n'
        "export const viaA = query({ args: mainArgs, handler: async () => null });\n"
    ),
    # routes are matched to the exported action by identity (resolve/surface)
    "convex/http.ts": (
        'import { httpRouter } from "convex/server";\nimport { hook } from "./a";\n'
        'const http = httpRouter();\nhttp.route({ path: "/hook", method: "POST", handler: hook });\nexport default http;\n'
    ),
    **{
        f"convex/m{i:02d}.ts": (
            'import { mutation } from "./_generated/server";\n'
            'import { v } from "convex/values";\n'
            f"export const put{i} = mutation({{ args: {{ n{i}: v.number() }}, handler: async () => {i} }});\n"
        )
        for i in range(12)
    },
}


@pytest.fixture()
def repo(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path / "cache"))  # cold at first
    return make_repo(tmp_path / "app", FILES)


@pytest.fixture()
def started(monkeypatch) -> list:
    """The EarlyParse handles the runs started (None where none was)."""
    from convex_ssot.resolve import source_files

    handles: list = []
    real = source_files.EarlyParse.start

    def start(*a, **k):
        h = real(*a, **k)
        handles.append(h)
        return h

    monkeypatch.setattr(source_files.EarlyParse, "start", staticmethod(start))
    return handles


@pytest.fixture()
def parsed_here(monkeypatch) -> list[str]:
    """Modules this process parsed (a forked child's parses are not seen here)."""
    from convex_ssot.resolve import project

    seen: list[str] = []
    real = project.load_module

    def load_module(rel, text):
        seen.append(rel)
        return real(rel, text)

    monkeypatch.setattr(project, "load_module", load_module)
    return seen


def _contracts(root: Path, use_cache: bool) -> tuple[bytes, bytes]:
    from convex_ssot.config import load_config
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.pipeline import derive

    d = derive(load_config(root), use_cache=use_cache)
    return dumps(d.db), dumps(d.functions)


def _same_as_without_cache(root: Path) -> tuple[bytes, bytes]:
    got = _contracts(root, True)
    assert got == _contracts(root, False), "contracts differ from a run that parsed everything in one process"
    return got


def _two_cpus() -> bool:
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:
        return (os.cpu_count() or 1) >= 2


needs_fork = pytest.mark.skipif(not hasattr(os, "fork") or not _two_cpus(),
                                reason="EarlyParse runs only where os.fork exists, on two CPUs or more")


@needs_fork
def test_cold_run_streams_parsing_with_a_child(repo, started, parsed_here, monkeypatch) -> None:
    from convex_ssot.resolve import project

    dropped, read_back = set(), []
    real_drop, real_get = project._Loader.drop, project._Loader.get

    def drop(self, path):
        if os.path.normpath(str(path)) not in self.imported:
            dropped.add(os.path.normpath(str(path)))
        real_drop(self, path)

    def get(self, path):
        key = os.path.normpath(str(path))
        if key in dropped and key not in self.modules:
            read_back.append(self.rel(Path(key)))
        return real_get(self, path)

    monkeypatch.setattr(project._Loader, "drop", drop)
    monkeypatch.setattr(project._Loader, "get", get)
    _, functions = _same_as_without_cache(repo)
    assert len(started) == 1 and started[0] is not None
    assert started[0].pid == 0, "the child was waited for"
    assert "convex/a.ts" in read_back, "a.ts, freed after its own root, is read back for b.ts"
    routes = json.loads(functions)["httpRoutes"]
    assert [(r["path"], r["handler"]) for r in routes] == [("/hook", {"functionId": "a:hook"})]


def test_edit_run_parses_in_the_build_process(repo, started, parsed_here) -> None:
    # an edit run starts no child (it paid nothing: docs/performance.md, "Session 6: s6-tail")
    _contracts(repo, True)  # primes the caches
    write_files(repo, {"convex/m03.ts": FILES["convex/m03.ts"] + "export const extra = 1;\n"})
    started.clear()
    parsed_here.clear()
    functions = _same_as_without_cache(repo)[1]
    assert started == []
    assert parsed_here.count("convex/m03.ts") == 2  # parsed here by both runs
    assert b'"m03:put3"' in functions


def test_without_fork_everything_is_parsed_here(repo, started, parsed_here, monkeypatch) -> None:
    def no_fork():
        raise OSError("fork not available")

    monkeypatch.setattr(os, "fork", no_fork)
    _same_as_without_cache(repo)
    assert started == [None]
    assert parsed_here.count("convex/m03.ts") == 2  # the cached run and the --no-cache run


@needs_fork
def test_a_failing_child_costs_only_the_parse_done_again(repo, started, parsed_here, monkeypatch) -> None:
    from convex_ssot.resolve import source_files

    def broken(*a):
        raise RuntimeError("child failure")

    monkeypatch.setattr(source_files, "_parse_forward", broken)
    _same_as_without_cache(repo)
    assert started[0] is not None
    assert parsed_here.count("convex/m11.ts") == 2  # nothing came from the child


@needs_fork
def test_a_child_that_dies_holding_a_module_is_not_waited_for(repo, started, parsed_here, monkeypatch) -> None:
    """The child takes a module (state "child is parsing it") and ends without storing
    it: the build sees it ended, parses that module itself and does not hang."""
    from convex_ssot.resolve import source_files

    def dies_holding(root, module_cache, discovered, shared, schema_rel=None):
        k = 1 + discovered.index("convex/m05.ts")
        shared[k] = source_files._CHILD
        os._exit(3)

    monkeypatch.setattr(source_files, "_parse_forward", dies_holding)
    _same_as_without_cache(repo)
    assert started[0] is not None and started[0].pid == 0
    assert parsed_here.count("convex/m05.ts") == 2  # here in the cached run, and without cache


@needs_fork
def test_a_module_the_child_is_stuck_on_is_parsed_here(repo, started, parsed_here, monkeypatch) -> None:
    """The child holds a module far longer than the build waits (``_MAX_WAITS``): the
    build parses it itself instead of waiting on."""
    import time

    from convex_ssot.resolve import source_files

    def stuck(root, module_cache, discovered, shared, schema_rel=None):
        for k in range(1, 1 + len(discovered)):
            shared[k] = source_files._CHILD  # takes every module, then parses nothing for a while
        time.sleep(2.0)

    monkeypatch.setattr(source_files, "_parse_forward", stuck)
    monkeypatch.setattr(source_files, "_MAX_WAITS", 20)
    _same_as_without_cache(repo)
    assert started[0] is not None
    assert parsed_here.count("convex/m05.ts") == 2  # here in the cached run, and without cache


@needs_fork
def test_the_build_parses_ahead_while_the_child_is_busy(repo, started, parsed_here, monkeypatch) -> None:
    """A child slow on the first module it takes (the schema, which the build needs
    first, unless the build took it before the child started): the build parses modules
    nobody has taken meanwhile, then takes the child's copy of the one it waited for;
    nothing is parsed twice here."""
    import time

    from convex_ssot.resolve import project, source_files

    real_parse_module = source_files._parse_module
    first = repo / "first-taken-by-the-child"

    def slow(module_cache, rel, data):
        if not first.exists():
            first.write_text(rel)
            time.sleep(1.5)
        return real_parse_module(module_cache, rel, data)

    ahead: list[str] = []
    held_then: list[bool] = []  # at each parse ahead: was the child holding its first module?
    real_ahead = project._Loader._parse_ahead

    def parse_ahead(self, rel):
        ahead.append(rel)
        early = self.early
        slot = early._index.get(first.read_text()) if first.exists() else None
        held_then.append(slot is not None and early._shared[1 + slot] == source_files._CHILD)
        return real_ahead(self, rel)

    monkeypatch.setattr(source_files, "_parse_module", slow)
    monkeypatch.setattr(project._Loader, "_parse_ahead", parse_ahead)
    _contracts(repo, True)
    cached_run = list(parsed_here)
    _same_as_without_cache(repo)  # a second cached run (everything stored now) and one without
    assert started[0] is not None
    held = first.read_text()
    assert held in ("convex/schema.ts", "convex/a.ts"), "the child takes the schema, else the first module"
    assert ahead and held not in ahead and any(held_then), "the build parsed other modules while the child held one"
    assert held not in cached_run, "the module the child held came from the child"
    assert len(cached_run) == len(set(cached_run)), "no module parsed twice in one run"
    assert set(ahead) <= set(cached_run)


def test_no_child_while_other_threads_run(repo, started, parsed_here) -> None:
    import threading

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        _same_as_without_cache(repo)
    finally:
        release.set()
        other.join()
    assert started == [None]
    assert parsed_here.count("convex/m03.ts") == 2


def test_a_cached_run_looks_for_the_function_modules_once(repo, monkeypatch) -> None:
    # derive() finds the modules to key the project cache; build_project takes that list
    # instead of walking the Convex directory again (the same bytes as a run without cache)
    from convex_ssot.resolve import discovery

    walks: list[str] = []
    real = discovery._discover

    def walk(convex_dir):
        walks.append(os.fspath(convex_dir))
        return real(convex_dir)

    monkeypatch.setattr(discovery, "_discover", walk)
    got = _contracts(repo, True)
    assert len(walks) == 1, walks
    assert got == _contracts(repo, False)
    assert b'"viaA"' in got[1] and b'"put11"' in got[1]
