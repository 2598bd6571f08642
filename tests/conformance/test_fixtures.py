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


@pytest.mark.parametrize(("name", "src"), PROJECTS, ids=IDS)
def test_surface_matches_convex(comparisons, name, src):
    """httpRoutes (getRoutes order, handlers, lookup), crons (Crons.export) and components
    (app.use) equal what the real package reports."""
    from surface_harness import compare_surface

    c = _comparison(comparisons, name, src)
    assert not c.oracle.get("surfaceErrors"), c.oracle.get("surfaceErrors")
    diffs = compare_surface(c.ours.functions, c.oracle)
    if diffs:
        pytest.fail(h.report(f"{name} surface", diffs, c.diagnostics_text()), pytrace=False)


def test_surface_fixtures_cover_every_kind(comparisons):
    """The surface fixtures exercise what they are meant to (so a silent empty list cannot pass)."""
    routes = _comparison(comparisons, "http_routes", h.FIXTURES / "http_routes").oracle
    assert {("path" in r, "pathPrefix" in r) for r in routes["httpRoutes"]} == {(True, False), (False, True)}
    assert any("functionId" in r["handler"] for r in routes["httpRoutes"])
    assert any(p["result"] is None for p in routes["httpLookups"]) and any(p["result"] for p in routes["httpLookups"])
    crons = _comparison(comparisons, "cron_jobs", h.FIXTURES / "cron_jobs").oracle["crons"]
    assert {j["schedule"]["type"] for j in crons} == {"interval", "hourly", "daily", "weekly", "monthly", "cron"}
    comps = _comparison(comparisons, "components_app", h.FIXTURES / "components_app").oracle["components"]
    assert len(comps) == 4 and any(c["httpPrefix"] for c in comps)
