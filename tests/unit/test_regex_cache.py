"""convex_ssot.regex_cache: every pattern of the package comes out equal to what
``re.compile`` makes of it, whether its program was compiled or read from the cache; a bad
cache file is an empty cache; the cache is written only when caching is on."""

from __future__ import annotations

import ast
import json
import marshal
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import convex_ssot
from convex_ssot import cache, regex_cache

#: Run in a fresh interpreter: every module of the package imported (and the outline
#: lexer built); each pattern that went through regex_cache.compile is made again from its
#: cache entry and compared with re.compile's (pattern objects compare flags, pattern and
#: program word for word).
_PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, re, sys
    import convex_ssot
    import convex_ssot.regex_cache as rc

    for info in pkgutil.walk_packages(convex_ssot.__path__, "convex_ssot."):
        if info.name != "convex_ssot.__main__":
            importlib.import_module(info.name)
    from convex_ssot.parse.parser import get_parser
    get_parser()  # the outline lexer's expressions

    # what a pattern read from the cache is: the pattern object its arguments make
    differ, patterns = [], 0
    for module, keys in rc._used.items():
        for pattern, flags in keys:
            patterns += 1
            p, fresh = rc._construct(*rc._loaded[module][(pattern, flags)]), re.compile(pattern, flags)
            if not (p == fresh and p.pattern == fresh.pattern and p.flags == fresh.flags
                    and p.groups == fresh.groups and p.groupindex == fresh.groupindex):
                differ.append(f"{module}: {pattern[:60]!r}")
    missed = sorted(rc._missed)
    rc.save()
    print(json.dumps({"patterns": patterns, "modules": len(rc._used), "differ": differ, "missed": missed}))
    """
)


def _probe(cache_dir) -> dict:
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(cache_dir))
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_every_pattern_is_re_compiles_compiled_or_cached(tmp_path):
    cold = _probe(tmp_path)
    assert cold["patterns"] >= 90 and cold["modules"] >= 20
    assert cold["differ"] == []
    assert {"convex_ssot.parse.lexer", "convex_ssot.parse.parser", "convex_ssot.resolve.bodies"} <= set(cold["missed"])
    files = sorted(p.name for p in (tmp_path / "regex-code").iterdir() for p in p.iterdir())
    assert "convex_ssot.parse.lexer.marshal" in files

    warm = _probe(tmp_path)
    assert warm["differ"] == []
    assert warm["missed"] == []  # every program came from the cache
    assert warm["patterns"] == cold["patterns"]


def test_a_cached_program_makes_the_same_pattern(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    for name in ("_loaded", "_used"):
        monkeypatch.setattr(regex_cache, name, {})
    monkeypatch.setattr(regex_cache, "_missed", set())
    source = r"(?P<key>[A-Za-z_$][\w$]*)\s*:\s*(?P<value>\d+)|\s+"
    first = regex_cache.compile(source, re.M | re.VERBOSE)
    assert regex_cache._missed == {__name__}
    regex_cache.save()
    monkeypatch.setattr(regex_cache, "_loaded", {})
    monkeypatch.setattr(regex_cache, "_missed", set())
    again = regex_cache.compile(source, re.M | re.VERBOSE)  # from the file just written
    assert regex_cache._missed == set()
    assert again == first == re.compile(source, re.M | re.VERBOSE)
    assert again.groupindex == {"key": 1, "value": 2} and again.flags == first.flags
    assert again.match("abc : 12").group("value") == "12"


def test_an_invalid_pattern_raises_as_re_compile_does():
    try:
        regex_cache.compile(r"(unclosed")
    except re.error as exc:
        assert "missing )" in str(exc)
    else:
        raise AssertionError("no re.error")


def test_an_unreadable_or_foreign_cache_file_is_an_empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    d = regex_cache._directory()
    d.mkdir(parents=True)
    (d / "m.marshal").write_bytes(b"\x00garbage")
    assert regex_cache._read("m") == {}
    (d / "m.marshal").write_bytes(marshal.dumps({("a", 0): ("b", 0, [], 0, {}, ())}))  # another pattern's program
    assert regex_cache._read("m") == {}


def test_the_cache_is_written_only_when_caching_is_on(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    for name in ("_loaded", "_used"):
        monkeypatch.setattr(regex_cache, name, {})
    monkeypatch.setattr(regex_cache, "_missed", set())
    regex_cache.compile(r"only-once-\d+")
    cache.set_enabled(False)
    try:
        regex_cache.save()
    finally:
        cache.set_enabled(True)
    assert not (tmp_path / "regex-code").exists()
    regex_cache.save()
    written = marshal.loads((regex_cache._directory() / f"{__name__}.marshal").read_bytes())
    assert list(written) == [(r"only-once-\d+", 0)]


def test_no_module_compiles_a_pattern_at_import_without_the_cache():
    """A module-level ``re.compile`` would compile its pattern on every start again
    (``regex_cache.compile`` instead)."""
    direct = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if (not inner and isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                    and child.func.attr == "compile" and isinstance(child.func.value, ast.Name)
                    and child.func.value.id == "re"):
                direct.append(f"{path.name}:{child.lineno}")
            visit(child, inner)

    for path in sorted(Path(convex_ssot.__file__).parent.rglob("*.py")):
        if path.name != "regex_cache.py":
            visit(ast.parse(path.read_text(encoding="utf-8")), False)
    assert direct == []
