"""convex-ents (0.11.0) model, the cases Convex cannot load or that depend on the ents version.

What loads is checked against the real package by the conformance fixture
``tests/conformance/fixtures/convex_ents``; here: the places where convex-ents throws at
schema load (dist/schema.js ``defineEntSchema``, ``EntDefinitionImpl.field/edge/deletion``),
which become CSX240 errors, unreadable calls (CSX241), version-dependent constructs
(CSX242) and the ``origin`` of the tables the package creates.
"""

from __future__ import annotations

from convex_ssot.packages.ents import ENTS_PACKAGE

HEAD = 'import { v } from "convex/values";\nimport { defineEnt, defineEntSchema } from "convex-ents";\n'


def _schema(body: str) -> dict[str, str]:
    return {"convex/schema.ts": HEAD + f"export default defineEntSchema({{\n{body}\n}});\n"}


def _diags(b, code: str) -> list[dict]:
    return [d for d in b.db["diagnostics"] if d["code"] == code]


def test_join_tables_have_the_package_as_origin(convex_project) -> None:
    b = convex_project(_schema('a: defineEnt({}).edges("bs"),\nbs: defineEnt({}).edges("a", { to: "a" }),'))
    assert b.table_names() == ["a", "bs", "a_to_bs"]
    assert b.table("a")["origin"] is None
    join = b.table("a_to_bs")
    assert join["origin"] == ENTS_PACKAGE == "convex-ents@0.11.0"
    # dist/schema.js: forwardId = tableName + "Id", inverseId = otherTableName + "Id"
    assert list(join["documentType"]["value"]) == ["aId", "bsId"]
    assert [ix["name"] for ix in join["indexes"]] == ["aId", "bsId", "aId_bsId", "bsId_aId"]
    assert [d for d in b.db["diagnostics"] if d["code"] != "CSX245"] == []  # CSX245: no version pinned here


def test_missing_inverse_edge_is_an_error_and_the_edge_is_skipped(convex_project) -> None:
    b = convex_project(_schema('posts: defineEnt({}).edge("author", { to: "users" }),\nusers: defineEnt({ name: v.string() }),'))
    [d] = _diags(b, "CSX240")
    assert d["severity"] == "error"
    assert 'Missing inverse edge in table "users" for edge "author" in table "posts"' in d["message"]
    assert (d["line"], d["column"]) == (4, 27)  # the edge's name in `.edge("author", ...)`
    # The builder already stored the field and its index (defineEnt runs before defineEntSchema).
    assert list(b.table("posts")["documentType"]["value"]) == ["authorId"]
    assert b.table_names() == ["posts", "users"]


def test_duplicate_field_and_second_deletion_throw(convex_project) -> None:
    b = convex_project(_schema('t: defineEnt({ a: v.string() }).field("a", v.number()).deletion("soft").deletion("soft"),'))
    messages = [d["message"] for d in _diags(b, "CSX240")]
    assert any('Duplicate field "a"' in m for m in messages), messages
    # the deletionTime check comes first in EntDefinitionImpl.deletion, so a second call reports it
    assert any('Cannot enable "soft" deletion because "deletionTime" field was already defined.' in m for m in messages), messages
    assert b.field("t", "a") == {"fieldType": {"type": "string"}, "optional": False}
    assert b.field("t", "deletionTime") == {"fieldType": {"type": "number"}, "optional": True}


def test_plain_define_table_among_ents_throws(convex_project) -> None:
    files = _schema('t: defineTable({ a: v.string() }),')
    files["convex/schema.ts"] = 'import { defineTable } from "convex/server";\n' + files["convex/schema.ts"]
    b = convex_project(files)
    [d] = _diags(b, "CSX240")
    assert 'table "t" is not an ent' in d["message"]


def test_too_many_inverse_candidates(convex_project) -> None:
    b = convex_project(_schema(
        'users: defineEnt({}).edges("posts", { ref: true }),\n'
        'posts: defineEnt({}).edge("author", { to: "users" }).edge("editor", { to: "users" }),'
    ))
    messages = [d["message"] for d in _diags(b, "CSX240")]
    assert any('has too many potential inverse edges in table "posts": "author", "editor"' in m for m in messages), messages


def test_optional_edge_follows_0_11_and_is_flagged(convex_project) -> None:
    b = convex_project(_schema(
        'users: defineEnt({}).edge("profile", { optional: true }),\n'
        'profiles: defineEnt({}).edge("user"),'
    ))
    # 0.11.0: `optional: true` stores no field on this side; the required side stores userId
    assert b.table("users")["documentType"]["value"] == {}
    assert list(b.table("profiles")["documentType"]["value"]) == ["userId"]
    [d] = _diags(b, "CSX242")
    assert d["severity"] == "warning" and '.edge("profile"' in d["message"]
    assert _diags(b, "CSX240") == []


def test_unreadable_field_name(convex_project) -> None:
    files = _schema('t: defineEnt({}).field(NAME, v.string()),')
    files["convex/schema.ts"] = files["convex/schema.ts"].replace("export default", "declare const NAME: string;\nexport default")
    b = convex_project(files)
    [d] = _diags(b, "CSX241")
    assert "field name is not a string literal" in d["message"]
    assert b.table("t")["documentType"]["value"] == {}


def test_scheduled_delete_factory_registers_an_internal_mutation(convex_project) -> None:
    files = _schema("t: defineEnt({}),")
    files["convex/functions.ts"] = 'import { scheduledDeleteFactory } from "convex-ents";\nexport const scheduledDelete = scheduledDeleteFactory({});\n'
    b = convex_project(files)
    f = b.function("functions:scheduledDelete")
    assert (f["kind"], f["visibility"]) == ("mutation", "internal")
    args = f["argsValidator"]["validator"]["value"]
    # deletion.ts: args {origin, stack, inProgress}
    assert list(args) == ["origin", "stack", "inProgress"]
    assert list(args["origin"]["fieldType"]["value"]) == ["id", "table", "deletionTime"]
    members = args["stack"]["fieldType"]["value"]["value"]
    assert [list(m["value"]) for m in members] == [["id", "table", "edges"], ["approach", "cursor", "table", "indexName", "fieldValue"]]


def test_edge_to_a_system_table_follows_later_releases(convex_project) -> None:
    b = convex_project(_schema('files: defineEnt({}).edge("blob", { to: "_storage" }),'))
    # the field and its index come from .edge() itself; only the pairing is skipped
    assert b.field("files", "blobId") == {"fieldType": {"type": "id", "tableName": "_storage"}, "optional": False}
    assert [ix["name"] for ix in b.table("files")["indexes"]] == ["blobId"]
    assert _diags(b, "CSX240") == []
    [d] = _diags(b, "CSX242")
    assert 'system table "_storage"' in d["message"]
