"""``ctl-db-ssot``: the public entrypoint — ``status`` and ``sync-to-context``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import cache
from ..config import DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, load_config
from ..status import status_data
from ..errors import ConfigError
from .common import emit_json, format_option, repo_root_option, resolve_root, run_command, run_guarded

__all__ = ["main", "cli", "status_data"]

_MAX_DIAGS_SHOWN = 5


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="convex-ssot")
def cli() -> None:
    """Keep docs/context/db/schema.json and docs/context/convex/functions.json in sync with the DB SSOT."""


@cli.command("status")
@repo_root_option
@format_option("text", "json", "yaml")
def status_cmd(repo_root: Path, fmt: str) -> None:
    """Show the DB SSOT mode, where it came from, the mode's source and which files exist."""

    def run() -> int:
        data = status_data(resolve_root(repo_root))
        if fmt == "json":
            emit_json(data)
        elif fmt == "yaml":
            import yaml

            click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
        else:
            click.echo(f"mode: {data['mode']} ({data['source']})")
            click.echo(f"config: {data['configPath']}")
            src = data["ssotSource"]
            if src["path"] is not None:
                files = f"; {len(src['files'])} files" if len(src["files"]) > 1 else ""
                click.echo(f"source: {src['kind']} {src['path']} [{'present' if src['exists'] else 'missing'}{files}]")
            else:
                click.echo("source: none (the contract is empty by design)")
            for key, rel in data["paths"].items():
                click.echo(f"  {key}: {rel} [{'present' if data['exists'][key] else 'missing'}]")
            for e in data["errors"]:
                click.echo(f"[error] {e}", err=True)
            for w in data["warnings"]:
                click.echo(f"[warn] {w}")
        return 1 if data["errors"] else 0

    raise SystemExit(run_guarded(run))


@cli.command("sync-to-context")
@repo_root_option
@click.option("--out", "out", default=None, help=f"Output path; only {DB_CONTRACT_REL} is accepted (contract paths are fixed in v1).")
@format_option("text", "json")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
def sync_cmd(repo_root: Path, out: str | None, fmt: str, no_cache: bool) -> None:
    """Refresh the DB and function contracts from the sources."""

    def run() -> int:
        from ..pipeline import sync

        root = resolve_root(repo_root)
        if out is not None and os.path.normpath(os.path.join(root, out)) != os.path.normpath(root / DB_CONTRACT_REL):
            raise ConfigError(f"--out {out}: contract paths are fixed in v1; only {DB_CONTRACT_REL} is accepted")
        cache.set_enabled(not no_cache)
        cfg = load_config(root)
        result = sync(cfg, use_cache=not no_cache)
        reg_lines = _update_registry(cfg, result)
        diags = result.diagnostics
        if fmt == "json":
            emit_json(
                {
                    "ok": True,
                    "mode": result.mode,
                    "written": result.written,
                    "unchanged": result.unchanged,
                    "source": result.derived.db["ssot"]["source"],
                    "paths": {"dbContract": DB_CONTRACT_REL, "convexSchema": cfg.schema_rel if cfg.mode == "convex" else None, "convexFunctions": FUNCTIONS_CONTRACT_REL if cfg.mode == "convex" else None},
                    "tables": result.derived.summary["tables"],
                    "functions": result.derived.summary["functions"] or 0,
                    "diagnostics": diags,
                    "registry": reg_lines,
                    "warnings": result.warnings,
                }
            )
            return 0
        click.echo("[ok] Context DB contract updated.")
        click.echo(f"  mode: {result.mode}")
        state = lambda rel: "written" if rel in result.written else "unchanged"  # noqa: E731
        click.echo(f"  output: {DB_CONTRACT_REL} ({state(DB_CONTRACT_REL)}; {result.derived.summary['tables']} tables)")
        if cfg.mode in ("repo-prisma", "database"):
            click.echo(f"  source: {result.derived.db['ssot']['source']['path']}")
        if cfg.mode == "convex":
            n = result.derived.summary["functions"] or 0
            click.echo(f"  convex schema: {cfg.schema_rel}")
            click.echo(f"  convex functions: {FUNCTIONS_CONTRACT_REL} ({state(FUNCTIONS_CONTRACT_REL)}; {n} functions)")
        for line in reg_lines:
            click.echo(f"  registry: {line}")
        if diags:
            click.echo(f"[warn] {len(diags)} diagnostic(s) (unresolved constructs are listed in the contracts' `diagnostics`):")
            for d in diags[:_MAX_DIAGS_SHOWN]:
                click.echo(f"  {d['file']}:{d['line']}:{d['column']}: {d['code']} {d['message']}")
            if len(diags) > _MAX_DIAGS_SHOWN:
                click.echo(f"  … and {len(diags) - _MAX_DIAGS_SHOWN} more")
        for w in result.warnings:
            click.echo(f"[warn] {w}")
        return 0

    raise SystemExit(run_guarded(run))


def _update_registry(cfg, result) -> list[str]:
    """Refresh docs/context/registry.json after a sync (see :mod:`convex_ssot.registry`)."""
    try:
        from ..registry import update_after_sync
    except ImportError:
        return []
    return update_after_sync(cfg, result)


def main() -> None:
    run_command(cli, "ctl-db-ssot", exit_process=True)
