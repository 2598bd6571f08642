"""``Validator.with_raw`` / ``as_optional`` build their copies positionally (speed): they
must equal ``dataclasses.replace`` for a validator with every field set, so a field added
to the class without updating them fails here."""

from __future__ import annotations

import dataclasses

from convex_ssot import ir


def _full() -> ir.Validator:
    s = ir.Validator("string")
    values = {
        "kind": "object",
        "optional": False,
        "table": "users",
        "literal": ir.LiteralValue("string", "a"),
        "element": s,
        "fields": (ir.ObjectField("a", s),),
        "key": s,
        "value": ir.Validator("number"),
        "members": (s, ir.Validator("null")),
        "raw": "v.object({ a: v.string() })",
    }
    assert set(values) == {f.name for f in dataclasses.fields(ir.Validator)}, "a Validator field is missing here"
    return ir.Validator(**values)


def test_with_raw_equals_replace() -> None:
    v = _full()
    assert v.with_raw("x") == dataclasses.replace(v, raw="x")


def test_as_optional_equals_replace() -> None:
    v = _full()
    assert v.as_optional(True) == dataclasses.replace(v, optional=True)
    assert v.as_optional(False) is v
