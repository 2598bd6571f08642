"""The rule registry: one id per rule, its metadata and where its findings come from.

Like ruff's registry, every rule is a :class:`Rule` with a stable kebab-case ``id`` (what
``--select``, ``--ignore``, ``"convex": {"rules": {…}}`` and ``// convex-ssot-ignore``
name), a ``group`` (``push``, ``guideline``, ``program``, ``alignment``), a default
severity, a one-line ``summary`` and the ``source`` of the rule (Convex doc, backend
source file or guideline). docs/rules.md documents every rule; its anchors are the ids.

Rule checkers live in the sibling modules; each yields :class:`Finding` values tagged with
a rule id. The registry only describes rules; it imports no checker (no cycles).
"""

from __future__ import annotations

from ..dataclass_cache import dataclass

__all__ = ["Rule", "Finding", "RULES", "GROUPS", "SEVERITIES", "DOCS_URL", "rule"]

#: Where a rule's documentation lives (``#<rule id>`` anchors); used as SARIF ``helpUri``.
DOCS_URL = "https://github.com/convex-ssot/convex-ssot/blob/main/docs/rules.md"

SEVERITIES = ("error", "warning", "off")
GROUPS = ("push", "guideline", "program", "alignment")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule. ``severity`` is the default (``error`` or ``warning``); ``diagnostic`` the
    CSX code ``sync-to-context`` also reports it under (schema push rules), if any."""

    id: str
    group: str
    severity: str
    summary: str
    source: str
    diagnostic: str | None = None

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.id}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One result: ``file`` repo-relative POSIX, ``line``/``column`` 1-based; ``severity``
    is filled in from the rule and the configuration when the report is assembled."""

    rule: str
    file: str
    line: int
    column: int
    message: str
    severity: str = ""

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule, self.message)


RULES: dict[str, Rule] = {}


def rule(id: str, group: str, severity: str, summary: str, source: str, diagnostic: str | None = None) -> Rule:
    """Register and return a rule (ids are unique; the definition order is the docs order)."""
    if id in RULES:
        raise ValueError(f"rule {id} registered twice")
    r = Rule(id, group, severity, summary, source, diagnostic)
    RULES[id] = r
    return r


_BE = "convex-backend "

# ---- 1. rejected at push (error) -----------------------------------------------------------
rule("invalid-table-name", "push", "error", "Table name that is not an identifier or starts with `_`",
     _BE + "crates/convex/sync_types/src/identifier.rs, crates/common/src/schemas/json.rs (table_name_reserved)", "CSX312")
rule("invalid-index-name", "push", "error", "Index name longer than 64 characters, not an identifier, or only underscores",
     _BE + "crates/convex/sync_types/src/identifier.rs (InvalidIndexName)", "CSX301")
rule("reserved-index-name", "push", "error", "Index named `by_id`, `by_creation_time` or starting with `_`",
     _BE + "crates/common/src/types/index.rs (IndexNameReserved)", "CSX302")
rule("duplicate-index-name", "push", "error", "Index name used twice in a table (across database, search and vector indexes)",
     _BE + "crates/common/src/schemas/json.rs (IndexNamesNotUnique)", "CSX303")
rule("empty-index", "push", "error", "Database index with no fields",
     _BE + "crates/common/src/bootstrap_model/index/database_index/indexed_fields.rs", "CSX304")
rule("too-many-index-fields", "push", "error", "Database index with more than 15 fields (16 with the appended `_creationTime`)",
     _BE + "crates/common/src/bootstrap_model/index/mod.rs (MAX_INDEX_FIELDS_SIZE)", "CSX304")
rule("repeated-index-field", "push", "error", "Database index that names a field twice",
     _BE + "crates/common/src/bootstrap_model/index/database_index/indexed_fields.rs", "CSX304")
rule("reserved-index-field", "push", "error", "Index on `_id`, `_creationTime` or a `_`-prefixed field",
     _BE + "crates/application/src/lib.rs (IndexFieldsContainId, IndexFieldNameReserved)", "CSX305")
rule("duplicate-index-fields", "push", "error", "Two database indexes (staged included) with the same field list",
     _BE + "crates/common/src/schemas/json.rs (IndexNotUnique)", "CSX306")
rule("unknown-index-field", "push", "error", "Index field the table does not declare (with `schemaValidation`)",
     _BE + "crates/common/src/schemas/mod.rs (check_index_references)", "CSX307")
rule("vector-field-type", "push", "error", "Vector index field that is not `v.array(v.float64())`",
     _BE + "crates/common/src/schemas/mod.rs (check_index_references)", "CSX307")
rule("too-many-filter-fields", "push", "error", "Search or vector index with more than 16 filter fields",
     _BE + "crates/common/src/bootstrap_model/index/mod.rs", "CSX308")
rule("duplicate-search-index", "push", "error", "Two search indexes on the same `searchField`",
     _BE + "crates/common/src/schemas/json.rs (SearchIndexFieldNotUnique)", "CSX308")
rule("duplicate-vector-index", "push", "error", "Two vector indexes with the same vector field and dimensions",
     _BE + "crates/common/src/schemas/json.rs", "CSX309")
rule("vector-dimensions", "push", "error", "Vector index dimensions outside 2..4096",
     _BE + "crates/common/src/bootstrap_model/index/vector_index/dimensions.rs", "CSX310")
rule("too-many-indexes", "push", "error", "More than 64 indexes in one table",
     _BE + "crates/common/src/schemas/mod.rs (MAX_INDEXES_PER_TABLE)", "CSX311")
rule("index-count-over-limit", "push", "warning", "More than the documented 32 database, 4 search or 4 vector indexes in a table",
     "Convex docs production/state/limits.mdx", "CSX311")
rule("query-in-node-module", "push", "error", "Query or mutation defined in a `\"use node\"` module",
     "Convex docs functions/runtimes.mdx; convex src/bundler/index.ts (node modules are analysed as actions only)")

rule("invalid-http-route", "push", "error", "HTTP route the router throws on (path, prefix, method, duplicate)",
     "convex src/server/router.ts (HttpRouter.route); the surface reader's CSX500")
rule("invalid-cron-job", "push", "error", "Cron job `cronJobs()` throws on (schedule values, identifier, duplicate)",
     "convex src/server/cron.ts; the surface reader's CSX510")
rule("invalid-component", "push", "error", "`app.use` options Convex rejects (httpPrefix, name)",
     "convex src/server/components/index.ts; the surface reader's CSX521")

# ---- 2. the guidelines' MUST / MUST NOT (warning) ------------------------------------------
_GUIDE = "Convex docs understanding/best-practices"
rule("no-filter-in-query", "guideline", "warning", "`.filter()` on a database query (use an index)",
     _GUIDE + " (\"Avoid .filter on database queries\"); @convex-dev/eslint-plugin no-filter-in-query")
rule("no-unbounded-collect", "guideline", "warning", "`.collect()` on a database query that no index range narrows",
     _GUIDE + " (\"Only use .collect with a small number of results\"); @convex-dev/eslint-plugin no-collect-in-query")
rule("no-fetch-in-query-or-mutation", "guideline", "warning", "`fetch()` in a query or mutation (side effects belong in actions)",
     "Convex docs functions/query-functions.mdx, functions/mutation-functions.mdx (queries and mutations cannot fetch)")
rule("no-db-in-action", "guideline", "warning", "`ctx.db` used in an action (actions have no database access)",
     "Convex docs functions/actions.mdx (\"actions do not have ctx.db\")")
rule("require-returns-validator", "guideline", "warning", "Query, mutation or action without a `returns` validator",
     "Convex guidelines (convex_rules: \"ALWAYS include argument and return validators\")")
rule("require-args-validator", "guideline", "warning", "Query, mutation or action without an `args` validator",
     _GUIDE + " (\"Use argument validators for all public functions\"); @convex-dev/eslint-plugin require-args-validator")
rule("no-old-function-syntax", "guideline", "warning", "Function registered as `query(async (ctx) => …)` instead of `{ args, handler }`",
     "Convex guidelines (\"ALWAYS use the new function syntax\"); @convex-dev/eslint-plugin no-old-registered-function-syntax")
rule("no-v-bigint", "guideline", "warning", "`v.bigint()` (deprecated; use `v.int64()`)",
     "convex src/values/validator.ts (v.bigint is @deprecated)")
rule("redundant-index", "guideline", "warning", "Index whose fields are a prefix of another index's fields",
     _GUIDE + " (\"Check for redundant indexes\"); @convex-dev/eslint-plugin no-duplicate-indexes")
rule("index-name-fields", "guideline", "warning", "Index name that does not say its fields (`by_a_and_b`)",
     "Convex guidelines (\"Always include all index fields in the index name\")")
rule("no-run-in-loop", "guideline", "warning", "`ctx.runMutation` / `ctx.runAction` inside a loop (batch instead)",
     _GUIDE + " (\"Avoid sequential ctx.runMutation / ctx.runQuery calls from actions\")")
rule("no-nondeterminism-in-query", "guideline", "warning", "`Date.now()` or `Math.random()` in a query",
     _GUIDE + " (\"Don't use Date.now() in queries\"); Convex docs functions/runtimes.mdx (determinism)")
rule("node-builtin-without-use-node", "guideline", "warning", "Node built-in module imported by a module without `\"use node\"`",
     "Convex docs functions/runtimes.mdx (Node.js APIs need the node runtime)")
rule("require-access-control", "guideline", "warning", "Public function with no access check",
     _GUIDE + " (\"Use some form of access control for all public functions\"); @convex-dev/eslint-plugin require-access-control")
rule("no-process-env-in-query-or-mutation", "guideline", "warning", "`process.env` read in a query or mutation",
     "@convex-dev/eslint-plugin no-process-env; Convex docs production/environment-variables.mdx")
rule("no-top-of-hour-cron", "guideline", "warning", "Cron job scheduled at minute 0",
     "@convex-dev/eslint-plugin no-top-of-hour-crons; convex src/server/cron.ts (JSDoc)")

# ---- 3. whole-program rules ----------------------------------------------------------------
rule("unknown-index", "program", "error", "`withIndex` / `withSearchIndex` naming an index the table does not have",
     "convex src/server/query.ts (withIndex); the backend throws \"Index … not found\" at run time")
rule("index-range-order", "program", "error", "`withIndex` range naming fields out of the index's order",
     "convex src/server/index_range_builder.ts (fields must be compared in index order)")
rule("insert-missing-field", "program", "warning", "`ctx.db.insert(\"t\", {…})` missing a required field of `t`",
     "Convex docs database/schemas.mdx (schema validation rejects the write)")
rule("insert-unknown-field", "program", "warning", "`ctx.db.insert/patch(\"t\", {…})` naming a field `t` does not have",
     "Convex docs database/schemas.mdx (schema validation rejects the write)")
rule("unknown-function", "program", "error", "A call, schedule, cron job or HTTP route naming a function that does not exist",
     "convex src/server/api.ts (references are function names; the backend fails the call, a push fails on a cron of a missing function)")
rule("wrong-function-visibility", "program", "error", "`api.` reference to an internal function, or `internal.` to a public one",
     "convex codegen _generated/api.d.ts (`api` lists public, `internal` internal functions); `convex deploy` type-checks")
rule("schedule-public-function", "program", "warning", "A scheduler call or cron job running a public function",
     "Convex guidelines (\"only schedule internal functions\"); docs scheduling/scheduled-functions.mdx")
rule("id-of-unknown-table", "program", "error", "`v.id(\"t\")` for a table that does not exist",
     "convex src/values/validators.ts (VId); no document of a missing table can exist")

# ---- 4. Zod <-> Convex alignment -----------------------------------------------------------
_ZOD = "convex-helpers server/zod4.ts (zodOutputToConvex); the alignment pairs in docs/project/db-ssot.json"
rule("zod-extra-field", "alignment", "error", "A Zod field with no Convex counterpart (Convex rejects the data)", _ZOD)
rule("zod-missing-field", "alignment", "error", "A field Convex requires that the Zod schema does not produce", _ZOD)
rule("zod-type-mismatch", "alignment", "error", "A Zod type whose output the Convex validator does not accept", _ZOD)
rule("zod-union-mismatch", "alignment", "error", "A Zod union member no Convex union member accepts", _ZOD)
