"""The bad-input catalogue (docs/reliability.md §4): one test per input.

Every row checks the same things: no Python traceback, an exit code the README defines
(and the one the catalogue documents), the message, the diagnostic code where Convex would
reject the input, and what was written (nothing for a refused run; for a sync with
diagnostics, complete contracts that match their JSON Schemas).

Configuration, package.json and registry rows and the source-file rows run the installed
console scripts in a subprocess; the deploy-time schema rules (CSX3xx) run the same CLI
in-process (click's runner, same error boundary) to keep the suite fast.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from convex_ssot.cli.convex import cli as convex_cli
from convex_ssot.cli.db_ssot import cli as db_cli

from ssot_testlib import normalize_updated_at

from .helpers import (
    CONFIG,
    CONTRACT_SCHEMAS,
    CONTRACTS,
    HEADER,
    MODULE,
    REGISTRY,
    SCHEMA,
    Run,
    assert_clean,
    ctl_convex,
    db_ssot,
    load_json,
    make_repo,
    schema_errors,
    snapshot,
)

DB, FN = CONTRACTS


def _contracts_valid(root: Path) -> tuple[dict, dict]:
    docs = []
    for rel in CONTRACTS:
        doc = load_json(root / rel)
        assert schema_errors(CONTRACT_SCHEMAS[rel], doc) == [], rel
        docs.append(doc)
    return docs[0], docs[1]


def _diags(doc: dict, code: str | None = None) -> list[dict]:
    return [d for d in doc["diagnostics"] if code is None or d["code"] == code]


# =============================================================== 1. db-ssot.json

CONFIG_CASES = {
    "invalid-json": (b'{"version": 1,\n', "docs/project/db-ssot.json: invalid JSON at line 2 column 1"),
    "empty-file": (b"", "docs/project/db-ssot.json: invalid JSON"),
    "not-utf8": (b'{"db": {"ssot": "\xff"}}\n', "docs/project/db-ssot.json: not valid UTF-8 (byte 17, line 1)"),
    "not-an-object": (b"[1, 2]\n", "must be a JSON object, found array"),
    "ssot-is-a-number": (b'{"ssot": 5}\n', "'ssot' must be a string (one of none, repo-prisma, database, convex), found number"),
    "db-source-is-a-string": (b'{"db": {"source": "x"}}\n', "'db.source' must be an object, found string"),
    "db-ssot-is-a-number": (b'{"db": {"ssot": 5}}\n', "'db.ssot' must be a string (one of none, repo-prisma, database, convex), found number"),
}

CONFIG_COMMANDS = {
    "ctl-db-ssot sync-to-context": lambda root: db_ssot("sync-to-context", "--repo-root", root),
    "ctl-db-ssot status": lambda root: db_ssot("status", "--repo-root", root),
    "ctl-convex init": lambda root: ctl_convex("init", "--repo-root", root),
    "ctl-convex status": lambda root: ctl_convex("status", "--repo-root", root),
    "ctl-convex verify": lambda root: ctl_convex("verify", "--repo-root", root),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_bad_config(tmp_path, case) -> None:
    """Every command reports the configuration error and exits 1; nothing is written."""
    data, message = CONFIG_CASES[case]
    root = make_repo(tmp_path / "repo", {CONFIG: data})
    before = snapshot(root)
    for name, command in CONFIG_COMMANDS.items():
        run = command(root)
        assert_clean(run)
        assert run.code == 1, f"{name}: {run}"
        assert message in run.err, f"{name}: {run}"
        assert snapshot(root) == before, f"{name} wrote something although the configuration is invalid"


# =============================================================== 2. package.json

PACKAGE_CASES = {
    "invalid-json": (b'{\n  "name": "x",\n}\n', "package.json: invalid JSON at line 3 column 1"),
    "not-an-object": (b'["convex"]\n', "package.json: not a JSON object"),
    "not-utf8": (b'{"name": "\xff"}\n', "package.json: not UTF-8 text"),
}


@pytest.mark.parametrize("case", list(PACKAGE_CASES))
def test_bad_package_json(tmp_path, case) -> None:
    """init: a warning, package.json byte for byte as it was, the rest scaffolded (exit 0);
    verify: error package-json-invalid (exit 1); status: reported, exit 0; sync: unaffected."""
    data, message = PACKAGE_CASES[case]
    root = make_repo(tmp_path / "repo", {"package.json": data}, schema=None, module=False)
    run = ctl_convex("init", "--repo-root", root)
    assert_clean(run)
    assert run.code == 0, str(run)
    assert f"[warn] {message}" in run.out and "left untouched" in run.out, str(run)
    assert (root / "package.json").read_bytes() == data
    assert (root / "convex/schema.ts").is_file() and (root / "docs/context/convex/functions.json").is_file()

    run = ctl_convex("verify", "--repo-root", root, "--format", "json")
    assert_clean(run)
    assert run.code == 1, str(run)
    report = json.loads(run.out)
    assert [e["code"] for e in report["errors"] if e["code"].startswith("package-json")] == ["package-json-invalid"], report["errors"]
    assert any(message.split(": ", 1)[1] in e["message"] for e in report["errors"]), report["errors"]

    run = ctl_convex("status", "--repo-root", root, "--format", "json")
    assert_clean(run)
    assert run.code == 0, str(run)
    pj = json.loads(run.out)["artifacts"]["packageJson"]
    assert pj["exists"] is True and pj["valid"] is False and pj["error"], pj

    run = db_ssot("sync-to-context", "--repo-root", root)
    assert_clean(run)
    assert run.code == 0, str(run)
    assert (root / "package.json").read_bytes() == data


def test_package_json_with_bom_is_updated_and_keeps_its_bom(tmp_path) -> None:
    data = ("\ufeff" + '{\n\t"name": "x"\n}\n').encode("utf-8")
    root = make_repo(tmp_path / "repo", {"package.json": data}, schema=None, module=False)
    run = ctl_convex("init", "--repo-root", root)
    assert_clean(run)
    assert run.code == 0, str(run)
    out = (root / "package.json").read_bytes()
    assert out.startswith(b"\xef\xbb\xbf{\n\t\"name\"") and b'"convex": "^1.48.0"' in out


# =============================================================== 3. registry.json

REGISTRY_CASES = {
    "invalid-json": (b'{"version": 1,\n', "registry: warning: docs/context/registry.json: invalid JSON at line 2 column 1"),
    "not-an-object": (b"[]\n", "registry: warning: docs/context/registry.json does not match the registry schema"),
    "wrong-shape": (b'{"version": 1, "artifacts": "none"}\n', "registry: warning: docs/context/registry.json does not match the registry schema"),
    "not-utf8": (b'{"version": 1, "x": "\xff"}\n', "registry: warning: docs/context/registry.json"),
}


@pytest.mark.parametrize("case", list(REGISTRY_CASES))
def test_bad_registry(tmp_path, case) -> None:
    """sync: the contracts are written, the registry is left byte for byte, a warning, exit 0."""
    data, message = REGISTRY_CASES[case]
    root = make_repo(tmp_path / "repo", {REGISTRY: data})
    run = db_ssot("sync-to-context", "--repo-root", root)
    assert_clean(run)
    assert run.code == 0, str(run)
    assert message in run.out and "left untouched" in run.out, str(run)
    assert (root / REGISTRY).read_bytes() == data
    _contracts_valid(root)


# =============================================================== 4. source files


def _sync(root: Path, *extra) -> Run:
    run = db_ssot("sync-to-context", "--repo-root", root, *extra)
    assert_clean(run)
    return run


def _verify_fails_on_diagnostics(root: Path, code: str) -> None:
    run = ctl_convex("verify", "--repo-root", root, "--fail-on-diagnostics")
    assert_clean(run)
    assert run.code == 1 and code in run.err, str(run)


OTHER_MODULE = {"convex/items.ts": MODULE}


def test_module_not_utf8(tmp_path) -> None:
    root = make_repo(tmp_path / "repo", {"convex/bad.ts": b'import { query } from "./_generated/server";\nexport const x = "caf\xe9";\n'})
    run = _sync(root)
    assert run.code == 0, str(run)
    db, fn = _contracts_valid(root)
    [d] = _diags(fn, "CSX101")
    assert (d["file"], d["line"], d["column"], d["severity"]) == ("convex/bad.ts", 2, 22, "error"), d
    assert "not valid UTF-8" in d["message"]
    assert [f["functionId"] for f in fn["functions"]] == ["items:get"], "the other modules are still read"
    _verify_fails_on_diagnostics(root, "CSX101")


def test_schema_not_utf8(tmp_path) -> None:
    root = make_repo(tmp_path / "repo", {"convex/schema.ts": SCHEMA.encode().replace(b"v.string()", b'v.literal("\xff")')})
    run = _sync(root)
    assert run.code == 0, str(run)
    db, fn = _contracts_valid(root)
    assert [d["code"] for d in db["diagnostics"]] == ["CSX101"], db["diagnostics"]
    assert db["tables"] == [] and [f["functionId"] for f in fn["functions"]] == ["items:get"]


@pytest.mark.parametrize("where", ["module", "schema"])
def test_source_with_bom_reads_like_without(tmp_path, where) -> None:
    rel = "convex/items.ts" if where == "module" else "convex/schema.ts"
    text = MODULE if where == "module" else SCHEMA
    plain = make_repo(tmp_path / "plain")
    bom = make_repo(tmp_path / "bom", {rel: b"\xef\xbb\xbf" + text.encode()})
    assert _sync(plain).code == 0 and _sync(bom).code == 0
    for c in CONTRACTS:
        assert normalize_updated_at((bom / c).read_bytes()) == normalize_updated_at((plain / c).read_bytes()), c


def test_bom_does_not_shift_columns_on_line_one(tmp_path) -> None:
    """Columns count characters as editors do; a BOM is not a character an editor shows."""
    bad = 'export const a = ((;\nimport { query } from "./_generated/server";\n'
    plain = make_repo(tmp_path / "plain", {"convex/odd.ts": bad})
    bom = make_repo(tmp_path / "bom", {"convex/odd.ts": "\ufeff" + bad})
    _sync(plain), _sync(bom)
    p = [(d["line"], d["column"], d["code"]) for d in load_json(plain / FN)["diagnostics"]]
    b = [(d["line"], d["column"], d["code"]) for d in load_json(bom / FN)["diagnostics"]]
    assert p and b == p


@pytest.mark.parametrize("eol", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_line_endings_do_not_change_the_contracts(tmp_path, eol) -> None:
    """CRLF (and old-Mac CR) sources give the same contracts as LF, positions included."""
    files = {
        "convex/schema.ts": SCHEMA.replace('v.number() })', 'v.number(),\n    note: v.optional(\n      v.string()\n    ) })'),
        "convex/items.ts": MODULE + '\nexport const broken = query({ args: { x: v.string( }, handler: async () => null });\n',
    }
    lf = make_repo(tmp_path / "lf", files)
    other = make_repo(tmp_path / "eol", {k: v.replace("\n", eol) for k, v in files.items()})
    # --no-cache: where a cached module's diagnostics land is a separate bug (B3)
    assert _sync(lf, "--no-cache").code == 0 and _sync(other, "--no-cache").code == 0
    assert load_json(lf / FN)["diagnostics"], "the fixture has a syntax error to locate"
    for c in CONTRACTS:
        assert normalize_updated_at((other / c).read_bytes()) == normalize_updated_at((lf / c).read_bytes()), c


def test_binary_file_that_is_not_a_module(tmp_path) -> None:
    """Binary bytes with no import/export line: Convex's bundler does not treat the file as a
    module, so neither does the tool (a CSX101 diagnostic would also do); never a crash."""
    root = make_repo(tmp_path / "repo", {"convex/blob.ts": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8})
    assert _sync(root).code == 0
    db, fn = _contracts_valid(root)
    assert [f["functionId"] for f in fn["functions"]] == ["items:get"]
    assert {d["code"] for d in fn["diagnostics"]} <= {"CSX101"}


def test_empty_module(tmp_path) -> None:
    root = make_repo(tmp_path / "repo", {"convex/empty.ts": ""})
    assert _sync(root).code == 0
    db, fn = _contracts_valid(root)
    assert [f["functionId"] for f in fn["functions"]] == ["items:get"] and fn["diagnostics"] == []


def test_empty_schema(tmp_path) -> None:
    root = make_repo(tmp_path / "repo", {"convex/schema.ts": ""})
    run = _sync(root)
    assert run.code == 0, str(run)
    assert "no defineSchema(...) found in convex/schema.ts" in run.out
    db, fn = _contracts_valid(root)
    assert db["tables"] == [] and [d["code"] for d in db["diagnostics"]] == ["CSX220"]


@pytest.mark.parametrize(
    "data,message",
    [
        (b'import "./lib";\n\x7fELF\x02\x01\x01\x00' + bytes(range(256)) * 8, "not valid UTF-8"),
        (b'export const x = 1;\x00\x00\x00\x01\x02 import "y";\n', "NUL bytes"),
    ],
    ids=["binary", "nul-bytes"],
)
def test_binary_module(tmp_path, data, message) -> None:
    """A module (a line starts with import/export) with binary content: CSX101, skipped."""
    root = make_repo(tmp_path / "repo", {"convex/blob.ts": data})
    assert _sync(root).code == 0
    db, fn = _contracts_valid(root)
    [d] = fn["diagnostics"]
    assert (d["code"], d["severity"], d["file"]) == ("CSX101", "error", "convex/blob.ts") and message in d["message"], d
    assert [f["functionId"] for f in fn["functions"]] == ["items:get"]


def _big_module(target_bytes: int) -> tuple[str, int]:
    head = 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
    line = '    const r%d = await ctx.db.query("items").filter((q) => q.eq(q.field("name"), `n-${label} ${"}"}` + "/*" + \'`\')).take(%d); // {[(\n'
    body = "".join(line % (k, k) for k in range(40))
    parts, size, n = [head], len(head), 0
    while size < target_bytes:
        fn = f'export const q{n} = query({{\n  args: {{ label: v.string() }},\n  handler: async (ctx, {{ label }}) => {{\n{body}    return /[}}/]+/.test(label) ? 1 / 2 : null;\n  }},\n}});\n'
        parts.append(fn)
        size += len(fn)
        n += 1
    return "".join(parts), n


def test_five_megabyte_module(tmp_path) -> None:
    text, n = _big_module(5 * 1024 * 1024)
    root = make_repo(tmp_path / "repo", {"convex/big.ts": text})
    t0 = time.monotonic()
    run = _sync(root, "--no-cache")
    elapsed = time.monotonic() - t0
    assert run.code == 0, str(run)
    print(f"5 MB module ({n} functions): sync took {elapsed:.1f}s")
    assert elapsed < 300, "a 5 MB module must not take minutes"
    db, fn = _contracts_valid(root)
    assert len([f for f in fn["functions"] if f["file"] == "convex/big.ts"]) == n
    assert fn["diagnostics"] == []


UNTERMINATED = {
    "string": ('export const a = v.literal("abc);\n', "CSX001"),
    "block-comment": ("/* never closed\nexport const a = 1;\n", "CSX002"),
    "template-literal": ("export const a = `abc ${1}\n", "CSX003"),
    "template-substitution": ("export const a = `abc ${ foo(\n", "CSX003"),
    "regex": ("export const a = /abc\n", "CSX100"),
    "regex-class": ("export const a = /[abc/;\n", "CSX100"),
}


@pytest.mark.parametrize("case", list(UNTERMINATED))
def test_unterminated_literal(tmp_path, case) -> None:
    """A warning at the literal, the module's earlier statements and other modules still read."""
    tail, code = UNTERMINATED[case]
    text = MODULE + 'export const other = query({ args: {}, handler: async () => null });\n' + tail
    root = make_repo(tmp_path / "repo", {"convex/items.ts": text, "convex/more.ts": MODULE})
    run = _sync(root)
    assert run.code == 0, str(run)
    db, fn = _contracts_valid(root)
    found = [d for d in fn["diagnostics"] if d["code"] == code and d["file"] == "convex/items.ts"]
    assert found and found[0]["line"] == 5, fn["diagnostics"]
    ids = [f["functionId"] for f in fn["functions"]]
    assert {"items:get", "items:other", "more:get"} <= set(ids), ids


def test_unterminated_comment_in_schema(tmp_path) -> None:
    root = make_repo(tmp_path / "repo", {"convex/schema.ts": SCHEMA + "/* trailing, never closed\n"})
    assert _sync(root).code == 0
    db, fn = _contracts_valid(root)
    assert [t["name"] for t in db["tables"]] == ["items"]
    assert [d["code"] for d in db["diagnostics"]] == ["CSX002"]


def test_validators_nested_500_deep(tmp_path) -> None:
    deep = "v.array(" * 500 + "v.string()" + ")" * 500
    schema = HEADER + f"export default defineSchema({{\n  items: defineTable({{ name: v.string(), deep: {deep} }}),\n}});\n"
    module = MODULE + f'export const deep = query({{ args: {{ d: {deep} }}, handler: async () => null }});\n'
    root = make_repo(tmp_path / "repo", {"convex/schema.ts": schema, "convex/items.ts": module})
    run = _sync(root)
    assert run.code == 0, str(run)
    db, fn = _contracts_valid(root)
    assert "CSX202" in [d["code"] for d in db["diagnostics"]] and "CSX202" in [d["code"] for d in fn["diagnostics"]]
    col = next(c for c in db["tables"][0]["columns"] if c["name"] == "deep")
    assert col["rawValidator"].startswith("v.array(v.array(")
    node, depth = col["validator"], 0
    while node.get("type") == "array":
        node, depth = node["value"], depth + 1
    assert node == {"type": "any"} and depth <= 32, f"the part nested beyond the bound is v.any() (kept {depth} levels)"


def test_expression_nested_2000_deep(tmp_path) -> None:
    module = MODULE + "export const deep = " + "(" * 2000 + "1" + ")" * 2000 + ";\n"
    root = make_repo(tmp_path / "repo", {"convex/items.ts": module})
    run = _sync(root)
    assert run.code == 0, str(run)
    _contracts_valid(root)


@pytest.mark.parametrize("depth", [1000, 3000])
def test_template_literals_nested_deep(tmp_path, depth) -> None:
    """`${`${...}`}` thousands of levels deep in a handler: read (or diagnosed), never a crash
    (parentheses 100 000 deep are fine; templates must be too)."""
    nested = "`${" * depth + "1" + "}`" * depth
    module = MODULE + f"export const t = query({{ args: {{}}, handler: async () => {nested} }});\n"
    root = make_repo(tmp_path / "repo", {"convex/items.ts": module})
    run = _sync(root)
    assert run.code == 0, str(run)
    db, fn = _contracts_valid(root)
    assert "items:get" in [f["functionId"] for f in fn["functions"]]


def test_out_of_range_unicode_escape(tmp_path) -> None:
    """A ``\\u{…}`` escape beyond any code point (a syntax error in JavaScript): a diagnostic or
    the raw text, never a crash."""
    module = MODULE + 'export const lit = query({ args: { k: v.literal("\\u{FFFFFFFFFFFF}") }, handler: async () => null });\n'
    root = make_repo(tmp_path / "repo", {"convex/items.ts": module})
    run = _sync(root)
    assert run.code == 0, str(run)
    _contracts_valid(root)


# =============================================================== 5. deploy-time schema rules (CSX3xx)


def _invoke(cli, *args):
    res = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    out, err = res.stdout, res.stderr
    assert "Traceback" not in out + err
    return Run(list(args), res.exit_code, out, err)


def _fields(n: int, typ: str = "v.string()") -> str:
    return ", ".join(f"f{i}: {typ}" for i in range(n))


def _quoted(n: int) -> str:
    return ", ".join(f'"f{i}"' for i in range(n))


T = "defineTable({ name: v.string(), n: v.number(), emb: v.array(v.float64()), tags: v.array(v.string()) })"

RULES = {
    # id: (table expression for table `t`, code, words the message must contain)
    "index-name-over-64": (T + f'.index("{"a" * 65}", ["name"])', "CSX301", ["longer than 64 characters"]),
    "index-name-not-identifier": (T + '.index("by-name", ["name"])', "CSX301", ["not an identifier"]),
    "index-name-starts-with-digit": (T + '.index("1st", ["name"])', "CSX301", ["not an identifier"]),
    "index-name-by_id": (T + '.index("by_id", ["name"])', "CSX302", ["reserved", "by_id"]),
    "index-name-by_creation_time": (T + '.index("by_creation_time", ["name"])', "CSX302", ["reserved", "by_creation_time"]),
    "index-name-leading-underscore": (T + '.index("_name", ["name"])', "CSX302", ["reserved", "starting with _"]),
    "index-name-twice-database": (T + '.index("by_x", ["name"]).index("by_x", ["n"])', "CSX303", ["used twice", "unique across database, search and vector"]),
    "index-name-twice-search": (T + '.index("by_x", ["name"]).searchIndex("by_x", { searchField: "name" })', "CSX303", ["used twice"]),
    "index-name-twice-vector": (T + '.searchIndex("by_x", { searchField: "name" }).vectorIndex("by_x", { vectorField: "emb", dimensions: 8 })', "CSX303", ["used twice"]),
    "index-16-fields": (f"defineTable({{ {_fields(16)} }}).index(\"wide\", [{_quoted(16)}])", "CSX304", ["16 fields", "at most 15"]),
    "index-no-fields": (T + '.index("none", [])', "CSX304", ["no fields"]),
    "index-repeated-field": (T + '.index("twice", ["name", "name"])', "CSX304", ["repeats a field"]),
    "index-on-_id": (T + '.index("by_doc", ["_id"])', "CSX305", ["_id"]),
    "index-on-_creationTime": (T + '.index("by_time", ["_creationTime"])', "CSX305", ["_creationTime"]),
    "index-on-underscore-field": (T + '.index("by_secret", ["name", "meta._secret"])', "CSX305", ["_-prefixed"]),
    "index-same-fields": (T + '.index("a", ["name", "n"]).index("b", ["name", "n"])', "CSX306", ["same fields"]),
    "index-undeclared-field": (T + '.index("by_missing", ["missing"])', "CSX307", ["does not declare"]),
    "search-undeclared-field": (T + '.searchIndex("s", { searchField: "missing" })', "CSX307", ["does not declare"]),
    "vector-dimensions-1": (T + '.vectorIndex("v", { vectorField: "emb", dimensions: 1 })', "CSX310", ["2 to 4096"]),
    "vector-dimensions-4097": (T + '.vectorIndex("v", { vectorField: "emb", dimensions: 4097 })', "CSX310", ["2 to 4096"]),
    "vector-dimensions-0": (T + '.vectorIndex("v", { vectorField: "emb", dimensions: 0 })', "CSX310", ["2 to 4096"]),
    "vector-on-string-array": (T + '.vectorIndex("v", { vectorField: "tags", dimensions: 8 })', "CSX307", ["v.array(v.float64())"]),
    "vector-on-number": (T + '.vectorIndex("v", { vectorField: "n", dimensions: 8 })', "CSX307", ["v.array(v.float64())"]),
    "search-17-filter-fields": (f"defineTable({{ {_fields(18)} }}).searchIndex(\"s\", {{ searchField: \"f0\", filterFields: [{_quoted(18)[6:]}] }})", "CSX308", ["17 filter fields", "at most 16"]),
    "search-same-search-and-filter-fields": (T + '.searchIndex("s1", { searchField: "name", filterFields: ["n"] }).searchIndex("s2", { searchField: "name", filterFields: ["n"] })', "CSX308", ["s1"]),
    # The backend keys search-index uniqueness on the search field alone, whatever the filter
    # fields: crates/common/src/schemas/json.rs `validate_unique_index_fields(…, |idx|
    # idx.search_field.clone(), search_field_not_unique)`, error SearchIndexFieldNotUnique
    # ("… have the same `searchField`. Search index fields must be unique within a table. You
    # should combine the indexes with the same `searchField` into one index …",
    # bootstrap_model/index/index_validation_error.rs).
    # (../shared/convex-api-surface.md §3 says "(searchField, filterFields)"; the backend code
    # above is what decides, and it rejects this schema.)
    "search-same-search-field": (T + '.searchIndex("s1", { searchField: "name" }).searchIndex("s2", { searchField: "name", filterFields: ["n"] })', "CSX308", ["s1"]),
    "vector-same-field-and-dimensions": (T + '.vectorIndex("v1", { vectorField: "emb", dimensions: 8 }).vectorIndex("v2", { vectorField: "emb", dimensions: 8 })', "CSX309", ["duplicates"]),
    "65-indexes": (f"defineTable({{ {_fields(65)} }})" + "".join(f'.index("i{i}", ["f{i}"])' for i in range(65)), "CSX311", ["65 indexes", "64 per table"]),
    # numeric extremes: Convex rejects every one of these at deploy
    "vector-dimensions-1e400": (T + '.vectorIndex("v", { vectorField: "emb", dimensions: 1e400 })', "CSX310", ["2 to 4096"]),
    "vector-dimensions-400-digits": (T + '.vectorIndex("v", { vectorField: "emb", dimensions: ' + "9" * 400 + " })", "CSX310", ["2 to 4096"]),
    "vector-dimensions-not-an-integer": (T + '.vectorIndex("v", { vectorField: "emb", dimensions: 2.5 })', "CSX310", ["2.5"]),
}

TABLE_RULES = {
    "duplicate-table": ("export default defineSchema({\n  t: defineTable({ a: v.string() }),\n  t: defineTable({ b: v.string() }),\n});\n", "CSX313", ["defined twice"]),
    "table-name-not-identifier": ('export default defineSchema({\n  "my-table": defineTable({ a: v.string() }),\n});\n', "CSX312", ["not an identifier"]),
    "table-name-leading-underscore": ("export default defineSchema({\n  _t: defineTable({ a: v.string() }),\n});\n", "CSX312", ["starts with _"]),
}


def _rule_repo(tmp_path: Path, body: str) -> Path:
    return make_repo(tmp_path / "repo", {"convex/schema.ts": HEADER + body})


def _check_rule(root: Path, code: str, words: list[str], severity: str = "error") -> None:
    run = _invoke(db_cli, "sync-to-context", "--repo-root", root)
    assert run.code == 0, str(run)
    db, fn = _contracts_valid(root)
    hits = [d for d in db["diagnostics"] if d["code"] == code and d["severity"] == severity]
    assert hits, f"expected {code} ({severity}); got {db['diagnostics']}"
    assert any(all(w in d["message"] for w in words) for d in hits), [d["message"] for d in hits]
    others = sorted({d["code"] for d in db["diagnostics"]} - {code})
    assert others == [], f"only {code} expected, also got {others}: {db['diagnostics']}"
    assert all(d["file"] == "convex/schema.ts" and d["line"] >= 3 for d in hits), hits
    ver = _invoke(convex_cli, "verify", "--repo-root", root, "--fail-on-diagnostics", "--format", "json")
    report = json.loads(ver.out)
    assert ver.code == (1 if severity == "error" else 0) or ver.code == 1, str(ver)
    assert any(code in line for e in report["errors"] for line in e["details"]), report["errors"]


@pytest.mark.parametrize("case", list(RULES))
def test_deploy_time_index_rule(tmp_path, case) -> None:
    table, code, words = RULES[case]
    root = _rule_repo(tmp_path, f"export default defineSchema({{\n  t: {table},\n}});\n")
    _check_rule(root, code, words)


@pytest.mark.parametrize("case", list(TABLE_RULES))
def test_deploy_time_table_rule(tmp_path, case) -> None:
    body, code, words = TABLE_RULES[case]
    _check_rule(_rule_repo(tmp_path, body), code, words)


def test_more_than_the_documented_index_limits_is_a_warning(tmp_path) -> None:
    """33 database and 5 search indexes deploy (the hard limit is 64) but exceed the documented limits."""
    table = f"defineTable({{ {_fields(38)} }})" + "".join(f'.index("i{i}", ["f{i}"])' for i in range(33)) + "".join(
        f'.searchIndex("s{i}", {{ searchField: "f{33 + i}" }})' for i in range(5)
    )
    root = _rule_repo(tmp_path, f"export default defineSchema({{\n  t: {table},\n}});\n")
    run = _invoke(db_cli, "sync-to-context", "--repo-root", root)
    assert run.code == 0
    db, _ = _contracts_valid(root)
    assert sorted((d["code"], d["severity"]) for d in db["diagnostics"]) == [("CSX311", "warning"), ("CSX311", "warning")], db["diagnostics"]
    assert any("33 database indexes" in d["message"] for d in db["diagnostics"])


BOUNDARIES = {
    "index-name-64": T + f'.index("{"a" * 64}", ["name"])',
    "index-15-fields": f"defineTable({{ {_fields(15)} }}).index(\"wide\", [{_quoted(15)}])",
    "vector-dimensions-2-and-4096": "defineTable({ a: v.array(v.float64()), b: v.array(v.number()) })"
    '.vectorIndex("va", { vectorField: "a", dimensions: 2 }).vectorIndex("vb", { vectorField: "b", dimensions: 4096 })',
    "vector-optional-field": 'defineTable({ e: v.optional(v.array(v.float64())) }).vectorIndex("v", { vectorField: "e", dimensions: 1536, filterFields: ["e"] })',
    "nested-field": 'defineTable({ meta: v.optional(v.object({ k: v.string() })) }).index("by_meta_k", ["meta.k"])',
    "no-schema-validation": T + '.index("by_missing", ["missing"])',
    "64-indexes": f"defineTable({{ {_fields(64)} }})" + "".join(f'.index("i{i}", ["f{i}"])' for i in range(28))
    + "".join(f'.searchIndex("s{i}", {{ searchField: "f{28 + i}" }})' for i in range(4))
    + "".join(f'.index("j{i}", ["f{32 + i}"])' for i in range(4)),
}


@pytest.mark.parametrize("case", list(BOUNDARIES))
def test_deploy_time_rules_accept_the_boundaries(tmp_path, case) -> None:
    """What Convex accepts must not be reported (no false errors at the limits)."""
    opts = ", { schemaValidation: false }" if case == "no-schema-validation" else ""
    root = _rule_repo(tmp_path, f"export default defineSchema({{\n  t: {BOUNDARIES[case]},\n}}{opts});\n")
    run = _invoke(db_cli, "sync-to-context", "--repo-root", root)
    assert run.code == 0, str(run)
    db, _ = _contracts_valid(root)
    assert db["diagnostics"] == [], db["diagnostics"]


# =============================================================== 6. literal values Convex cannot represent


def test_integer_literal_beyond_float64_is_infinity(tmp_path) -> None:
    """``v.literal(999…9)`` with 400 digits is the JavaScript number Infinity, exactly like ``1e999``."""
    big = _rule_repo(tmp_path / "a", "export default defineSchema({ t: defineTable({ x: v.literal(" + "9" * 400 + ") }) });\n")
    inf = _rule_repo(tmp_path / "b", "export default defineSchema({ t: defineTable({ x: v.literal(1e999) }) });\n")
    for root in (big, inf):
        run = _invoke(db_cli, "sync-to-context", "--repo-root", root)
        assert run.code == 0, str(run)
    col = lambda root: next(c for c in load_json(root / DB)["tables"][0]["columns"] if c["name"] == "x")  # noqa: E731
    assert col(big)["validator"] == col(inf)["validator"] == {"type": "literal", "value": {"$float": "AAAAAAAA8H8="}}


def test_bigint_literal_beyond_int64_is_diagnosed(tmp_path) -> None:
    """Convex cannot export ``v.literal(2n ** 70n)`` (convexToJson throws: it does not fit in
    64 bits): the field gets a diagnostic, the sync still completes."""
    root = _rule_repo(tmp_path, "export default defineSchema({\n  t: defineTable({ x: v.literal(1180591620717411303424n) }),\n});\n")
    run = _invoke(db_cli, "sync-to-context", "--repo-root", root)
    assert run.code == 0, str(run)
    db, _ = _contracts_valid(root)
    assert any(d["line"] == 4 for d in db["diagnostics"]), db["diagnostics"]
