"""The whole check: configuration → project (with handler spans and modules) → every
enabled rule → severities → inline suppressions → a :class:`CheckReport`.

Returns data; never prints (the CLI formats it with :mod:`.report`).
"""

from __future__ import annotations

from dataclasses import field, replace
from ..dataclass_cache import dataclass

from ..config import Config
from ..errors import ConfigError
from .registry import RULES, Finding
from .settings import Settings, Suppressions, load_settings

__all__ = ["CheckReport", "run_check"]


@dataclass(slots=True)
class CheckReport:
    """``findings`` sorted by file, line, column, rule (severity filled in); ``errors``:
    problems that are not findings (an alignment target that does not exist); ``warnings``:
    notes (a suppression comment naming an unknown rule); ``suppressed``: how many
    findings inline comments silenced; ``rules``: the ids that ran."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suppressed: int = 0
    rules: list[str] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def exit_code(self, strict: bool) -> int:
        """0 no error; 1 errors (findings or problems); 2 warnings under ``strict``
        (as ``ctl-convex verify``)."""
        if self.errors or self.count("error"):
            return 1
        if strict and self.count("warning"):
            return 2
        return 0


def run_check(cfg: Config, select=None, ignore=None, use_cache: bool = True, settings: Settings | None = None) -> CheckReport:
    """Check the project of ``cfg``. Raises :class:`ConfigError` (mode not convex, a bad
    ``"convex"`` section) and :class:`.settings.UsageError` (bad select / ignore)."""
    settings = settings or load_settings(cfg.raw, select, ignore)
    if cfg.mode != "convex":
        raise ConfigError(f"DB SSOT mode is '{cfg.mode}' ({cfg.mode_source}), not 'convex'; there is nothing for `ctl-convex check` to check")
    from ..pipeline import check_layout
    from ..resolve.project import build_project
    from .alignment import alignment_findings
    from .body_rules import body_findings
    from .context import Context
    from .project_rules import project_findings
    from .schema_rules import schema_findings
    from .surface_rules import surface_findings

    check_layout(cfg)
    module_cache = None
    if use_cache:
        from ..cache import ModuleCache

        module_cache = ModuleCache.open()
    project = build_project(cfg.repo_root, cfg.schema_rel, module_cache=module_cache, keep_modules=True)
    ctx = Context(project, cfg.raw)
    enabled = settings.severity
    raw: list[Finding] = []
    if project.schema.found:
        raw.extend(schema_findings(project.schema))
    raw.extend(project_findings(ctx))
    raw.extend(body_findings(ctx))
    raw.extend(surface_findings(ctx))
    report = CheckReport(rules=sorted(enabled))
    if settings.alignments and any(RULES[r].group == "alignment" for r in enabled):
        found, problems = alignment_findings(ctx, settings.alignments, cfg.repo_root, module_cache)
        raw.extend(found)
        report.errors.extend(problems)
    suppressions = Suppressions(cfg.repo_root)
    seen: set[tuple] = set()
    for f in sorted(raw, key=Finding.sort_key):
        if f.rule not in enabled:
            continue
        key = (f.rule, f.file, f.line, f.column)  # a helper reached from several functions: once
        if key in seen:
            continue
        seen.add(key)
        if suppressions.suppressed(f):
            report.suppressed += 1
            continue
        report.findings.append(replace(f, severity=enabled[f.rule]))
    for rel, line, name in suppressions.unknown:
        report.warnings.append(f"{rel}:{line}: convex-ssot-ignore names unknown rule '{name}' (see docs/rules.md)")
    return report
