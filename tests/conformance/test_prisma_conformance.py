"""repo-prisma mode against Prisma itself (``@prisma/prisma-schema-wasm``, pinned in
package.json): every fixture Prisma accepts gives our contract with exactly the models,
fields, keys, indexes and enums Prisma's DMMF reports; every fixture Prisma rejects gives
our error naming file:line:column (a line Prisma's own message points at), never a
contract. Fixtures: prisma_fixtures/ (written by us) and prisma_gen.py (generated)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import prisma_gen
import prisma_harness as ph
from convex_ssot.emit.collation import locale_key
from convex_ssot.prisma.semantics import PrismaSchemaError

FIXTURES = Path(__file__).resolve().parent / "prisma_fixtures"
VALID = sorted(p for p in (FIXTURES / "valid").iterdir())
REJECTED = sorted((FIXTURES / "rejected").glob("*.prisma"))
GENERATED_SEEDS = range(60)


def _files(p: Path) -> list[tuple[str, str]]:
    if p.is_dir():
        return [(f"{p.name}/{f.name}", f.read_text(encoding="utf-8")) for f in sorted(p.glob("*.prisma"))]
    return [(p.name, p.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def verdicts(oracle_node) -> dict:
    cases = {p.name: _files(p) for p in VALID + REJECTED}
    cases.update({f"gen-{s}": [("schema.prisma", prisma_gen.schema(s))] for s in GENERATED_SEEDS})
    names = list(cases)
    results = ph.run_prisma([cases[n] for n in names])
    return {n: (cases[n], r) for n, r in zip(names, results)}


def _agree(name: str, verdicts: dict) -> None:
    files, prisma = verdicts[name]
    assert prisma["ok"], f"Prisma rejects the fixture {name}: {prisma['error'][:2000]}"
    doc = ph.ours(files)
    assert not isinstance(doc, Exception), f"we reject {name}, Prisma accepts it: {doc}"
    diffs = ph.differences(ph.reduce_dmmf(prisma["datamodel"]), ph.reduce_ours(doc))
    assert diffs == [], "\n".join(diffs[:30])


@pytest.mark.parametrize("fixture", [p.name for p in VALID])
def test_fixture_agrees_with_get_dmmf(fixture, verdicts) -> None:
    _agree(fixture, verdicts)


@pytest.mark.parametrize("seed", list(GENERATED_SEEDS))
def test_generated_schema_agrees_with_get_dmmf(seed, verdicts) -> None:
    _agree(f"gen-{seed}", verdicts)


@pytest.mark.parametrize("fixture", [p.name for p in REJECTED])
def test_rejected_schema_gives_our_diagnostic(fixture, verdicts) -> None:
    files, prisma = verdicts[fixture]
    assert not prisma["ok"], f"Prisma accepts {fixture}; it is not a rejection fixture"
    err = ph.ours(files)
    assert isinstance(err, PrismaSchemaError), f"we accept {fixture}, which Prisma rejects with: {prisma['error'][:600]}"
    assert err.file == files[0][0] and err.line >= 1 and err.column >= 1
    assert f"{err.file}:{err.line}:{err.column}:" in str(err)
    lines = ph.error_lines(prisma["error"])
    assert err.line in lines or (lines and abs(err.line - min(lines)) <= 1), f"we point at line {err.line}, Prisma at {sorted(lines)}: {prisma['error'][:600]}"


def test_generated_schemas_exercise_relations_enums_and_indexes(verdicts) -> None:
    """The generator is not trivially small: across the seeds it produces relations, enums,
    composite indexes, defaults and docs that Prisma accepts."""
    docs = [ph.ours(verdicts[f"gen-{s}"][0]) for s in GENERATED_SEEDS]
    tables = [t for d in docs for t in d["tables"]]
    assert sum(len(t["relations"]) for t in tables) >= 40
    assert sum(len(d["enums"]) for d in docs) >= 20
    assert sum(1 for t in tables for i in t["indexes"] if i["type"] == "index") >= 20
    assert sum(1 for t in tables for c in t["columns"] if c["default"] is not None) >= 60


def test_row_order_is_javascript_localecompare(oracle_node) -> None:
    """Rows are sorted as the tool we replace sorts them (String.prototype.localeCompare)."""
    words = ["a_b", "ab", "aB", "Ab", "a-b", "a1", "A1", "a", "A", "1a", "index:a,b:", "index:a:", "primary:x:",
             "unique:a,b:n:m", "user", "User", "userId", "user_id", "users", "Zeta", "zeta_2", "zeta10", "b:", "b,"]
    script = "const w=JSON.parse(process.argv[1]);console.log(JSON.stringify([...w].sort((a,b)=>a.localeCompare(b))))"
    import json

    out = subprocess.run([oracle_node, "-e", script, json.dumps(words)], capture_output=True, text=True, check=True).stdout
    assert sorted(words, key=locale_key) == json.loads(out)
