"""What generic project helpers (a ``crud`` computed from the schema) decide with:
``typeof`` (ECMA-262 §13.5.3), ``key in validator`` (convex values/validators.ts: ``fields``
only on ``VObject``, ``members`` only on ``VUnion``…), optional element access ``a?.[i]``,
``void 0`` and a ``TableDefinition``'s ``indexes`` (convex server/schema.ts:
``{indexDescriptor, fields}`` per database index). The same helper runs against the real
package in tests/conformance/fixtures/generic_crud."""

from __future__ import annotations

import pytest

IMPORTS = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'


def field_type(b, table: str, name: str) -> dict:
    return b.field(table, name)["fieldType"]


def lit(x) -> dict:
    return {"type": "literal", "value": x}


@pytest.mark.parametrize(("expr", "expected"), [
    ("typeof 1", "number"), ('typeof "s"', "string"), ("typeof true", "boolean"), ("typeof undefined", "undefined"),
    ("typeof null", "object"), ("typeof {}", "object"), ("typeof []", "object"), ("typeof (() => 1)", "function"),
    ("typeof v.string()", "object"), ("typeof void 0", "undefined"),
])
def test_typeof(convex_project, expr, expected) -> None:
    b = convex_project({"convex/schema.ts": IMPORTS + f"export default defineSchema({{ t: defineTable({{ f: v.literal({expr}) }}) }});\n"})
    assert field_type(b, "t", "f") == lit(expected)
    assert b.diagnostics == []


@pytest.mark.parametrize(("validator", "key", "expected"), [
    ("v.object({ a: v.string() })", "fields", True), ("v.string()", "fields", False),
    ("v.union(v.null(), v.string())", "members", True), ("v.array(v.null())", "members", False),
    ("v.array(v.null())", "element", True), ('v.id("t")', "tableName", True), ('v.literal("x")', "value", True),
])
def test_in_on_a_validator(convex_project, validator, key, expected) -> None:
    b = convex_project({"convex/schema.ts": IMPORTS + f'const x = {validator};\nexport default defineSchema({{ t: defineTable({{ f: "{key}" in x ? v.literal("yes") : v.literal("no") }}) }});\n'})
    assert field_type(b, "t", "f") == lit("yes" if expected else "no")


def test_in_on_a_validator_for_another_key_is_not_decided(convex_project) -> None:
    b = convex_project({"convex/schema.ts": IMPORTS + 'const x = v.string();\nexport default defineSchema({ t: defineTable({ f: "whatever" in x ? v.string() : v.null() }) });\n'})
    assert field_type(b, "t", "f") == {"type": "any"}
    (d,) = b.diagnostics
    assert d["code"] == "CSX200"


def test_table_indexes_drive_a_generic_helper(convex_project) -> None:
    b = convex_project({"convex/schema.ts": IMPORTS + """
const base = defineSchema({
  items: defineTable({ a: v.string(), b: v.number() }).index("by_a", ["a"]).index("by_b_a", ["b", "a"]).searchIndex("s", { searchField: "a" }),
});
function byIndex(table: string) {
  const validator = base.tables[table]?.validator;
  type Entry = { name: string };
  const entries = (base.tables[table]?.indexes as any[])
    .map((index) => {
      const first = index.fields?.[0];
      if (!first || typeof validator !== "object" || !("fields" in validator)) {
        return null;
      }
      return { name: index.indexDescriptor, value: validator.fields[first] };
    })
    .filter((x) => x !== null && x !== void 0);
  return v.union(...entries.map((e) => v.object({ indexName: v.literal(e.name), indexValue: e.value })));
}
export default defineSchema({ t: defineTable({ f: byIndex("items") }) });
"""})
    assert b.diagnostics == []
    members = field_type(b, "t", "f")["value"]
    assert [(m["value"]["indexName"]["fieldType"], m["value"]["indexValue"]["fieldType"]) for m in members] == [
        (lit("by_a"), {"type": "string"}), (lit("by_b_a"), {"type": "number"})]
