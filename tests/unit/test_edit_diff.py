"""bench/edit_diff.py, the differential edit runs on real projects (docs/testing.md): it
reports agreement on a project where the incremental runs are right, and it reports a
mismatch when the two sides differ (here: the evaluation of everything is made to lose a
function), keeping both documents."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from ssot_testlib import REPO_ROOT


def _tool():
    spec = importlib.util.spec_from_file_location("edit_diff", REPO_ROOT / "bench" / "edit_diff.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_incremental_runs_agree_on_the_example(tmp_path) -> None:
    tool = _tool()
    assert tool.main([str(tmp_path / "out"), str(REPO_ROOT / "examples" / "chat-app"), "--edits", "2", "--seed", "3"]) == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [len(r["steps"]) for r in results] == [3] and all(s["same"] and s["exit"] == 0 for s in results[0]["steps"])
    assert (REPO_ROOT / "examples" / "chat-app" / "convex").is_dir() and not (tmp_path / "out" / "copies" / "chat-app").exists()


def test_a_difference_is_reported_with_both_documents(tmp_path, monkeypatch) -> None:
    import convex_ssot.pipeline as pipeline

    real = pipeline.derive

    def losing(cfg, **kw):
        d = real(cfg, **kw)
        d.functions["functions"] = d.functions["functions"][1:]
        return d

    monkeypatch.setattr(pipeline, "derive", losing)
    tool = _tool()
    assert tool.main([str(tmp_path / "out"), str(REPO_ROOT / "examples" / "chat-app"), "--edits", "1"]) == 1
    got = json.loads((tmp_path / "out" / "chat-app.0.got.json").read_text())
    want = json.loads((tmp_path / "out" / "chat-app.0.want.json").read_text())
    assert len(got["functions"]["functions"]) == len(want["functions"]["functions"]) + 1
