"""Generated projects (tests/conformance/gen.py) compared with the real Convex 1.48.

Each hypothesis example is one project of ``CASES_PER_PROJECT`` cases (one table + one
function module each); the oracle runs once per project. ``derandomize=True`` makes the
run reproducible: CI always checks the same ``PROJECTS`` projects. All projects are run and
every difference is reported (not only the first failing project); each difference names
its case, its file and the seed to rebuild the project with
``python tests/conformance/gen.py --seed <seed> --style '<style>' --out <dir>``.

More projects locally: ``CONVEX_SSOT_CONFORMANCE_PROJECTS=40 pytest tests/conformance/test_generated.py``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

import conformance_harness as h
import gen

CASES_PER_PROJECT = 50
PROJECTS = int(os.environ.get("CONVEX_SSOT_CONFORMANCE_PROJECTS", "4"))
MAX_REPORTED = 60  # differences printed in full; the rest are counted


def _case_for(project: gen.Project, d: h.Diff) -> str:
    where = d.where
    if where.startswith("table "):
        name = where.split(" / ", 1)[0][len("table ") :]
        c = project.case_of_table(name)
        return f"case {c.index}: table `{c.table}` in {c.table_file}" if c else ""
    if where.startswith("function "):
        fid = where.split(" / ", 1)[0][len("function ") :]
        c = project.case_of_function(fid)
        return f"case {c.index}: module {c.module_file}" if c else ""
    if where.startswith("function ids"):
        ids = (d.convex or {}).get("missingInOurs", []) + (d.ours or {}).get("onlyInOurs", [])
        files = sorted({c.module_file for c in (project.case_of_function(i) for i in ids) if c})
        return "modules: " + ", ".join(files)
    return ""


@pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
def test_generated_projects(tmp_path: Path, oracle_node: str, conformance_stats: dict):
    runs: list[tuple[gen.Project, dict, Path, h.Comparison]] = []
    t0 = time.monotonic()

    @settings(
        max_examples=PROJECTS,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(gen.projects(CASES_PER_PROJECT))
    def run(project: gen.Project) -> None:
        root = project.write(tmp_path / f"project{len(runs)}")
        runs.append((project, project.style, root, h.compare_project(root)))

    run()
    elapsed = time.monotonic() - t0
    n_cases = sum(len(p.cases) for p, *_ in runs)
    n_functions = sum(len(c.oracle["functions"]) for *_, c in runs)
    conformance_stats.update(projects=len(runs), cases=n_cases, functions=n_functions, seconds=round(elapsed, 1))
    summary = (
        f"generated conformance: {len(runs)} projects, {n_cases} cases ({n_cases} tables, "
        f"{n_functions} functions), {elapsed:.1f}s"
    )
    print(summary)
    assert len(runs) == PROJECTS and n_cases >= CASES_PER_PROJECT * PROJECTS, summary

    problems = []
    for project, style, root, c in runs:
        bad = h.oracle_problems(c.oracle)
        if bad:
            problems.append(f"seed {project.seed} ({root}): the generator wrote a project Convex rejects:\n  " + "\n  ".join(bad))
    if problems:
        pytest.fail("\n".join(problems) + "\n(this is a bug in tests/conformance/gen.py)", pytrace=False)

    silent = [f"seed {p.seed}: {m}" for p, _, _, c in runs for m in h.unaccounted(c)]
    assert not silent, "missing from our contracts without a diagnostic:\n" + "\n".join(silent[:40])

    lines: list[str] = []
    total = 0
    for project, style, root, c in runs:
        diffs = c.schema_diffs + c.function_diffs
        if not diffs:
            continue
        total += len(diffs)
        lines.append(
            f"\n## project seed={project.seed} style={json.dumps(style, sort_keys=True)} ({len(diffs)} differences; files in {root})"
        )
        for d in diffs:
            if len(lines) > MAX_REPORTED * 6:
                break
            lines.append(d.render())
            case = _case_for(project, d)
            if case:
                lines.append(f"    ({case})")
        lines.append(c.diagnostics_text(limit=25))
    if total:
        pytest.fail(f"{summary}\n{total} difference(s) between convex-ssot and Convex 1.48 (ours vs convex):" + "\n".join(lines), pytrace=False)
