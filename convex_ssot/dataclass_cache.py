"""``dataclasses.dataclass`` with what it does to each class kept on disk.

Creating a dataclass compiles the source of its ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``/``__delattr__`` (frozen) with ``exec``: about 370 methods
for the ~100 dataclasses an edit run imports, 55–65 ms of compiling on every start-up
(docs/performance.md, "Session 5: s5-imports"). :func:`dataclass` is the standard
decorator, run with ``exec`` replaced for the duration of the call by one that looks the
source text up in a cache of compiled code objects first. The class is built by
:mod:`dataclasses` itself, from the same source text, compiled with the same flags: what
comes out is the same class (``tests/unit/test_dataclass_cache.py`` compares every method
of every dataclass of the package, code object for code object).

With the code cached, the rest of the decorator's work — reading each annotation (is it a
``ClassVar``, an ``InitVar``?), writing each method's source text, setting attributes one by
one — still cost an edit run about 12 ms for its 64 classes (docs/performance.md, "Session
7: s7-imports"). So on CPython 3.10–3.12 (where :mod:`dataclasses` makes each method with
``_create_fn``), a *recipe* is kept per class as well: which attributes the decorator
added, in which order, and for each method the source text of its code and what each of
the names the code is made with (``_type_x``, ``_dflt_x``, ``cls``, ``MISSING``…) stood for
(a field's type or default, the class, a constant of :mod:`dataclasses`). A recipe is kept
only after the class it makes from a copy of the class body has been compared with the
standard decorator's class, attribute by attribute (every method's code, defaults,
annotations, closure contents, every field's attributes, the parameters, the slots, the
order of the class dictionary); it is used only for a class body with the same *key*: the
decorator's options, the annotations, the names of the body's attributes and the kind of
each field's default, the base classes and their fields — everything the decorator's
choices depend on but the default values themselves, which are taken from the body as the
decorator takes them. A recipe then replaces :func:`dataclasses.dataclass` for that class:
fields made as ``_get_field`` makes them (``field(default=…)``, the body's own ``field()``),
the methods by running their cached code with those names, then the decorator's own
``_add_slots`` and :func:`abc.update_abstractmethods`. Only classes with ``slots=True``, a
docstring, string annotations none of which names ``ClassVar``, ``InitVar`` or ``KW_ONLY``,
and hashable defaults have recipes; any other class, any other Python, a recipe that fails
its comparison, or an error while following one (the class is then built again from its
body) is the standard decorator as above.

The cache: the entries of kinds ``"dataclass"`` (``{source text: code object}``) and
``"dataclass-class"`` (``{qualified name: (key, recipe)}``) of the start-up code cache
(:mod:`.code_cache`: one :mod:`marshal` file per interpreter, the format of ``.pyc``
files, so a code object is only ever read by the interpreter, and in the mode, that
compiled it), per defining module. Missing, unreadable or foreign entries are an empty
cache. It is written only by :func:`.code_cache.save` (the command-line entry points call
it after a command, unless caching is off): for each module that compiled anything,
exactly the texts and recipes that module used, so entries of classes since changed or
removed drop out. Where :mod:`dataclasses` does not call ``exec`` by that name (a future
Python), nothing is cached and nothing changes.
"""

from __future__ import annotations

import abc
import builtins
import dataclasses
import sys
from types import CodeType, FunctionType, GetSetDescriptorType, MemberDescriptorType

from . import code_cache

__all__ = ["dataclass"]

_KIND = "dataclass"
_RECIPES = "dataclass-class"
#: the internals a recipe is made and followed with (CPython 3.10–3.12)
_REPLAY = all(hasattr(dataclasses, n) for n in ("_create_fn", "_add_slots", "_recursive_repr", "_DataclassParams", "_FIELD",
                                                "_MODULE_IDENTIFIER_RE", "_is_classvar"))
_OPTIONS = {"slots", "frozen", "eq"}
#: constants a method's code may be made with, by the name a recipe gives them
_CONSTANTS = {"None": None, "object": object, "MISSING": dataclasses.MISSING,
              "HAS_DEFAULT_FACTORY": getattr(dataclasses, "_HAS_DEFAULT_FACTORY", None),
              "FrozenInstanceError": dataclasses.FrozenInstanceError}
#: the form of a recipe and its key; part of the key, so that another release of the package
#: (the cache is per interpreter, not per release) never follows a recipe it reads otherwise
_FORMAT = 1


def _valid(source, code) -> bool:
    return isinstance(source, str) and isinstance(code, CodeType)


def _valid_recipe(qualname, entry) -> bool:
    return isinstance(qualname, str) and isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(x, tuple) for x in entry)


def _exec_for(known: dict, used: set, module: str, made: dict | None):
    def cached_exec(source, globals=None, locals=None):
        if not isinstance(source, str):
            return builtins.exec(source, globals, locals)
        code = known.get(source)
        if code is None:
            # ``exec(str)`` in dataclasses inherits the future flags of dataclasses.py (none)
            code = known[source] = compile(source, "<string>", "exec", dont_inherit=True)
            code_cache.compiled(_KIND, module)
        used.add(source)
        builtins.exec(code, globals, locals)
        if made is not None and isinstance(locals, dict) and "__create_fn__" in locals:
            make = locals["__create_fn__"]

            def noting(**names):  # what each method was made with, for a recipe
                fn = make(**names)
                made[id(fn)] = (source, names, globals)
                return fn

            locals["__create_fn__"] = noting

    return cached_exec


def dataclass(cls=None, /, **options):
    """:func:`dataclasses.dataclass` (same arguments, same class), with the generated
    methods' code, and for most classes the whole decorator's work, read from the cache
    (module docstring)."""

    def wrap(c):
        return _build(c, options)

    return wrap if cls is None else wrap(cls)


def _build(c, options: dict):
    module = c.__module__
    known, used = code_cache.table(_KIND, module, _valid)
    key = _key(c, options) if _REPLAY else None
    made = None
    if key is not None:
        recipes, kept = code_cache.table(_RECIPES, module, _valid_recipe)
        entry = recipes.get(c.__qualname__)
        if entry is not None and entry[0] == key and all(step[2] in known for step in entry[1] if step[0] == "fn"):
            body = dict(c.__dict__)
            try:
                built = _follow(c, options, entry[1], known, used)
            except Exception:  # noqa: BLE001 - built again by the standard decorator
                c = _twin(c, body)
            else:
                kept.add(c.__qualname__)
                return built
        body, made = dict(c.__dict__), {}
    namespace = vars(dataclasses)
    before = namespace.get("exec")
    namespace["exec"] = _exec_for(known, used, module, made)
    try:
        built = dataclasses.dataclass(c, **options)
    finally:
        if before is None:
            namespace.pop("exec", None)
        else:
            namespace["exec"] = before
    if made is not None:
        recipe = _recipe(built, c, body, made)
        if recipe is not None and _checked(built, c, body, options, recipe, known):
            recipes[c.__qualname__] = (key, recipe)
            kept.add(c.__qualname__)
            code_cache.compiled(_RECIPES, module)
    return built


def _key(c, options: dict):
    """Everything the decorator's choices for ``c`` depend on (module docstring), or None
    when ``c`` is not a class recipes are kept for."""
    if type(c) is not type or not options.get("slots") or not set(options) <= _OPTIONS or "__slots__" in c.__dict__:
        return None
    if c.__module__ not in sys.modules:
        return None
    if not c.__dict__.get("__doc__"):
        return None
    annotations = c.__dict__.get("__annotations__", {})
    namespace = vars(sys.modules[c.__module__])
    fields = []
    for name, annotation in annotations.items():
        if not isinstance(annotation, str) or _special(annotation, namespace):
            return None
        value = c.__dict__.get(name, dataclasses.MISSING)
        if value is dataclasses.MISSING:
            if hasattr(c, name):
                return None
            kind = ("none",)
        elif isinstance(value, dataclasses.Field):
            if len(value.metadata) or value._field_type is not None:
                return None
            kind = ("field", value.default is dataclasses.MISSING, value.default_factory is dataclasses.MISSING,
                    value.init, value.repr, value.hash, value.compare,
                    None if value.kw_only is dataclasses.MISSING else value.kw_only)
            if value.default is not dataclasses.MISSING and type(value.default).__hash__ is None:
                return None
        elif isinstance(value, MemberDescriptorType) or type(value).__hash__ is None:
            return None
        else:
            kind = ("value",)
        fields.append((name, annotation, kind))
    attributes = tuple((n, v is None) for n, v in c.__dict__.items() if n not in annotations)
    bases = tuple((b.__module__, b.__qualname__, tuple(vars(b).get("__dataclass_fields__", ())),
                   getattr(getattr(b, "__dataclass_params__", None), "frozen", None)) for b in c.__mro__[1:])
    return (_FORMAT, tuple(sorted(options.items())), tuple(fields), attributes, bases, hasattr(c, "__post_init__"))


def _special(annotation: str, namespace: dict) -> bool:
    """Whether the name an annotation starts with may be ``ClassVar``, ``InitVar`` or
    ``KW_ONLY`` where ``dataclasses._is_type`` looks it up (a superset of its answer)."""
    match = _IDENTIFIER(annotation)
    obj = None if match is None else namespace.get(match.group(2))
    if obj is None:
        return False
    typing = sys.modules.get("typing")
    return (obj is dataclasses.InitVar or type(obj) is dataclasses.InitVar or obj is _KW_ONLY
            or (typing is not None and dataclasses._is_classvar(obj, typing)))


_IDENTIFIER = dataclasses._MODULE_IDENTIFIER_RE.match if _REPLAY else None
_KW_ONLY = getattr(dataclasses, "KW_ONLY", None)


def _recipe(built, c, body: dict, made: dict):
    """The steps that make ``built`` from the body ``c`` (module docstring), or None."""
    fields = built.__dict__["__dataclass_fields__"]
    steps = []
    for name, value in built.__dict__.items():
        if (name in body and body[name] is value) or name in ("__slots__", "__getstate__", "__setstate__") or name in fields:
            continue
        if name == "__dataclass_params__":
            steps.append(("params", tuple(getattr(value, s) for s in type(value).__slots__)))
        elif name == "__dataclass_fields__":
            steps.append(("fields",))
        elif isinstance(value, FunctionType):
            wrapped = getattr(value, "__wrapped__", None)
            fn = value if wrapped is None else wrapped
            source, names, globals_ = made.get(id(fn), (None, None, None))
            if source is None or globals_ is not getattr(sys.modules.get(c.__module__), "__dict__", None):
                return None
            refs = []
            for local, v in names.items():
                ref = _ref(local, v, c, fields)
                if ref is None:
                    return None
                refs.append((local, ref))
            steps.append(("fn", name, source, tuple(refs), wrapped is not None,
                          value.__qualname__ == f"{c.__qualname__}.{value.__name__}"))
        elif value is None or (type(value) is tuple and all(type(x) is str for x in value)):
            steps.append(("value", name, value))
        else:
            return None
    return tuple(steps)


def _ref(local: str, value, c, fields: dict):
    """What the name ``local`` a method was made with stands for, checked against
    ``value``; None when it is none of the known things."""
    for f in fields.values():
        if local in (f"_type_{f.name}", f"__dataclass_type_{f.name}__"):
            return ("type", f.name) if value is f.type else None
        if local in (f"_dflt_{f.name}", f"__dataclass_dflt_{f.name}__"):
            factory = f.default_factory is not dataclasses.MISSING
            return ("default", f.name) if value is (f.default_factory if factory else f.default) else None
    if value is c:
        return ("class",)
    for name, constant in _CONSTANTS.items():
        if value is constant:
            return ("constant", name)
    return None


def _follow(c, options: dict, recipe: tuple, known: dict, used: set):
    """The dataclass the recipe makes of the body ``c``."""
    fields = {}
    for b in c.__mro__[-1:0:-1]:
        base_fields = getattr(b, "__dataclass_fields__", None)
        if base_fields is not None:
            for f in base_fields.values():
                fields[f.name] = f
    own = []
    for name, annotation in c.__dict__.get("__annotations__", {}).items():  # as dataclasses._get_field
        default = getattr(c, name, dataclasses.MISSING)
        f = default if isinstance(default, dataclasses.Field) else dataclasses.field(default=default)
        f.name, f.type, f._field_type = name, annotation, dataclasses._FIELD
        if f.kw_only is dataclasses.MISSING:
            f.kw_only = options.get("kw_only", False)
        fields[name] = f
        own.append(f)
    for f in own:
        if isinstance(getattr(c, f.name, None), dataclasses.Field):
            if f.default is dataclasses.MISSING:
                delattr(c, f.name)
            else:
                setattr(c, f.name, f.default)
    globals_ = vars(sys.modules[c.__module__])
    for step in recipe:
        if step[0] == "params":
            setattr(c, "__dataclass_params__", dataclasses._DataclassParams(*step[1]))
        elif step[0] == "fields":
            setattr(c, "__dataclass_fields__", fields)
        elif step[0] == "value":
            setattr(c, step[1], step[2])
        else:
            _, name, source, refs, wrapped, qualname = step
            namespace: dict = {}
            builtins.exec(known[source], globals_, namespace)
            used.add(source)
            fn = namespace["__create_fn__"](**{local: _value(ref, c, fields) for local, ref in refs})
            if wrapped:
                fn = dataclasses._recursive_repr(fn)
            if qualname:
                fn.__qualname__ = f"{c.__qualname__}.{fn.__name__}"
            setattr(c, name, fn)
    add_slots = dataclasses._add_slots
    extra = (options.get("weakref_slot", False),) if add_slots.__code__.co_argcount > 2 else ()
    built = add_slots(c, options.get("frozen", False), *extra)
    abc.update_abstractmethods(built)
    return built


def _value(ref: tuple, c, fields: dict):
    if ref[0] == "type":
        return fields[ref[1]].type
    if ref[0] == "default":
        f = fields[ref[1]]
        return f.default if f.default_factory is dataclasses.MISSING else f.default_factory
    return c if ref[0] == "class" else _CONSTANTS[ref[1]]  # KeyError: not followed (_build)


def _twin(c, body: dict):
    """A new class from the body ``c`` had before the decorator changed it."""
    twin = type(c)(c.__name__, c.__bases__, {k: v for k, v in body.items() if k not in ("__dict__", "__weakref__")})
    twin.__qualname__ = c.__qualname__
    return twin


def _checked(built, c, body: dict, options: dict, recipe: tuple, known: dict) -> bool:
    """Whether following ``recipe`` on a copy of the body makes ``built`` again: every
    attribute compared (:func:`_same`), the body and the class standing for their copies."""
    try:
        import marshal

        marshal.dumps(recipe)
        twin = _twin(c, body)
        again = _follow(twin, options, recipe, known, set())
    except Exception:  # noqa: BLE001 - no recipe for this class
        return False
    pairs = {id(c): twin, id(built): again}
    return (type(again) is type(built) and again.__qualname__ == built.__qualname__ and again.__bases__ == built.__bases__
            and _same(built.__dict__, again.__dict__, pairs))


def _same(a, b, pairs: dict) -> bool:
    """``b`` is what ``a`` is, with the objects in ``pairs`` standing for one another."""
    if id(a) in pairs:
        return pairs[id(a)] is b
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, (str, bytes, int, float, frozenset, set)):
        return a == b
    if isinstance(a, (dict, type(vars(type)))):
        return list(a) == list(b) and all(_same(a[k], b[k], pairs) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y, pairs) for x, y in zip(a, b))
    if isinstance(a, FunctionType):
        try:
            cells = all(_same(x.cell_contents, y.cell_contents, pairs) for x, y in zip(a.__closure__ or (), b.__closure__ or ()))
        except ValueError:  # an empty cell
            return False
        return (cells and a.__code__ == b.__code__ and a.__globals__ is b.__globals__
                and len(a.__closure__ or ()) == len(b.__closure__ or ())
                and all(_same(getattr(a, n), getattr(b, n), pairs)
                        for n in ("__name__", "__qualname__", "__module__", "__doc__", "__defaults__", "__kwdefaults__",
                                  "__annotations__", "__dict__")))
    if isinstance(a, (MemberDescriptorType, GetSetDescriptorType)):  # a slot; Python 3.10 keeps the body's __weakref__
        return a.__name__ == b.__name__ and _same(a.__objclass__, b.__objclass__, pairs)
    if isinstance(a, (dataclasses.Field, dataclasses._DataclassParams)):
        return all(_same(getattr(a, s), getattr(b, s), pairs) for s in type(a).__slots__)
    return False
