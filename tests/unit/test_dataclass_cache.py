"""convex_ssot.dataclass_cache: every dataclass of the package comes out the same as the
standard decorator makes it, whether its methods' code was compiled or read from the cache,
and the cache is written only when caching is on."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import textwrap

from convex_ssot import cache, code_cache, dataclass_cache

#: Run in a fresh interpreter: every module of the package imported with each dataclass
#: built twice, by dataclass_cache.dataclass and by dataclasses.dataclass on a copy of the
#: undecorated class; prints what differs and what the cache did.
_PROBE = textwrap.dedent(
    """
    import dataclasses, importlib, json, pkgutil, sys
    import convex_ssot
    import convex_ssot.dataclass_cache as dc

    ours_decorator = dc.dataclass
    pairs = []

    def checking(cls=None, /, **options):
        def wrap(c):
            body = {k: v for k, v in vars(c).items() if k not in ("__dict__", "__weakref__")}
            twin = type(c)(c.__name__, c.__bases__, body)
            stock = dataclasses.dataclass(twin, **options)
            ours = ours_decorator(c, **options)
            pairs.append((ours, stock))
            return ours
        return wrap if cls is None else wrap(cls)

    dc.dataclass = checking
    for info in pkgutil.walk_packages(convex_ssot.__path__, "convex_ssot."):
        if info.name != "convex_ssot.__main__":
            importlib.import_module(info.name)

    def code(f):
        f = getattr(f, "__wrapped__", f)
        return getattr(f, "__code__", f)

    differ, methods = [], 0
    for ours, stock in pairs:
        names = set(vars(stock)) | set(vars(ours))
        for n in sorted(names):
            a, b = vars(ours).get(n), vars(stock).get(n)
            if n in ("__doc__", "__module__", "__qualname__", "__dataclass_fields__", "__dataclass_params__"):
                continue
            if callable(b) and hasattr(getattr(b, "__wrapped__", b), "__code__"):
                methods += 1
                if code(a) != code(b):
                    differ.append(f"{ours.__module__}.{ours.__qualname__}.{n}")
            elif isinstance(b, (tuple, str, int, type(None))) and a != b:
                differ.append(f"{ours.__module__}.{ours.__qualname__}.{n} = {a!r} != {b!r}")
        if list(vars(ours)["__dataclass_fields__"]) != list(vars(stock)["__dataclass_fields__"]):
            differ.append(f"{ours.__qualname__} fields")
        if repr(vars(ours)["__dataclass_params__"]) != repr(vars(stock)["__dataclass_params__"]):
            differ.append(f"{ours.__qualname__} params")
    import convex_ssot.code_cache as cc
    missed = sorted(m for kind, m in cc._missed if kind == "dataclass")
    cc.save()
    print(json.dumps({"classes": len(pairs), "methods": methods, "differ": differ, "missed": missed}))
    """
)


def _probe(cache_dir) -> dict:
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(cache_dir))
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_every_dataclass_is_the_standard_one_compiled_or_cached(tmp_path):
    cold = _probe(tmp_path)
    # parse/ast.py writes its node classes out (no dataclasses); the rest of the package has ~100
    assert cold["classes"] >= 80 and cold["methods"] >= 250
    assert cold["differ"] == []
    assert "convex_ssot.ir" in cold["missed"] and "convex_ssot.interp.values" in cold["missed"]
    (written,) = (tmp_path / "start-up-code").iterdir()
    assert ("dataclass", "convex_ssot.ir") in marshal.loads(written.read_bytes())

    warm = _probe(tmp_path)
    assert warm["differ"] == []
    assert warm["missed"] == []  # every method's code came from the cache
    assert (warm["classes"], warm["methods"]) == (cold["classes"], cold["methods"])


def test_the_cache_is_written_only_when_caching_is_on(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(code_cache, "_file", None)
    monkeypatch.setattr(code_cache, "_tables", {})
    monkeypatch.setattr(code_cache, "_used", {})
    monkeypatch.setattr(code_cache, "_missed", set())

    @dataclass_cache.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    assert Point(1) == Point(1, 0) and hash(Point(1)) == hash(Point(1, 0))
    assert repr(Point(2, 3)).endswith("Point(x=2, y=3)")
    assert code_cache._missed == {("dataclass", __name__)}
    cache.set_enabled(False)
    try:
        code_cache.save()
    finally:
        cache.set_enabled(True)
    assert not (tmp_path / "start-up-code").exists()
    code_cache.save()
    written = marshal.loads(marshal.loads(code_cache.path().read_bytes())[("dataclass", __name__)])
    assert len(written) >= 4 and all(isinstance(k, str) for k in written)  # __init__, __repr__, __eq__, __hash__, ...


def test_every_module_takes_dataclass_from_the_cache():
    """A module using ``dataclasses.dataclass`` directly would compile its methods on every
    start again (import ``dataclass`` from ``convex_ssot.dataclass_cache`` instead)."""
    import ast
    from pathlib import Path

    import convex_ssot

    direct = []
    for path in sorted(Path(convex_ssot.__file__).parent.rglob("*.py")):
        if path.name == "dataclass_cache.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "dataclasses" and any(a.name == "dataclass" for a in node.names):
                direct.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Attribute) and node.attr == "dataclass" and isinstance(node.value, ast.Name) and node.value.id == "dataclasses":
                direct.append(f"{path.name}:{node.lineno}")
    assert direct == []
