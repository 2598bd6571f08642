"""Output formats of ``ctl-convex check``: text, JSON, SARIF 2.1.0 and GitHub workflow commands.

* ``text``: ``file:line:column: RULE severity message``, sorted, then a summary line;
* ``json``: ``{"ok", "summary", "findings": [{rule, severity, file, line, column, message}],
  "errors", "warnings"}``;
* ``sarif``: one run whose ``tool.driver.rules`` lists every rule that ran (id, name, short
  description, help URI into docs/rules.md, default level) and whose results carry
  ``ruleId``, ``ruleIndex``, ``level``, ``message`` and a physical location (repo-relative
  ``artifactLocation.uri``, ``region.startLine/startColumn``). The objects are those of
  Microsoft's ``sarif-om`` (the SARIF 2.1.0 object model generated from the standard's
  schema); :func:`sarif_to_dict` serialises them by the schema property names it records.
  tests/unit/test_check_report.py validates the output against the official schema.
* ``github``: ``::error file=…,line=…,col=…,title=RULE::message`` (``::warning`` for
  warnings), escaped as the Actions toolkit does (``%``, CR, LF; also ``:`` and ``,`` in
  properties).
"""

from __future__ import annotations

from .registry import RULES, Finding
from .run import CheckReport

__all__ = ["text_lines", "as_json", "as_sarif", "sarif_to_dict", "github_lines", "summary_line"]

TOOL_NAME = "convex-ssot"


def summary_line(report: CheckReport) -> str:
    e, w = report.count("error"), report.count("warning")
    extra = f", {report.suppressed} suppressed" if report.suppressed else ""
    files = len({f.file for f in report.findings})
    if not report.findings:
        return f"[ok] no findings ({len(report.rules)} rules{extra})."
    return f"[{'fail' if e else 'warn'}] {e} error(s), {w} warning(s) in {files} file(s) ({len(report.rules)} rules{extra})."


def text_lines(report: CheckReport) -> list[str]:
    return [f"{f.file}:{f.line}:{f.column}: {f.rule} {f.severity} {f.message}" for f in report.findings]


def as_json(report: CheckReport, strict: bool) -> dict:
    by_rule: dict[str, int] = {}
    for f in report.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return {
        "ok": report.exit_code(strict) == 0,
        "summary": {"errors": report.count("error"), "warnings": report.count("warning"), "suppressed": report.suppressed,
                    "byRule": dict(sorted(by_rule.items())), "rules": len(report.rules)},
        "findings": [
            {"rule": f.rule, "severity": f.severity, "file": f.file, "line": f.line, "column": f.column, "message": f.message}
            for f in report.findings
        ],
        "errors": list(report.errors),
        "warnings": list(report.warnings),
    }


def sarif_to_dict(obj):
    """A ``sarif-om`` object as JSON data: attributes by their SARIF property name
    (``schema_property_name`` metadata), those still at their default left out (as
    Microsoft's ``jschema_to_python.to_json`` does)."""
    import attr

    if isinstance(obj, list):
        return [sarif_to_dict(x) for x in obj]
    if isinstance(obj, dict):
        return {k: sarif_to_dict(v) for k, v in obj.items()}
    if not attr.has(type(obj)):
        return obj
    out = {}
    for f in attr.fields(type(obj)):
        value = getattr(obj, f.name)
        default = f.default.factory() if isinstance(f.default, attr.Factory) else f.default  # type: ignore[arg-type]
        if value is None or (f.default is not attr.NOTHING and value == default):
            continue
        out[f.metadata.get("schema_property_name", f.name)] = sarif_to_dict(value)
    return out


def as_sarif(report: CheckReport, version: str) -> dict:
    """The SARIF 2.1.0 log of ``report`` as JSON data."""
    import sarif_om as s

    rule_ids = list(report.rules)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    descriptors = []
    for rid in rule_ids:
        r = RULES[rid]
        descriptors.append(s.ReportingDescriptor(
            id=rid, name=rid,
            short_description=s.MultiformatMessageString(text=r.summary),
            full_description=s.MultiformatMessageString(text=f"{r.summary}. Source: {r.source}"),
            help_uri=r.help_uri,
            default_configuration=s.ReportingConfiguration(level=r.severity),
            properties={"group": r.group},
        ))
    results = []
    for f in report.findings:
        results.append(s.Result(
            rule_id=f.rule, rule_index=index[f.rule], level="error" if f.severity == "error" else "warning",
            message=s.Message(text=f.message),
            locations=[s.Location(physical_location=s.PhysicalLocation(
                artifact_location=s.ArtifactLocation(uri=f.file, uri_base_id="%SRCROOT%"),
                region=s.Region(start_line=f.line, start_column=f.column)))],
        ))
    driver = s.ToolComponent(name=TOOL_NAME, version=version, information_uri=RULES[rule_ids[0]].help_uri.split("#")[0] if rule_ids else None, rules=descriptors)
    run = s.Run(tool=s.Tool(driver=driver), results=results, column_kind="unicodeCodePoints",
                original_uri_base_ids={"%SRCROOT%": s.ArtifactLocation(description=s.Message(text="The repository root (--repo-root)."))})
    log = s.SarifLog(version="2.1.0", schema_uri="https://json.schemastore.org/sarif-2.1.0.json", runs=[run])
    return sarif_to_dict(log)


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github_lines(report: CheckReport) -> list[str]:
    out = []
    for f in report.findings:
        cmd = "error" if f.severity == "error" else "warning"
        out.append(f"::{cmd} file={_gh_prop(f.file)},line={f.line},col={f.column},title={_gh_prop(f.rule)}::{_gh_data(f.message)}")
    return out
