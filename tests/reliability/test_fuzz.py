"""Property-based fuzzing of the reader (docs/reliability.md §5).

Real sources (examples/chat-app/convex/*.ts) and a few hand-written snippets are mutated —
bytes and tokens deleted, duplicated and inserted (quotes, backticks, slashes, braces,
``${``, comment markers, huge numbers, non-UTF-8 bytes) — and the result must never make
the tool fail:

* ``build_project`` returns (no exception), the contract emitters and the serializer accept
  its output, and both contracts match their JSON Schemas (``convex_ssot.validate``);
* every file gets a result or a diagnostic: an undecodable module has a CSX101 diagnostic,
  and the functions of the modules that were *not* mutated are all still listed;
* ``load_module`` on any mutated file of at most 50 KB uses under 1 s of CPU time.

Bounded for CI: 150 examples in total, ``derandomize=True`` (the same inputs on every run),
no example database. Coverage-guided fuzzing of the same code runs outside the test suite:
bench/fuzz_atheris.py.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssot_testlib import EPOCH, EXAMPLES_DIR

CHAT = EXAMPLES_DIR / "chat-app"
CPU_BOUND_S = 1.0
MAX_TIMED_BYTES = 50_000

#: worst load_module CPU time seen in this session: (seconds, bytes, fixture)
WORST: list = [(0.0, 0, "")]

SNIPPETS = {
    "convex/snippets.ts": r'''
"use node";
import { v, type Infer } from "convex/values";
import { action, query, internalMutation } from "./_generated/server";
import { customQuery, customCtx } from "convex-helpers/server/customFunctions";

const Kind = v.union(v.literal("a"), v.literal(`b`), v.literal(-0), v.literal(1e999), v.literal(12n));
export type KindT = Infer<typeof Kind>;
const re = /[/`'"{}]+\/x/giu, half = 1 / 2 / 3;
const tpl = `outer ${`inner ${"}"} ${`deep ${1}`}`} \` end`;

export const authed = customQuery(query, customCtx(async (ctx) => ({ user: await ctx.auth.getUserIdentity() })));

/** JSDoc with code: export const fake = query({}) */
export const run = action({
  args: { n: v.optional(v.array(v.object({ k: Kind, r: v.record(v.string(), v.int64()) }))) },
  returns: v.null(),
  handler: async (ctx, { n }) => {
    // a comment with "quotes" and `ticks`
    const x = n?.map((e) => e.k ?? "none").join(",") satisfies string;
    await ctx.runMutation(internal.snippets.store, { x });
    return null;
  },
});

export const store = internalMutation({
  args: { x: v.string() },
  handler: async (ctx, args) => { await ctx.db.insert("users", { name: args.x } as any); },
});
''',
    "convex/view.tsx": r'''
import { query } from "./_generated/server";
import { v } from "convex/values";
const Row = (p: { a: string }) => <div className="x">{p.a} {"}"} {`${p.a}`}</div>;
export const page = query({ args: { id: v.string() }, handler: async (ctx, a) => <Row a={a.id} /> && null });
''',
    "convex/schema_extra.ts": r'''
import { defineTable } from "convex/server";
import { v } from "convex/values";
export const extra = defineTable({
  title: v.string(), emb: v.array(v.float64()), meta: v.optional(v.object({ k: v.string() })),
})
  .index("by_title", ["title"])
  .index("by_meta", { fields: ["meta.k", "title"], staged: false })
  .searchIndex("search_title", { searchField: "title", filterFields: ["meta.k"] })
  .vectorIndex("by_emb", { vectorField: "emb", dimensions: 1536, filterFields: ["title"] });
''',
}

TOKENS = [
    '"', "'", "`", "/", "//", "/*", "*/", "\\", "${", "}", "{", "(", ")", "[", "]", "<", ">", "</", "/>",
    ";", ",", ".", "=>", "?", ":", "\n", "\r\n", "\r", " ", "\t", "\u2028", "\ufeff", "é", "😀",
    "export ", "import ", "const ", "default ", "from ", "as ", "type ", "async ", "return ",
    "v.array(", "v.object({", "v.union(", "v.literal(", "v.id(", "v.optional(", "defineTable(", "defineSchema(",
    "query({", "mutation({", "action({", "httpAction(", ".index(", ".vectorIndex(", "dimensions: ",
    "1e400", "9" * 330, "99999999999999999999999n", "0x", "NaN", "-0", "1_000", ".5", '"\\u{FFFFFFFFFF}"', '"\\x"',
    '"use node";', "/[", "<div>", "...", "satisfies ", "as const", "!", "@", "#", "\x00",
]
BYTES = [b"\xff", b"\xfe", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\x00", b"\x80", b"\xf0\x9f"]
_TOKEN_RE = re.compile(rb"[A-Za-z_$][\w$]*|\d[\w.]*|\s+|[^\w\s]", re.S)


def _fixtures() -> dict[str, bytes]:
    out = {}
    for p in sorted((CHAT / "convex").rglob("*.ts")):
        out[p.relative_to(CHAT).as_posix()] = p.read_bytes()
    for rel, text in SNIPPETS.items():
        out[rel] = text.lstrip("\n").encode("utf-8")
    return out


FIXTURES = _fixtures()


@st.composite
def mutated(draw):
    """(rel, original bytes, mutated bytes, list of operations applied)."""
    rel = draw(st.sampled_from(sorted(FIXTURES)))
    data = bytearray(FIXTURES[rel])
    ops = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "duplicate", "insert-token", "insert-bytes", "delete-token", "duplicate-token"]))
        n = len(data)
        pos = draw(st.integers(0, max(n, 0)))
        if kind in ("delete", "duplicate") and n:
            length = draw(st.integers(1, 64))
            chunk = bytes(data[pos : pos + length])
            if kind == "delete":
                del data[pos : pos + length]
            else:
                at = draw(st.integers(0, n))
                data[at:at] = chunk
            ops.append((kind, pos, length))
        elif kind == "insert-token":
            tok = draw(st.sampled_from(TOKENS)).encode("utf-8")
            data[pos:pos] = tok * draw(st.integers(1, 3))
            ops.append((kind, pos, tok[:20]))
        elif kind == "insert-bytes":
            b = draw(st.sampled_from(BYTES))
            data[pos:pos] = b
            ops.append((kind, pos, b))
        elif n:
            toks = [m.span() for m in _TOKEN_RE.finditer(bytes(data))]
            if not toks:
                continue
            i = draw(st.integers(0, len(toks) - 1))
            s, e = toks[i]
            if kind == "delete-token":
                del data[s:e]
            else:
                data[s:s] = data[s:e]
            ops.append((kind, s, bytes(data[s:e])[:20]))
    return rel, FIXTURES[rel], bytes(data), ops


@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory):
    """A copy of chat-app plus the snippets, and its function ids per module (the baseline)."""
    from convex_ssot.resolve.project import build_project

    root = tmp_path_factory.mktemp("fuzz") / "chat-app"
    shutil.copytree(CHAT, root, ignore=shutil.ignore_patterns("node_modules", "context"))
    for rel, data in FIXTURES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    project = build_project(root.resolve(), "convex/schema.ts")
    baseline: dict[str, set[str]] = {}
    for f in project.functions:
        baseline.setdefault(f.file, set()).add(f.function_id)
    assert len(baseline) >= 6
    return root.resolve(), baseline


def _timed_load(rel: str, data: bytes) -> None:
    from convex_ssot.resolve.modules import load_module

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    t0 = time.process_time()
    mod = load_module(rel, text)
    spent = time.process_time() - t0
    assert mod is not None
    if len(data) <= MAX_TIMED_BYTES:
        if spent > WORST[0][0]:
            WORST[0] = (spent, len(data), rel)
        assert spent < CPU_BOUND_S, f"load_module took {spent:.2f}s CPU on {len(data)} bytes of mutated {rel}"


def _check_project(root: Path, baseline: dict, rel: str, data: bytes) -> None:
    from convex_ssot.emit.db_contract import db_contract
    from convex_ssot.emit.functions_contract import functions_contract
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.resolve.discovery import has_import_or_export
    from convex_ssot.resolve.project import build_project
    from convex_ssot.validate import validate

    project = build_project(root, "convex/schema.ts")
    db = db_contract(project.schema, project.schema_diagnostics, EPOCH)
    fc = functions_contract(project.convex_dir, project.functions, project.function_diagnostics, EPOCH)
    dumps(db), dumps(fc)
    assert validate("db", db) == [], validate("db", db)[:3]
    assert validate("functions", fc) == [], validate("functions", fc)[:3]
    diags = db["diagnostics"] + fc["diagnostics"]
    text = data.decode("utf-8", errors="replace")
    undecodable = "\ufffd" in text and b"\xef\xbf\xbd" not in data or "\x00" in text
    is_module = has_import_or_export(Path(rel), text) and rel != "convex/schema.ts"
    if undecodable and (is_module or rel == "convex/schema.ts"):
        assert any(d["file"] == rel and d["code"] == "CSX101" for d in diags), f"{rel}: undecodable but no CSX101"
    if rel == "convex/schema.ts" and not undecodable:
        assert db["tables"] or any(d["file"] == rel for d in diags) or "defineSchema" not in text, "schema: neither tables nor a diagnostic"
    listed: dict[str, set[str]] = {}
    for f in fc["functions"]:
        listed.setdefault(f["file"], set()).add(f["functionId"])
    for file, ids in baseline.items():
        if file == rel:
            continue
        missing = ids - listed.get(file, set())
        assert not missing, f"mutating {rel} lost functions of the untouched {file}: {sorted(missing)}"


@settings(max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(case=mutated())
def test_mutated_project_never_breaks_the_tool(fuzz_repo, case) -> None:
    root, baseline = fuzz_repo
    rel, original, data, ops = case
    path = root / rel
    try:
        path.write_bytes(data)
        _timed_load(rel, data)
        _check_project(root, baseline, rel, data)
    finally:
        path.write_bytes(original)


@settings(max_examples=50, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(case=mutated(), repeat=st.integers(1, 12))
def test_mutated_module_alone_loads_and_evaluates_quickly(case, repeat) -> None:
    """One mutated file (repeated up to ~50 KB) through load_module and the evaluator."""
    from convex_ssot.interp.core import Evaluator
    from convex_ssot.packages import default_registry
    from convex_ssot.resolve.modules import load_module

    rel, _original, data, _ops = case
    data = (data * repeat)[: MAX_TIMED_BYTES]
    _timed_load(rel, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    mod = load_module(rel, text)
    ev = Evaluator(lambda m, spec: None, default_registry())
    for name in list(mod.exports)[:50]:
        ev.export_value(mod, name)
    if mod.default_export is not None:
        ev.eval(mod, mod.default_export)


def test_zz_report_worst_cpu_time() -> None:
    """Prints the worst load_module CPU time of the fuzz tests above (run in the same session)."""
    spent, size, rel = WORST[0]
    print(f"worst load_module CPU time: {spent * 1000:.1f} ms on {size} bytes (mutated {rel}); bound {CPU_BOUND_S}s")
    assert spent < CPU_BOUND_S
