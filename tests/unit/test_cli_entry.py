"""The console-script entry points (convex_ssot/cli/entry.py) and what they prepare:
re's own cache primed from the start-up code cache (regex_cache.prime_re) with exactly the
pattern objects re would compile, only patterns compiled while an import runs recorded,
a fallback that leaves re alone where its cache is not where prime_re puts entries; the
collector off for the process; the commands run as before."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import textwrap

import pytest

from convex_ssot import code_cache, regex_cache

#: A fresh interpreter: prime re's cache, compile one pattern outside any import and import
#: a module (written by the test) that compiles two at import; save the start-up code cache.
_PROBE = textwrap.dedent(
    """
    import json, re, sys
    sys.path.insert(0, sys.argv[1])
    try:
        from re import _compiler
    except ImportError:  # Python 3.10
        import sre_compile as _compiler
    import convex_ssot.code_cache as cc
    import convex_ssot.regex_cache as rc

    original = _compiler.compile
    rc.prime_re()
    primed = {key[1:]: p for key, p in re._cache.items()}
    outside = re.compile(r"outside-an-import\\d+")
    import compiles_at_import as m
    same = {
        "word": m.WORD is primed.get((m.WORD.pattern, m.WORD.flags & ~re.UNICODE)),
        "bytes": m.BYTES is primed.get((m.BYTES.pattern, 0)),
    }
    recording = _compiler.compile is not original
    missed = sorted(cc._missed)
    table = dict(cc._tables.get(("re-cache", "imports"), {}))  # what save() writes
    cc.save()
    differ = [repr(k) for k, args in table.items() if rc._construct(*args) != original(*k)]
    print(json.dumps({"recorded": sorted(repr(k) for k in table), "missed": [list(x) for x in missed],
                      "same": same, "recording": recording, "differ": differ,
                      "outside": "outside-an-import" in repr(list(table))}))
    """
)

_MODULE = 'import re\nWORD = re.compile(r"(?P<w>\\w+)-at-import", re.I)\nBYTES = re.compile(rb"[\\x00-\\x1f]+at-import")\n'


def _probe(tmp_path, code: str = _PROBE) -> dict:
    modules = tmp_path / "modules"
    modules.mkdir(exist_ok=True)
    (modules / "compiles_at_import.py").write_text(_MODULE)
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(tmp_path / "cache"), PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-c", code, str(modules)], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_patterns_compiled_at_import_are_recorded_then_come_from_the_cache(tmp_path):
    cold = _probe(tmp_path)
    assert cold["recording"] and cold["differ"] == []
    assert ["re-cache", "imports"] in cold["missed"]
    recorded = "\n".join(cold["recorded"])
    assert "-at-import" in recorded and "at-import'" in recorded  # the str and the bytes pattern
    assert not cold["outside"], "a pattern compiled outside an import is not recorded"
    assert cold["same"] == {"word": False, "bytes": False}  # nothing primed yet

    warm = _probe(tmp_path)
    assert warm["missed"] == [], "every pattern compiled at import came from re's primed cache"
    assert warm["same"] == {"word": True, "bytes": True}, "the module got the primed pattern objects"
    assert warm["differ"] == [] and warm["recorded"] == cold["recorded"]


def test_where_re_does_not_find_primed_entries_they_are_taken_out(tmp_path):
    _probe(tmp_path)  # fills the cache
    # re._compile of another layout: compiles every time, never reads re._cache
    code = _PROBE.replace(
        "original = _compiler.compile\n",
        "original = _compiler.compile\nre._compile = lambda pattern, flags: original(pattern, flags)\n",
    )
    out = _probe(tmp_path, code)
    assert not out["recording"], "nothing is recorded"
    assert out["same"] == {"word": False, "bytes": False}


def test_prime_re_leaves_a_foreign_or_damaged_table_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    code_cache.path().parent.mkdir(parents=True)
    # the program of another pattern under this pattern's key, and a key of the wrong shape
    table = {("a+", 0): ("b", 32, [], 0, {}, ()), ("c", 0, 1): ("c", 32, [], 0, {}, ())}
    code_cache.path().write_bytes(marshal.dumps({("re-cache", "imports"): marshal.dumps(table)}))
    for name, value in (("_file", None), ("_tables", {}), ("_used", {}), ("_missed", set())):
        monkeypatch.setattr(code_cache, name, value)
    monkeypatch.setattr(regex_cache, "_recording", None)
    import re

    _compiler = regex_cache._compiler
    monkeypatch.setattr(_compiler, "compile", _compiler.compile)  # restored after the test

    before = dict(re._cache)
    regex_cache.prime_re()
    assert dict(re._cache) == before, "nothing of an invalid table goes into re's cache"
    assert re.compile("a+").match("aaa").group() == "aaa"


@pytest.mark.parametrize("script", ["ctl-db-ssot", "ctl-convex"])
def test_the_entry_points_run_their_command_with_the_collector_off(tmp_path, script):
    name = "db_ssot" if script == "ctl-db-ssot" else "convex"
    code = textwrap.dedent(
        f"""
        import atexit, gc, sys
        from convex_ssot import regex_cache
        atexit.register(lambda: print("collector", gc.isenabled(), "primed", regex_cache._recording is not None))
        sys.argv = ["{script}", "--help"]
        from convex_ssot.cli import entry
        entry.{name}()
        """
    )
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(tmp_path))
    for _ in range(2):  # the first run fills the start-up code cache, the second reads it
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert "Usage:" in out.stdout and out.stdout.rstrip().endswith("collector False primed True")
    (written,) = (tmp_path / "start-up-code").iterdir()
    primed = marshal.loads(marshal.loads(written.read_bytes())["re-cache", "imports"])
    assert any("\\033" in str(pattern) for pattern, _ in primed), "click's pattern is among those primed"


def test_python_m_runs_through_the_entry_points(tmp_path):
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "convex_ssot", "convex", "--help"], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "check" in out.stdout
    assert (tmp_path / "start-up-code").is_dir()
