#!/usr/bin/env python3
"""Generate a synthetic but realistic Convex project for benchmarking convex-ssot.

    python bench/gen_project.py OUT_DIR --modules N [--tables 100] [--seed 0]

The project contains:

* ``package.json`` (convex dependency, ``convex:dev`` / ``convex:codegen`` scripts)
* ``docs/project/db-ssot.json`` pointing at ``convex/schema.ts``
* ``convex/_generated/`` stand-ins for ``npx convex codegen`` output
* ``convex/schema.ts`` with ``--tables`` tables (string / number / boolean /
  optional / nullable / id / array / nested object / literal union / record /
  vector fields, shared validator constants, 1-4 indexes per table including
  search and vector indexes)
* ``--modules`` function modules spread over a few sub-directories, each with
  several exported queries / mutations / actions / internal functions whose
  handlers look like real application code (index queries, inserts, patches,
  deletes, helper functions, loops, template literals, regex literals, string
  literals with braces, comments, type annotations, generics, ...)
* unless ``--no-extras``: ``convex/lib/*.ts`` helper modules, ``convex/crons.ts``,
  ``convex/http.ts`` and ``convex/auth.config.ts``

Output is a pure function of (modules, tables, seed, extras): module *i* is
generated from its own RNG, so a project with N modules is the first N modules
of a larger one.  About 11.4 kB of TypeScript per module: N=30 -> ~0.4 MB,
N=350 -> ~4 MB, N=2000 -> ~23 MB.

Python 3.10+, standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

MARKER_FILE = ".convex-ssot-bench.json"
GENERATOR_VERSION = 1

# Module sizes are drawn from a skewed distribution (most modules 6-12 kB, a few
# over 20 kB); a running correction keeps the cumulative size at
# MODULE_BYTES_AVG * N so that every N lands on its nominal size.
MODULE_BYTES_MIN, MODULE_BYTES_MODE, MODULE_BYTES_MAX = 5200, 6800, 20000
MODULE_BYTES_AVG = 11_400

# ---------------------------------------------------------------------------
# Small text helpers
# ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"«(\w+)»")


def fmt(template: str, **kw: object) -> str:
    """Replace «name» placeholders (TypeScript is full of braces, so no str.format)."""
    return _PLACEHOLDER.sub(lambda m: str(kw[m.group(1)]), template)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def singular(plural: str) -> str:
    if plural.endswith("zzes"):
        return plural[:-3]
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    if plural.endswith(("sses", "shes", "ches", "xes")):
        return plural[:-2]
    if plural.endswith("s") and not plural.endswith("ss"):
        return plural[:-1]
    return plural


def ts_str(s: str) -> str:
    return json.dumps(s)


# ---------------------------------------------------------------------------
# Data model of the generated schema
# ---------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # string number boolean id literal array object union record vector any bytes int64
    base: str  # fully inlined validator without v.optional
    optional: bool = False
    nullable: bool = False
    ref: str | None = None  # id / array-of-id target table
    literals: tuple[str, ...] = ()
    sub: list["Field"] = field(default_factory=list)  # object / first union member
    elem: str = ""  # array element kind
    schema_ref: str | None = None  # shared validator const used in schema.ts
    dims: int = 0

    @property
    def inline(self) -> str:
        return f"v.optional({self.base})" if self.optional else self.base

    def required_copy(self) -> "Field":
        f = Field(**{k: getattr(self, k) for k in self.__dataclass_fields__})
        f.optional = False
        return f


@dataclass
class Index:
    name: str
    fields: list[str]
    kind: str = "db"  # db | search | vector
    search_field: str = ""
    filter_fields: list[str] = field(default_factory=list)
    dims: int = 0


@dataclass
class Table:
    name: str
    singular: str
    fields: list[Field]
    indexes: list[Index]
    display: str  # string field used as a label

    def f(self, name: str) -> Field | None:
        for fl in self.fields:
            if fl.name == name:
                return fl
        return None

    @property
    def db_indexes(self) -> list[Index]:
        return [i for i in self.indexes if i.kind == "db"]

    @property
    def search_index(self) -> Index | None:
        return next((i for i in self.indexes if i.kind == "search"), None)

    @property
    def vector_index(self) -> Index | None:
        return next((i for i in self.indexes if i.kind == "vector"), None)


TABLE_VOCAB = """
projects tasks comments attachments labels milestones sprints boards columns cards
documents documentVersions folders files tags taggings channels messages reactions threads
invoices invoiceLines payments subscriptions plans products prices orders orderItems carts
cartItems coupons refunds shipments suppliers warehouses inventoryItems reviews wishlists
notificationPreferences apiKeys webhooks webhookDeliveries sessions devices pushTokens invitations
memberships roles permissions emailTemplates emailLogs smsLogs contacts companies deals pipelines
stages activities notes reminders goals keyResults experiments variants featureFlags metrics
dashboards widgets exports imports oauthAccounts tickets ticketReplies articles articleCategories
faqs chatThreads chatMessages prompts completions embeddingJobs jobs jobRuns schedules bookings
calendars events eventAttendees locations rooms courses lessons enrollments quizzes quizAttempts
certificates posts likes follows bookmarks mediaAssets playlists tracks albums artists surveys
surveyResponses forms formSubmissions polls pollVotes campaigns segments audiences leads
opportunities quotes contracts vendors expenses budgets timeEntries timesheets announcements
changelogs releases incidents alerts monitors uptimeChecks deployments environments secrets
""".split()

STATUS_SETS: list[tuple[str, tuple[str, ...]]] = [
    ("lifecycleStatus", ("draft", "active", "archived")),
    ("jobStatus", ("pending", "processing", "succeeded", "failed")),
    ("workflowStatus", ("open", "in_progress", "blocked", "done")),
    ("runStatus", ("queued", "running", "completed", "cancelled", "errored")),
    ("billingStatus", ("trialing", "active", "past_due", "canceled")),
    ("reviewStatus", ("submitted", "approved", "rejected")),
]
PRIORITY = ("low", "medium", "high", "urgent")
VISIBILITY = ("public", "private", "unlisted")
CURRENCY = ("usd", "eur", "gbp", "jpy")
CHANNEL = ("email", "sms", "push", "in_app")
ROLES = ("owner", "admin", "member", "viewer")


def lit_union(values: tuple[str, ...]) -> str:
    return "v.union(" + ", ".join(f"v.literal({ts_str(x)})" for x in values) + ")"


def obj_validator(sub: list[Field]) -> str:
    return "v.object({ " + ", ".join(f"{s.name}: {s.inline}" for s in sub) + " })"


def make_object(name: str, sub: list[Field], optional: bool = False) -> Field:
    return Field(name, "object", obj_validator(sub), optional=optional, sub=sub)


def S(name: str, optional: bool = False) -> Field:
    return Field(name, "string", "v.string()", optional=optional)


def N(name: str, optional: bool = False, float_: bool = False) -> Field:
    return Field(name, "number", "v.float64()" if float_ else "v.number()", optional=optional)


def B(name: str, optional: bool = False) -> Field:
    return Field(name, "boolean", "v.boolean()", optional=optional)


def ID(name: str, table: str, optional: bool = False) -> Field:
    return Field(name, "id", f"v.id({ts_str(table)})", optional=optional, ref=table)


def LIT(name: str, values: tuple[str, ...], optional: bool = False, schema_ref: str | None = None) -> Field:
    return Field(name, "literal", lit_union(values), optional=optional, literals=values, schema_ref=schema_ref)


def NULLABLE(f: Field) -> Field:
    f.base = f"v.union({f.base}, v.null())"
    f.nullable = True
    return f


def ARR(name: str, elem: Field, optional: bool = False) -> Field:
    return Field(name, "array", f"v.array({elem.base})", optional=optional, elem=elem.kind, ref=elem.ref)


def fixed_tables() -> list[Table]:
    users = Table(
        "users",
        "user",
        [
            S("name"),
            S("email"),
            S("tokenIdentifier"),
            S("imageUrl", optional=True),
            LIT("role", ROLES),
            ID("teamId", "teams", optional=True),
            N("lastSeenAt", optional=True),
            make_object(
                "preferences",
                [
                    LIT("theme", ("light", "dark", "system")),
                    S("locale"),
                    make_object("notifications", [B("email"), B("push"), B("digest", optional=True)]),
                ],
                optional=True,
            ),
            NULLABLE(N("deletedAt", optional=True)),
        ],
        [
            Index("by_tokenIdentifier", ["tokenIdentifier"]),
            Index("by_email", ["email"]),
            Index("by_teamId_and_role", ["teamId", "role"]),
            Index("search_name", [], "search", "name", ["teamId"]),
        ],
        "name",
    )
    teams = Table(
        "teams",
        "team",
        [
            S("name"),
            S("slug"),
            ID("ownerId", "users"),
            LIT("plan", ("free", "pro", "enterprise")),
            N("seats"),
            Field("limits", "record", "v.record(v.string(), v.number())"),
            N("updatedAt"),
        ],
        [Index("by_slug", ["slug"]), Index("by_ownerId", ["ownerId"])],
        "name",
    )
    audit = Table(
        "auditLogs",
        "auditLog",
        [
            ID("teamId", "teams", optional=True),
            ID("actorId", "users", optional=True),
            S("action"),
            S("targetTable"),
            S("targetId"),
            Field("details", "any", "v.any()", optional=True),
            N("at"),
        ],
        [Index("by_teamId_and_at", ["teamId", "at"]), Index("by_actorId", ["actorId"])],
        "action",
    )
    notifications = Table(
        "notifications",
        "notification",
        [
            ID("userId", "users"),
            LIT("channel", CHANNEL),
            S("title"),
            S("body"),
            S("link", optional=True),
            NULLABLE(N("readAt")),
        ],
        [Index("by_userId_and_readAt", ["userId", "readAt"])],
        "title",
    )
    return [users, teams, audit, notifications]


def build_tables(count: int, seed: int) -> list[Table]:
    rng = random.Random(f"convex-ssot-bench:{seed}:schema")
    tables = fixed_tables()[: max(1, count)]
    names = list(TABLE_VOCAB)
    k = 2
    while len(tables) + len(names) < count:
        names += [f"{n}{k}" for n in TABLE_VOCAB]
        k += 1
    for name in names[: max(0, count - len(tables))]:
        tables.append(_gen_table(rng, name, tables))
    return tables


def _gen_table(rng: random.Random, name: str, existing: list[Table]) -> Table:
    sg = singular(name)
    fields: list[Field] = []
    indexes: list[Index] = []
    have = {t.name for t in existing}
    owner: Field | None = None
    if "teams" in have and rng.random() < 0.7:
        owner = ID("teamId", "teams")
    elif "users" in have:
        owner = ID("userId", "users")
    if owner:
        fields.append(owner)
    parents = [t for t in existing if t.name not in ("auditLogs", "notifications", "users", "teams")]
    parent_f: Field | None = None
    if parents and rng.random() < 0.75:
        p = rng.choice(parents[-30:])
        parent_f = ID(f"{p.singular}Id", p.name)
        fields.append(parent_f)
    display = rng.choice(["title", "name", "label", "subject"])
    fields.append(S(display))
    status: Field | None = None
    if rng.random() < 0.8:
        const, values = rng.choice(STATUS_SETS)
        status = LIT("status", values, schema_ref=const if rng.random() < 0.6 else None)
        fields.append(status)

    pool: list[Field] = [
        S("description", optional=True),
        S("body"),
        S("slug"),
        S("externalId", optional=True),
        S("email", optional=True),
        S("url", optional=True),
        LIT("priority", PRIORITY, schema_ref="priority" if rng.random() < 0.5 else None),
        LIT("visibility", VISIBILITY),
        N("position"),
        N("amountCents"),
        LIT("currency", CURRENCY),
        N("score", optional=True, float_=True),
        N("viewCount"),
        B("isArchived"),
        B("isPinned", optional=True),
        N("dueAt", optional=True),
        NULLABLE(N("completedAt")),
        NULLABLE(N("deletedAt", optional=True)),
        ARR("tags", S("_")),
        ARR("memberIds", ID("_", "users")),
        make_object(
            "metadata",
            [S("source"), S("ip", optional=True), N("attempts"),
             make_object("geo", [N("lat", float_=True), N("lng", float_=True)], optional=True)],
        ),
        make_object(
            "settings",
            [B("enabled"), N("limit", optional=True),
             make_object("retry", [N("maxAttempts"), N("backoffMs")])],
            optional=True,
        ),
        Field("counters", "record", "v.record(v.string(), v.number())"),
        Field("attributes", "record", "v.record(v.string(), v.union(v.string(), v.number(), v.boolean()))",
              optional=True),
        ID("fileId", "_storage", optional=True),
        Field("payload", "any", "v.any()", optional=True),
        Field("checksum", "bytes", "v.bytes()", optional=True),
        Field("sequence", "int64", "v.int64()", optional=True),
        ID("assigneeId", "users", optional=True),
        NULLABLE(ID("parentId", name)),
        make_object("location", [N("lat", float_=True), N("lng", float_=True), S("label", optional=True)],
                    optional=True),
        Field(
            "content",
            "union",
            "v.union(v.object({ type: v.literal(\"text\"), text: v.string() }), "
            "v.object({ type: v.literal(\"image\"), storageId: v.id(\"_storage\"), caption: v.optional(v.string()) }))",
            sub=[LIT("type", ("text",)), S("text")],
        ),
        Field("amount", "object", "money", sub=[N("amountCents"), LIT("currency", CURRENCY)],
              schema_ref="money", optional=True),
    ]
    for fl in pool:
        if fl.kind == "object" and fl.base == "money":
            fl.base = obj_validator(fl.sub)
    extra = rng.sample(pool, rng.randint(3, 9))
    for fl in extra:
        if fl.name in (display, "status"):
            continue
        fields.append(fl)
    if rng.random() < 0.8:
        fields.append(N("updatedAt"))
    vector: Field | None = None
    if rng.random() < 0.1:
        dims = rng.choice([384, 768, 1536])
        vector = Field("embedding", "vector", "v.array(v.float64())", optional=True, dims=dims)
        fields.append(vector)

    names = {f.name for f in fields}

    def idx_name(cols: list[str]) -> str:
        return "by_" + "_and_".join(cols)

    cand: list[list[str]] = []
    if owner:
        cand.append([owner.name])
        if status:
            cand.append([owner.name, "status"])
        if "updatedAt" in names:
            cand.append([owner.name, "updatedAt"])
    if parent_f:
        cand.append([parent_f.name])
        if "position" in names:
            cand.append([parent_f.name, "position"])
        if status:
            cand.append([parent_f.name, "status"])
    for extra_col in ("slug", "externalId", "assigneeId", "parentId", "dueAt", "fileId"):
        if extra_col in names:
            cand.append([extra_col])
    if status:
        cand.append(["status"])
    rng.shuffle(cand)
    n_db = rng.randint(1, 3)
    seen: set[str] = set()
    for cols in cand:
        nm = idx_name(cols)
        if nm in seen:
            continue
        seen.add(nm)
        indexes.append(Index(nm, cols))
        if len(indexes) >= n_db:
            break
    if not indexes:
        indexes.append(Index(idx_name([display]), [display]))
    if rng.random() < 0.3 and len(indexes) < 4:
        ff = [c for c in (owner.name if owner else None, "status" if status else None) if c]
        indexes.append(Index(f"search_{display}", [], "search", display, ff[: rng.randint(0, len(ff))]))
    if vector and len(indexes) < 4:
        ff = [owner.name] if owner else []
        indexes.append(Index("by_embedding", [], "vector", "embedding", ff, vector.dims))
    return Table(name, sg, fields, indexes, display)


# ---------------------------------------------------------------------------
# schema.ts
# ---------------------------------------------------------------------------


def render_schema(tables: list[Table], rng: random.Random) -> str:
    used_consts: dict[str, str] = {}
    for t in tables:
        for f in t.fields:
            if f.schema_ref:
                used_consts[f.schema_ref] = ""
    out: list[str] = [
        'import { defineSchema, defineTable } from "convex/server";',
        'import { v } from "convex/values";',
        "",
        "// ---------------------------------------------------------------------------",
        "// Shared validators. Exported ones are reused by function modules' args.",
        "// ---------------------------------------------------------------------------",
        "",
    ]
    for const, values in STATUS_SETS:
        if const in used_consts:
            out.append(f"export const {const} = {lit_union(values)};")
    if "priority" in used_consts:
        out.append(f"export const priority = {lit_union(PRIORITY)};")
    if "money" in used_consts:
        out += [
            "const money = v.object({",
            "  amountCents: v.number(), // always integer cents, never floats {sic}",
            f"  currency: {lit_union(CURRENCY)},",
            "});",
        ]
    out += [
        "",
        "/* Schema notes:",
        " *  - every table gets `_id` and `_creationTime` for free;",
        ' *  - index names follow "by_<field>_and_<field>";',
        " *  - search indexes are named search_<field>.",
        " */",
        "export default defineSchema(",
        "  {",
    ]
    for t in tables:
        if rng.random() < 0.15:
            out.append(f"    // {cap(t.name)}: owned by {t.fields[0].name if t.fields else 'nobody'}.")
        out.append(f"    {t.name}: defineTable({{")
        for f in t.fields:
            out += _render_field(f, 6)
        out.append("    })")
        for i in t.indexes:
            if i.kind == "db":
                cols = ", ".join(ts_str(c) for c in i.fields)
                out.append(f"      .index({ts_str(i.name)}, [{cols}])")
            elif i.kind == "search":
                ff = ", ".join(ts_str(c) for c in i.filter_fields)
                out.append(f"      .searchIndex({ts_str(i.name)}, {{")
                out.append(f"        searchField: {ts_str(i.search_field)},")
                out.append(f"        filterFields: [{ff}],")
                out.append("      })")
            else:
                ff = ", ".join(ts_str(c) for c in i.filter_fields)
                out.append(f"      .vectorIndex({ts_str(i.name)}, {{")
                out.append(f"        vectorField: {ts_str(i.search_field)},")
                out.append(f"        dimensions: {i.dims},")
                if ff:
                    out.append(f"        filterFields: [{ff}],")
                out.append("      })")
        out[-1] += ","
    out += ["  },", "  { schemaValidation: true },", ");", ""]
    return "\n".join(out)


def _render_field(f: Field, ind: int) -> list[str]:
    pad = " " * ind
    if f.schema_ref:
        expr = f.schema_ref
        return [f"{pad}{f.name}: {'v.optional(' + expr + ')' if f.optional else expr},"]
    if f.kind == "object" and len(f.sub) > 2:
        lines = [f"{pad}{f.name}: {'v.optional(' if f.optional else ''}v.object({{"]
        for s in f.sub:
            lines += _render_field(s, ind + 2)
        lines.append(f"{pad}}}){')' if f.optional else ''},")
        return lines
    return [f"{pad}{f.name}: {f.inline},"]


# ---------------------------------------------------------------------------
# Function modules
# ---------------------------------------------------------------------------

DIRS = ["", "", "", "admin", "billing", "messaging", "integrations", "analytics", "workflows",
        "admin/reports", "integrations/stripe"]
NODE_DIRS = {"integrations", "integrations/stripe"}
RESERVED_MODULE_PATHS = {"schema", "crons", "http", "auth.config", "lib"} | {d for d in DIRS if d}
MODULE_SUFFIXES = ["", "", "Admin", "Queries", "Mutations", "Actions", "Sync", "Reports", "Jobs", "Search",
                   "Export", "Import", "Notifications", "Stats", "Webhooks", "Migrations", "Cleanup"]
KINDS = ["query", "mutation", "action", "internalQuery", "internalMutation", "internalAction"]


@dataclass
class FnEntry:
    api_path: str
    name: str
    kind: str
    args: list[Field]
    returns_list: str | None  # table name if it returns Array<Doc<...>>

    @property
    def internal(self) -> bool:
        return self.kind.startswith("internal")

    @property
    def ref(self) -> str:
        return f"{'internal' if self.internal else 'api'}.{self.api_path}.{self.name}"


class Registry:
    """Functions generated so far, for ctx.runQuery / scheduler / crons references."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[FnEntry]] = {k: [] for k in KINDS}

    def add(self, e: FnEntry) -> None:
        self.by_kind[e.kind].append(e)

    def pick(self, rng: random.Random, kinds: tuple[str, ...], window: int = 150) -> list[FnEntry]:
        pool: list[FnEntry] = []
        for k in kinds:
            pool += self.by_kind[k][-window:]
        if len(pool) > 8:
            pool = rng.sample(pool, 8)
        return pool


@dataclass
class Ctx:
    """What the project provides to a module."""

    tables: list[Table]
    by_name: dict[str, Table]
    children: dict[str, list[tuple[Table, Index, str]]]
    extras: bool
    vector_tables: list[Table] = field(default_factory=list)


def _children_map(tables: list[Table]) -> dict[str, list[tuple[Table, Index, str]]]:
    out: dict[str, list[tuple[Table, Index, str]]] = {t.name: [] for t in tables}
    for t in tables:
        for i in t.db_indexes:
            f = t.f(i.fields[0])
            if f and f.kind == "id" and f.ref in out and not f.nullable and f.ref != t.name:
                out[f.ref].append((t, i, f.name))
    return out


COMMENTS = [
    ["// NOTE: keep this in sync with the dashboard filters (see {filters} in the UI)."],
    ["// TODO(perf): this is O(n) per row; fine below ~1k rows, revisit after launch."],
    ["/*", " * We deliberately do not call ctx.db.query(\"x\").collect() here: it would scan", " * the whole table. Strings like \"}\" or '{' in user input are fine.", " */"],
    ["// Edge case: titles may contain `backticks`, {braces} and // slashes."],
    ["/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- legacy payloads */"],
    ["// Convex retries mutations on conflicts, so everything below must be idempotent."],
    ["/**", " * Example payload:", " *   { \"id\": \"abc\", \"tags\": [\"a\", \"b\"], \"meta\": { \"depth\": 2 } }", " */"],
    ["// Regexes below are anchored on purpose: /^...$/ — partial matches caused bug #412."],
    ["// query({ args: {}, handler }) <- not real code, just documentation."],
]

RESERVED_WORDS = set("""
break case catch class const continue debugger default delete do else enum export extends false finally for
function if import in instanceof new null return super switch this throw true try typeof var void while with
yield let static implements interface package private protected public await arguments eval undefined
""".split())

ERRORS = [
    "Not allowed to modify {resource}",
    "«T» not found",
    "Invalid input: expected {\"field\": value}",
    "Rate limit exceeded, try again in a minute",
    "«T» is archived and read-only",
]


class Body:
    """Builds the statements of one handler."""

    def __init__(self, mg: "ModuleGen", kind: str, table: Table, args: list[Field], destructure: bool):
        self.mg = mg
        self.rng = mg.rng
        self.kind = kind
        self.t = table
        self.args = {a.name: a for a in args}
        self.destructure = destructure
        self.lines: list[str] = []
        self.names: set[str] = {"ctx", "args", "q"} | set(self.args)
        self.lists: list[tuple[str, Table]] = []  # arrays of Doc<table>
        self.docs: list[tuple[str, Table]] = []  # non-null Doc<table>
        self.ids: list[tuple[str, str]] = []  # (expr, table) for Id<table>
        self.numbers: list[str] = []
        self.strings: list[str] = []
        self.ext_lists: list[str] = []
        self.viewer: str | None = None
        self.result: str | None = None
        self.page_var: str | None = None

    # -- context -------------------------------------------------------------
    @property
    def is_db(self) -> bool:
        return self.kind in ("query", "mutation", "internalQuery", "internalMutation")

    @property
    def can_write(self) -> bool:
        return self.kind in ("mutation", "internalMutation")

    @property
    def is_action(self) -> bool:
        return self.kind in ("action", "internalAction")

    def arg(self, name: str) -> str:
        return name if self.destructure else f"args.{name}"

    def fresh(self, base: str) -> str:
        if base in RESERVED_WORDS:
            base += "Doc"
        name, k = base, 2
        while name in self.names:
            name, k = f"{base}{k}", k + 1
        self.names.add(name)
        return name

    def emit(self, *lines: str) -> None:
        for ln in lines:
            for sub in ln.split("\n"):
                self.lines.append(("    " + sub) if sub else "")

    def id_for(self, table: str) -> str | None:
        for a in self.args.values():
            if a.kind == "id" and a.ref == table and not a.optional and not a.nullable:
                return self.arg(a.name)
        for var, t in self.docs:
            if t.name == table:
                return f"{var}._id"
        if table == "users" and self.viewer:
            return f"{self.viewer}._id"
        for expr, t in self.ids:
            if t == table:
                return expr
        return None

    def value_for(self, f: Field, depth: int = 0) -> str | None:
        """An expression of the field's type, or None if we cannot produce one."""
        if f.name in self.args and depth == 0:
            a = self.args[f.name]
            if a.kind == f.kind and a.ref == f.ref and (f.optional or not a.optional):
                if a.kind == "string" and not a.optional and self.rng.random() < 0.3:
                    return f"{self.arg(f.name)}.trim()"
                return self.arg(f.name)
        if f.nullable and self.rng.random() < 0.5:
            return "null"
        k = f.kind
        if k == "id":
            return self.id_for(f.ref or "")
        if k == "string":
            if f.name == "email":
                return "`noreply+${Date.now().toString(36)}@example.com`"
            if f.name in ("slug", "externalId"):
                return f"`{self.t.singular.lower()}-${{Math.random().toString(36).slice(2, 10)}}`"
            if self.strings and self.rng.random() < 0.4:
                return self.rng.choice(self.strings)
            return self.rng.choice(['"Untitled {draft}"', '""', "`Created ${new Date().toISOString()}`",
                                    f'"{f.name}"'])
        if k == "number":
            if f.name.endswith("At"):
                return "Date.now()"
            if self.numbers and self.rng.random() < 0.5:
                return self.rng.choice(self.numbers)
            return self.rng.choice(["0", "1", "100"])
        if k == "boolean":
            return self.rng.choice(["false", "true"])
        if k == "literal":
            return ts_str(f.literals[0])
        if k == "array":
            return "[]"
        if k == "record":
            return "{}"
        if k in ("object", "union"):
            parts = []
            for s in f.sub:
                if s.optional:
                    continue
                val = self.value_for(s, depth + 1)
                if val is None:
                    return None
                parts.append(f"{s.name}: {val}")
            return "{ " + ", ".join(parts) + " }" if parts else "{}"
        if k == "any":
            return '{ source: "bench", raw: "{\\"ok\\":true}" }'
        if k == "bytes":
            return "new ArrayBuffer(16)"
        if k == "int64":
            return "0n"
        if k == "vector":
            return f"new Array({f.dims or 8}).fill(0)"
        return None

    def doc_values(self, table: Table, prefer_all: bool = False) -> list[str] | None:
        parts: list[str] = []
        for f in table.fields:
            if f.optional and not (prefer_all and f.name in self.args) and self.rng.random() < 0.7:
                continue
            val = self.value_for(f)
            if val is None:
                if f.optional:
                    continue
                return None
            if f.name in self.args and val == self.arg(f.name) and self.destructure:
                parts.append(f.name)
            else:
                parts.append(f"{f.name}: {val}")
        return parts

    def call_args(self, e: FnEntry) -> str | None:
        parts = []
        for a in e.args:
            if a.name == "paginationOpts":
                parts.append("paginationOpts: { numItems: 50, cursor: null }")
                continue
            if a.optional:
                if a.kind in ("number", "boolean") and self.rng.random() < 0.3:
                    parts.append(f"{a.name}: {self.value_for(a.required_copy(), 1)}")
                continue
            if a.name in self.args and self.args[a.name].kind == a.kind and not self.args[a.name].optional \
                    and self.args[a.name].ref == a.ref and self.args[a.name].literals == a.literals:
                parts.append(a.name if self.destructure else f"{a.name}: {self.arg(a.name)}")
                continue
            val = self.value_for(a, 1)
            if val is None:
                return None
            parts.append(f"{a.name}: {val}")
        return "{ " + ", ".join(parts) + " }" if parts else "{}"

    def index_eq(self, table: Table, idx: Index) -> str | None:
        """`q.eq(...).eq(...)` for a prefix of the index, from values in scope."""
        chain = []
        for col in idx.fields:
            f = table.f(col)
            if f is None:
                break
            val = None
            if col in self.args and not self.args[col].optional and self.args[col].kind == f.kind \
                    and self.args[col].ref == f.ref:
                val = self.arg(col)
            elif f.kind == "id":
                val = self.id_for(f.ref or "")
            elif f.kind == "literal":
                val = ts_str(self.rng.choice(f.literals))
            elif f.kind == "boolean":
                val = "false"
            if val is None:
                break
            chain.append(f"q.eq({ts_str(col)}, {val})")
        if not chain:
            return None
        return "(q) => q." + ".".join(c[2:] for c in chain)

    def error(self, table: Table) -> str:
        msg = fmt(self.rng.choice(ERRORS), T=cap(table.singular))
        self.mg.uses.add("ConvexError")
        if self.rng.random() < 0.5:
            return f"throw new ConvexError({ts_str(msg)});"
        return f'throw new ConvexError({{ code: "{self.rng.choice(["NOT_FOUND", "FORBIDDEN", "INVALID"])}", message: {ts_str(msg)} }});'


# --- core statements --------------------------------------------------------


def blk_viewer(b: Body) -> bool:
    if b.viewer or not b.is_db:
        return False
    v = b.fresh("viewer")
    b.mg.uses.add("requireViewer")
    b.emit(f"const {v} = await requireViewer(ctx);")
    b.viewer = v
    return True


def blk_identity(b: Body) -> bool:
    if "identity" in b.names:
        return False
    v = b.fresh("identity")
    b.mg.uses.add("ConvexError")
    b.emit(
        f"const {v} = await ctx.auth.getUserIdentity();",
        f"if ({v} === null) {{",
        '  throw new ConvexError({ code: "UNAUTHENTICATED", message: "Sign in to {continue}" });',
        "}",
    )
    b.strings.append(f"{v}.subject")
    return True


def blk_get(b: Body, table: Table | None = None) -> bool:
    if not b.is_db:
        return False
    cands: list[tuple[str, Table]] = []
    for a in b.args.values():
        if a.kind == "id" and a.ref in b.mg.ctx.by_name and not a.optional:
            cands.append((b.arg(a.name), b.mg.ctx.by_name[a.ref]))
    for var, t in b.docs:
        for f in t.fields:
            if f.kind == "id" and not f.optional and not f.nullable and f.ref in b.mg.ctx.by_name:
                cands.append((f"{var}.{f.name}", b.mg.ctx.by_name[f.ref]))
    if table is not None:
        cands = [c for c in cands if c[1] is table]
    cands = [c for c in cands if not any(d[1] is c[1] for d in b.docs)]
    if not cands:
        return False
    expr, t = b.rng.choice(cands)
    v = b.fresh(t.singular)
    b.emit(f"const {v} = await ctx.db.get({expr});", f"if ({v} === null) {{", f"  {b.error(t)}", "}")
    b.docs.append((v, t))
    return True


def blk_index_query(b: Body, table: Table | None = None, main: bool = False) -> bool:
    if not b.is_db:
        return False
    tables = [table] if table else [b.t] + [c[0] for c in b.mg.ctx.children.get(b.t.name, [])][:6]
    opts = []
    for t in tables:
        for i in t.db_indexes:
            eq = b.index_eq(t, i)
            if eq:
                opts.append((t, i, eq))
    if not opts:
        return False
    t, i, eq = b.rng.choice(opts)
    var = b.fresh(t.name if t.name not in b.names else f"{t.singular}Rows")
    r = b.rng.random()
    lines = [f"const {var} = await ctx.db", f"  .query({ts_str(t.name)})", f"  .withIndex({ts_str(i.name)}, {eq})"]
    if r < 0.2 and len(i.fields) == 1:
        lines[-1] = lines[-1][:-1] + '.gte("_creationTime", Date.now() - 30 * 24 * 60 * 60 * 1000))'
    st = t.f("status")
    if st and st.kind == "literal" and "status" not in i.fields and b.rng.random() < 0.3:
        lines.append(f'  .filter((q) => q.neq(q.field("status"), {ts_str(st.literals[-1])}))')
    if "limit" in b.args:
        lines.append(f'  .order("desc")\n  .take(Math.min({b.arg("limit")} ?? 50, 200));')
    elif "options" in b.args:
        lines.append(f'  .order({b.arg("options")}?.order ?? "desc")\n  .take({b.arg("options")}?.limit ?? 100);')
    elif b.rng.random() < 0.55 or main:
        lines.append("  .collect();")
    else:
        lines.append(f'  .order("desc")\n  .take({b.rng.choice([10, 25, 50, 100, 500])});')
    if b.rng.random() < 0.4 and not main:
        b.emit(f"// Load {t.name} via {i.name}; the index keeps this bounded.")
    b.emit(*lines)
    b.lists.append((var, t))
    return True


def blk_first(b: Body) -> bool:
    if not b.is_db:
        return False
    opts = []
    for t in [b.t] + [c[0] for c in b.mg.ctx.children.get(b.t.name, [])][:4]:
        for i in t.db_indexes:
            eq = b.index_eq(t, i)
            if eq:
                opts.append((t, i, eq))
    if not opts:
        return False
    t, i, eq = b.rng.choice(opts)
    var = b.fresh(f"latest{cap(t.singular)}")
    method = "unique" if b.rng.random() < 0.2 and len(i.fields) >= 2 else "first"
    order = '\n  .order("desc")' if method == "first" else ""
    b.emit(
        f"const {var} = await ctx.db",
        f"  .query({ts_str(t.name)})",
        f"  .withIndex({ts_str(i.name)}, {eq}){order}",
        f"  .{method}();",
    )
    lab = b.fresh("lastLabel")
    b.emit(f"const {lab} = {var}?.{t.display} ?? {ts_str('(none yet)')};")
    b.strings.append(lab)
    return True


def blk_children_loop(b: Body) -> bool:
    if not b.is_db:
        return False
    opts = [(var, t, c) for var, t in b.lists for c in b.mg.ctx.children.get(t.name, [])]
    if not opts:
        return False
    var, t, (ct, ci, cf) = b.rng.choice(opts)
    counts = b.fresh(f"{ct.singular}Counts")
    item = "item" if "item" not in b.names else b.fresh("entry")
    b.emit(
        f"const {counts} = new Map<Id<{ts_str(t.name)}>, number>();",
        f"for (const {item} of {var}) {{",
        f"  // Count {ct.name} per {t.singular} ({ci.name} keeps this cheap).",
        "  const related = await ctx.db",
        f"    .query({ts_str(ct.name)})",
        f"    .withIndex({ts_str(ci.name)}, (q) => q.eq({ts_str(cf)}, {item}._id))",
        "    .collect();",
        f"  {counts}.set({item}._id, related.length);",
        "}",
    )
    b.mg.uses.add("Id")
    return True


def blk_enrich(b: Body) -> bool:
    if not b.is_db:
        return False
    opts = []
    for var, t in b.lists:
        for f in t.fields:
            if f.kind == "id" and f.ref in b.mg.ctx.by_name and f.ref != "_storage":
                opts.append((var, t, f))
    if not opts:
        return False
    var, t, f = b.rng.choice(opts)
    p = b.mg.ctx.by_name[f.ref or ""]
    out = b.fresh(f"{t.name}With{cap(p.singular)}")
    pv = p.singular + "Doc" if p.singular in RESERVED_WORDS else p.singular
    get = (f"row.{f.name} ? await ctx.db.get(row.{f.name}) : null"
           if (f.optional or f.nullable) else f"await ctx.db.get(row.{f.name})")
    b.emit(
        f"const {out} = await Promise.all(",
        f"  {var}.map(async (row) => {{",
        f"    const {pv} = {get};",
        "    return {",
        "      ...row,",
        f"      {p.singular}Label: {pv}?.{p.display} ?? \"(deleted)\",",
        "    };",
        "  }),",
        ");",
    )
    b.result = out
    return True


def blk_search(b: Body) -> bool:
    if not b.is_db:
        return False
    si = b.t.search_index
    if not si:
        return False
    q = b.arg("query") if "query" in b.args else (b.strings[0] if b.strings else None)
    if q is None:
        return False
    chain = f"q.search({ts_str(si.search_field)}, {q})"
    for ff in si.filter_fields:
        f = b.t.f(ff)
        if f is None:
            continue
        val = b.arg(ff) if ff in b.args and not b.args[ff].optional else (
            b.id_for(f.ref or "") if f.kind == "id" else (ts_str(f.literals[0]) if f.literals else None))
        if val:
            chain += f".eq({ts_str(ff)}, {val})"
    var = b.fresh("hits")
    b.emit(
        f"const {var} = await ctx.db",
        f"  .query({ts_str(b.t.name)})",
        f"  .withSearchIndex({ts_str(si.name)}, (q) =>",
        f"    {chain},",
        "  )",
        f"  .take({b.rng.choice([10, 20, 50])});",
    )
    b.lists.append((var, b.t))
    return True


def blk_filter_js(b: Body) -> bool:
    if not b.lists:
        return False
    var, t = b.rng.choice(b.lists)
    out = b.fresh(f"visible{cap(t.name)}")
    conds = []
    for f in t.fields:
        if f.kind == "literal" and f.name == "status":
            conds.append(f'row.status !== {ts_str(f.literals[-1])}')
        elif f.kind == "boolean" and not f.optional:
            conds.append(f"!row.{f.name}")
        elif f.name == "deletedAt":
            conds.append("row.deletedAt == null")
    conds.append(f"!/^\\s*$/.test(row.{t.display})" if t.f(t.display) and not t.f(t.display).optional else "true")
    b.emit(f"const {out} = {var}.filter(", f"  (row) => {' && '.join(conds[:3])},", ");")
    b.lists.append((out, t))
    b.result = out
    return True


def blk_group(b: Body) -> bool:
    if not b.lists:
        return False
    var, t = b.rng.choice(b.lists)
    keyf = next((f for f in t.fields if f.kind == "literal"), None)
    groups = b.fresh(f"{t.name}By{cap(keyf.name) if keyf else 'Bucket'}")
    key = f"row.{keyf.name}" if keyf else "`${new Date(row._creationTime).getUTCFullYear()}`"
    if b.rng.random() < 0.5:
        b.mg.uses.update(["groupBy", "Doc"])
        b.emit(f"const {groups} = groupBy({var}, (row) => String({key}));")
    else:
        b.mg.uses.add("Doc")
        b.emit(
            f"const {groups}: Record<string, Array<Doc<{ts_str(t.name)}>>> = {{}};",
            f"for (const row of {var}) {{",
            f"  const key = `${{{key}}}`;",
            f"  ({groups}[key] ??= []).push(row);",
            "}",
        )
    summ = b.fresh("groupSummary")
    b.emit(
        f"const {summ} = Object.entries({groups})",
        "  .map(([key, rows]) => `${key}{${rows.length}}`)",
        '  .join(", ");',
    )
    b.strings.append(summ)
    return True


def blk_stats(b: Body) -> bool:
    if not b.lists:
        return False
    var, t = b.rng.choice(b.lists)
    nf = next((f for f in t.fields if f.kind == "number" and not f.nullable), None)
    getter = (f"(row.{nf.name} ?? 0)" if nf and nf.optional else f"row.{nf.name}") if nf else "row._creationTime / 1000"
    total, avg, pct = b.fresh("total"), b.fresh("average"), b.fresh("share")
    b.emit(
        f"const {total} = {var}.reduce((sum, row) => sum + {getter}, 0);",
        f"const {avg} = {var}.length > 0 ? {total} / {var}.length / 1 : 0;",
        f"const {pct} = Math.round(({avg} / Math.max({total}, 1)) * 10_000) / 100;",
    )
    b.numbers += [total, pct]
    return True


def blk_sort(b: Body) -> bool:
    if not b.lists:
        return False
    var, t = b.rng.choice(b.lists)
    out = b.fresh(f"sorted{cap(t.name)}")
    nf = next((f for f in t.fields if f.kind == "number" and not f.optional and not f.nullable), None)
    cmp = f"a.{nf.name} - b.{nf.name}" if nf else "b._creationTime - a._creationTime"
    if b.rng.random() < 0.5:
        cmp = f"a.{t.display}.localeCompare(b.{t.display}) || {cmp}" if not t.f(t.display).optional else cmp
    b.emit(f"const {out} = [...{var}].sort((a, b) => {cmp});")
    b.lists.append((out, t))
    b.result = out
    return True


def blk_map_index(b: Body) -> bool:
    if not b.lists:
        return False
    var, t = b.rng.choice(b.lists)
    out = b.fresh(f"{t.singular}ById")
    b.mg.uses.update(["Id", "Doc"])
    b.emit(
        f"const {out} = new Map<Id<{ts_str(t.name)}>, Doc<{ts_str(t.name)}>>(",
        f"  {var}.map((row) => [row._id, row] as const),",
        ");",
    )
    return True


def blk_dedupe(b: Body) -> bool:
    opts = [(var, t, f) for var, t in b.lists for f in t.fields
            if f.kind == "id" and f.ref == "users" and not f.optional and not f.nullable]
    if not opts:
        return False
    var, t, f = b.rng.choice(opts)
    seen, out = b.fresh("seenUsers"), b.fresh("userIds")
    b.mg.uses.add("Id")
    b.emit(
        f"const {seen} = new Set<Id<\"users\">>();",
        f"const {out}: Array<Id<\"users\">> = [];",
        f"for (const row of {var}) {{",
        f"  if ({seen}.has(row.{f.name})) continue;",
        f"  {seen}.add(row.{f.name});",
        f"  {out}.push(row.{f.name});",
        "}",
    )
    return True


def blk_chunks(b: Body) -> bool:
    if not b.lists:
        return False
    var, t = b.rng.choice(b.lists)
    n, batches = b.fresh("processed"), b.fresh("batches")
    b.mg.uses.add("chunk")
    inner = (f"    await ctx.db.patch(row._id, {{ updatedAt: Date.now() }});" if b.can_write and t.f("updatedAt")
             else f"    {n} += row.{t.display}{'?' if t.f(t.display).optional else ''}.length > 0 ? 1 : 0;")
    b.emit(
        f"let {n} = 0;",
        f"const {batches} = chunk({var}, MAX_BATCH);",
        f"for (const [batchIndex, batch] of {batches}.entries()) {{",
        f"  for (const row of batch) {{",
        inner,
        "  }",
        f"  {n} += batch.length;",
        f"  console.log(`batch ${{batchIndex + 1}}/${{{batches}.length}}: {{processed=${{{n}}}}}`);",
        "}",
    )
    b.mg.uses.add("MAX_BATCH")
    b.numbers.append(n)
    return True


def blk_switch(b: Body) -> bool:
    opts = []
    for a in b.args.values():
        if a.kind == "literal" and not a.optional:
            opts.append((b.arg(a.name), a.literals))
    for var, t in b.docs:
        for f in t.fields:
            if f.kind == "literal" and not f.optional and len(f.literals) > 1:
                opts.append((f"{var}.{f.name}", f.literals))
    if not opts:
        return False
    expr, lits = b.rng.choice(opts)
    lab = b.fresh("label")
    lines = [f"let {lab}: string;", f"switch ({expr}) {{"]
    for i, l in enumerate(lits):
        lines.append(f"  case {ts_str(l)}:")
        if i == 0:
            lines.append(f"    {lab} = `{l.replace('_', ' ')} since ${{new Date().toDateString()}}`;")
        else:
            lines.append(f"    {lab} = {ts_str(l.replace('_', ' ').title())};")
        lines.append("    break;")
    lines += ["  default:", f"    {lab} = `unknown {{${{String({expr})}}}}`;", "}"]
    b.emit(*lines)
    b.strings.append(lab)
    return True


def blk_regex(b: Body) -> bool:
    src = None
    for a in b.args.values():
        if a.kind == "string" and not a.optional:
            src = b.arg(a.name)
            break
    if src is None:
        src = b.rng.choice(b.strings) if b.strings else "String(Date.now())"
    r = b.rng.randint(0, 3)
    if r == 0:
        m, p = b.fresh("match"), b.fresh("prefix")
        b.emit(
            f"const {m} = /^(?<prefix>[a-z]{{2,8}})[-_:](?<rest>\\{{?[\\w.]+\\}}?)$/i.exec({src});",
            f"const {p} = {m}?.groups?.prefix ?? \"default\";",
        )
        b.strings.append(p)
    elif r == 1:
        c = b.fresh("cleaned")
        b.emit(
            f"const {c} = {src}",
            "  .replace(/[{}]/g, \"\")",
            "  .replace(/\\s+/g, \" \")",
            "  .replace(/[\"'`]/g, \"\")",
            "  .trim();",
        )
        b.strings.append(c)
    elif r == 2:
        b.mg.uses.add("ConvexError")
        b.emit(
            f"if (!/^[\\w\\s{{}}\\-.,!?'\"/]{{1,200}}$/u.test({src})) {{",
            f"  throw new ConvexError(`Invalid characters in \"${{{src}.slice(0, 20)}}\" {{input}}`);",
            "}",
        )
    else:
        parts = b.fresh("parts")
        is_url = b.fresh("isUrl")
        b.emit(
            f"const {parts} = {src}.split(/\\s*[,;/]\\s*/).filter(Boolean);",
            f"const {is_url} = /^https?:\\/\\/[^\\s/$.?#].[^\\s]*$/i.test({parts}[0] ?? \"\");",
        )
    return True


def blk_template(b: Body) -> bool:
    n = b.rng.choice(b.numbers) if b.numbers else (f"{b.lists[0][0]}.length" if b.lists else "0")
    out = b.fresh("summary")
    r = b.rng.randint(0, 2)
    if r == 0:
        b.emit(
            f"const {out} = [",
            f"  `{b.t.singular}:${{{n}}}`,",
            f"  `{{\"kind\":\"summary\",\"count\":${{{n}}},\"at\":\"${{new Date().toISOString()}}\"}}`,",
            "  '{ not a block }',",
            "  \"}}{{\",",
            f"  `nested ${{`inner ${{String({n}).padStart(3, \"0\")}}`}} done`,",
            '].join(" / ");',
        )
    elif r == 1:
        b.emit(
            f"const {out} =",
            f"  {n} === 0",
            f"    ? \"No {b.t.name} yet \\u2014 create one with {{+}}\"",
            f"    : `${{{n}}} {b.t.singular}${{{n} === 1 ? \"\" : \"s\"}} (updated ${{new Date().toLocaleDateString(\"en-GB\")}})`;",
        )
    else:
        b.emit(
            f"const {out} = `",
            f"{b.t.singular} report",
            f"  total: ${{{n}}}",
            "  filter: { status: \"active\" } // literal text, not code",
            "`.trim();",
        )
    b.strings.append(out)
    return True


def blk_json(b: Body) -> bool:
    src = next((b.arg(a.name) for a in b.args.values() if a.kind == "string" and a.optional), None)
    src = src or "'{\"version\":1,\"flags\":{\"beta\":true}}'"
    parsed = b.fresh("parsed")
    b.emit(
        f"let {parsed}: Record<string, unknown> = {{}};",
        "try {",
        f"  {parsed} = JSON.parse({src} ?? \"{{}}\") as Record<string, unknown>;",
        "} catch (error) {",
        "  console.warn(`Ignoring malformed JSON {${String(error)}}`);",
        "}",
    )
    return True


def blk_closure(b: Body) -> bool:
    out = b.fresh("formatDuration")
    b.emit(
        f"const {out} = (value: number, unit: \"ms\" | \"s\" = \"ms\"): string =>",
        f"  `${{(unit === \"s\" ? value / 1000 : value).toFixed(1)}}${{unit === \"ms\" ? \"ms\" : ` ${{unit}}`}}`;",
    )
    if b.numbers:
        s = b.fresh("durationText")
        b.emit(f"const {s} = {out}({b.rng.choice(b.numbers)});")
        b.strings.append(s)
    return True


def blk_satisfies(b: Body) -> bool:
    out = b.fresh("retryPolicy")
    b.emit(
        f"const {out} = {{",
        f"  retries: {b.rng.randint(2, 6)},",
        f"  backoffMs: {b.rng.choice([100, 250, 500])},",
        "  label: \"{policy}\",",
        "} satisfies { retries: number; backoffMs: number; label: string };",
    )
    b.numbers.append(f"{out}.backoffMs")
    return True


def blk_comment(b: Body) -> bool:
    b.emit(*b.rng.choice(COMMENTS))
    return True


def blk_access(b: Body) -> bool:
    if not b.viewer:
        return False
    opts = [(var, t) for var, t in b.docs if t.f("teamId") and not t.f("teamId").optional]
    if not opts:
        return False
    var, t = b.rng.choice(opts)
    b.emit(
        f"if ({var}.teamId !== {b.viewer}.teamId && {b.viewer}.role !== \"admin\") {{",
        f"  {b.error(t)}",
        "}",
    )
    return True


def blk_helper_label(b: Body) -> bool:
    if not b.docs:
        return False
    var, t = b.rng.choice(b.docs)
    out = b.fresh(f"{t.singular}Label")
    b.mg.uses.add("formatLabel")
    b.emit(f"const {out} = formatLabel([{var}.{t.display}, {var}._id, {var}._creationTime]);")
    b.strings.append(out)
    return True


# --- writes -----------------------------------------------------------------


def blk_insert(b: Body, table: Table | None = None, main: bool = False) -> bool:
    if not b.can_write:
        return False
    t = table or b.t
    vals = b.doc_values(t, prefer_all=main)
    if vals is None:
        return False
    var = b.fresh(f"{t.singular}Id")
    b.emit(f"const {var} = await ctx.db.insert({ts_str(t.name)}, {{")
    b.emit(*[f"  {p}," for p in vals])
    b.emit("});")
    b.ids.append((var, t.name))
    if main:
        b.result = var
    return True


def blk_patch(b: Body) -> bool:
    if not b.can_write or not b.docs:
        return False
    var, t = b.rng.choice(b.docs)
    parts = []
    for f in t.fields:
        if f.name == "updatedAt":
            parts.append("updatedAt: Date.now()")
        elif f.kind == "literal" and f.name == "status" and b.rng.random() < 0.7:
            parts.append(f"status: {ts_str(b.rng.choice(f.literals))}")
        elif f.kind == "number" and f.name in ("viewCount", "position") and b.rng.random() < 0.6:
            parts.append(f"{f.name}: {var}.{f.name} + 1")
        elif f.kind == "boolean" and b.rng.random() < 0.3:
            parts.append(f"{f.name}: !{var}.{f.name}")
        elif f.optional and f.kind == "string" and b.rng.random() < 0.2:
            parts.append(f"{f.name}: undefined")
    if not parts:
        return False
    b.emit(f"await ctx.db.patch({var}._id, {{ {', '.join(parts)} }});")
    return True


def blk_delete_loop(b: Body) -> bool:
    if not b.can_write or not b.lists:
        return False
    var, t = b.rng.choice(b.lists)
    n = b.fresh("removed")
    b.emit(
        f"let {n} = 0;",
        f"for (const row of {var}) {{",
        "  // Hard delete: soft-deleted rows are already excluded above.",
        "  await ctx.db.delete(row._id);",
        f"  {n} += 1;",
        "}",
    )
    b.numbers.append(n)
    return True


def blk_audit(b: Body) -> bool:
    if not b.can_write or "auditLogs" not in b.mg.ctx.by_name:
        return False
    target = b.docs[0][0] + "._id" if b.docs else (b.ids[0][0] if b.ids else None)
    if target is None:
        return False
    actor = f"\n  actorId: {b.viewer}._id," if b.viewer else ""
    b.emit(
        "await ctx.db.insert(\"auditLogs\", {" + actor,
        f"  action: `{b.t.singular}.{b.rng.choice(['update', 'create', 'archive', 'sync'])}`,",
        f"  targetTable: {ts_str(b.t.name)},",
        f"  targetId: {target},",
        "  details: { note: \"{auto}\", via: `fn:${\"" + b.kind + "\"}` },",
        "  at: Date.now(),",
        "});",
    )
    return True


def blk_notify(b: Body) -> bool:
    if not b.can_write or "notifications" not in b.mg.ctx.by_name or "userIds" not in " ".join(b.names):
        return False
    ids = next(n for n in sorted(b.names) if n.startswith("userIds"))
    b.emit(
        f"for (const userId of {ids}) {{",
        "  await ctx.db.insert(\"notifications\", {",
        "    userId,",
        f"    channel: {ts_str(b.rng.choice(CHANNEL))},",
        f"    title: `{cap(b.t.singular)} updated`,",
        f"    body: `Something changed in {{{b.t.name}}} at ${{new Date().toLocaleTimeString(\"en-US\")}}`,",
        "    readAt: null,",
        "  });",
        "}",
    )
    return True


def blk_schedule(b: Body) -> bool:
    if not (b.can_write or b.is_action):
        return False
    for e in b.mg.reg.pick(b.rng, ("internalMutation", "internalAction", "mutation")):
        ca = b.call_args(e)
        if ca is None:
            continue
        b.mg.uses.add("internal" if e.internal else "api")
        delay = b.rng.choice(["0", "5 * 60 * 1000", "MAX_BATCH * 10"])
        if "MAX_BATCH" in delay:
            b.mg.uses.add("MAX_BATCH")
        b.emit(f"await ctx.scheduler.runAfter({delay}, {e.ref}, {ca});")
        return True
    return False


# --- actions ----------------------------------------------------------------


def blk_run_query(b: Body) -> bool:
    if not b.is_action:
        return False
    for e in b.mg.reg.pick(b.rng, ("internalQuery", "query")):
        ca = b.call_args(e)
        if ca is None:
            continue
        b.mg.uses.add("internal" if e.internal else "api")
        if e.returns_list:
            t = b.mg.ctx.by_name[e.returns_list]
            var = b.fresh(t.name if t.name not in b.names else f"{t.singular}List")
            b.mg.uses.add("Doc")
            b.emit(f"const {var}: Array<Doc<{ts_str(t.name)}>> = await ctx.runQuery({e.ref}, {ca});")
            b.lists.append((var, t))
        else:
            var = b.fresh("snapshot")
            b.emit(f"const {var} = await ctx.runQuery({e.ref}, {ca});")
        return True
    return False


def blk_run_mutation(b: Body) -> bool:
    if not b.is_action:
        return False
    for e in b.mg.reg.pick(b.rng, ("internalMutation", "mutation")):
        ca = b.call_args(e)
        if ca is None:
            continue
        b.mg.uses.add("internal" if e.internal else "api")
        if b.rng.random() < 0.5:
            b.emit(f"await ctx.runMutation({e.ref}, {ca});")
        else:
            err = b.fresh("lastError")
            b.emit(
                f"let {err}: unknown = null;",
                "for (let attempt = 0; attempt < 3; attempt++) {",
                "  try {",
                f"    await ctx.runMutation({e.ref}, {ca});",
                f"    {err} = null;",
                "    break;",
                "  } catch (error) {",
                f"    {err} = error;",
                "    await new Promise<void>((resolve) => setTimeout(resolve, 2 ** attempt * 250));",
                "  }",
                "}",
                f"if ({err} !== null) {{",
                f"  console.error(`giving up after retries: ${{String({err})}}`);",
                "}",
            )
        return True
    return False


def blk_fetch(b: Body) -> bool:
    if not b.is_action:
        return False
    env = b.rng.choice(["STRIPE", "SLACK", "OPENAI", "HUBSPOT", "RESEND", "GITHUB"])
    key = next((b.arg(a.name) for a in b.args.values() if not a.optional and a.kind in ("id", "string")),
               "Date.now()")
    resp, payload, items = b.fresh("response"), b.fresh("payload"), b.fresh("items")
    b.emit(
        f"const {resp} = await fetch(",
        f"  `${{process.env.{env}_API_URL ?? \"https://api.example.com\"}}/v2/{b.t.name}/${{encodeURIComponent(String({key}))}}`,",
        "  {",
        "    method: \"POST\",",
        "    headers: {",
        "      \"Content-Type\": \"application/json\",",
        f"      Authorization: `Bearer ${{process.env.{env}_API_KEY ?? \"\"}}`,",
        "    },",
        "    body: JSON.stringify({ source: \"convex\", filter: '{\"status\":\"active\"}', sentAt: Date.now() }),",
        "  },",
        ");",
        f"if (!{resp}.ok) {{",
        f"  const text = await {resp}.text();",
        f"  throw new Error(`{env} request failed (${{{resp}.status}}): ${{text.slice(0, 200)}}`);",
        "}",
        f"const {payload} = (await {resp}.json()) as {{",
        "  items?: Array<{ id: string; title?: string; score?: number; tags?: string[] }>;",
        "  nextCursor?: string | null;",
        "};",
        f"const {items} = {payload}.items ?? [];",
    )
    b.names.add("text")
    b.ext_lists.append(items)
    b.numbers.append(f"{items}.length")
    return True


def blk_ext_loop(b: Body) -> bool:
    if not b.ext_lists:
        return False
    items = b.rng.choice(b.ext_lists)
    scored = b.fresh("scored")
    b.emit(
        f"const {scored} = {items}",
        "  .filter((item) => (item.score ?? 0) > 0.25 && !/^tmp[-_]/.test(item.id))",
        "  .map((item) => ({",
        "    ...item,",
        "    title: item.title?.replace(/\\{\\{\\s*(\\w+)\\s*\\}\\}/g, (_m, key: string) => `<${key}>`) ?? \"(untitled)\",",
        "    tags: [...new Set(item.tags ?? [])].sort(),",
        "  }));",
    )
    b.numbers.append(f"{scored}.length")
    return True


def blk_hash(b: Body) -> bool:
    if not b.mg.use_node:
        return False
    src = b.ext_lists[0] if b.ext_lists else (b.lists[0][0] if b.lists else "args")
    out = b.fresh("digest")
    b.mg.uses.add("createHash")
    b.emit(f"const {out} = createHash(\"sha256\").update(JSON.stringify({src})).digest(\"hex\");")
    b.strings.append(out)
    return True


def blk_store(b: Body) -> bool:
    if not b.is_action or not (b.lists or b.ext_lists):
        return False
    src = b.lists[0][0] if b.lists else b.ext_lists[0]
    csv, sid, url = b.fresh("csv"), b.fresh("storageId"), b.fresh("downloadUrl")
    b.mg.uses.add("escapeCsv")
    b.emit(
        f"const {csv} = [",
        "  \"id,label,created\",",
        f"  ...{src}.map((row) => [row{'._id' if b.lists else '.id'}, escapeCsv(row{'._creationTime' if b.lists else '.title'}), \"\"].join(\",\")),",
        "].join(\"\\n\");",
        f"const {sid} = await ctx.storage.store(new Blob([{csv}], {{ type: \"text/csv;charset=utf-8\" }}));",
        f"const {url} = await ctx.storage.getUrl({sid});",
    )
    b.strings.append(f"({url} ?? \"\")")
    return True


def blk_vector(b: Body) -> bool:
    if not b.is_action:
        return False
    tables = [b.t] + b.mg.ctx.vector_tables[:3]
    t = next((x for x in tables if x.vector_index), None)
    if not t:
        return False
    vi = t.vector_index
    assert vi
    q = b.arg("query") if "query" in b.args else '"similar items"'
    emb, res, top = b.fresh("embedding"), b.fresh("results"), b.fresh("topIds")
    filt = ""
    if vi.filter_fields:
        f = t.f(vi.filter_fields[0])
        val = b.id_for(f.ref or "") if f and f.kind == "id" else None
        if val:
            filt = f"\n  filter: (q) => q.eq({ts_str(vi.filter_fields[0])}, {val}),"
    b.emit(
        f"const {emb}: number[] = await embedText({q}, {vi.dims});",
        f"const {res} = await ctx.vectorSearch({ts_str(t.name)}, {ts_str(vi.name)}, {{",
        f"  vector: {emb},",
        f"  limit: {b.rng.choice([8, 16, 32])},{filt}",
        "});",
        f"const {top} = {res}.filter((r) => r._score > 0.72).map((r) => r._id);",
    )
    b.mg.uses.add("embedText")
    b.numbers.append(f"{top}.length")
    return True


FILLERS_DB = [
    (blk_index_query, 4), (blk_first, 2), (blk_get, 2), (blk_children_loop, 3), (blk_enrich, 2),
    (blk_filter_js, 2), (blk_group, 2), (blk_stats, 2), (blk_sort, 1), (blk_map_index, 1), (blk_dedupe, 1),
    (blk_switch, 2), (blk_regex, 2), (blk_template, 1), (blk_json, 1), (blk_closure, 1), (blk_satisfies, 1),
    (blk_comment, 2), (blk_access, 2), (blk_helper_label, 1), (blk_chunks, 1),
    (blk_insert, 1), (blk_patch, 2), (blk_delete_loop, 1), (blk_audit, 2), (blk_notify, 1), (blk_schedule, 2),
]
FILLERS_ACTION = [
    (blk_run_query, 4), (blk_run_mutation, 3), (blk_fetch, 2), (blk_ext_loop, 2), (blk_hash, 1), (blk_store, 1),
    (blk_vector, 1), (blk_schedule, 1), (blk_group, 1), (blk_stats, 2), (blk_sort, 1), (blk_regex, 2),
    (blk_template, 1), (blk_json, 1), (blk_closure, 1), (blk_satisfies, 1), (blk_comment, 2), (blk_identity, 1),
    (blk_switch, 1), (blk_chunks, 1),
]


MAX_USES = {blk_template: 1, blk_closure: 1, blk_satisfies: 1, blk_json: 1, blk_identity: 1, blk_viewer: 1,
            blk_comment: 3, blk_index_query: 3, blk_chunks: 1, blk_hash: 1, blk_store: 1, blk_vector: 1,
            blk_fetch: 1, blk_audit: 1, blk_notify: 1}


class ModuleGen:
    def __init__(self, ctx: Ctx, reg: Registry, index: int, seed: int, used_paths: set[str]):
        self.ctx = ctx
        self.reg = reg
        self.index = index
        self.rng = random.Random(f"convex-ssot-bench:{seed}:module:{index}")
        rng = self.rng
        cand_tables = [t for t in ctx.tables if t.name not in ("auditLogs", "notifications")] or ctx.tables
        for attempt in range(40):
            d = rng.choice(DIRS)
            t = rng.choice(cand_tables)
            name = t.name + (rng.choice(MODULE_SUFFIXES) if attempt < 30 else f"{attempt}")
            rel = f"{d}/{name}" if d else name
            if rel not in used_paths and rel not in RESERVED_MODULE_PATHS:
                break
        else:  # pragma: no cover - practically unreachable
            rel = f"{t.name}M{index}"
            d = ""
        used_paths.add(rel)
        self.dir = d
        self.rel = rel
        self.api_path = rel.replace("/", ".")
        self.t = t
        self.depth = rel.count("/")
        self.use_node = d in NODE_DIRS and rng.random() < 0.6
        self.uses: set[str] = set()
        self.fn_names: set[str] = set()
        self.schema_imports: set[str] = set()
        self.module_consts: list[str] = []

    # -- helpers -------------------------------------------------------------
    def up(self) -> str:
        return "./" if self.depth == 0 else "../" * self.depth

    def arg_field(self, f: Field, optional: bool | None = None) -> Field:
        a = f.required_copy()
        a.optional = f.optional if optional is None else optional
        a.schema_ref = f.schema_ref if (f.schema_ref and f.schema_ref != "money" and self.rng.random() < 0.5) else None
        return a

    def render_arg(self, a: Field) -> str:
        if a.name == "paginationOpts":
            return "paginationOptsValidator"
        if a.name == "options" and self.ctx.extras:
            self.uses.add("listOptions")
            return "v.optional(listOptions)"
        if a.schema_ref:
            self.schema_imports.add(a.schema_ref)
            return f"v.optional({a.schema_ref})" if a.optional else a.schema_ref
        return a.inline

    # -- functions -----------------------------------------------------------
    def plan_kind(self) -> str:
        r = self.rng.random()
        if self.use_node:
            return "action" if r < 0.5 else "internalAction"
        for k, p in (("query", 0.33), ("mutation", 0.62), ("internalQuery", 0.70), ("internalMutation", 0.82),
                     ("action", 0.92)):
            if r < p:
                return k
        return "internalAction"

    def fn_name(self, base: str) -> str:
        name, k = base, 2
        while name in self.fn_names:
            name = f"{base}V{k}"
            k += 1
        self.fn_names.add(name)
        return name

    def gen_function(self, line_target: int) -> tuple[str, FnEntry]:
        rng, t = self.rng, self.t
        kind = self.plan_kind()
        T, Ts = cap(t.singular), cap(t.name)
        args: list[Field] = []
        returns: str | None = None
        returns_list: str | None = None
        core: list = []
        ret: str = "null"
        need_viewer = False
        id_arg = ID(f"{t.singular}Id", t.name)
        main_idx = rng.choice(t.db_indexes) if t.db_indexes else None
        idx_args = [self.arg_field(t.f(c), optional=False) for c in (main_idx.fields if main_idx else []) if t.f(c)]
        if kind in ("query", "internalQuery"):
            shape = rng.choice(["list", "list", "get", "page", "stats"] + (["search"] if t.search_index else []))
            if shape == "list":
                name = f"list{Ts}" if rng.random() < 0.6 else f"list{Ts}By{cap(main_idx.fields[0]) if main_idx else 'Team'}"
                args = idx_args + ([N("limit", optional=True)] if rng.random() < 0.4 else
                                   [make_object("options", [N("limit", optional=True), LIT("order", ("asc", "desc"), optional=True)], optional=True)] if rng.random() < 0.3 else [])
                core = [lambda b: blk_index_query(b, t, main=True)]
                returns_list = t.name
            elif shape == "get":
                name = f"get{T}"
                args = [id_arg]
                core = [lambda b: blk_get(b, t), blk_index_query]
            elif shape == "page":
                name = f"paginate{Ts}"
                args = idx_args + [Field("paginationOpts", "object", "paginationOptsValidator")]
                self.uses.add("paginationOptsValidator")
                core = [lambda b: blk_page(b, t, main_idx)]
            elif shape == "search":
                name = f"search{Ts}"
                si = t.search_index
                args = [S("query")] + [self.arg_field(t.f(c), optional=False) for c in si.filter_fields[:1]]
                core = [blk_search]
                returns_list = t.name
            else:
                name = f"{t.singular}Stats"
                args = idx_args
                core = [lambda b: blk_index_query(b, t, main=True), blk_stats]
        elif kind in ("mutation", "internalMutation"):
            shape = rng.choice(["create", "update", "remove", "bulk", "cleanup"])
            if shape == "create":
                name = f"create{T}"
                args = [self.arg_field(f) for f in t.fields
                        if f.kind not in ("vector", "bytes", "int64", "any", "union")
                        and f.name not in ("updatedAt", "at") and not (f.optional and rng.random() < 0.6)
                        and not (f.kind == "id" and f.ref == "users" and f.name != "assigneeId" and rng.random() < 0.5)]
                core = [lambda b: blk_insert(b, t, main=True)]
                returns = f"v.id({ts_str(t.name)})"
                names_ = {a.name for a in args}
                need_viewer = any(f.kind == "id" and f.ref == "users" and not f.optional and f.name not in names_
                                  for f in t.fields)
            elif shape == "update":
                name = f"update{T}"
                patchable = [f for f in t.fields if f.kind in ("string", "number", "boolean", "literal")
                             and f.name != "updatedAt" and not f.nullable]
                args = [id_arg] + [self.arg_field(f, optional=True) for f in rng.sample(patchable, min(len(patchable), rng.randint(1, 4)))]
                core = [lambda b: blk_get(b, t), lambda b: blk_patch_args(b, t)]
                returns = "v.null()" if rng.random() < 0.6 else None
            elif shape == "remove":
                name = rng.choice([f"remove{T}", f"archive{T}", f"delete{T}"])
                args = [id_arg]
                core = [lambda b: blk_get(b, t), blk_index_query, blk_delete_loop]
                returns = "v.null()" if rng.random() < 0.5 else None
            elif shape == "bulk":
                name = f"bulkUpdate{Ts}"
                st = t.f("status")
                args = [ARR("ids", ID("_", t.name))] + ([self.arg_field(st, optional=False)] if st and st.kind == "literal" else [])
                core = [lambda b: blk_bulk(b, t)]
            else:
                name = rng.choice([f"cleanup{Ts}", f"purgeStale{Ts}", f"recompute{T}Counters"])
                args = [N("olderThanMs", optional=True), N("batchSize", optional=True)]
                core = [blk_index_query, blk_chunks]
        else:
            shape = rng.choice(["sync", "export", "enrich"] + (["similar"] if self.ctx.vector_tables else []))
            if shape == "sync":
                name = f"sync{Ts}"
                args = idx_args[:1] + ([S("cursor", optional=True)] if rng.random() < 0.5 else [])
                core = [blk_fetch, blk_ext_loop, blk_run_mutation]
            elif shape == "export":
                name = f"export{Ts}"
                args = idx_args
                core = [blk_run_query, blk_store]
            elif shape == "enrich":
                name = f"enrich{T}"
                args = [id_arg, S("webhookSecret", optional=True)]
                core = [blk_run_query, blk_fetch]
            else:
                name = f"similar{Ts}"
                args = [S("query")] + idx_args[:1]
                core = [blk_vector, blk_run_query]
        name = self.fn_name(name)
        # dedupe arg names
        seen: set[str] = set()
        args = [a for a in args if not (a.name in seen or seen.add(a.name))]
        destructure = rng.random() < 0.25 and bool(args)
        b = Body(self, kind, t, args, destructure)
        self._current = FnEntry(self.api_path, name, kind, args, returns_list)
        if need_viewer:
            blk_viewer(b)
        elif b.is_db and rng.random() < 0.6:
            blk_viewer(b) if rng.random() < 0.7 else blk_identity(b)
        elif b.is_action and rng.random() < 0.3:
            blk_identity(b)
        for c in core:
            c(b)
        wrapper_lines = 5  # export/args/handler/closing lines, conservatively (args may be a const)
        fillers = FILLERS_ACTION if b.is_action else FILLERS_DB
        guard = 0
        used: dict[object, int] = {}
        avail = list(fillers)
        while len(b.lines) + wrapper_lines < line_target and guard < 100 and avail:
            guard += 1
            blk = rng.choices([f for f, _ in avail], [w for _, w in avail])[0]
            if blk(b):
                used[blk] = used.get(blk, 0) + 1
                if used[blk] < MAX_USES.get(blk, 2):
                    continue
            avail = [(f, w) for f, w in avail if f is not blk]  # capped, or not applicable right now
        # return statement
        if returns == f"v.id({ts_str(t.name)})":
            ret = b.result or "null"
            if ret == "null":
                returns = None
        elif returns == "v.null()":
            ret = "null"
        elif returns_list:
            ret = b.result if (b.result and any(b.result == v for v, _ in b.lists)) else next(
                (v for v, tt in b.lists if tt is t), "[]")
            if ret == "[]":
                returns_list = None
        elif b.page_var:
            ret = f"{{ ...{b.page_var}, page: {b.result or b.lists[0][0]} }}"
        elif b.lists and b.is_db and kind.endswith("uery"):
            ret = b.result or b.lists[-1][0]
        elif b.numbers:
            ret = "{ " + ", ".join(f"n{i}: {n}" for i, n in enumerate(b.numbers[:3])) + ", finishedAt: Date.now() }"
        b.emit(f"return {ret};")
        self._current.returns_list = returns_list

        # wrapper
        self.uses.add(kind)
        self.uses.add("v")
        lines: list[str] = []
        if rng.random() < 0.5:
            lines.append(self._doc_comment(name, kind, t))
        arg_lines: list[str]
        if args:
            arg_lines = [f"    {a.name}: {self.render_arg(a)}," for a in args]
        else:
            arg_lines = []
        handler_args = "ctx, args"
        if destructure:
            handler_args = "ctx, { " + ", ".join(a.name for a in args) + " }"
        lines.append(f"export const {name} = {kind}({{")
        if args and rng.random() < 0.12:
            const = f"{name}Args"
            self.module_consts.append(f"const {const} = {{\n" + "\n".join(l[2:] for l in arg_lines) + "\n};")
            lines.append(f"  args: {const},")
        elif args:
            lines.append("  args: {")
            lines += arg_lines
            lines.append("  },")
        else:
            lines.append("  args: {},")
        if returns:
            lines.append(f"  returns: {returns},")
        rtype = ""
        if returns == f"v.id({ts_str(t.name)})" and rng.random() < 0.5:
            self.uses.add("Id")
            rtype = f": Promise<Id<{ts_str(t.name)}>>"
        if rng.random() < 0.3:
            lines.append(f"  async handler({handler_args}){rtype} {{")
        else:
            lines.append(f"  handler: async ({handler_args}){rtype} => {{")
        lines += b.lines
        lines.append("  },")
        lines.append("});")
        self.reg.add(self._current)
        return "\n".join(lines), self._current

    def _doc_comment(self, name: str, kind: str, t: Table) -> str:
        what = {"query": "Public query", "mutation": "Public mutation", "action": "Public action",
                "internalQuery": "Internal query", "internalMutation": "Internal mutation",
                "internalAction": "Internal action"}[kind]
        return (f"/**\n * {what} over `{t.name}`.\n *\n"
                f" * Called from the client as `{'internal' if kind.startswith('internal') else 'api'}.{self.api_path}.{name}`.\n */")

    # -- module ---------------------------------------------------------------
    def generate(self, byte_target: int) -> str:
        rng = self.rng
        fns: list[str] = []
        size = 2500  # imports + helpers, roughly
        while size < byte_target or len(fns) < 2:
            r = rng.random()
            target = rng.randint(30, 55) if r < 0.55 else (rng.randint(55, 100) if r < 0.9 else rng.randint(100, 200))
            code, _ = self.gen_function(target)
            fns.append(code)
            size += len(code) + 2
            if len(fns) >= 12:
                break
        # extra helpers sometimes, for realism even if unused
        if rng.random() < 0.3:
            self.uses.add("clamp")
        if rng.random() < 0.2:
            self.uses.add("describe")
        return self._assemble(fns)

    def _assemble(self, fns: list[str]) -> str:
        rng, u, t = self.rng, self.uses, self.t
        up = self.up()
        gen = f"{up}_generated"
        out: list[str] = []
        if self.use_node:
            out += ['"use node";', ""]
        if rng.random() < 0.6:
            out += [f"// {self.rel}.ts — {t.name} {rng.choice(['queries and mutations', 'business logic', 'API surface', 'background jobs'])}.",
                    "// Generated for convex-ssot benchmarks; shaped like hand-written app code.", ""]
        values = ["v"] + (["ConvexError"] if "ConvexError" in u or "requireViewer" in u and not self.ctx.extras else [])
        out.append(f"import {{ {', '.join(values)} }} from \"convex/values\";")
        if "paginationOptsValidator" in u:
            out.append('import { paginationOptsValidator } from "convex/server";')
        server = [k for k in KINDS if k in u]
        needs_qctx = ("requireViewer" in u and not self.ctx.extras) or "loadOrThrow" in u
        srv_types = ["type QueryCtx", "type MutationCtx"] if needs_qctx else []
        out.append(f"import {{ {', '.join(server + srv_types)} }} from \"{gen}/server\";")
        dm = [x for x in ("Doc", "Id") if x in u or (x == "Doc" and (needs_qctx or "describe" in u))]
        if dm:
            out.append(f"import type {{ {', '.join(dm)} }} from \"{gen}/dataModel\";")
        apis = [x for x in ("api", "internal") if x in u]
        if apis:
            out.append(f"import {{ {', '.join(apis)} }} from \"{gen}/api\";")
        if self.schema_imports:
            out.append(f"import {{ {', '.join(sorted(self.schema_imports))} }} from \"{up}schema\";")
        if self.ctx.extras:
            if "requireViewer" in u:
                out.append(f"import {{ requireViewer }} from \"{up}lib/auth\";")
            libs = [x for x in ("chunk", "groupBy", "formatLabel", "escapeCsv") if x in u]
            if libs:
                out.append(f"import {{ {', '.join(libs)} }} from \"{up}lib/text\";")
            if "listOptions" in u:
                out.append(f"import {{ listOptions }} from \"{up}lib/validators\";")
        if "createHash" in u:
            out.append('import { createHash } from "node:crypto";')
        out.append("")
        consts = []
        if "MAX_BATCH" in u:
            consts.append(f"const MAX_BATCH = {rng.choice([50, 100, 200, 250])};")
        if rng.random() < 0.5:
            consts.append("const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;")
            consts.append("export const isValidSlug = (s: string): boolean => SLUG_RE.test(s) && s.length <= 64;")
        if rng.random() < 0.4:
            consts.append(f"const DEFAULT_TEMPLATE = \"Hi {{name}}, your {t.singular} {{title}} is ready\";")
            consts.append("export const renderTemplate = (vars: Record<string, string>, tpl = DEFAULT_TEMPLATE): string =>")
            consts.append("  tpl.replace(/\\{(\\w+)\\}/g, (_m, key: string) => vars[key] ?? `{${key}}`);")
        consts += self.module_consts
        if consts:
            out += consts + [""]
        if rng.random() < 0.5:
            out += [
                f"type {cap(t.singular)}Summary<TExtra extends object = {{}}> = {{",
                f"  id: string;",
                "  label: string;",
                "  tags: readonly string[];",
                "} & TExtra;",
                "",
                f"interface PageInfo<T> {{",
                "  items: T[];",
                "  cursor: string | null;",
                "  hasMore: boolean;",
                "}",
                "",
            ]
        helpers = self._helpers()
        if helpers:
            out += helpers
        for f in fns:
            out.append(f)
            out.append("")
        return "\n".join(out)

    def _helpers(self) -> list[str]:
        u, t, out = self.uses, self.t, []
        local = not self.ctx.extras
        if "requireViewer" in u and local:
            out += REQUIRE_VIEWER.splitlines() + [""]
        if local and "chunk" in u:
            out += CHUNK.splitlines() + [""]
        if local and "groupBy" in u:
            out += GROUP_BY.splitlines() + [""]
        if local and "formatLabel" in u:
            out += FORMAT_LABEL.splitlines() + [""]
        if local and "escapeCsv" in u:
            out += ESCAPE_CSV.splitlines() + [""]
        if "clamp" in u:
            out += ["function clamp(value: number, min: number, max: number): number {",
                    "  return Math.min(max, Math.max(min, value));", "}", ""]
        if "embedText" in u:
            out += EMBED_TEXT.splitlines() + [""]
        if "describe" in u:
            out += [f"export function describe{cap(t.singular)}(doc: Doc<{ts_str(t.name)}>): string {{",
                    f"  const when = new Date(doc._creationTime).toISOString().slice(0, 10);",
                    f"  return `{t.singular} ${{doc._id}} ({{created ${{when}}}})`;",
                    "}", ""]
        return out


REQUIRE_VIEWER = '''\
async function requireViewer(ctx: QueryCtx | MutationCtx): Promise<Doc<"users">> {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) {
    throw new ConvexError("Not authenticated");
  }
  const user = await ctx.db
    .query("users")
    .withIndex("by_tokenIdentifier", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
    .unique();
  if (user === null) {
    throw new ConvexError(`No user for {${identity.subject}}`);
  }
  return user;
}'''

CHUNK = '''\
function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}'''

GROUP_BY = '''\
function groupBy<T, K extends PropertyKey>(items: Iterable<T>, key: (item: T) => K): Record<K, T[]> {
  const out = {} as Record<K, T[]>;
  for (const item of items) {
    (out[key(item)] ??= []).push(item);
  }
  return out;
}'''

FORMAT_LABEL = '''\
function formatLabel(parts: Array<string | number | undefined | null>): string {
  return parts
    .filter((p): p is string | number => p !== undefined && p !== null && p !== "")
    .map((p) => String(p).replace(/\\s+/g, " ").trim())
    .join(" \\u00b7 ");
}'''

ESCAPE_CSV = '''\
function escapeCsv(value: unknown): string {
  const s = value === null || value === undefined ? "" : String(value);
  return /["\\n,{}]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}'''

EMBED_TEXT = '''\
async function embedText(text: string, dimensions: number): Promise<number[]> {
  const res = await fetch("https://api.openai.com/v1/embeddings", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${process.env.OPENAI_API_KEY ?? ""}`,
    },
    body: JSON.stringify({ model: "text-embedding-3-small", input: text, dimensions }),
  });
  if (!res.ok) {
    throw new Error(`embedding failed: ${res.status} {${res.statusText}}`);
  }
  const json = (await res.json()) as { data: Array<{ embedding: number[] }> };
  return json.data[0]?.embedding ?? new Array<number>(dimensions).fill(0);
}'''


def blk_page(b: Body, t: Table, idx: Index | None) -> bool:
    eq = b.index_eq(t, idx) if idx else None
    res, page = b.fresh("result"), b.fresh("page")
    with_idx = f"\n  .withIndex({ts_str(idx.name)}, {eq})" if eq and idx else ""
    b.emit(
        f"const {res} = await ctx.db",
        f"  .query({ts_str(t.name)}){with_idx}",
        "  .order(\"desc\")",
        f"  .paginate({b.arg('paginationOpts')});",
        f"const {page} = {res}.page;",
    )
    b.lists.append((page, t))
    b.result = None
    b.page_var = res
    return True


def blk_patch_args(b: Body, t: Table) -> bool:
    doc = next((v for v, tt in b.docs if tt is t), None)
    if doc is None:
        return False
    patch = b.fresh("patch")
    b.mg.uses.add("Doc")
    lines = [f"const {patch}: Partial<Doc<{ts_str(t.name)}>> = {{}};"]
    for a in b.args.values():
        if a.kind == "id" and a.name.endswith("Id") and a.ref == t.name:
            continue
        val = f"{b.arg(a.name)}.trim()" if a.kind == "string" else b.arg(a.name)
        lines.append(f"if ({b.arg(a.name)} !== undefined) {patch}.{a.name} = {val};")
    if t.f("updatedAt"):
        lines.append(f"{patch}.updatedAt = Date.now();")
    lines += [f"if (Object.keys({patch}).length === 0) {{", "  return null;", "}",
              f"await ctx.db.patch({doc}._id, {patch});"]
    b.emit(*lines)
    return True


def blk_bulk(b: Body, t: Table) -> bool:
    n = b.fresh("updated")
    st = "status" in b.args
    upd = []
    if st:
        upd.append(f"status: {b.arg('status')}")
    if t.f("updatedAt"):
        upd.append("updatedAt: Date.now()")
    if not upd:
        upd.append(f"{t.display}: doc.{t.display}")
    b.mg.uses.add("ConvexError")
    b.emit(
        f"if ({b.arg('ids')}.length > 100) {{",
        "  throw new ConvexError(`Too many ids: ${" + b.arg("ids") + ".length} > 100 {max}`);",
        "}",
        f"let {n} = 0;",
        f"for (const id of {b.arg('ids')}) {{",
        "  const doc = await ctx.db.get(id);",
        "  if (!doc) continue; // already deleted {race}",
        f"  await ctx.db.patch(id, {{ {', '.join(upd)} }});",
        f"  {n}++;",
        "}",
    )
    b.numbers.append(n)
    return True


# ---------------------------------------------------------------------------
# Extras: lib/, crons.ts, http.ts, auth.config.ts
# ---------------------------------------------------------------------------


def extra_files(reg: Registry, rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    files["convex/lib/auth.ts"] = "\n".join([
        'import { ConvexError } from "convex/values";',
        'import type { QueryCtx, MutationCtx } from "../_generated/server";',
        'import type { Doc } from "../_generated/dataModel";',
        "",
        "/** Resolve the signed-in user or throw. Shared by most modules. */",
        "export " + REQUIRE_VIEWER,
        "",
        "export async function getViewer(ctx: QueryCtx): Promise<Doc<\"users\"> | null> {",
        "  const identity = await ctx.auth.getUserIdentity();",
        "  if (identity === null) return null;",
        "  return await ctx.db",
        "    .query(\"users\")",
        "    .withIndex(\"by_tokenIdentifier\", (q) => q.eq(\"tokenIdentifier\", identity.tokenIdentifier))",
        "    .unique();",
        "}",
        "",
    ])
    files["convex/lib/text.ts"] = "\n".join([
        "// Small, dependency-free helpers shared by function modules.",
        "",
        "export " + CHUNK,
        "",
        "export " + GROUP_BY,
        "",
        "export " + FORMAT_LABEL,
        "",
        "export " + ESCAPE_CSV,
        "",
        "export const slugify = (input: string): string =>",
        "  input",
        "    .toLowerCase()",
        "    .normalize(\"NFKD\")",
        "    .replace(/[\\u0300-\\u036f]/g, \"\")",
        "    .replace(/[^a-z0-9]+/g, \"-\")",
        "    .replace(/^-+|-+$/g, \"\");",
        "",
    ])
    files["convex/lib/validators.ts"] = "\n".join([
        'import { v } from "convex/values";',
        "",
        "export const listOptions = v.object({",
        "  limit: v.optional(v.number()),",
        "  order: v.optional(v.union(v.literal(\"asc\"), v.literal(\"desc\"))),",
        "  includeArchived: v.optional(v.boolean()),",
        "});",
        "",
        "export const address = v.object({",
        "  line1: v.string(),",
        "  line2: v.optional(v.string()),",
        "  city: v.string(),",
        "  postalCode: v.string(),",
        "  country: v.string(), // ISO 3166-1 alpha-2, e.g. \"DE\"",
        "});",
        "",
    ])
    # crons: internal functions whose required args are all constants
    lines = ['import { cronJobs } from "convex/server";', 'import { internal } from "./_generated/api";', "",
             "const crons = cronJobs();", ""]
    n = 0
    for e in reg.by_kind["internalMutation"][:40] + reg.by_kind["internalAction"][:40]:
        if any(not a.optional for a in e.args):
            continue
        sched = [
            f'crons.interval("{e.name} every 15m", {{ minutes: 15 }}, {e.ref}, {{}});',
            f'crons.daily("{e.name} nightly", {{ hourUTC: 3, minuteUTC: {n % 60} }}, {e.ref}, {{ batchSize: 100 }});'
            if any(a.name == "batchSize" for a in e.args) else
            f'crons.hourly("{e.name} hourly", {{ minuteUTC: {n % 60} }}, {e.ref}, {{}});',
            f'crons.cron("{e.name} weekdays", "0 6 * * 1-5", {e.ref}, {{}});',
        ]
        lines.append(sched[n % 3])
        n += 1
        if n >= 8:
            break
    lines += ["", "export default crons;", ""]
    files["convex/crons.ts"] = "\n".join(lines)
    # http router
    muts = reg.by_kind["internalMutation"][:20]
    target = next((e for e in muts if not any(not a.optional for a in e.args)), None)
    call = (f"  await ctx.runMutation(internal.{target.api_path}.{target.name}, {{}});"
            if target else "  // nothing to forward yet")
    files["convex/http.ts"] = "\n".join([
        'import { httpRouter } from "convex/server";',
        'import { httpAction } from "./_generated/server";',
        *(['import { internal } from "./_generated/api";'] if target else []),
        "",
        "const http = httpRouter();",
        "",
        "http.route({",
        '  path: "/webhooks/stripe",',
        '  method: "POST",',
        "  handler: httpAction(async (ctx, request) => {",
        '    const signature = request.headers.get("stripe-signature") ?? "";',
        "    if (!/^t=\\d+,v1=[0-9a-f]{64}/.test(signature)) {",
        '      return new Response(\'{"error":"bad signature"}\', { status: 400 });',
        "    }",
        "    const body = await request.text();",
        "    console.log(`stripe webhook {bytes=${body.length}}`);",
        call,
        "    return new Response(null, { status: 200 });",
        "  }),",
        "});",
        "",
        "http.route({",
        '  pathPrefix: "/public/",',
        '  method: "GET",',
        "  handler: httpAction(async (_ctx, request) => {",
        "    const url = new URL(request.url);",
        '    return new Response(JSON.stringify({ path: url.pathname, ok: true }), {',
        '      headers: { "Content-Type": "application/json" },',
        "    });",
        "  }),",
        "});",
        "",
        "export default http;",
        "",
    ])
    files["convex/auth.config.ts"] = "\n".join([
        "export default {",
        "  providers: [",
        "    {",
        "      domain: process.env.CLERK_JWT_ISSUER_DOMAIN,",
        '      applicationID: "convex",',
        "    },",
        "  ],",
        "};",
        "",
    ])
    return files


# ---------------------------------------------------------------------------
# Static files
# ---------------------------------------------------------------------------

GENERATED = {
    "server.js": (
        "/* eslint-disable */\n"
        "// Stand-in for `npx convex codegen` output (benchmark fixture).\n"
        "import {\n  actionGeneric,\n  httpActionGeneric,\n  queryGeneric,\n  mutationGeneric,\n"
        "  internalActionGeneric,\n  internalMutationGeneric,\n  internalQueryGeneric,\n} from \"convex/server\";\n\n"
        "export const query = queryGeneric;\nexport const internalQuery = internalQueryGeneric;\n"
        "export const mutation = mutationGeneric;\nexport const internalMutation = internalMutationGeneric;\n"
        "export const action = actionGeneric;\nexport const internalAction = internalActionGeneric;\n"
        "export const httpAction = httpActionGeneric;\n"
    ),
    "server.d.ts": (
        "/* eslint-disable */\n// Stand-in for `npx convex codegen` output (benchmark fixture).\n"
        "export declare const query: any;\nexport declare const internalQuery: any;\n"
        "export declare const mutation: any;\nexport declare const internalMutation: any;\n"
        "export declare const action: any;\nexport declare const internalAction: any;\n"
        "export declare const httpAction: any;\n"
        "export type QueryCtx = any;\nexport type MutationCtx = any;\nexport type ActionCtx = any;\n"
    ),
    "api.js": (
        "/* eslint-disable */\n// Stand-in for `npx convex codegen` output (benchmark fixture).\n"
        "import { anyApi } from \"convex/server\";\n\nexport const api = anyApi;\nexport const internal = anyApi;\n"
    ),
    "api.d.ts": (
        "/* eslint-disable */\n// Stand-in for `npx convex codegen` output (benchmark fixture).\n"
        "export declare const api: any;\nexport declare const internal: any;\n"
    ),
    "dataModel.d.ts": (
        "/* eslint-disable */\n// Stand-in for `npx convex codegen` output (benchmark fixture).\n"
        "export type TableNames = string;\nexport type Doc<TableName extends TableNames> = any;\n"
        "export type Id<TableName extends TableNames> = string & { __tableName: TableName };\n"
    ),
}

TSCONFIG = {
    "compilerOptions": {
        "allowJs": True, "strict": True, "moduleResolution": "Bundler", "jsx": "react-jsx",
        "skipLibCheck": True, "allowSyntheticDefaultImports": True, "target": "ESNext",
        "lib": ["ES2021", "dom"], "forceConsistentCasingInFileNames": True, "module": "ESNext",
        "isolatedModules": True, "noEmit": True,
    },
    "include": ["./**/*"],
    "exclude": ["./_generated"],
}


@dataclass
class Stats:
    files: int = 0
    bytes: int = 0
    ts_files: int = 0  # convex/**/*.ts excluding _generated
    ts_bytes: int = 0
    modules: int = 0
    tables: int = 0


def _module_byte_target(rng: random.Random) -> int:
    return int(rng.triangular(MODULE_BYTES_MIN, MODULE_BYTES_MAX, MODULE_BYTES_MODE))


def build_files(modules: int, tables: int = 100, seed: int = 0, extras: bool = True) -> dict[str, str]:
    """All files of the project as {relative path: text}. Pure function of the arguments."""
    if modules < 0 or tables < 4:
        raise ValueError("need --modules >= 0 and --tables >= 4")
    tbls = build_tables(tables, seed)
    ctx = Ctx(tbls, {t.name: t for t in tbls}, _children_map(tbls), extras,
              [t for t in tbls if t.vector_index])
    reg = Registry()
    files: dict[str, str] = {}
    name = f"convex-bench-n{modules}"
    files["package.json"] = json.dumps({
        "name": name,
        "private": True,
        "version": "0.0.0",
        "type": "module",
        "scripts": {"convex:dev": "convex dev", "convex:codegen": "convex codegen",
                    "typecheck": "tsc --noEmit -p convex"},
        "dependencies": {"convex": "^1.17.0"},
        "devDependencies": {"typescript": "^5.4.0"},
    }, indent=2) + "\n"
    files["docs/project/db-ssot.json"] = json.dumps(
        {"version": 1, "db": {"ssot": "convex", "source": {"kind": "convex-schema", "path": "convex/schema.ts"}}},
        indent=2) + "\n"
    for fn, text in GENERATED.items():
        files[f"convex/_generated/{fn}"] = text
    files["convex/tsconfig.json"] = json.dumps(TSCONFIG, indent=2) + "\n"
    files["convex/schema.ts"] = render_schema(tbls, random.Random(f"convex-ssot-bench:{seed}:schema-render"))
    used: set[str] = set()
    written = 0
    for i in range(modules):
        mg = ModuleGen(ctx, reg, i, seed, used)
        target = max(3000, _module_byte_target(mg.rng) + (MODULE_BYTES_AVG * i - written))
        text = mg.generate(target)
        files[f"convex/{mg.rel}.ts"] = text
        written += len(text.encode("utf-8"))
    if extras:
        files.update(extra_files(reg, random.Random(f"convex-ssot-bench:{seed}:extras")))
    return files


def generate(out_dir: str | Path, modules: int, tables: int = 100, seed: int = 0, extras: bool = True,
             force: bool = False) -> Stats:
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if (out / MARKER_FILE).is_file():
            shutil.rmtree(out)
        elif not force:
            raise FileExistsError(f"{out} is not empty and was not created by gen_project.py (use --force)")
    out.mkdir(parents=True, exist_ok=True)
    files = build_files(modules, tables, seed, extras)
    st = Stats(modules=modules, tables=tables)
    for rel, text in files.items():
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        p.write_bytes(data)
        st.files += 1
        st.bytes += len(data)
        if rel.startswith("convex/") and rel.endswith(".ts") and not rel.startswith("convex/_generated/"):
            st.ts_files += 1
            st.ts_bytes += len(data)
    (out / MARKER_FILE).write_text(json.dumps({
        "generator": "bench/gen_project.py", "version": GENERATOR_VERSION, "modules": modules,
        "tables": tables, "seed": seed, "extras": extras}) + "\n")
    return st


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="target directory (created; a previous generated project there is replaced)")
    ap.add_argument("--modules", type=int, required=True, help="number of function modules")
    ap.add_argument("--tables", type=int, default=100, help="number of tables in schema.ts (default 100)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extras", action=argparse.BooleanOptionalAction, default=True,
                    help="also write convex/lib/*, crons.ts, http.ts, auth.config.ts (default on)")
    ap.add_argument("--force", action="store_true", help="write into a non-empty directory not made by this tool")
    a = ap.parse_args(argv)
    try:
        st = generate(a.out_dir, a.modules, a.tables, a.seed, a.extras, a.force)
    except (FileExistsError, ValueError) as e:
        print(f"gen_project: {e}", file=sys.stderr)
        return 2
    print(f"{a.out_dir}: {st.files} files, {st.bytes} bytes ({st.bytes / 1e6:.2f} MB); "
          f"TypeScript sources: {st.ts_files} files, {st.ts_bytes} bytes ({st.ts_bytes / 1e6:.2f} MB); "
          f"{st.modules} function modules, {st.tables} tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
