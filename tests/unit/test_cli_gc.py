"""The command-line entry points run a command with the cyclic garbage collector off and
restore its state afterwards (cli/common.run_command; docs/performance.md)."""

from __future__ import annotations

import gc

import pytest

from convex_ssot.cli import common, convex, db_ssot


@pytest.mark.parametrize("module", [db_ssot, convex])
def test_command_runs_without_the_collector_and_restores_it(module, monkeypatch) -> None:
    seen: list[bool] = []
    saved: list[bool] = []

    def group(prog_name: str) -> None:
        seen.append(gc.isenabled())
        raise SystemExit(0)  # what click does at the end of a command

    monkeypatch.setattr(module, "cli", group)
    monkeypatch.setattr("convex_ssot.code_cache.save", lambda: saved.append(True))
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        module.main()
    assert seen == [False]
    assert gc.isenabled(), "the collector is on again after the command"
    assert saved == [True], "the start-up code cache is saved after the command"


def test_a_disabled_collector_stays_disabled(monkeypatch) -> None:
    gc.disable()
    try:
        common.run_command(lambda prog_name: None, "ctl-db-ssot")
        assert not gc.isenabled()
    finally:
        gc.enable()
