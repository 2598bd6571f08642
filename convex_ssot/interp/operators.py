"""JavaScript operators over abstract values (:mod:`.values`), for the core and the
statement subset (:mod:`.statements`): truthiness, ``===``/``==``, arithmetic and string
``+``, comparisons, ``!``/``typeof``, ``&&``/``||``/``??``, and ``in`` over objects whose keys
are all known, and ``-``, ``*``, ``/``, ``%`` of numbers. An operand the tool cannot decide
makes the result unknown."""

from __future__ import annotations

import math

from ..parse import ast
from .values import ModelValue, VArr, VBigInt, VBool, VBuiltin, VCallable, VClass, VFunction, VNamespace, VNull, VNum, VObj, VStr, VUndefined, VUnknown, Value
from .. import regex_cache

__all__ = ["operator", "truthy", "own_keys", "property_key"]


def property_key(val: Value) -> str | None:
    """A property key from a value (ToPropertyKey for strings and whole numbers)."""
    if isinstance(val, VStr):
        return val.value
    if isinstance(val, VNum) and isinstance(val.value, (int, float)) and float(val.value).is_integer():
        return str(int(val.value))
    return None


_ARRAY_INDEX = regex_cache.compile(r"0|[1-9][0-9]*")
#: Properties every plain object inherits from ``Object.prototype`` (ECMA-262 §20.1.3 and
#: Annex B.2.2); ``key in obj`` for these is not decided.
_OBJECT_PROTOTYPE = frozenset(
    "constructor hasOwnProperty isPrototypeOf propertyIsEnumerable toLocaleString toString valueOf "
    "__proto__ __defineGetter__ __defineSetter__ __lookupGetter__ __lookupSetter__".split()
)


def own_keys(val: Value) -> list[str] | None:
    """The keys ``for…in`` visits on ``val``, in order, when they are all known: the own
    keys of a plain object with :attr:`~.values.VObj.keys_known` (OrdinaryOwnPropertyKeys,
    ECMA-262 §10.1.11.1: array indices ascending, then strings in creation order; an
    object literal's properties are all enumerable and ``Object.prototype`` has no
    enumerable ones). None otherwise, and for a literal with a ``__proto__`` key (which
    sets the prototype, whose keys ``for…in`` would also visit)."""
    if not isinstance(val, VObj) or not val.keys_known or val.spread_unknown or "__proto__" in val.entries:
        return None

    def is_index(k: str) -> bool:
        return _ARRAY_INDEX.fullmatch(k) is not None and int(k) < 2**32 - 1

    keys = list(val.entries)
    return sorted((k for k in keys if is_index(k)), key=int) + [k for k in keys if not is_index(k)]


def js_typeof(val: Value) -> str | None:
    """``typeof val`` (ECMA-262 §13.5.3) where the value's type is known; None otherwise."""
    if isinstance(val, VUnknown):
        return None
    if isinstance(val, ModelValue):
        return val.js_typeof()
    for types, name in _TYPEOF:
        if isinstance(val, types):
            return name
    return None


def absent_property(val: Value, prop: str) -> bool:
    """Whether reading ``val.prop`` gives ``undefined`` for sure: ``val`` is a plain object
    whose own keys are all known (:func:`own_keys`), ``prop`` is not one of them, and its
    prototype, ``Object.prototype`` (ECMA-262 §10.1.8 OrdinaryGet walks to it), has no
    property of that name either."""
    return type(val) is VObj and own_keys(val) is not None and prop not in val.entries and prop not in _OBJECT_PROTOTYPE


def _has_property(key: Value, obj: Value) -> Value:
    """``key in obj`` (ECMA-262 §13.10.1 HasProperty) where it is definite."""
    k = property_key(key)
    if isinstance(obj, ModelValue) and k is not None:
        has = obj.has_property(k)
        return VUnknown("binary expression") if has is None else VBool(has)
    if k is None or own_keys(obj) is None:
        return VUnknown("binary expression")
    assert isinstance(obj, VObj)
    if k in obj.entries:
        return VBool(True)
    if k in _OBJECT_PROTOTYPE:
        return VUnknown("binary expression")
    return VBool(False)


# ---------------------------------------------------------------- operators


def truthy(val: Value) -> bool | None:
    """ToBoolean (ECMA-262 §7.1.2) of an abstract value; None when it is not known."""
    if isinstance(val, VBool):
        return val.value
    if isinstance(val, (VNull, VUndefined)):
        return False
    if isinstance(val, VNum):
        return not (val.value == 0 or (isinstance(val.value, float) and math.isnan(val.value)))
    if isinstance(val, VBigInt):
        return val.value != 0
    if isinstance(val, VStr):
        return val.value != ""
    if isinstance(val, VUnknown):
        return None
    return True  # objects, arrays, functions, validators, tables…


_PRIMITIVES = (VStr, VNum, VBool, VBigInt)
#: Values that are objects in JavaScript (never null or undefined; VInstance is a VObj).
_OBJECTS = (VObj, VArr, VFunction, VClass, VNamespace, VBuiltin, VCallable)
#: ``typeof`` of the core's own values (VBuiltin left out: a package export may be either).
_TYPEOF = (
    ((VStr,), "string"), ((VNum,), "number"), ((VBool,), "boolean"), ((VBigInt,), "bigint"),
    ((VUndefined,), "undefined"), ((VNull,), "object"), ((VFunction, VClass, VCallable), "function"),
    ((VObj, VArr, VNamespace), "object"),
)


def _strict_equal(a: Value, b: Value) -> bool | None:
    """IsStrictlyEqual (§7.2.16) where both values are known primitives, or one is null or
    undefined and the other known; None otherwise (objects compare by identity, which an
    abstract value does not always keep)."""
    if isinstance(a, VUnknown) or isinstance(b, VUnknown):
        return None
    nullish = (VNull, VUndefined)
    if isinstance(a, nullish) or isinstance(b, nullish):
        if isinstance(a, nullish) and isinstance(b, nullish):
            return type(a) is type(b)
        # a primitive or an object (never null or undefined) against null or undefined
        return False if isinstance(a, _PRIMITIVES + _OBJECTS) or isinstance(b, _PRIMITIVES + _OBJECTS) else None
    if isinstance(a, _PRIMITIVES) and isinstance(b, _PRIMITIVES):
        if type(a) is not type(b):
            return False
        return a.value == b.value  # NaN != NaN as in JavaScript
    return None


def _loose_equal(a: Value, b: Value) -> bool | None:
    """IsLooselyEqual (§7.2.15) for values of one type and for null/undefined only."""
    nullish = (VNull, VUndefined)
    if isinstance(a, nullish) and isinstance(b, nullish):
        return True
    if type(a) is type(b) or isinstance(a, nullish) or isinstance(b, nullish):
        return _strict_equal(a, b)
    return None


#: Binary operator precedence (ECMA-262 §13.6-13.13; higher binds tighter). ``**`` is
#: right-associative; ``??`` cannot be mixed with ``||``/``&&`` without parentheses.
_PRECEDENCE = {
    "??": 1, "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5,
    "==": 6, "!=": 6, "===": 6, "!==": 6,
    "<": 7, ">": 7, "<=": 7, ">=": 7, "in": 7, "instanceof": 7,
    "<<": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10, "**": 11,
}


def _regroup(node: ast.Opaque):
    """The grammar reads a chain of binary operators flat and left-associative
    (``a === 1 || b`` as ``(a === 1) || b`` but also ``a || b === 1`` as ``(a || b) === 1``);
    return the chain as a tree ``(op, left, right)`` grouped by JavaScript's precedence
    (leaves are AST nodes; parenthesised operands are leaves already), or None."""
    operands: list = []
    ops: list[str] = []
    cur: ast.Node = node
    while isinstance(cur, ast.Opaque) and cur.what == "binary":
        if not cur.parts:
            return None
        op, left, right = cur.parts
        ops.append(op)
        operands.append(right)
        cur = left
    operands.append(cur)
    operands.reverse()
    ops.reverse()
    if any(op not in _PRECEDENCE for op in ops):
        return None
    pos = 0

    def climb(min_prec: int):
        nonlocal pos
        left = operands[pos]
        while pos < len(ops) and _PRECEDENCE[ops[pos]] >= min_prec:
            op = ops[pos]
            prec = _PRECEDENCE[op]
            pos += 1
            right = climb(prec if op == "**" else prec + 1)
            left = (op, left, right)
        return left

    tree = climb(0)
    return tree


def operator(ev, mod, node: ast.Opaque) -> Value:
    """Value of a ``binary``/``unary`` :class:`~..parse.ast.Opaque` that kept its operands:
    ``!``, ``&&``, ``||``, ``??`` (short-circuiting), ``===``, ``!==``, ``==``, ``!=``, ``<``,
    ``>``, ``<=``, ``>=`` on numbers, ``+`` on two strings or two numbers, ``-`` ``*`` ``/`` ``%`` on two numbers and ``in`` on an
    object whose keys are all known (:func:`own_keys`), with
    JavaScript's precedence (:func:`_regroup`). Anything else is unknown."""
    unknown = VUnknown(f"{node.what} expression")
    if node.what == "unary":
        if node.parts[0] == "void":  # ECMA-262 §13.5.2: the operand is evaluated, the value is undefined
            return VUndefined()
        if node.parts[0] == "typeof":
            t = js_typeof(ev.eval(mod, node.parts[1]))
            return unknown if t is None else VStr(t)
        if node.parts[0] != "!":
            return unknown
        b = truthy(ev.eval(mod, node.parts[1]))
        return unknown if b is None else VBool(not b)
    tree = _regroup(node)
    if tree is None:
        return unknown
    out = _binary(ev, mod, tree)
    return unknown if isinstance(out, VUnknown) else out


def _arithmetic(op: str, lv: Value, rv: Value) -> Value:
    """``-``, ``*``, ``/``, ``%`` of two numbers (ECMA-262 §6.1.6.1 Number::subtract …:
    IEEE 754 doubles; ``%`` takes the dividend's sign, like C's fmod). Whole results of
    whole operands stay whole (``4 / 2`` is the literal 2)."""
    if not (isinstance(lv, VNum) and isinstance(rv, VNum)):
        return VUnknown("binary expression")
    x, y = lv.value, rv.value
    if op == "-":
        return VNum(x - y)
    if op == "*":
        return VNum(x * y)
    if y == 0:
        if op == "%" or x == 0 or math.isnan(x):
            return VNum(float("nan"))
        return VNum(math.copysign(float("inf"), x) * math.copysign(1.0, y))
    if op == "%":
        r = math.fmod(x, y)
        return VNum(int(r) if isinstance(x, int) and isinstance(y, int) else r)
    q = x / y
    return VNum(int(q) if isinstance(x, int) and isinstance(y, int) and x % y == 0 else q)


def _binary(ev, mod, tree) -> Value:
    if not isinstance(tree, tuple):
        return ev.eval(mod, tree)
    op, left, right = tree
    lv = _binary(ev, mod, left)
    if op in ("&&", "||"):
        b = truthy(lv)
        if b is None:
            return VUnknown("binary expression")
        return _binary(ev, mod, right) if b == (op == "&&") else lv
    if op == "??":
        if isinstance(lv, VUnknown):
            return lv
        return _binary(ev, mod, right) if isinstance(lv, (VNull, VUndefined)) else lv
    if op not in ("===", "!==", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "in"):
        return VUnknown("binary expression")
    rv = _binary(ev, mod, right)
    if op in ("-", "*", "/", "%"):
        return _arithmetic(op, lv, rv)
    if op == "in":
        return _has_property(lv, rv)
    if op == "+":  # string concatenation and number addition only (no ToString of numbers)
        if isinstance(lv, VStr) and isinstance(rv, VStr):
            return VStr(lv.value + rv.value)
        if isinstance(lv, VNum) and isinstance(rv, VNum):
            return VNum(lv.value + rv.value)
        return VUnknown("binary expression")
    if op in ("<", ">", "<=", ">="):
        if not (isinstance(lv, VNum) and isinstance(rv, VNum)):
            return VUnknown("binary expression")
        x, y = lv.value, rv.value
        return VBool({"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op])
    eq = _strict_equal(lv, rv) if op in ("===", "!==") else _loose_equal(lv, rv)
    if eq is None:
        return VUnknown("binary expression")
    return VBool(eq if op in ("===", "==") else not eq)
