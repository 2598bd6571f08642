"""What both command groups share: options, output helpers and the error boundary."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import SsotError


def run_command(group, prog_name: str, *, exit_process: bool = False) -> None:
    """Run the click ``group`` as the program ``prog_name``, with Python's cyclic garbage
    collector off for the command, then save the start-up code cache.

    The tool's objects are freed by reference counting; measured with the collector off
    (docs/performance.md, "Session 6: coordinator"), a gen-350 edit run took about 20 ms
    less (of 0.35 s), a cold run 0.1 s less, at the same peak memory on gen 350 and
    +1–5 MB on the largest real project (85 of the original's 90 MB). The collector's
    previous state is restored on return (a caller running commands in-process).

    With ``exit_process`` (the console-script entry points), the process then ends through
    :func:`end_process` with the command's exit status instead of raising
    :class:`SystemExit`; a caller running commands in-process leaves it False."""
    import gc

    from .. import code_cache

    collecting = gc.isenabled()
    gc.disable()
    status = None
    try:
        group(prog_name=prog_name)
    except SystemExit as stop:
        if not exit_process:
            raise
        status = stop.code
    finally:
        if collecting:
            gc.enable()
        code_cache.save()  # the compiled dataclass methods and regular expressions, after a first run (not with --no-cache)
    if exit_process:
        end_process(status)


def end_process(status) -> None:
    """End the process with ``status`` (what :class:`SystemExit` carries: None, an int, or
    a message printed to stderr with exit status 1), skipping the interpreter's teardown.

    Python's normal exit runs a full cyclic garbage collection and then frees every object
    and module one by one; after a run that holds a project's evaluation that took about
    30 ms of a 0.33 s gen-350 edit run (docs/performance.md, "Session 7: coordinator").
    Nothing of ours needs it: every file is written through a temporary file and a rename,
    closed, before the command returns, and the tool's threads are joined. So this runs
    the :mod:`atexit` handlers (a library's clean-ups), flushes stdout and stderr, and
    ends with :func:`os._exit`. It falls back to the normal exit (``sys.exit``) when a
    thread other than the main one is still running, when ``atexit`` cannot be run from
    here, or when flushing fails (a closed pipe: the interpreter then reports it as usual)."""
    if not isinstance(status, int):  # None, or a message (bool is an int, as sys.exit treats it)
        if status is not None:
            try:
                print(status, file=sys.stderr)
            except (OSError, ValueError):
                pass
        status = 0 if status is None else 1
    import atexit

    threading = sys.modules.get("threading")
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if (threading is not None and threading.active_count() > 1) or run_exit_handlers is None:
        sys.exit(status)
    run_exit_handlers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(status)
    os._exit(status & 0xFF)


__all__ = ["repo_root_option", "format_option", "run_guarded", "emit_json", "resolve_root"]


def repo_root_option(f):
    return click.option(
        "--repo-root",
        "repo_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="Repository root (where docs/project/db-ssot.json lives).",
    )(f)


def format_option(*choices: str):
    def deco(f):
        return click.option(
            "--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True, help="Output format."
        )(f)

    return deco


def resolve_root(repo_root: Path) -> Path:
    """Absolute repository root; a missing directory is a usage error (exit 2)."""
    root = Path(os.path.abspath(repo_root))
    if not root.is_dir():
        raise click.BadParameter(f"'{repo_root}' is not a directory", param_hint="--repo-root")
    return root


def emit_json(doc) -> None:
    from ..emit.jsonout import dumps

    sys.stdout.buffer.write(dumps(doc))
    sys.stdout.flush()


def run_guarded(fn, *args, **kwargs) -> int:
    """Call ``fn``; turn :class:`SsotError` into ``[error] message`` + its exit code, and any
    other exception into a one-line internal error (exit 3; set CONVEX_SSOT_DEBUG=1 for
    the traceback). Never shows a traceback by default."""
    try:
        return fn(*args, **kwargs)
    except SsotError as exc:
        click.echo(f"[error] {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("[error] interrupted; files are either fully written or untouched", err=True)
        return 130
    except click.exceptions.ClickException:
        raise
    except BrokenPipeError:
        # The reader went away (``ctl-convex check | head``): not an error of ours. Point
        # stdout at devnull so the interpreter's final flush cannot fail again (the
        # recipe of Python's signal module documentation, "Note on SIGPIPE").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by it
    except Exception as exc:  # noqa: BLE001 - the one boundary that turns bugs into exit 3
        if os.environ.get("CONVEX_SSOT_DEBUG"):
            raise
        click.echo(
            f"[error] internal error: {type(exc).__name__}: {exc}. Nothing was half-written. "
            "Re-run with CONVEX_SSOT_DEBUG=1 for details and please report it.",
            err=True,
        )
        return 3
