"""convex-helpers server factories (migrations, retries, crud): what Convex cannot show.

The tables and functions these factories make are checked against the real package by
the conformance fixture ``tests/conformance/fixtures/helpers_server_factories``; here: the
``origin`` of ``migrationsTable`` and the diagnostics when an argument is not resolved
(crud.ts throws for an unknown table; a builder the tool cannot resolve registers nothing
it could describe).
"""

from __future__ import annotations

from convex_ssot.packages.helpers_server import HELPERS_PACKAGE

SCHEMA = (
    'import { defineSchema, defineTable } from "convex/server";\n'
    'import { v } from "convex/values";\n'
    'import { migrationsTable } from "convex-helpers/server/migrations";\n'
    'export default defineSchema({ migrations: migrationsTable, notes: defineTable({ body: v.string() }) });\n'
)


def test_migrations_table_origin_and_shape(convex_project) -> None:
    b = convex_project({"convex/schema.ts": SCHEMA})
    t = b.table("migrations")
    assert t["origin"] == HELPERS_PACKAGE == "convex-helpers@0.1.124"
    assert b.table("notes")["origin"] is None
    # migrations.ts migrationsFields, in source order, and its one index
    assert list(t["documentType"]["value"]) == ["name", "table", "cursor", "isDone", "workerId", "processed", "latestStart", "latestEnd"]
    assert [(ix["name"], ix["fields"]) for ix in t["indexes"]] == [("name", ["name"])]


def test_crud_of_an_unknown_table_is_diagnosed(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": SCHEMA,
        "convex/notes.ts": 'import { crud } from "convex-helpers/server/crud";\nimport schema from "./schema";\n'
                           'export const { read } = crud(schema, "missing");\n',
    })
    assert "notes:read" not in b.function_ids()
    assert any(d["code"] == "CSX230" and "crud()" in d["message"] for d in b.functions["diagnostics"])


def test_make_migration_with_an_unresolved_builder(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": SCHEMA,
        "convex/m.ts": 'import { makeMigration } from "convex-helpers/server/migrations";\nimport { builder } from "some-package";\n'
                       'const migration = makeMigration(builder);\nexport const run = migration({ table: "notes", migrateOne: async () => {} });\n',
    })
    assert "m:run" not in b.function_ids()
    [d] = [d for d in b.functions["diagnostics"] if d["code"] == "CSX230"]
    assert "makeMigration()" in d["message"] and "some-package" in d["message"]


def test_crud_defaults_are_internal_and_chains_name_the_factory(convex_project) -> None:
    b = convex_project({
        "convex/schema.ts": SCHEMA,
        "convex/notes.ts": 'import { crud } from "convex-helpers/server/crud";\nimport schema from "./schema";\n'
                           'export const { create, destroy } = crud(schema, "notes");\n',
    })
    f = b.function("notes:create")
    assert (f["kind"], f["visibility"]) == ("mutation", "internal")
    assert f["constructorChain"] == ["crud", "internalMutationGeneric"]
    # crud.ts: {...fields, ...partial(systemFields(table))}
    assert list(f["argsValidator"]["validator"]["value"]) == ["body", "_id", "_creationTime"]
