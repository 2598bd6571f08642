"""The contract validator: jsonschema-rs (used at run time) and jsonschema (the reference
and fallback) must give the same verdict on valid contracts and on broken ones."""

from __future__ import annotations

import copy
import json

import pytest

from convex_ssot.validate import backend, validate
from ssot_testlib import GOLDEN_DIR

BACKENDS = ["jsonschema-rs", "jsonschema"]


def _golden(name: str) -> dict:
    file = {"db": "schema.json", "functions": "functions.json"}[name]
    return json.loads((GOLDEN_DIR / "chat-app" / file).read_text(encoding="utf-8"))


def test_jsonschema_rs_is_the_run_time_backend() -> None:
    assert backend() == "jsonschema-rs"


@pytest.mark.parametrize("use", BACKENDS)
@pytest.mark.parametrize("name", ["db", "functions"])
def test_golden_contracts_are_valid(name, use) -> None:
    assert validate(name, _golden(name), use=use) == []


def _break_db(doc: dict, how: str) -> str:
    t = doc["tables"][0]
    if how == "missing-key":
        del t["columns"]
        return "$.tables[0]"
    if how == "wrong-type":
        t["columns"][2]["optional"] = "no"
        return "$.tables[0].columns[2].optional"
    if how == "bad-validator":
        t["columns"][2]["validator"] = {"type": "strang"}
        return "$.tables[0].columns[2].validator"
    if how == "bad-date":
        doc["updatedAt"] = "yesterday"
        return "$.updatedAt"
    if how == "extra-key":
        t["indexes"].append({"type": "index", "name": "x", "fields": ["a"], "staged": False, "surprise": 1})
        return f"$.tables[0].indexes[{len(t['indexes']) - 1}]"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["missing-key", "wrong-type", "bad-validator", "bad-date", "extra-key"])
def test_both_backends_reject_the_same_broken_db_contract(how) -> None:
    doc = copy.deepcopy(_golden("db"))
    where = _break_db(doc, how)
    verdicts = {use: validate("db", doc, use=use) for use in BACKENDS}
    for use, errors in verdicts.items():
        assert errors, f"{use} accepted a contract broken by {how}"
        assert any(e.startswith(where) for e in errors), (use, where, errors[:5])


def test_both_backends_reject_a_broken_function_entry() -> None:
    doc = copy.deepcopy(_golden("functions"))
    doc["functions"][0]["kind"] = "subscription"
    for use in BACKENDS:
        errors = validate("functions", doc, use=use)
        assert any(e.startswith("$.functions[0]") for e in errors), (use, errors[:5])
