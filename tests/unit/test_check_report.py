"""``ctl-convex check``: configuration, --select/--ignore, suppression, Zod alignment, exit
codes and every output format (SARIF validated against the official 2.1.0 schema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from check_helpers import HEADER, check, rules_of, write
from convex_ssot.checks.registry import RULES
from convex_ssot.checks.settings import UsageError, load_settings
from convex_ssot.cli.convex import cli
from convex_ssot.errors import ConfigError

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif" / "sarif-schema-2.1.0.json"

# one error (unknown-index), two warnings (no-filter-in-query, require-returns-validator)
FILES = {
    "convex/f.ts": HEADER
    + 'import { getAuthUserId } from "@convex-dev/auth/server";\n'
    + "export const f = query({ args: {}, handler: async (ctx) => {\n"
    + "  await getAuthUserId(ctx);\n"
    + '  await ctx.db.query("users").withIndex("by_name", (q) => q.eq("name", "a")).first();\n'
    + '  return ctx.db.query("users").filter((q) => q.eq(q.field("name"), "a")).first(); } });\n',
}


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def run_cli(root: Path, *args: str):
    return _runner().invoke(cli, ["check", "--repo-root", str(root), "--no-cache", *args])


# ---------------------------------------------------------------- report content


def test_findings_sorted_with_default_severities(tmp_path):
    report = check(tmp_path, FILES)
    got = [(f.line, f.rule, f.severity) for f in report.findings]
    assert got == [(4, "require-returns-validator", "warning"), (6, "unknown-index", "error"), (7, "no-filter-in-query", "warning")]
    assert report.exit_code(strict=False) == 1


def test_configuration_changes_severity_and_turns_rules_off(tmp_path):
    config = {"convex": {"rules": {"unknown-index": "warning", "require-returns-validator": "off"}}}
    report = check(tmp_path, FILES, config=config)
    assert [(f.rule, f.severity) for f in report.findings] == [("unknown-index", "warning"), ("no-filter-in-query", "warning")]
    assert report.exit_code(strict=False) == 0
    assert report.exit_code(strict=True) == 2


def test_select_by_id_runs_a_rule_the_configuration_turned_off(tmp_path):
    config = {"convex": {"rules": {"no-filter-in-query": "off"}}}
    report = check(tmp_path, FILES, config=config, select=["no-filter-in-query"])
    assert [f.rule for f in report.findings] == ["no-filter-in-query"]


def test_select_groups_and_ignore(tmp_path):
    report = check(tmp_path, FILES, select=["program,guideline"], ignore=["require-returns-validator"])
    assert [f.rule for f in report.findings] == ["unknown-index", "no-filter-in-query"]
    report = check(tmp_path, FILES, select=["push"])
    assert report.findings == []


def test_unknown_rule_in_configuration_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown rule 'no-filters-in-query'.*did you mean no-filter-in-query"):
        load_settings({"convex": {"rules": {"no-filters-in-query": "off"}}})


def test_bad_severity_and_bad_alignment_are_config_errors():
    with pytest.raises(ConfigError, match=r"\$\.convex\.rules\.unknown-index"):
        load_settings({"convex": {"rules": {"unknown-index": "fatal"}}})
    with pytest.raises(ConfigError, match=r"\$\.convex\.alignments\[0\]"):
        load_settings({"convex": {"alignments": [{"zod": "src/a.ts"}]}})


def test_unknown_rule_in_select_is_a_usage_error():
    with pytest.raises(UsageError, match="--select: unknown rule 'nope'"):
        load_settings(None, select=["nope"])


def test_inline_suppression_on_the_line_before(tmp_path):
    files = dict(FILES)
    files["convex/f.ts"] = files["convex/f.ts"].replace(
        '  return ctx.db.query("users").filter',
        "  // convex-ssot-ignore no-filter-in-query the table holds three rows\n  return ctx.db.query(\"users\").filter",
    ).replace("  await ctx.db.query(\"users\").withIndex", "  // convex-ssot-ignore no-such-rule, unknown-index renamed soon\n  await ctx.db.query(\"users\").withIndex")
    report = check(tmp_path, files)
    assert [f.rule for f in report.findings] == ["require-returns-validator"]
    assert report.suppressed == 2
    assert report.warnings == ["convex/f.ts:6: convex-ssot-ignore names unknown rule 'no-such-rule' (see docs/rules.md)"]


def test_suppression_of_another_rule_does_not_hide_a_finding(tmp_path):
    files = {"convex/f.ts": FILES["convex/f.ts"].replace(
        '  return ctx.db.query("users").filter', "  // convex-ssot-ignore no-unbounded-collect reason\n  return ctx.db.query(\"users\").filter")}
    report = check(tmp_path, files, select=["no-filter-in-query"])
    assert len(report.findings) == 1 and report.suppressed == 0


# ---------------------------------------------------------------- Zod alignment

ZOD = """
import { z } from "zod";
export const good = z.object({ name: z.string(), email: z.string().optional() });
export const extra = z.object({ name: z.string(), age: z.number() });
export const missing = z.object({ email: z.string() });
export const omits = z.object({ name: z.string().optional() });
export const wrongType = z.object({ name: z.number() });
export const nullable = z.object({ name: z.string().nullable() });
export const kinds = z.object({ kind: z.enum(["a", "b", "c"]) });
"""
ZOD_SCHEMA = (
    'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
    "export default defineSchema({\n"
    "  users: defineTable({ name: v.string(), email: v.optional(v.string()) }),\n"
    '  items: defineTable({ kind: v.union(v.literal("a"), v.literal("b")) }),\n'
    "});\n"
)


def _align(tmp_path, pairs):
    config = {"convex": {"alignments": [{"zod": f"src/outputs.ts#{z}", "convex": c} for z, c in pairs]}}
    return check(tmp_path, {"convex/schema.ts": ZOD_SCHEMA, "src/outputs.ts": ZOD}, config=config, select=["alignment"])


@pytest.mark.parametrize(
    "zod,target,expected",
    [
        ("good", "users", []),
        ("extra", "users", [("zod-extra-field", "age")]),
        ("missing", "users", [("zod-missing-field", "name")]),
        ("omits", "users", [("zod-missing-field", "name")]),
        ("wrongType", "users", [("zod-type-mismatch", "name")]),
        ("nullable", "users", [("zod-type-mismatch", "name")]),
        ("kinds", "items", [("zod-union-mismatch", "kind")]),
        ("good", "users.name", [("zod-type-mismatch", "")]),
    ],
)
def test_zod_alignment(tmp_path, zod, target, expected):
    report = _align(tmp_path, [(zod, target)])
    assert report.errors == []
    got = [(f.rule, f.message.split(" → ")[0].partition(".")[2]) for f in report.findings]
    assert got == expected
    for f in report.findings:
        assert f.file == "src/outputs.ts" and f.line == ZOD.lstrip("\n").splitlines().index(next(l for l in ZOD.splitlines() if f"const {zod} " in l)) + 1


def test_zod_alignment_function_args_target(tmp_path):
    files = {
        "convex/schema.ts": ZOD_SCHEMA,
        "src/outputs.ts": ZOD,
        "convex/users.ts": HEADER + "export const create = mutation({ args: { user: v.object({ name: v.string() }) }, returns: v.null(), handler: async () => null });\n",
    }
    config = {"convex": {"alignments": [{"zod": "src/outputs.ts#extra", "convex": "users:create.args.user"},
                                        {"zod": "src/outputs.ts#good", "convex": "users:nope.args"}]}}
    report = check(tmp_path, files, config=config, select=["alignment"])
    assert [f.rule for f in report.findings] == ["zod-extra-field"]
    assert report.errors == ["docs/project/db-ssot.json: convex.alignments[1]: convex target no function 'users:nope' in the function contract"]
    assert report.exit_code(strict=False) == 1


# ---------------------------------------------------------------- output formats and exit codes


def test_text_format_and_exit_code(tmp_path):
    write(tmp_path, {"convex/schema.ts": __import__("check_helpers").SCHEMA, **FILES})
    r = run_cli(tmp_path)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "convex/f.ts:4:24: require-returns-validator warning query f:f has no `returns` validator; add `returns: …` (`v.null()` when it returns nothing)"
    assert lines[1].startswith("convex/f.ts:6:31: unknown-index error `withIndex(\"by_name\")`")
    assert "[fail] 1 error(s), 2 warning(s) in 1 file(s)" in r.stderr


def test_strict_and_clean_exit_codes(tmp_path):
    write(tmp_path, {"convex/schema.ts": __import__("check_helpers").SCHEMA, **FILES})
    assert run_cli(tmp_path, "--ignore", "unknown-index").exit_code == 0
    assert run_cli(tmp_path, "--ignore", "unknown-index", "--strict").exit_code == 2
    r = run_cli(tmp_path, "--select", "push")
    assert r.exit_code == 0 and "[ok] no findings" in r.stdout


def test_usage_and_config_errors_exit_codes(tmp_path):
    write(tmp_path, {"convex/schema.ts": __import__("check_helpers").SCHEMA, **FILES})
    r = run_cli(tmp_path, "--select", "nope")
    assert r.exit_code == 2 and "unknown rule 'nope'" in r.stderr
    write(tmp_path, {}, config={"convex": {"rules": {"nope": "off"}}})
    r = run_cli(tmp_path)
    assert r.exit_code == 1 and r.stderr.startswith("[error] docs/project/db-ssot.json: convex.rules names unknown rule 'nope'")
    assert "Traceback" not in r.stderr


def test_json_format(tmp_path):
    write(tmp_path, {"convex/schema.ts": __import__("check_helpers").SCHEMA, **FILES})
    r = run_cli(tmp_path, "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["ok"] is False
    assert doc["summary"]["byRule"] == {"no-filter-in-query": 1, "require-returns-validator": 1, "unknown-index": 1}
    assert doc["findings"][1] == {"rule": "unknown-index", "severity": "error", "file": "convex/f.ts", "line": 6, "column": 31,
                                  "message": doc["findings"][1]["message"]}


def test_sarif_format_is_valid_sarif_2_1_0(tmp_path):
    from jsonschema import Draft4Validator

    write(tmp_path, {"convex/schema.ts": __import__("check_helpers").SCHEMA, **FILES})
    r = run_cli(tmp_path, "--format", "sarif")
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft4Validator(schema).iter_errors(log), key=str)
    assert errors == []
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert {d["id"] for d in rules} == set(RULES)
    assert all(d["helpUri"].endswith("docs/rules.md#" + d["id"]) and d["shortDescription"]["text"] for d in rules)
    res = run["results"][1]
    assert res["ruleId"] == "unknown-index" and res["level"] == "error"
    assert rules[res["ruleIndex"]]["id"] == "unknown-index"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "convex/f.ts"
    assert loc["region"] == {"startLine": 6, "startColumn": 31}


def test_sarif_without_findings_is_valid(tmp_path):
    from jsonschema import Draft4Validator

    write(tmp_path, {"convex/schema.ts": __import__("check_helpers").SCHEMA})
    r = run_cli(tmp_path, "--format", "sarif", "--select", "push")
    log = json.loads(r.stdout)
    assert list(Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).iter_errors(log)) == []
    assert log["runs"][0]["results"] == []


def test_github_format(tmp_path):
    write(tmp_path, {"convex/schema.ts": __import__("check_helpers").SCHEMA, **FILES})
    r = run_cli(tmp_path, "--format", "github")
    lines = r.stdout.splitlines()
    assert lines[1].startswith("::error file=convex/f.ts,line=6,col=31,title=unknown-index::`withIndex(\"by_name\")`")
    assert lines[0].startswith("::warning file=convex/f.ts,line=4,col=24,title=require-returns-validator::")


def test_github_escaping():
    from convex_ssot.checks.registry import Finding
    from convex_ssot.checks.report import github_lines
    from convex_ssot.checks.run import CheckReport

    rep = CheckReport(findings=[Finding("unknown-index", "a,b:c.ts", 1, 2, "50% done\nnext", "error")], rules=["unknown-index"])
    assert github_lines(rep) == ["::error file=a%2Cb%3Ac.ts,line=1,col=2,title=unknown-index::50%25 done%0Anext"]


def test_list_rules(tmp_path):
    r = _runner().invoke(cli, ["check", "--list-rules"])
    assert r.exit_code == 0
    assert len(r.stdout.splitlines()) == len(RULES)


def test_mode_not_convex_is_an_error(tmp_path):
    write(tmp_path, {"README.md": "x"}, config={"db": {"ssot": "none"}})
    r = run_cli(tmp_path)
    assert r.exit_code == 1 and "not 'convex'" in r.stderr


def test_every_rule_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rid in RULES:
        assert f'<a id="{rid}"></a>' in doc, rid
