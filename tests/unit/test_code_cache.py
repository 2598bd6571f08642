"""convex_ssot.code_cache: one file of start-up work per interpreter; a bad file or bad
entries read as empty; a save keeps what other processes wrote and drops what this process
no longer used."""

from __future__ import annotations

import marshal

from convex_ssot import code_cache


def _fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(code_cache, "_file", None)
    monkeypatch.setattr(code_cache, "_tables", {})
    monkeypatch.setattr(code_cache, "_used", {})
    monkeypatch.setattr(code_cache, "_missed", set())


def _file(tables: dict, raw: dict | None = None) -> bytes:
    """The bytes of a cache file holding ``tables`` (``(kind, module) -> entries``) and ``raw``."""
    return marshal.dumps({**{k: marshal.dumps(v) for k, v in tables.items()}, **(raw or {})})


def _read() -> dict:
    return {k: marshal.loads(v) for k, v in marshal.loads(code_cache.path().read_bytes()).items()}


def _is_int_pair(key, value) -> bool:
    return isinstance(key, str) and isinstance(value, int)


def test_an_unreadable_file_or_bad_entries_read_as_empty(tmp_path, monkeypatch):
    _fresh(monkeypatch, tmp_path)
    code_cache.path().parent.mkdir(parents=True)
    code_cache.path().write_bytes(b"\x00garbage")
    assert code_cache.table("k", "m", _is_int_pair) == ({}, set())

    _fresh(monkeypatch, tmp_path)
    code_cache.path().write_bytes(_file({("k", "m"): {"a": "not an int"}, ("k", "n"): {"b": 2}}, {"x": 1, ("k", "o"): b"\x00"}))
    assert code_cache.table("k", "m", _is_int_pair)[0] == {}  # fails the kind's check
    assert code_cache.table("k", "o", _is_int_pair)[0] == {}  # not marshal
    assert code_cache.table("k", "n", _is_int_pair)[0] == {"b": 2}


def test_save_keeps_other_processes_entries_and_drops_unused_ones(tmp_path, monkeypatch):
    _fresh(monkeypatch, tmp_path)
    code_cache.path().parent.mkdir(parents=True)
    code_cache.path().write_bytes(_file({("k", "m"): {"old": 1, "kept": 2}}))
    entries, used = code_cache.table("k", "m", _is_int_pair)
    used.add("kept")
    entries["new"] = 3
    used.add("new")
    code_cache.compiled("k", "m")
    # another process wrote a module this one never imported
    code_cache.path().write_bytes(_file({("k", "m"): {"old": 1, "kept": 2}, ("k", "other"): {"o": 4}}))
    code_cache.save()
    assert _read() == {("k", "m"): {"kept": 2, "new": 3}, ("k", "other"): {"o": 4}}
    assert code_cache._missed == set()


def test_nothing_is_written_when_nothing_was_compiled(tmp_path, monkeypatch):
    _fresh(monkeypatch, tmp_path)
    entries, used = code_cache.table("k", "m", _is_int_pair)
    used.add("x")
    code_cache.save()
    assert not (tmp_path / "start-up-code").exists()
