"""Cron jobs: ``cronJobs()`` and its ``interval``/``hourly``/``daily``/``weekly``/``monthly``/
``cron``/``schedule`` methods, exactly as ``Crons`` of convex 1.48 ``src/server/cron.ts``.

* ``interval(id, {seconds}|{minutes}|{hours}, ref, args?)``: exactly one unit, a positive
  integer; stored as ``{...schedule, type: "interval"}``.
* ``hourly(id, ref, args?)`` (no schedule: the second argument is a function reference) or
  ``hourly(id, {minuteUTC?}, ref, args?)``; ``daily`` ``{hourUTC, minuteUTC?}``;
  ``weekly`` ``{dayOfWeek, hourUTC, minuteUTC?}``; ``monthly`` ``{day, hourUTC,
  minuteUTC?}``: hour 0–23, minute 0–59, day 1–31, ``dayOfWeek`` ``"sunday"``…``"saturday"``
  (``Number.isInteger``); the stored schedule keeps only those keys (``minuteUTC`` only
  when given).
* ``cron(id, "<cron string>", ref, args?)``: the string is not validated by the SDK.
* ``schedule(id, schedule, ref, args?)``: the identifier must match ``/^[ -~]*$/`` and be
  new; ``args`` must be a plain object (``parseArgs``) and is stored as
  ``convexToJson(args)``; the reference goes through ``getFunctionName``.

Each throw becomes an error diagnostic (CSX510) with Convex's message and the job is not
listed; a job whose identifier, schedule or arguments the evaluator cannot resolve is
reported (CSX511) and left out.
"""

from __future__ import annotations

import math
from dataclasses import field
from ...dataclass_cache import dataclass

from ... import ir
from ...interp.values import VArr, VBigInt, VBool, VCallable, VNull, VNum, VObj, VStr, VUndefined, VUnknown, Value
from .values import SurfaceValue, VFunctionRef, ref_of
from ... import regex_cache

__all__ = ["VCrons", "CronEntry", "member", "DAYS_OF_WEEK", "convex_json_value", "function_ref"]

DAYS_OF_WEEK = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_METHODS = ("interval", "hourly", "daily", "weekly", "monthly", "cron", "schedule")
_IDENT = regex_cache.compile(r"^[ -~]*$")


class _Throw(Exception):
    pass


class _Unresolved(Exception):
    pass


@dataclass(slots=True)
class CronEntry:
    """A job as ``Crons.schedule`` stored it."""

    name: str
    schedule: dict
    ref: ir.FunctionRef
    args: object
    module: object
    offset: int


@dataclass(slots=True, eq=False)
class VCrons(SurfaceValue):
    """``cronJobs()``: ``jobs`` by identifier in registration order (``Crons.crons``)."""

    module: object
    offset: int
    jobs: dict[str, CronEntry] = field(default_factory=dict)

    def member(self, ev, mod, prop: str, node=None) -> Value:
        return member(self, prop)


def member(crons: VCrons, prop: str) -> Value:
    """Properties of ``Crons``: the schedule methods (modelled) and ``isCrons``."""
    if prop in _METHODS:
        return VCallable("crons." + prop, lambda ev, mod, args, node: _call(ev, mod, crons, prop, args, node))
    if prop == "isCrons":
        return VBool(True)
    return VUnknown(f"Crons.{prop} is not modelled")


def function_ref(ev, mod, node) -> ir.FunctionRef:
    """The function reference the expression ``node`` evaluates to (``getFunctionName``
    accepts a reference or a string name)."""
    return ref_of(ev.eval(mod, node), mod.raw(node.span))


def _is_ref(val: Value) -> bool:
    """``getFunctionAddress`` succeeds: a string, an ``api``/``internal`` reference or a
    component reference (cron.ts ``isSchedulableFunctionReference``)."""
    return isinstance(val, (VStr, VFunctionRef))


def _call(ev, mod, crons: VCrons, method: str, args: list, node) -> Value:
    off = node.span[0]
    vals = [ev.eval(mod, a) for a in args]
    try:
        ident = _str(vals, 0, "the cron identifier")
        if method == "hourly" and len(vals) > 1 and _is_ref(vals[1]):
            schedule: dict = {"type": "hourly"}
            ref_i, args_i = 1, 2
        else:
            sched = _obj(vals, 1, method) if method != "cron" else None
            ref_i, args_i = 2, 3
            if method == "cron":
                schedule = {"cron": _str(vals, 1, "the cron string"), "type": "cron"}
            elif method == "schedule":
                schedule = {k: _json(v) for k, v in sched.items() if not isinstance(v, VUndefined)}
            else:
                schedule = _schedule(method, sched)
        if len(args) <= ref_i:
            raise _Throw("undefined is not a functionReference")
        ref = function_ref(ev, mod, args[ref_i])
        if ref.visibility == "component":  # getFunctionName: only names of this component
            raise _Throw(f"Expected function reference in the current component like \"api.file.func\" or \"internal.file.func\", but received reference _reference/childComponent/{ref.target.split('.', 1)[1].replace('.', '/')}")
        fn_args = _parse_args(vals[args_i] if len(vals) > args_i else VUndefined())
        if not _IDENT.match(ident):
            raise _Throw(f"Invalid cron identifier {ident}: use ASCII letters that are not control characters")
        if ident in crons.jobs:
            raise _Throw(f"Cron identifier registered twice: {ident}")
    except _Throw as t:
        mod.diag(off, "CSX510", f"Convex rejects this cron job: {t} (convex src/server/cron.ts); the job is not listed", "error")
        return VUndefined()
    except _Unresolved as u:
        mod.diag(off, "CSX511", f"crons.{method}(...) not resolved ({u}); the job is missing from crons")
        return VUndefined()
    crons.jobs[ident] = CronEntry(ident, schedule, ref, fn_args, mod, off)
    return VUndefined()


def _str(vals: list, i: int, what: str) -> str:
    v = vals[i] if i < len(vals) else VUndefined()
    if isinstance(v, VStr):
        return v.value
    if isinstance(v, VUnknown):
        raise _Unresolved(f"{what}: {v.reason}")
    raise _Unresolved(f"{what} is not a string")


def _obj(vals: list, i: int, method: str) -> dict:
    v = vals[i] if i < len(vals) else VUndefined()
    if isinstance(v, VObj) and not v.spread_unknown:
        for k, x in v.entries.items():
            if isinstance(x, VUnknown):
                raise _Unresolved(f"schedule `{k}`: {x.reason}")
        return v.entries
    if isinstance(v, VUnknown):
        raise _Unresolved(f"schedule: {v.reason}")
    raise _Unresolved(f"the schedule of crons.{method}(...) is not an object the tool resolves")


def _number(v: Value | None) -> float | int | None:
    return v.value if isinstance(v, VNum) else None


def _is_integer(v: Value | None) -> bool:
    n = _number(v)
    return n is not None and not isinstance(n, bool) and math.isfinite(n) and float(n).is_integer()


def _num_json(n):
    if isinstance(n, float) and n.is_integer() and abs(n) < 2**53:
        return int(n)
    return n


def _schedule(method: str, s: dict) -> dict:
    if method == "interval":
        units = [u for u in ("seconds", "minutes", "hours") if u in s and not isinstance(s[u], VUndefined)]
        if len(units) != 1:
            raise _Throw("Must specify one of seconds, minutes, or hours")
        n = s[units[0]]
        if not _is_integer(n) or _number(n) <= 0:
            raise _Throw("Interval must be an integer greater than 0")
        out = {k: _json(v) for k, v in s.items() if not isinstance(v, VUndefined)}
        out["type"] = "interval"
        return out
    if method == "hourly":
        minute = _minute(s.get("minuteUTC", VUndefined()))
        return {"type": "hourly"} if minute is None else {"minuteUTC": minute, "type": "hourly"}
    out: dict = {}
    if method == "weekly":
        d = s.get("dayOfWeek")
        if not (isinstance(d, VStr) and d.value in DAYS_OF_WEEK):
            raise _Throw('Day of week must be a string like "monday".')
        out["dayOfWeek"] = d.value
    if method == "monthly":
        d = s.get("day")
        if not _is_integer(d) or not 1 <= _number(d) <= 31:
            raise _Throw("Day of month must be an integer from 1 to 31")
        out["day"] = _num_json(_number(d))
    h = s.get("hourUTC")
    if not _is_integer(h) or not 0 <= _number(h) <= 23:
        raise _Throw("Hour of day must be an integer from 0 to 23")
    out["hourUTC"] = _num_json(_number(h))
    minute = _minute(s.get("minuteUTC", VUndefined()))
    if minute is not None:
        out["minuteUTC"] = minute
    out["type"] = method
    return out


def _minute(v: Value):
    if isinstance(v, VUndefined):
        return None
    if not _is_integer(v) or not 0 <= _number(v) <= 59:
        raise _Throw("Minute of hour must be an integer from 0 to 59")
    return _num_json(_number(v))


def _json(v: Value):
    """``JSON.stringify`` of a plain value (the stored schedule)."""
    if isinstance(v, VStr):
        return v.value
    if isinstance(v, VNum):
        return _num_json(v.value) if math.isfinite(v.value) else None
    if isinstance(v, VBool):
        return v.value
    if isinstance(v, VNull):
        return None
    if isinstance(v, VArr):
        return [None if isinstance(x, VUndefined) else _json(x) for x in v.items]
    if isinstance(v, VObj) and not v.spread_unknown:
        return {k: _json(x) for k, x in v.entries.items() if not isinstance(x, VUndefined)}
    raise _Unresolved("a schedule value the tool does not resolve")


def _parse_args(v: Value):
    """``parseArgs`` then ``convexToJson`` (common/index.ts, values/value.ts)."""
    if isinstance(v, VUndefined):
        return {}
    if isinstance(v, VUnknown):
        raise _Unresolved(f"args: {v.reason}")
    if not isinstance(v, VObj):
        raise _Throw("The arguments to a Convex function must be an object.")
    return convex_json_value(v)


def convex_json_value(v: Value):
    """The Convex value ``v`` as ``convexToJson`` sees it, with numbers and bigints kept as
    :class:`~convex_ssot.ir.LiteralValue` (the emitter encodes ``$integer``/``$float``);
    object keys sorted as ``convexToJson`` sorts them, ``undefined`` entries dropped."""
    if isinstance(v, VStr):
        return v.value
    if isinstance(v, VBool):
        return v.value
    if isinstance(v, VNull):
        return None
    if isinstance(v, VNum):
        return ir.LiteralValue("number", v.value)
    if isinstance(v, VBigInt):
        if not -(2**63) <= v.value < 2**63:
            raise _Throw(f"BigInt {v.value} does not fit into a 64-bit signed integer.")
        return ir.LiteralValue("bigint", v.value)
    if isinstance(v, VArr):
        if any(isinstance(x, VUndefined) for x in v.items):
            raise _Throw("undefined is not a valid Convex value")
        return [convex_json_value(x) for x in v.items]
    if isinstance(v, VObj):
        if v.spread_unknown:
            raise _Unresolved("args: a spread the tool does not resolve")
        return {k: convex_json_value(x) for k, x in sorted(v.entries.items(), key=lambda kv: kv[0].encode("utf-16-be", "surrogatepass")) if not isinstance(x, VUndefined)}
    if isinstance(v, VUndefined):
        raise _Throw("undefined is not a valid Convex value")
    if isinstance(v, VUnknown):
        raise _Unresolved(f"args: {v.reason}")
    raise _Unresolved("args: a value that is not a plain Convex value")
