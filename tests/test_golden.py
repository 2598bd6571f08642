"""Golden files: the complete contracts for examples/chat-app, compared byte for byte.

The pipeline runs on a *copy* of ``examples/chat-app`` with ``now`` fixed to the epoch, so
the only time-dependent value (``updatedAt``) is ``1970-01-01T00:00:00.000Z`` and every
other byte must match ``tests/golden/chat-app/{schema.json,functions.json}``.

Regenerate after an intended output change (then review the diff by hand)::

    python -m pytest tests/test_golden.py --update-goldens

The goldens are also checked against ``schemas/*.json`` and, when Node.js and the
conformance oracle's packages are available, against what the real ``convex`` package
exports for the same sources (tests/conformance/export_project.mjs).
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ssot_testlib import (
    DB_CONTRACT,
    EPOCH,
    EXAMPLES_DIR,
    FUNCTIONS_CONTRACT,
    GOLDEN_DIR,
    REPO_ROOT,
    copy_example,
    schema_errors,
)

REGENERATE = "python -m pytest tests/test_golden.py --update-goldens"

GOLDENS = {
    # golden file name → (contract path in the project, JSON Schema)
    "schema.json": (DB_CONTRACT, "db-schema.schema.json"),
    "functions.json": (FUNCTIONS_CONTRACT, "functions.schema.json"),
}

EXAMPLES = ["chat-app"]


def _run_pipeline(project: Path, use_cache: bool) -> None:
    from convex_ssot.config import load_config
    from convex_ssot.pipeline import sync

    sync(load_config(project), use_cache=use_cache, now=EPOCH)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """example name → golden file name → bytes written by the pipeline."""
    out: dict[str, dict[str, bytes]] = {}
    for name in EXAMPLES:
        project = copy_example(name, tmp_path_factory.mktemp("golden") / name)
        _run_pipeline(project, use_cache=False)
        out[name] = {g: (project / rel).read_bytes() for g, (rel, _) in GOLDENS.items()}
    return out


def _diff(expected: bytes, actual: bytes, path: str) -> str:
    lines = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        actual.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"{path} (golden)",
        tofile=f"{path} (generated)",
        n=3,
    )
    text = "".join(lines)
    if len(text) > 20_000:
        text = text[:20_000] + "\n… (diff truncated)\n"
    return text


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("golden", sorted(GOLDENS))
def test_golden(request, generated, example: str, golden: str) -> None:
    actual = generated[example][golden]
    path = GOLDEN_DIR / example / golden
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    assert path.exists(), f"missing golden {path.relative_to(REPO_ROOT)}; create it with `{REGENERATE}`"
    expected = path.read_bytes()
    if expected != actual:
        pytest.fail(
            f"{path.relative_to(REPO_ROOT)} differs from the generated contract.\n"
            f"{_diff(expected, actual, str(path.relative_to(REPO_ROOT)))}\n"
            f"If the change is intended, regenerate with:\n    {REGENERATE}\n"
            "and review the golden diff by hand before committing.",
            pytrace=False,
        )


@pytest.mark.parametrize("example", EXAMPLES)
def test_cached_run_matches_golden_bytes(tmp_path, generated, example: str) -> None:
    # Same bytes whether the parse cache is cold, warm, or off.
    project = copy_example(example, tmp_path / example)
    _run_pipeline(project, use_cache=True)  # cold cache
    for rel in (DB_CONTRACT, FUNCTIONS_CONTRACT):
        (project / rel).unlink()
    _run_pipeline(project, use_cache=True)  # warm cache
    for g, (rel, _) in GOLDENS.items():
        assert (project / rel).read_bytes() == generated[example][g], rel


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("golden", sorted(GOLDENS))
def test_golden_matches_json_schema(example: str, golden: str) -> None:
    path = GOLDEN_DIR / example / golden
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(GOLDENS[golden][1], doc) == []


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("golden", sorted(GOLDENS))
def test_golden_is_canonical_bytes(example: str, golden: str) -> None:
    # docs/contracts.md §1.1: UTF-8, 2-space indentation, trailing newline, updatedAt = epoch here.
    data = (GOLDEN_DIR / example / golden).read_bytes()
    doc = json.loads(data)
    assert data.endswith(b"}\n") and not data.endswith(b"\n\n")
    assert b"\t" not in data and b"\r" not in data
    assert data.split(b"\n")[1].startswith(b'  "'), "2-space indentation"
    assert doc["updatedAt"] == EPOCH
    assert b"/work/" not in data and b"/tmp/" not in data and b"\\\\" not in data, "no absolute paths"


def test_goldens_are_written_outside_examples(generated) -> None:
    # The example itself must stay a clean source tree: the tests never write into it.
    assert not (EXAMPLES_DIR / "chat-app" / "docs" / "context").exists()


# ---------------------------------------------------------------- real Convex as an oracle

ORACLE = REPO_ROOT / "tests" / "conformance" / "export_project.mjs"


def _oracle(example: str, tmp_path: Path) -> dict:
    node = shutil.which("node")
    if node is None or not (ORACLE.parent / "node_modules" / "convex").is_dir():
        pytest.skip("Node.js or tests/conformance/node_modules missing: the real-Convex cross-check cannot run here")
    project = copy_example(example, tmp_path / example)
    proc = subprocess.run(
        [node, str(ORACLE), str(project / "convex"), "--project-root", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES)
def test_golden_agrees_with_real_convex(tmp_path, example: str) -> None:
    """documentType, indexes, and every function's kind/visibility/args/returns must equal
    what convex 1.48's own ``schema.export()`` / ``exportArgs()`` / ``exportReturns()`` say."""
    oracle = _oracle(example, tmp_path)
    assert oracle.get("schemaError") is None and oracle.get("moduleErrors") == []
    db = json.loads((GOLDEN_DIR / example / "schema.json").read_text(encoding="utf-8"))
    fc = json.loads((GOLDEN_DIR / example / "functions.json").read_text(encoding="utf-8"))

    tables = oracle["schema"]["tables"]
    assert [t["tableName"] for t in tables] == [t["name"] for t in db["tables"]]
    assert oracle["schema"]["schemaValidation"] == db["schemaOptions"]["schemaValidation"]
    for ours, theirs in zip(db["tables"], tables):
        assert ours["documentType"] == theirs["documentType"], ours["name"]
        expected_indexes = sorted(
            [("index", i["indexDescriptor"], tuple(i["fields"]), False) for i in theirs["indexes"]]
            + [("index", i["indexDescriptor"], tuple(i["fields"]), True) for i in theirs["stagedDbIndexes"]]
            + [("search", i["indexDescriptor"], (i["searchField"], *i["filterFields"]), False) for i in theirs["searchIndexes"]]
            + [("search", i["indexDescriptor"], (i["searchField"], *i["filterFields"]), True) for i in theirs["stagedSearchIndexes"]]
            + [("vector", i["indexDescriptor"], (i["vectorField"], i["dimensions"], *i["filterFields"]), False) for i in theirs["vectorIndexes"]]
            + [("vector", i["indexDescriptor"], (i["vectorField"], i["dimensions"], *i["filterFields"]), True) for i in theirs["stagedVectorIndexes"]]
        )
        ours_indexes = sorted(
            (
                i["type"],
                i["name"],
                tuple(i["fields"]) if i["type"] == "index"
                else (i["searchField"], *i["filterFields"]) if i["type"] == "search"
                else (i["vectorField"], i["dimensions"], *i["filterFields"]),
                i["staged"],
            )
            for i in ours["indexes"]
        )
        assert ours_indexes == expected_indexes, ours["name"]
        for col in ours["columns"]:
            if col["default"] == "system":
                continue
            entry = theirs["documentType"]["value"][col["name"]]
            assert (col["validator"], col["optional"]) == (entry["fieldType"], entry["optional"]), col["name"]

    theirs_fns = {f["functionId"]: f for f in oracle["functions"]}
    assert sorted(theirs_fns) == [f["functionId"] for f in fc["functions"]]
    for f in fc["functions"]:
        t = theirs_fns[f["functionId"]]
        assert f["kind"] == t["kind"], f["functionId"]
        if t["visibility"] is not None:
            assert f["visibility"] == t["visibility"], f["functionId"]
        if f["kind"] == "httpAction":
            assert t["args"] is None and t["returns"] is None
            continue
        args = f["argsValidator"]["validator"] if f["argsValidator"] is not None else {"type": "any"}
        returns = f["returnsValidator"]["validator"] if f["returnsValidator"] is not None else None
        assert args == t["args"], f["functionId"]
        assert returns == t["returns"], f["functionId"]
