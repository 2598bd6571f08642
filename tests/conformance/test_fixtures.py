"""Hand-written fixture projects (tests/conformance/fixtures/<name>/convex) and the example
app, compared with what the real Convex 1.48 package reports for them."""

from __future__ import annotations

import pytest

import conformance_harness as h

FIXTURE_NAMES = sorted(p.name for p in h.FIXTURES.iterdir() if (p / "convex").is_dir())
EXAMPLE_CHAT_APP = h.HERE.parents[1] / "examples" / "chat-app"

PROJECTS = [(n, h.FIXTURES / n) for n in FIXTURE_NAMES] + [("example-chat-app", EXAMPLE_CHAT_APP)]
IDS = [n for n, _ in PROJECTS]


def _comparison(comparisons, name, src) -> h.Comparison:
    c = comparisons(name, src)
    problems = h.oracle_problems(c.oracle)
    if problems:
        pytest.fail(f"{name}: Convex itself could not load the project (fix the fixture):\n  " + "\n  ".join(problems), pytrace=False)
    return c


def test_fixture_list_is_complete():
    """Guards against a fixture directory silently dropping out of the parametrization."""
    assert len(FIXTURE_NAMES) >= 10, FIXTURE_NAMES
    assert (EXAMPLE_CHAT_APP / "convex" / "schema.ts").is_file()


@pytest.mark.parametrize(("name", "src"), PROJECTS, ids=IDS)
def test_oracle_loads_project(comparisons, name, src):
    """Convex loads every module and the schema: the ground truth is complete."""
    c = _comparison(comparisons, name, src)
    assert c.oracle["convexVersion"] == "1.48.0"
    assert c.oracle["schema"] is not None


@pytest.mark.parametrize(("name", "src"), PROJECTS, ids=IDS)
def test_schema_matches_convex(comparisons, name, src):
    c = _comparison(comparisons, name, src)
    if c.schema_diffs:
        pytest.fail(h.report(f"{name} schema", c.schema_diffs, c.diagnostics_text()), pytrace=False)


@pytest.mark.parametrize(("name", "src"), PROJECTS, ids=IDS)
def test_functions_match_convex(comparisons, name, src):
    c = _comparison(comparisons, name, src)
    assert c.oracle["functions"], f"{name}: the oracle reported no functions"
    if c.function_diffs:
        pytest.fail(h.report(f"{name} functions", c.function_diffs, c.diagnostics_text()), pytrace=False)


@pytest.mark.parametrize(("name", "src"), PROJECTS, ids=IDS)
def test_nothing_missing_silently(comparisons, name, src):
    """Every function and table Convex reports is in our contracts or named by a diagnostic."""
    c = _comparison(comparisons, name, src)
    missing = h.unaccounted(c)
    assert not missing, f"{name}: missing without a diagnostic: {missing}\n{c.diagnostics_text()}"
