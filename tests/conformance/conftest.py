"""Fixtures for the conformance tests: the oracle must be runnable (no silent skips in CI)."""

from __future__ import annotations

import pytest

import conformance_harness as h


@pytest.fixture(scope="session")
def oracle_node() -> str:
    """``node`` for the oracle. A missing Node.js or uninstalled oracle packages is a test
    failure with a setup hint, not a skip: CI installs both (`.ci/run`)."""
    try:
        return h.node_executable()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def comparisons(tmp_path_factory: pytest.TempPathFactory, oracle_node: str):
    """``get(name, src) -> Comparison``: copy ``src`` to a temporary directory, run the oracle
    and our pipeline once per session and cache the result (schema and function tests share it)."""
    cache: dict[str, h.Comparison] = {}

    def get(name: str, src) -> h.Comparison:
        if name not in cache:
            root = h.copy_project(src, tmp_path_factory.mktemp("conf") / name)
            cache[name] = h.compare_project(root)
        return cache[name]

    return get


_STATS: dict = {}


@pytest.fixture(scope="session")
def conformance_stats() -> dict:
    """Filled by test_generated.py; printed in the terminal summary (case counts in CI logs)."""
    return _STATS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _STATS:
        terminalreporter.write_line(
            f"conformance (generated): {_STATS.get('projects')} projects, {_STATS.get('cases')} cases "
            f"({_STATS.get('cases')} tables, {_STATS.get('functions')} functions) in {_STATS.get('seconds')}s"
        )
