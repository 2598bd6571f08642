"""``ctl-convex``: ``init``, ``status``, ``verify`` (public) and the internal refresh commands.

Thin click commands: the logic lives in :mod:`convex_ssot.scaffold.init` (init),
:mod:`convex_ssot.scaffold.layout` (status), :mod:`convex_ssot.drift` (verify) and
:mod:`convex_ssot.pipeline` / :mod:`convex_ssot.registry` (refresh). Every command runs
under :func:`run_guarded`: bad input is an ``[error] …`` line and an exit code, never a
traceback. Exit codes: docs/lifecycle.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import cache
from ..config import load_config
from ..errors import ConfigError
from .common import emit_json, format_option, repo_root_option, resolve_root, run_command, run_guarded

__all__ = ["main", "cli"]

INTERNAL_CALLER = "ctl-db-ssot"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="convex-ssot")
def cli() -> None:
    """Scaffold a Convex project, inspect it, and fail CI when its contracts drift.

    Typical pipeline: `ctl-convex init`, `ctl-db-ssot sync-to-context`, `ctl-convex verify --strict`.
    """


# ---------------------------------------------------------------------------------------
# init


@cli.command("init", short_help="Scaffold the Convex directory and context files (never overwrites).")
@repo_root_option
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
def init_cmd(repo_root: Path, dry_run: bool) -> None:
    """Create the Convex directory, starter files, context files and package.json entries (never overwriting)."""

    def run() -> int:
        from ..scaffold.init import apply_init, plan_init

        cfg = load_config(resolve_root(repo_root))
        plan = plan_init(cfg)
        if not dry_run:
            apply_init(plan)
            click.echo("[ok] Convex skeleton initialized.")
        else:
            click.echo("[ok] Convex skeleton plan (dry-run): nothing was changed.")
        for act in plan.actions:
            click.echo(act.line(dry_run))
        for w in plan.warnings:
            click.echo(f"[warn] {w}")
        return 0

    raise SystemExit(run_guarded(run))


# ---------------------------------------------------------------------------------------
# status


def _yes(v) -> str:
    return "unknown" if v is None else ("yes" if v else "no")


def _state(v) -> str:
    return "not checked (outside repo root)" if v is None else ("present" if v else "missing")


def _count(n: int, noun: str) -> str:
    """``1 table``, ``2 tables``: a count with its noun in the right number (nouns here take -s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _print_status(d: dict) -> None:
    a = d["artifacts"]
    click.echo(f"mode: {d['mode']} ({d['source']})")
    click.echo(f"config: {d['configPath']} [{_state(d['configExists'])}]")
    click.echo(f"convex dir: {d['convexDir']}")
    src = a["schemaSource"]
    kind = "" if src["kind"] == "convex schema" else f"{src['kind']} "  # other modes name their source
    click.echo(f"schema source: {kind}{src['path']} [{_state(src['exists'])}]" if src["path"] else "schema source: none (mode none)")
    db = a["dbContract"]
    extra = f"; {_count(db['tables'], 'table')}" if db["tables"] is not None else ""
    click.echo(f"DB contract: {db['path']} [{_state(db['exists'])}{extra}]")
    fc = a["functionContract"]
    extra = f"; {_count(fc['functions'], 'function')}" if fc["functions"] is not None else ""
    if fc.get("httpRoutes") is not None:
        extra += (
            f", {_count(fc['httpRoutes'], 'HTTP route')}, {_count(fc['crons'], 'cron job')}, "
            f"{_count(fc['components'], 'component')}, {_count(fc['unresolvedCalls'], 'unresolved call')}"
        )
    click.echo(f"function contract: {fc['path']} [{_state(fc['exists'])}{extra}]")
    pj = a["packageJson"]
    if pj["exists"] and pj["valid"]:
        extra = (
            f"; convex dependency: {_yes(pj['hasConvexDependency'])}, convex:dev script: {_yes(pj['hasConvexDevScript'])}, "
            f"convex:codegen script: {_yes(pj['hasConvexCodegenScript'])}"
        )
    elif pj["exists"]:
        extra = "; invalid"
    else:
        extra = ""
    click.echo(f"package.json: {pj['path']} [{_state(pj['exists'])}{extra}]")
    click.echo(f"generated: {a['generated']['path']} [{_state(a['generated']['exists'])}]")
    if d["candidates"]:
        click.echo("candidate Convex directories:")
        for c in d["candidates"]:
            where = f" (workspace {c['workspace']})" if c["workspace"] else ""
            schema = "present" if c["schemaExists"] else "missing"
            click.echo(f"  {c['convexDir']}{where}: schema {c['schemaPath']} [{schema}]")
    for e in d["errors"]:
        click.echo(f"[error] {e}", err=True)
    for w in d["warnings"]:
        click.echo(f"[warn] {w}")


@cli.command("status", short_help="Show the mode, the paths and which artifacts exist.")
@repo_root_option
@format_option("text", "json", "yaml")
def status_cmd(repo_root: Path, fmt: str) -> None:
    """Troubleshooting view: mode, paths, which artifacts exist, errors and warnings."""

    def run() -> int:
        from ..scaffold.layout import status_report

        data = status_report(resolve_root(repo_root))
        if fmt == "json":
            emit_json(data)
        elif fmt == "yaml":
            import yaml

            click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
        else:
            _print_status(data)
        return 1 if data["errors"] else 0

    raise SystemExit(run_guarded(run))


# ---------------------------------------------------------------------------------------
# verify


def _print_findings(prefix: str, findings, err: bool = False) -> None:
    for f in findings:
        click.echo(f"[{prefix}] {f.message}", err=err)
        for line in f.details:
            click.echo(f"  {line}", err=err)


@cli.command("verify", short_help="Check the project; fail on errors or, with --strict, drift.")
@repo_root_option
@click.option("--strict", is_flag=True, help="Exit 2 when there are warnings (stale contracts, missing _generated).")
@click.option("--fail-on-diagnostics", is_flag=True, help="Exit 1 when a freshly derived contract has diagnostics.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@format_option("text", "json")
def verify_cmd(repo_root: Path, strict: bool, fail_on_diagnostics: bool, no_cache: bool, fmt: str) -> None:
    """Check the layout, package.json and that both contracts match the sources. Never writes.

    Exit 0: passed; 1: errors; 2: warnings with --strict.
    """

    def run() -> int:
        from ..drift import verify

        cache.set_enabled(not no_cache)
        report = verify(resolve_root(repo_root), fail_on_diagnostics=fail_on_diagnostics, use_cache=not no_cache)
        code = report.exit_code(strict)
        if fmt == "json":
            emit_json(report.as_dict(strict))
            return code
        _print_findings("error", report.errors, err=True)
        _print_findings("warn", report.warnings)
        _print_findings("info", report.advisories)
        if code == 0:
            click.echo("[ok] Convex verification passed.")
        elif code == 1:
            click.echo(f"[fail] Convex verification failed: {len(report.errors)} error(s).", err=True)
        else:
            click.echo(f"[fail] Convex verification failed: {len(report.warnings)} warning(s) with --strict.", err=True)
        return code

    raise SystemExit(run_guarded(run))


# ---------------------------------------------------------------------------------------
# check


@cli.command("check", short_help="Find what a push would reject and what the Convex rules forbid.")
@repo_root_option
@format_option("text", "json", "sarif", "github")
@click.option("--select", multiple=True, metavar="RULE,…", help="Run only these rules or groups (push, guideline, program, alignment, all).")
@click.option("--ignore", multiple=True, metavar="RULE,…", help="Do not run these rules or groups.")
@click.option("--strict", is_flag=True, help="Exit 2 when there are warnings.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@click.option("--list-rules", is_flag=True, help="Print every rule (id, group, default severity, summary) and exit.")
def check_cmd(repo_root: Path, fmt: str, select: tuple, ignore: tuple, strict: bool, no_cache: bool, list_rules: bool) -> None:
    """Check the project's schema, functions and configured Zod pairs against the rules in docs/rules.md.

    Exit 0: no error; 1: errors; 2: usage errors, and warnings with --strict.
    """
    from ..checks.cli_support import run_check_command

    raise SystemExit(run_guarded(run_check_command, resolve_root(repo_root), fmt, select, ignore, strict, no_cache, list_rules))


# ---------------------------------------------------------------------------------------
# internal refresh commands (ctl-db-ssot's delegation only; hidden from --help)


def _require_internal(command: str, caller: str | None, repo_root: Path) -> Path:
    """The absolute root; raises ConfigError naming the public entrypoint unless called by ctl-db-ssot."""
    root = Path(os.path.abspath(repo_root))
    if caller != INTERNAL_CALLER:
        raise ConfigError(
            f"`ctl-convex {command}` is internal (used by ctl-db-ssot). "
            f"Use the public entrypoint: ctl-db-ssot sync-to-context --repo-root {root}"
        )
    return resolve_root(repo_root)


def _internal_option(f):
    return click.option("--internal-caller", "caller", default=None, metavar="NAME", help="Internal: the calling tool (ctl-db-ssot).")(f)


@cli.command("sync-to-context", hidden=True)
@repo_root_option
@_internal_option
@format_option("text", "json")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
def sync_cmd(repo_root: Path, caller: str | None, fmt: str, no_cache: bool) -> None:
    """Internal: refresh both contracts (what pipeline.sync does) and the registry."""

    def run() -> int:
        from ..pipeline import sync
        from ..registry import update_after_sync

        root = _require_internal("sync-to-context", caller, repo_root)
        cache.set_enabled(not no_cache)
        cfg = load_config(root)
        result = sync(cfg, use_cache=not no_cache)
        reg = update_after_sync(cfg, result)
        if fmt == "json":
            emit_json(
                {"ok": True, "mode": result.mode, "written": result.written, "unchanged": result.unchanged,
                 "diagnostics": result.diagnostics, "registry": reg, "warnings": result.warnings}
            )
            return 0
        click.echo("[ok] Contracts refreshed.")
        for rel in result.written:
            click.echo(f"  written: {rel}")
        for rel in result.unchanged:
            click.echo(f"  unchanged: {rel}")
        for line in reg:
            click.echo(f"  registry: {line}")
        for w in result.warnings:
            click.echo(f"[warn] {w}")
        return 0

    raise SystemExit(run_guarded(run))


@cli.command("extract-functions", hidden=True)
@repo_root_option
@_internal_option
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
def extract_cmd(repo_root: Path, caller: str | None, no_cache: bool) -> None:
    """Internal: print the function contract JSON (as sync would write it) to stdout."""

    def run() -> int:
        from ..config import FUNCTIONS_CONTRACT_REL
        from ..emit.db_contract import EPOCH
        from ..pipeline import derive, now_iso, read_json_file

        root = _require_internal("extract-functions", caller, repo_root)
        cache.set_enabled(not no_cache)
        cfg = load_config(root)
        if cfg.mode != "convex":
            raise ConfigError(f"DB SSOT mode is '{cfg.mode}' ({cfg.mode_source}), not 'convex'; there are no Convex functions to extract")
        fc = derive(cfg, use_cache=not no_cache).functions
        existing = read_json_file(root / FUNCTIONS_CONTRACT_REL)
        if isinstance(existing, dict) and isinstance(existing.get("updatedAt"), str) and {**existing, "updatedAt": EPOCH} == fc:
            doc = {**fc, "updatedAt": existing["updatedAt"]}
        else:
            doc = {**fc, "updatedAt": now_iso()}
        emit_json(doc)
        return 0

    raise SystemExit(run_guarded(run))


def main() -> None:
    run_command(cli, "ctl-convex", exit_process=True)
