"""Which runs tune glibc's allocator (allocator.py): a run reading the whole project
(cold, or without cache) fixes the mmap threshold and trims the heap, since its peak
memory is a target; a run after an edit does neither (pipeline._build)."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from .helpers import make_repo, write_files

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc allocator calls are made on Linux only")


@pytest.fixture()
def libc_calls(monkeypatch) -> list[str]:
    """The allocator calls made through ctypes, by name (none reaches the real libc)."""
    from convex_ssot import allocator

    calls: list[str] = []

    class FakeLibc:
        def mallopt(self, *args):
            calls.append("mallopt")
            return 1

        def malloc_trim(self, *args):
            calls.append("malloc_trim")
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: FakeLibc())
    monkeypatch.setattr(allocator, "_done", False)
    return calls


def _derive(root: Path, use_cache: bool) -> bytes:
    from convex_ssot.config import load_config
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.pipeline import derive

    return dumps(derive(load_config(root), use_cache=use_cache).functions)


def test_cold_and_no_cache_runs_tune_edit_runs_do_not(tmp_path, libc_calls, monkeypatch) -> None:
    from convex_ssot import allocator

    root = make_repo(tmp_path / "app")
    _derive(root, True)  # cold: nothing of this repository cached yet
    assert libc_calls[:1] == ["mallopt"] and "malloc_trim" in libc_calls

    libc_calls.clear()
    monkeypatch.setattr(allocator, "_done", False)  # a new process
    write_files(root, {"convex/extra.ts": 'import { query } from "./_generated/server";\n'
                                          "export const x = query({ args: {}, handler: async () => 1 });\n"})
    edited = _derive(root, True)
    assert libc_calls == [], "an edit run neither tunes nor trims"
    assert b'"extra:x"' in edited

    monkeypatch.setattr(allocator, "_done", False)
    assert _derive(root, False) == edited
    assert libc_calls[:1] == ["mallopt"] and "malloc_trim" in libc_calls, "a run without cache reads everything"


def test_trim_does_nothing_untuned(libc_calls) -> None:
    from convex_ssot import allocator

    allocator.return_free_memory()
    assert libc_calls == []
    allocator.keep_large_blocks_returnable()
    allocator.return_free_memory()
    assert libc_calls == ["mallopt", "malloc_trim"]
