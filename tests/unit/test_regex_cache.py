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
from convex_ssot import code_cache, regex_cache

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
    import convex_ssot.code_cache as cc
    modules = [m for kind, m in cc._used if kind == "regex"]
    for module in modules:
        for pattern, flags in cc._used["regex", module]:
            patterns += 1
            p, fresh = rc._construct(*cc._tables["regex", module][(pattern, flags)]), re.compile(pattern, flags)
            if not (p == fresh and p.pattern == fresh.pattern and p.flags == fresh.flags
                    and p.groups == fresh.groups and p.groupindex == fresh.groupindex):
                differ.append(f"{module}: {pattern[:60]!r}")
    missed = sorted(m for kind, m in cc._missed if kind == "regex")
    cc.save()
    print(json.dumps({"patterns": patterns, "modules": len(modules), "differ": differ, "missed": missed}))
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
    (written,) = (tmp_path / "start-up-code").iterdir()
    assert ("regex", "convex_ssot.parse.lexer") in marshal.loads(written.read_bytes())

    warm = _probe(tmp_path)
    assert warm["differ"] == []
    assert warm["missed"] == []  # every program came from the cache
    assert warm["patterns"] == cold["patterns"]


def test_a_cached_program_makes_the_same_pattern(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(code_cache, "_file", None)
    monkeypatch.setattr(code_cache, "_tables", {})
    monkeypatch.setattr(code_cache, "_used", {})
    monkeypatch.setattr(code_cache, "_missed", set())
    source = r"(?P<key>[A-Za-z_$][\w$]*)\s*:\s*(?P<value>\d+)|\s+"
    first = regex_cache.compile(source, re.M | re.VERBOSE)
    assert code_cache._missed == {("regex", __name__)}
    code_cache.save()
    written = marshal.loads(code_cache.path().read_bytes())
    assert list(written) == [("regex", __name__)] and marshal.loads(written["regex", __name__]) == code_cache._tables["regex", __name__]
    monkeypatch.setattr(code_cache, "_file", None)
    monkeypatch.setattr(code_cache, "_tables", {})
    monkeypatch.setattr(code_cache, "_used", {})
    again = regex_cache.compile(source, re.M | re.VERBOSE)  # from the file just written
    assert code_cache._missed == set()
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


def test_a_foreign_entry_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    code_cache.path().parent.mkdir(parents=True)
    # the program of another pattern under this pattern's key
    code_cache.path().write_bytes(marshal.dumps({("regex", __name__): marshal.dumps({("a+", 0): ("b", 32, [], 0, {}, ())})}))
    monkeypatch.setattr(code_cache, "_file", None)
    monkeypatch.setattr(code_cache, "_tables", {})
    monkeypatch.setattr(code_cache, "_used", {})
    monkeypatch.setattr(code_cache, "_missed", set())
    p = regex_cache.compile("a+")
    assert p == re.compile("a+") and p.match("aaa").group() == "aaa"
    assert code_cache._missed == {("regex", __name__)}  # compiled again, to be written again


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
