"""The command-line entry points run a command with the cyclic garbage collector off,
restore its state afterwards, and end the process without the interpreter's teardown
(cli/common.run_command and end_process; docs/performance.md)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from convex_ssot.cli import common, convex, db_ssot

REPO = Path(__file__).resolve().parents[2]


class _Ended(Exception):
    def __init__(self, status) -> None:
        self.status = status


@pytest.mark.parametrize("module", [db_ssot, convex])
def test_command_runs_without_the_collector_and_restores_it(module, monkeypatch) -> None:
    seen: list[bool] = []
    saved: list[bool] = []

    def group(prog_name: str) -> None:
        seen.append(gc.isenabled())
        raise SystemExit(3)  # what click does at the end of a command

    def end(status) -> None:
        raise _Ended(status)

    monkeypatch.setattr(module, "cli", group)
    monkeypatch.setattr("convex_ssot.code_cache.save", lambda: saved.append(True))
    monkeypatch.setattr(common, "end_process", end)
    assert gc.isenabled()
    with pytest.raises(_Ended) as ended:
        module.main()
    assert ended.value.status == 3, "the entry point ends the process with the command's exit status"
    assert seen == [False]
    assert gc.isenabled(), "the collector is on again after the command"
    assert saved == [True], "the start-up code cache is saved after the command"


def test_in_process_callers_get_system_exit(monkeypatch) -> None:
    monkeypatch.setattr("convex_ssot.code_cache.save", lambda: None)
    monkeypatch.setattr(common, "end_process", lambda status: pytest.fail("ended the process"))

    def group(prog_name: str) -> None:
        raise SystemExit(2)

    with pytest.raises(SystemExit) as stop:
        common.run_command(group, "ctl-db-ssot")
    assert stop.value.code == 2


def test_a_disabled_collector_stays_disabled(monkeypatch) -> None:
    monkeypatch.setattr("convex_ssot.code_cache.save", lambda: None)
    gc.disable()
    try:
        common.run_command(lambda prog_name: None, "ctl-db-ssot")
        assert not gc.isenabled()
    finally:
        gc.enable()


#: stdout and stderr buffered, as they are for a console script writing to a pipe
_BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

_END = r"""
import atexit, sys, threading, time
from convex_ssot.cli.common import end_process
mode, status = sys.argv[1], sys.argv[2]
status = None if status == "none" else int(status) if status.lstrip("-").isdigit() else status
atexit.register(lambda: print("atexit ran", file=sys.stderr, flush=True))
if mode == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread done", flush=True))).start()
for _ in range(1000):
    sys.stdout.write("x" * 200)  # the last part stays buffered: it must reach the pipe
end_process(status)
print("not reached")
"""


@pytest.mark.parametrize(
    ("status", "code", "stderr"),
    [("none", 0, ""), ("0", 0, ""), ("1", 1, ""), ("2", 2, ""), ("-1", 255, ""), ("boom", 1, "boom")],
)
def test_end_process_keeps_status_output_and_exit_handlers(status, code, stderr) -> None:
    proc = subprocess.run([sys.executable, "-c", _END, "plain", status], capture_output=True, text=True, timeout=60,
                          env=_BUFFERED)
    assert proc.returncode == code
    assert proc.stdout == "x" * 200000, "buffered stdout is flushed before the process ends"
    assert "atexit ran" in proc.stderr, "atexit handlers still run"
    assert stderr in proc.stderr and "not reached" not in proc.stdout


def test_end_process_waits_for_a_running_thread() -> None:
    proc = subprocess.run([sys.executable, "-c", _END, "thread", "0"], capture_output=True, text=True, timeout=60,
                          env=_BUFFERED)
    assert proc.returncode == 0
    assert proc.stdout.endswith("thread done\n"), "a running non-daemon thread falls back to the normal exit"


def test_console_entry_point_exit_codes(tmp_path) -> None:
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(tmp_path / "cache"))
    ok = subprocess.run([sys.executable, "-c", "from convex_ssot.cli.db_ssot import main; main()", "--help"],
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0 and "sync-to-context" in ok.stdout
    bad = subprocess.run([sys.executable, "-c", "from convex_ssot.cli.convex import main; main()", "no-such-command"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "no-such-command" in bad.stderr and "Traceback" not in bad.stderr
    missing = subprocess.run([sys.executable, "-c", "from convex_ssot.cli.db_ssot import main; main()",
                              "status", "--repo-root", str(tmp_path / "absent")],
                             capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
