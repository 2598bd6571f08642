"""Unit tests of the drift model (:mod:`convex_ssot.drift`): changes and their lines."""

from __future__ import annotations

import copy

from convex_ssot.drift import MAX_DRIFT_LINES, cap_lines, diff_db, diff_functions, drift_lines


def col(name, type_="string", optional=False, nullable=False, raw=None, validator=None):
    return {
        "name": name,
        "type": type_,
        "optional": optional,
        "nullable": nullable,
        "list": type_.startswith("array<"),
        "rawValidator": raw or f"v.{type_}()",
        "validator": validator or {"type": type_},
    }


def table(name, cols, indexes=()):
    return {"name": name, "columns": cols, "relations": [], "indexes": list(indexes), "documentType": {"type": "object", "value": {}}}


def db_doc(*tables, **extra):
    return {"version": 2, "updatedAt": "1970-01-01T00:00:00.000Z", "tables": list(tables), "diagnostics": [], **extra}


def fn(fid, **over):
    base = {
        "functionId": fid,
        "exportName": fid.split(":")[1],
        "kind": "query",
        "constructor": "query",
        "resolvedConstructor": "query",
        "constructorChain": ["query"],
        "visibility": "public",
        "file": f"convex/{fid.split(':')[0]}.ts",
        "modulePath": fid.split(":")[0],
        "runtime": "convex",
        "argsValidator": None,
        "returnsValidator": None,
        "auth": {"kind": "not-detected"},
        "uses": {"dbRead": True, "dbWrite": False},
        "tablesRead": ["messages"],
        "tablesWritten": [],
    }
    return {**base, **over}


def fc_doc(*fns, **extra):
    return {"version": 1, "updatedAt": "1970-01-01T00:00:00.000Z", "source": {"kind": "convex-functions", "path": "convex/"}, "functions": list(fns), "diagnostics": [], **extra}


def lines_db(old, new):
    return drift_lines(diff_db(old, new))


def lines_fc(old, new):
    return drift_lines(diff_functions(old, new))


def test_identical_contracts_have_no_changes():
    d = db_doc(table("users", [col("name")]))
    assert diff_db(d, copy.deepcopy(d)) == []
    f = fc_doc(fn("a:b"))
    assert diff_functions(f, copy.deepcopy(f)) == []


def test_updated_at_is_ignored():
    d = db_doc(table("users", [col("name")]))
    assert diff_db(d, {**d, "updatedAt": "2030-01-01T00:00:00.000Z"}) == []


def test_tables_added_and_removed():
    old = db_doc(table("users", []), table("messages", []))
    new = db_doc(table("users", []), table("audits", []), table("events", []))
    assert lines_db(old, new) == ["DB tables changed: 2 -> 3", "DB tables added: audits, events", "DB tables removed: messages"]


def test_field_level_drift():
    old = db_doc(table("users", [col("name"), col("email", optional=True), col("age", "float64"), col("old")]))
    new = db_doc(table("users", [col("name", "array<string>"), col("email"), col("age", "float64", raw="v.number()"), col("nick")]))
    assert lines_db(old, new) == [
        "DB fields added: users.nick",
        "DB fields removed: users.old",
        "users.name: type string -> array<string>",
        "users.email: optional true -> false",
        "users.age: rawValidator v.float64() -> v.number()",
    ]


def test_validator_only_change():
    old = db_doc(table("t", [col("meta", "object", validator={"type": "object", "value": {}})]))
    new = db_doc(table("t", [col("meta", "object", validator={"type": "object", "value": {"a": {"fieldType": {"type": "string"}, "optional": False}}})]))
    assert lines_db(old, new) == ["t.meta: validator changed"]


def test_nullable_change():
    old = db_doc(table("t", [col("x", "union<string | null>", nullable=False)]))
    new = db_doc(table("t", [col("x", "union<string | null>", nullable=True)]))
    assert lines_db(old, new) == ["t.x: nullable false -> true"]


def test_index_drift():
    by_a = {"type": "index", "name": "by_a", "fields": ["a"], "staged": False}
    search = {"type": "search", "name": "s", "searchField": "body", "filterFields": [], "staged": False}
    old = db_doc(table("t", [col("a")], [by_a, search]))
    new = db_doc(table("t", [col("a")], [{**by_a, "fields": ["a", "b"], "staged": True}, {"type": "index", "name": "by_b", "fields": ["b"], "staged": False}]))
    assert lines_db(old, new) == [
        "DB indexes added: t.by_b",
        "DB indexes removed: t.s",
        "t.by_a (index): fields [a] -> [a, b]",
        "t.by_a (index): staged false -> true",
    ]


def test_order_changes_and_other_keys():
    old = db_doc(table("t", [col("a"), col("b")]))
    new = db_doc(table("t", [col("b"), col("a")]))
    assert lines_db(old, new) == ["t: field order changed"]
    old = db_doc(table("a", []), table("b", []))
    new = db_doc(table("b", []), table("a", []))
    assert lines_db(old, new) == ["DB: table order changed"]
    t2 = table("t", [])
    t2["origin"] = "@convex-dev/auth@0.0.90"
    assert lines_db(db_doc(table("t", [])), db_doc(t2)) == ["t: changed (origin)"]


def test_top_level_drift():
    old = db_doc(schemaOptions={"schemaValidation": True, "strictTableNameTypes": True})
    new = db_doc(schemaOptions={"schemaValidation": False, "strictTableNameTypes": True})
    new["diagnostics"] = [{"file": "convex/schema.ts", "line": 1, "column": 1, "code": "CSX200", "severity": "warning", "message": "m"}]
    # in the key order of the derived contract
    assert lines_db(old, new) == ["DB: diagnostics 0 -> 1", "DB: schemaOptions.schemaValidation true -> false"]
    no_diag = {k: v for k, v in fc_doc().items() if k != "diagnostics"}
    assert lines_fc(no_diag, fc_doc()) == ["Functions: diagnostics added"]


def test_functions_added_removed_and_properties():
    old = fc_doc(fn("messages:list"), fn("messages:old"), fn("users:me"))
    new = fc_doc(
        fn("messages:list", kind="mutation", resolvedConstructor="mutation", constructor="mutation", constructorChain=["mutation"], tablesWritten=["messages"]),
        fn("messages:latest"),
        fn("messages:new"),
        fn("users:me", visibility="internal", auth={"kind": "internal-only"}, argsValidator={"raw": "{}"}, uses={"dbRead": True, "dbWrite": True}),
    )
    assert lines_fc(old, new) == [
        "Convex functions changed: 3 -> 4",
        "Functions added: messages:latest, messages:new",
        "Functions removed: messages:old",
        "messages:list: kind query -> mutation",
        "messages:list: tablesWritten [] -> [messages]",
        "messages:list: constructor query -> mutation",
        "messages:list: resolvedConstructor query -> mutation",
        "messages:list: constructorChain [query] -> [mutation]",
        "users:me: visibility public -> internal",
        "users:me: auth.kind not-detected -> internal-only",
        "users:me: argsValidator changed",
        "users:me: uses.dbWrite false -> true",
    ]


def test_structured_changes_are_json_ready():
    import json

    old = fc_doc(fn("a:b"))
    new = fc_doc(fn("a:b", tablesRead=["x", "y"]))
    changes = diff_functions(old, new)
    assert changes == [{"kind": "property", "subject": "a:b", "property": "tablesRead", "before": ["messages"], "after": ["x", "y"]}]
    json.dumps(changes)


def test_robust_against_malformed_on_disk_contracts():
    old = {"tables": [None, 3, {"name": 5}, {"name": "t"}], "functions": "nope"}
    new = db_doc(table("t", [col("a")]))
    assert "DB fields added: t.a" in lines_db(old, new)
    assert lines_fc({"functions": [1, {"functionId": "a:b"}]}, fc_doc(fn("a:b")))  # no exception


def test_cap_lines():
    lines = [f"l{i}" for i in range(30)]
    capped = cap_lines(lines)
    assert len(capped) == MAX_DRIFT_LINES and capped[-1] == "… and 11 more"
    assert cap_lines(lines[:MAX_DRIFT_LINES]) == lines[:MAX_DRIFT_LINES]


def test_long_name_lists_are_capped_in_the_line():
    old = fc_doc()
    new = fc_doc(*(fn(f"m:f{i:02d}") for i in range(12)))
    assert lines_fc(old, new)[1] == "Functions added: m:f00, m:f01, m:f02, m:f03, m:f04, m:f05, m:f06, m:f07, m:f08, m:f09, … (+2 more)"
