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
            ours = ours_decorator(c, **options)  # first: the body's field() objects are the twin's too
            stock = dataclasses.dataclass(twin, **options)
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

    def alike(a, b):  # the same, or the corresponding class of the other build
        if isinstance(a, type) and isinstance(b, type):
            return a.__qualname__ == b.__qualname__
        return a is b or (type(a) is type(b) and a == b)

    def same_function(a, b):
        a, b = getattr(a, "__wrapped__", a), getattr(b, "__wrapped__", b)
        cells = [(x.cell_contents, y.cell_contents) for x, y in zip(a.__closure__ or (), b.__closure__ or ())]
        return (a.__code__ == b.__code__ and a.__qualname__ == b.__qualname__ and a.__defaults__ == b.__defaults__
                and a.__kwdefaults__ == b.__kwdefaults__ and a.__annotations__ == b.__annotations__
                and len(a.__closure__ or ()) == len(b.__closure__ or ()) and all(alike(x, y) for x, y in cells))

    differ, methods = [], 0
    for ours, stock in pairs:
        name = f"{ours.__module__}.{ours.__qualname__}"
        if list(vars(ours)) != list(vars(stock)):
            differ.append(f"{name}: {list(vars(ours))} != {list(vars(stock))}")
        for n in sorted(set(vars(stock)) | set(vars(ours))):
            a, b = vars(ours).get(n), vars(stock).get(n)
            if n in ("__doc__", "__module__", "__qualname__", "__dataclass_fields__", "__dataclass_params__"):
                continue
            if callable(b) and hasattr(getattr(b, "__wrapped__", b), "__code__"):
                methods += 1
                if code(a) != code(b) or not same_function(a, b) or a.__qualname__ != b.__qualname__:
                    differ.append(f"{name}.{n}")
            elif isinstance(b, (tuple, str, int, type(None))) and a != b:
                differ.append(f"{name}.{n} = {a!r} != {b!r}")
        fa, fb = vars(ours)["__dataclass_fields__"], vars(stock)["__dataclass_fields__"]
        if list(fa) != list(fb) or any(not alike(getattr(fa[k], s), getattr(fb[k], s))
                                       for k in fa for s in dataclasses.Field.__slots__ if s not in ("default", "default_factory")):
            differ.append(f"{name} fields")
        pa, pb = vars(ours)["__dataclass_params__"], vars(stock)["__dataclass_params__"]
        if [getattr(pa, s) for s in type(pa).__slots__] != [getattr(pb, s) for s in type(pb).__slots__]:
            differ.append(f"{name} params")
    import convex_ssot.code_cache as cc
    missed = sorted(m for kind, m in cc._missed if kind == "dataclass")
    recipes_made = sorted(m for kind, m in cc._missed if kind == "dataclass-class")
    followed = sum(len(used) for (kind, m), used in cc._used.items() if kind == "dataclass-class")
    cc.save()
    print(json.dumps({"classes": len(pairs), "methods": methods, "differ": differ, "missed": missed,
                      "recipes_made": recipes_made, "recipes": followed}))
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

    if dataclass_cache._REPLAY:
        assert "convex_ssot.ir" in cold["recipes_made"] and cold["recipes"] >= 80

    warm = _probe(tmp_path)
    assert warm["differ"] == []
    assert warm["missed"] == []  # every method's code came from the cache
    assert warm["recipes_made"] == []
    assert warm["recipes"] == cold["recipes"]  # every class with a recipe was made by following it
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
    # __init__, __repr__, __eq__, __hash__, ... (one text of them all from Python 3.13)
    assert len(written) >= (1 if sys.version_info >= (3, 13) else 4) and all(isinstance(k, str) for k in written)


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


# ---------------------------------------------------------------- recipes (CPython 3.10–3.12)

import dataclasses  # noqa: E402
import copy  # noqa: E402
from typing import ClassVar  # noqa: E402

import pytest  # noqa: E402

recipes = pytest.mark.skipif(not dataclass_cache._REPLAY, reason="no _create_fn: recipes are not made on this Python")


def _new_run(monkeypatch, tmp_path, save: bool = True) -> None:
    """What the next process sees: the file the last one saved, nothing in memory."""
    if save:
        code_cache.save()
    monkeypatch.setenv("CONVEX_SSOT_CACHE_DIR", str(tmp_path))
    for name, value in (("_file", None), ("_tables", {}), ("_used", {}), ("_missed", set())):
        monkeypatch.setattr(code_cache, name, value)


def _point(default_y=0, compare_tags: bool = False):
    @dataclass_cache.dataclass(frozen=True, slots=True)
    class Point:
        """A point."""

        x: int
        y: int = default_y
        tags: tuple = dataclasses.field(default_factory=tuple, compare=compare_tags)

    return Point


def _followed() -> int:
    return sum(len(used) for (kind, _), used in code_cache._used.items() if kind == "dataclass-class")


@recipes
def test_a_recipe_makes_the_class_with_the_body_s_own_defaults(tmp_path, monkeypatch):
    _new_run(monkeypatch, tmp_path, save=False)
    first = _point()
    assert ("dataclass-class", __name__) in code_cache._missed and _followed() == 1
    _new_run(monkeypatch, tmp_path)
    follow = dataclass_cache._follow
    calls = []
    monkeypatch.setattr(dataclass_cache, "_follow", lambda *a: calls.append(1) or follow(*a))
    again = _point(default_y=7)  # another default value: the same recipe, the body's value
    assert calls == [1] and code_cache._missed == set()
    p = again(1)
    assert (p.x, p.y, p.tags) == (1, 7, ()) and first(1).y == 0
    assert p == again(1, 7, ("other",)) and hash(p) == hash(again(1, 7))  # tags: compare=False
    assert repr(p).endswith("Point(x=1, y=7, tags=())")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2  # type: ignore[misc]
    assert copy.deepcopy(p) == p and copy.copy(p) is not p  # through __getstate__/__setstate__ (frozen, slots)
    assert dataclasses.replace(p, y=3).y == 3 and [f.name for f in dataclasses.fields(again)] == ["x", "y", "tags"]
    assert again.__slots__ == ("x", "y", "tags") and not hasattr(p, "__dict__")
    assert [f.default for f in dataclasses.fields(again)][:2] == [dataclasses.MISSING, 7]


@recipes
def test_a_changed_class_is_made_by_the_decorator_and_gets_a_new_recipe(tmp_path, monkeypatch):
    _new_run(monkeypatch, tmp_path, save=False)
    _point()
    _new_run(monkeypatch, tmp_path)
    monkeypatch.setattr(dataclass_cache, "_follow", dataclass_cache._follow)
    changed = _point(compare_tags=True)  # another field() argument: another key
    assert ("dataclass-class", __name__) in code_cache._missed
    assert changed(1, 0, ("a",)) != changed(1, 0, ("b",))  # tags compared now


@recipes
def test_classes_without_a_recipe(tmp_path, monkeypatch):
    _new_run(monkeypatch, tmp_path, save=False)

    @dataclass_cache.dataclass(slots=True)
    class NoDoc:
        x: int

    @dataclass_cache.dataclass(slots=True)
    class WithClassVar:
        """ClassVar is not a field."""

        x: int
        limit: ClassVar[int] = 3

    @dataclass_cache.dataclass(frozen=True)
    class NoSlots:
        """Not slotted."""

        x: int

    @dataclass_cache.dataclass(slots=True)
    class WithMetadata:
        """A field with metadata."""

        x: int = dataclasses.field(default=0, metadata={"unit": "ms"})

    assert _followed() == 0 and ("dataclass-class", __name__) not in code_cache._missed
    assert [f.name for f in dataclasses.fields(WithClassVar)] == ["x"] and WithClassVar(1).limit == 3
    assert dataclasses.fields(WithMetadata)[0].metadata["unit"] == "ms" and NoSlots(1).__dict__ == {"x": 1}
    assert NoDoc.__doc__.startswith("NoDoc(")


@recipes
def test_a_recipe_that_fails_while_followed_falls_back_to_the_decorator(tmp_path, monkeypatch):
    _new_run(monkeypatch, tmp_path, save=False)
    _point()
    _new_run(monkeypatch, tmp_path)

    def failing(c, *args):
        setattr(c, "__init__", None)  # half done
        raise RuntimeError("damaged")

    monkeypatch.setattr(dataclass_cache, "_follow", failing)
    again = _point(default_y=5)
    assert again(2).y == 5 and [f.name for f in dataclasses.fields(again)] == ["x", "y", "tags"]
    assert again.__init__ is not None and again.__qualname__.endswith("Point")


@recipes
def test_a_wrong_recipe_fails_its_comparison(tmp_path, monkeypatch):
    _new_run(monkeypatch, tmp_path, save=False)
    kept = []
    checked = dataclass_cache._checked

    def swapping(built, c, body, options, recipe, known):
        ok = checked(built, c, body, options, recipe, known)
        # the same recipe with the names of __init__'s code given each other's values
        steps = [list(s) for s in recipe]
        init = next(s for s in steps if s[0] == "fn" and s[1] == "__init__")
        refs = list(init[3])
        types = [i for i, (_, ref) in enumerate(refs) if ref[0] == "type"]
        refs[types[0]], refs[types[1]] = (refs[types[0]][0], refs[types[1]][1]), (refs[types[1]][0], refs[types[0]][1])
        init[3] = tuple(refs)
        kept.append((ok, checked(built, c, body, options, tuple(tuple(s) for s in steps), known)))
        return ok

    monkeypatch.setattr(dataclass_cache, "_checked", swapping)

    @dataclass_cache.dataclass(slots=True)
    class Pair:
        """Two fields of different types."""

        a: int
        b: str

    assert kept == [(True, False)]
