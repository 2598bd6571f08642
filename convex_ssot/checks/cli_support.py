"""``ctl-convex check`` between click and the library: settings, run, print, exit code."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["run_check_command"]


def run_check_command(root: Path, fmt: str, select, ignore, strict: bool, no_cache: bool, list_rules: bool) -> int:
    """Run the check and print it in ``fmt``; returns the exit code (docs/rules.md)."""
    from .. import cache
    from ..cli.common import emit_json
    from ..config import load_config
    from . import report as out
    from .registry import RULES
    from .run import run_check
    from .settings import UsageError, load_settings

    if list_rules:
        for r in RULES.values():
            click.echo(f"{r.id:38} {r.group:10} {r.severity:8} {r.summary}")
        return 0
    cache.set_enabled(not no_cache)
    cfg = load_config(root)
    try:
        settings = load_settings(cfg.raw, select, ignore)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    report = run_check(cfg, use_cache=not no_cache, settings=settings)
    code = report.exit_code(strict)
    if fmt == "json":
        emit_json(out.as_json(report, strict))
    elif fmt == "sarif":
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("convex-ssot")
        except PackageNotFoundError:
            v = "0"
        emit_json(out.as_sarif(report, v))
    elif fmt == "github":
        for line in out.github_lines(report):
            click.echo(line)
        for e in report.errors:
            click.echo(f"::error::{out._gh_data(e)}")
    else:
        for line in out.text_lines(report):
            click.echo(line)
        for w in report.warnings:
            click.echo(f"[warn] {w}")
        for e in report.errors:
            click.echo(f"[error] {e}", err=True)
        click.echo(out.summary_line(report), err=code != 0)
    return code
