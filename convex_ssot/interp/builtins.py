"""JavaScript's own built-ins over abstract values: array and string methods, the global
``Object``, ``Array`` and ``String``, template literals, and property keys. The core
(:mod:`.core`) hands member access and method calls of arrays and strings here, and looks
the globals up here when a module does not bind the name.

Every rule follows ECMA-262 (section numbers below). A callback or operand the tool cannot
evaluate makes the whole result :class:`~.values.VUnknown` (never a shorter array or a
partial object): ``v.union(...KINDS.map(f))`` is either all members or ``v.any()``.
Nothing here mutates a value it did not create, so a module-level constant can never be
changed by a call the tool evaluates (``push``, ``sort`` and friends are not modelled).
"""

from __future__ import annotations

import math
from collections import ChainMap

from ..parse import ast
from .operators import own_keys, property_key, truthy
from .values import (
    ModelValue,
    VArr,
    VBigInt,
    VBool,
    VBuiltin,
    VFunction,
    VMethod,
    VNull,
    VNum,
    VObj,
    VStr,
    VUndefined,
    VUnknown,
    Value,
    js_key_order,
)

__all__ = ["GLOBALS", "global_value", "bind_param", "array_member", "string_member", "call_method", "to_string", "entry_key"]

#: Array methods evaluated (ECMA-262 §23.1.3); all return new values.
ARRAY_METHODS = frozenset(
    "map filter flatMap flat reduce concat includes join some every find findIndex indexOf slice at".split()
)
#: String methods evaluated (ECMA-262 §22.1.3) with string arguments.
STRING_METHODS = frozenset(
    "toUpperCase toLowerCase trim trimStart trimEnd startsWith endsWith includes split slice concat replace replaceAll at charAt".split()
)
#: The globals of :func:`global_value`.
GLOBALS = frozenset({"Object", "Array", "String"})


def global_value(name: str) -> Value | None:
    """The value of a JavaScript global the module does not bind; None for other names."""
    return _JSGlobal(name) if name in GLOBALS else None


# ---------------------------------------------------------------- conversions


def to_string(val: Value) -> str | None:
    """ToString (ECMA-262 §7.1.17) of a primitive; None for anything else or a number
    whose JavaScript spelling Python does not give (exponent forms)."""
    if isinstance(val, VStr):
        return val.value
    if isinstance(val, VBool):
        return "true" if val.value else "false"
    if isinstance(val, VNull):
        return "null"
    if isinstance(val, VUndefined):
        return "undefined"
    if isinstance(val, VBigInt):
        return str(val.value)
    if isinstance(val, VNum):
        x = val.value
        if isinstance(x, float):
            if math.isnan(x):
                return "NaN"
            if math.isinf(x):
                return "Infinity" if x > 0 else "-Infinity"
            if x.is_integer() and abs(x) < 1e21:
                return str(int(x))
            text = repr(x)
            return None if "e" in text else text
        return str(x)
    return None


def entry_key(val: Value) -> str | None:
    """ToPropertyKey (§7.1.19) of a primitive (a computed key, an ``Object.fromEntries`` key)."""
    if isinstance(val, VStr):
        return val.value
    k = property_key(val)
    return k if k is not None else (to_string(val) if isinstance(val, (VBool, VNull, VUndefined, VNum, VBigInt)) else None)


def _same_value_zero(a: Value, b: Value) -> bool | None:
    """SameValueZero (§7.2.11) where it is decidable: primitives compare by value; a known
    non-primitive never equals a primitive; two non-primitives are not decided."""
    prims = (VStr, VNum, VBool, VBigInt, VNull, VUndefined)
    if isinstance(a, VUnknown) or isinstance(b, VUnknown):
        return None
    if isinstance(a, prims) and isinstance(b, prims):
        if type(a) is not type(b):
            return False
        if isinstance(a, (VNull, VUndefined)):
            return True
        if isinstance(a, VNum) and math.isnan(a.value) and math.isnan(b.value):  # type: ignore[union-attr]
            return True
        return a.value == b.value  # type: ignore[union-attr]
    if isinstance(a, prims) or isinstance(b, prims):
        return False
    return None


def bind_param(ev, fn, param: ast.Node, arg: Value, frame: dict) -> bool:
    """Bind a parameter of the project function ``fn`` that is not a plain name: a name
    with a default (``x = d``, ``x: T = d``; ECMA-262 §10.2.11: ``d`` is evaluated, over
    the parameters bound so far, only when the argument is undefined), or an array pattern
    of names and holes (``([key, value]) => ...``) over a resolved array. False for any
    other parameter form or when ``arg`` does not fit."""
    if isinstance(param, ast.Opaque) and param.parts:
        if param.what == "assignment" and param.parts[0] == "=":
            target, default = param.parts[1], param.parts[2]
        elif param.what == "param-default":
            target, default = param.parts
        else:
            return False
        if not isinstance(target, ast.Ident):
            return False
        if isinstance(arg, VUndefined):
            ev.scopes.append(ChainMap(frame, fn.env) if fn.env else ChainMap(frame))
            try:
                arg = ev.eval(fn.module, default)
            finally:
                ev.scopes.pop()
        frame[target.name] = arg
        return True
    if not isinstance(param, ast.Arr) or not isinstance(arg, VArr):
        return False
    if not all(it is None or isinstance(it, ast.Ident) for it in param.items):
        return False
    for i, it in enumerate(param.items):
        if it is not None:
            frame[it.name] = array_member(arg, str(i))
    return True


# ---------------------------------------------------------------- member access


def array_member(arr: VArr, prop: str) -> Value:
    """``arr.prop``: ``length``, an index (``arr[0]``, also the element an array pattern
    ``const [a, b] = arr`` binds: undefined past the end), ``...i`` (what the rest element
    of ``const [a, ...r] = arr`` binds: the elements from index i), or a method."""
    if prop == "length":
        return VNum(len(arr.items))
    if prop.isdigit() and (prop == "0" or prop[0] != "0"):
        i = int(prop)
        return arr.items[i] if i < len(arr.items) else VUndefined()
    if prop.startswith("...") and prop[3:].isdigit():  # the rest element of an array pattern
        return VArr(arr.items[int(prop[3:]) :])
    if prop in ARRAY_METHODS:
        return VMethod(arr, prop)
    return VUnknown(f"array property `{prop}` is not modelled")


def string_member(s: VStr, prop: str) -> Value:
    """``s.prop``: ``length`` (UTF-16 code units), an index, or a method."""
    if prop == "length":
        return VNum(len(s.value.encode("utf-16-le")) // 2)
    if prop.isdigit() and s.value.isascii():
        i = int(prop)
        return VStr(s.value[i]) if i < len(s.value) else VUndefined()
    if prop in STRING_METHODS:
        return VMethod(s, prop)
    return VUnknown(f"string property `{prop}` is not modelled")


def call_method(ev, mod, target: Value, name: str, args: list[ast.Node]) -> Value:
    """``target.name(...args)`` for an array or string ``target``."""
    vals = _arg_values(ev, mod, args)
    if isinstance(vals, VUnknown):
        return vals
    if isinstance(target, VArr):
        return _array_method(ev, mod, target, name, vals)
    if isinstance(target, VStr):
        return _string_method(target.value, name, vals)
    return VUnknown(f".{name}() not modelled here")


def _arg_values(ev, mod, args: list[ast.Node]) -> list[Value] | VUnknown:
    out: list[Value] = []
    for a in args:
        if isinstance(a, ast.Spread):
            inner = ev.eval(mod, a.expr)
            if not isinstance(inner, VArr):
                return VUnknown("a spread argument the tool does not resolve")
            out.extend(inner.items)
        else:
            out.append(ev.eval(mod, a))
    return out


def _callback(ev, fn: Value, name: str, values: list[Value]) -> Value:
    """Call the callback of ``.name()`` with ``values``: a project function, or a library
    function its package model applies (``KINDS.map(v.literal)``: first argument only, as
    the models' ``apply`` defines)."""
    if isinstance(fn, VFunction):
        res = ev.call_function(fn, values)
    elif isinstance(fn, VBuiltin):
        res = ev.packages.apply(ev, fn.name, values[:1])
        if res is None:
            return VUnknown(f".{name}() with a callback the tool does not model")
    else:
        return VUnknown(f".{name}() with a callback the tool does not model")
    if isinstance(res, VUnknown):
        return VUnknown(f".{name}() callback not evaluated ({res.reason})")
    return res


def _array_method(ev, mod, arr: VArr, name: str, args: list[Value]) -> Value:
    items = list(arr.items)
    fn = args[0] if args else VUndefined()
    if name in ("map", "filter", "flatMap", "some", "every", "find", "findIndex"):
        out: list[Value] = []
        for i, item in enumerate(items):
            res = _callback(ev, fn, name, [item, VNum(i), arr])
            if isinstance(res, VUnknown):
                return res
            if name == "map":
                out.append(res)
                continue
            if name == "flatMap":
                out.extend(res.items if isinstance(res, VArr) else [res])
                continue
            b = truthy(res)
            if b is None:
                return VUnknown(f".{name}(): callback result not decided")
            if name == "filter":
                if b:
                    out.append(item)
            elif name == "some" and b:
                return VBool(True)
            elif name == "every" and not b:
                return VBool(False)
            elif name == "find" and b:
                return item
            elif name == "findIndex" and b:
                return VNum(i)
        return {"map": VArr(out), "filter": VArr(out), "flatMap": VArr(out), "some": VBool(False),
                "every": VBool(True), "find": VUndefined(), "findIndex": VNum(-1)}[name]
    if name == "reduce":
        if len(args) >= 2:
            acc, start = args[1], 0
        elif items:
            acc, start = items[0], 1
        else:
            return VUnknown(".reduce() of an empty array without an initial value throws")
        for i in range(start, len(items)):
            acc = _callback(ev, fn, name, [acc, items[i], VNum(i), arr])
            if isinstance(acc, VUnknown):
                return acc
        return acc
    if name == "concat":
        out = items
        for a in args:
            if isinstance(a, VUnknown):
                return VUnknown(f".concat() of a value the tool does not resolve ({a.reason})")
            out = out + (a.items if isinstance(a, VArr) else [a])
        return VArr(out)
    if name == "flat":
        depth = args[0].value if args and isinstance(args[0], VNum) else 1
        if args and not isinstance(args[0], (VNum, VUndefined)):
            return VUnknown(".flat() depth not resolved")
        return VArr(_flatten(items, depth))
    if name in ("includes", "indexOf"):
        for i, item in enumerate(items):
            same = _same_value_zero(item, fn)
            if same is None or (name == "indexOf" and isinstance(fn, VNum) and math.isnan(fn.value)):
                if same is None:
                    return VUnknown(f".{name}(): an element the tool cannot compare")
                continue
            if same:
                return VBool(True) if name == "includes" else VNum(i)
        return VBool(False) if name == "includes" else VNum(-1)
    if name == "join":
        sep = ","
        if args and not isinstance(args[0], VUndefined):
            if not isinstance(args[0], VStr):
                return VUnknown(".join() separator not resolved")
            sep = args[0].value
        parts = []
        for item in items:
            s = "" if isinstance(item, (VNull, VUndefined)) else to_string(item)
            if s is None:
                return VUnknown(".join() of an element the tool cannot convert to a string")
            parts.append(s)
        return VStr(sep.join(parts))
    if name in ("slice", "at"):
        idx = []
        for a in args[: 1 if name == "at" else 2]:
            if isinstance(a, VUndefined):
                idx.append(None)
            elif isinstance(a, VNum) and float(a.value).is_integer():
                idx.append(int(a.value))
            else:
                return VUnknown(f".{name}() index not resolved")
        if name == "at":
            i = idx[0] if idx and idx[0] is not None else 0
            i = i + len(items) if i < 0 else i
            return items[i] if 0 <= i < len(items) else VUndefined()
        return VArr(items[slice(*idx)] if idx else items)
    return VUnknown(f"array method .{name}() is not modelled")


def _flatten(items: list[Value], depth) -> list[Value]:
    out: list[Value] = []
    for it in items:
        if isinstance(it, VArr) and depth >= 1:
            out.extend(_flatten(it.items, depth - 1))
        else:
            out.append(it)
    return out


def _string_method(s: str, name: str, args: list[Value]) -> Value:
    if not all(isinstance(a, (VStr, VNum, VUndefined)) for a in args):
        return VUnknown(f"string method .{name}() with arguments the tool does not resolve")
    if not s.isascii() and name in ("slice", "at", "charAt"):
        return VUnknown(f".{name}() of a non-ASCII string (UTF-16 indices) is not modelled")
    a0 = args[0] if args else VUndefined()
    text = [a.value if isinstance(a, VStr) else None for a in args]
    if name in ("toUpperCase", "toLowerCase"):
        if not s.isascii():
            return VUnknown(f".{name}() of a non-ASCII string is not modelled")
        return VStr(s.upper() if name == "toUpperCase" else s.lower())
    if name in ("trim", "trimStart", "trimEnd"):
        ws = " \t\n\r\v\f\u00a0\ufeff\u2028\u2029"
        return VStr({"trim": s.strip, "trimStart": s.lstrip, "trimEnd": s.rstrip}[name](ws))
    if name in ("startsWith", "endsWith", "includes") and text and text[0] is not None and len(args) == 1:
        f = {"startsWith": s.startswith, "endsWith": s.endswith, "includes": s.__contains__}[name]
        return VBool(f(text[0]))
    if name == "split" and len(args) == 1 and text[0] is not None:
        if text[0] == "":
            return VArr([VStr(c) for c in s]) if s.isascii() else VUnknown(".split('') of a non-ASCII string")
        return VArr([VStr(p) for p in s.split(text[0])])
    if name == "concat":
        parts = [to_string(a) for a in args]
        if any(p is None for p in parts):
            return VUnknown(".concat() argument not resolved")
        return VStr(s + "".join(parts))  # type: ignore[arg-type]
    if name in ("replace", "replaceAll") and len(args) == 2 and text[0] is not None and text[1] is not None:
        if "$" in text[1]:
            return VUnknown(f".{name}() with a `$` replacement pattern is not modelled")
        return VStr(s.replace(text[0], text[1], 1 if name == "replace" else -1))
    if name in ("slice", "at", "charAt"):
        nums = [int(a.value) if isinstance(a, VNum) and float(a.value).is_integer() else None for a in args]
        if any(n is None for n, a in zip(nums, args) if not isinstance(a, VUndefined)):
            return VUnknown(f".{name}() index not resolved")
        if name == "slice":
            return VStr(s[slice(*nums[:2])])
        i = nums[0] if nums and nums[0] is not None else 0
        if name == "at" and i < 0:
            i += len(s)
        if 0 <= i < len(s):
            return VStr(s[i])
        return VUndefined() if name == "at" else VStr("")
    del a0
    return VUnknown(f"string method .{name}() is not modelled with these arguments")


# ---------------------------------------------------------------- globals


class _JSGlobal(ModelValue):
    """``Object``, ``Array`` or ``String``: their static functions as :class:`_JSFunction`."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def member(self, ev, mod, prop: str, node) -> Value:
        fname = f"{self.name}.{prop}"
        if fname in _STATIC:
            return _JSFunction(fname)
        return VUnknown(f"`{fname}` is not modelled")

    def call(self, ev, mod, node: ast.Call) -> Value:
        if self.name != "String":
            return VUnknown(f"`{self.name}(...)` is not modelled")
        vals = _arg_values(ev, mod, node.args)
        if isinstance(vals, VUnknown):
            return vals
        s = to_string(vals[0]) if vals else ""
        return VStr(s) if s is not None else VUnknown("String() of a value the tool cannot convert")


class _JSFunction(ModelValue):
    """A static function of a global (``Object.keys``); a call evaluates its arguments."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def call(self, ev, mod, node: ast.Call) -> Value:
        if self.name == "Object.assign":
            return _object_assign(ev, mod, node.args)
        vals = _arg_values(ev, mod, node.args)
        if isinstance(vals, VUnknown):
            return vals
        return _STATIC[self.name](ev, vals)


def _keys(val: Value, what: str) -> list[str] | VUnknown:
    """EnumerableOwnProperties (§7.3.23) keys of a plain object with all keys known, or of
    an array (its indices)."""
    if isinstance(val, VArr):
        return [str(i) for i in range(len(val.items))]
    keys = own_keys(val)
    if keys is None:
        reason = val.reason if isinstance(val, VUnknown) else "an object whose keys are not all known"
        return VUnknown(f"{what}() of {reason}")
    return keys


def _object_keys(ev, args: list[Value]) -> Value:
    val = args[0] if args else VUndefined()
    keys = _keys(val, "Object.keys")
    return keys if isinstance(keys, VUnknown) else VArr([VStr(k) for k in keys])


def _object_values(ev, args: list[Value]) -> Value:
    val = args[0] if args else VUndefined()
    keys = _keys(val, "Object.values")
    if isinstance(keys, VUnknown):
        return keys
    return VArr([_own(val, k) for k in keys])


def _object_entries(ev, args: list[Value]) -> Value:
    val = args[0] if args else VUndefined()
    keys = _keys(val, "Object.entries")
    if isinstance(keys, VUnknown):
        return keys
    return VArr([VArr([VStr(k), _own(val, k)]) for k in keys])


def _own(val: Value, key: str) -> Value:
    return val.items[int(key)] if isinstance(val, VArr) else val.entries[key]  # type: ignore[union-attr]


def _object_from_entries(ev, args: list[Value]) -> Value:
    """Object.fromEntries (§20.1.2.7) of a known array of ``[key, value]`` pairs: a plain
    object whose keys are all known (later keys win, keeping the first position)."""
    val = args[0] if args else VUndefined()
    if not isinstance(val, VArr):
        return VUnknown(f"Object.fromEntries() of {val.reason if isinstance(val, VUnknown) else 'a value that is not an array'}")
    entries: dict[str, Value] = {}
    for pair in val.items:
        if not isinstance(pair, VArr) or not pair.items:
            return VUnknown("Object.fromEntries(): an entry that is not a resolved [key, value] pair")
        k = entry_key(pair.items[0])
        if k is None:
            return VUnknown("Object.fromEntries(): a key the tool does not resolve")
        entries[k] = pair.items[1] if len(pair.items) > 1 else VUndefined()
    return VObj({k: entries[k] for k in js_key_order(entries)}, keys_known=True)


def _object_assign(ev, mod, arg_nodes: list[ast.Node]) -> Value:
    """Object.assign (§20.1.2.1) onto an object literal written in the call (a new object:
    nothing the module holds is changed); sources must be objects with all keys known."""
    if not arg_nodes or not isinstance(arg_nodes[0], ast.Obj):
        return VUnknown("Object.assign() onto an existing object is not modelled (only onto a literal such as `{}`)")
    vals = _arg_values(ev, mod, arg_nodes)
    if isinstance(vals, VUnknown):
        return vals
    target = vals[0]
    if not isinstance(target, VObj) or own_keys(target) is None:
        return VUnknown("Object.assign(): target not resolved")
    entries = dict(target.entries)
    for src in vals[1:]:
        if isinstance(src, (VNull, VUndefined)):
            continue
        keys = own_keys(src)
        if keys is None:
            return VUnknown("Object.assign(): a source whose keys are not all known")
        for k in keys:
            entries[k] = src.entries[k]  # type: ignore[union-attr]
    return VObj({k: entries[k] for k in js_key_order(entries)}, keys_known=True)


def _array_is_array(ev, args: list[Value]) -> Value:
    val = args[0] if args else VUndefined()
    if isinstance(val, VArr):
        return VBool(True)
    if isinstance(val, (VStr, VNum, VBool, VNull, VUndefined, VBigInt, VObj)):
        return VBool(False)
    return VUnknown("Array.isArray() of a value the tool does not resolve")


def _array_from(ev, args: list[Value]) -> Value:
    val = args[0] if args else VUndefined()
    if not isinstance(val, VArr):
        return VUnknown("Array.from() of a value that is not a resolved array")
    if len(args) < 2 or isinstance(args[1], VUndefined):
        return VArr(list(val.items))
    return _array_method(ev, None, val, "map", [args[1]])


def _array_of(ev, args: list[Value]) -> Value:
    return VArr(list(args))


_STATIC = {
    "Object.keys": _object_keys,
    "Object.values": _object_values,
    "Object.entries": _object_entries,
    "Object.fromEntries": _object_from_entries,
    "Object.assign": None,
    "Array.isArray": _array_is_array,
    "Array.from": _array_from,
    "Array.of": _array_of,
}
