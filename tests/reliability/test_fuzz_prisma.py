"""Property-based fuzzing of the Prisma schema reader (docs/reliability.md §7), as
test_fuzz.py does for the Convex reader.

The conformance fixtures (tests/conformance/prisma_fixtures/valid) are mutated — bytes and
tokens deleted, duplicated and inserted (braces, brackets, parentheses, quotes, ``@``,
``@@``, ``//``, ``///``, ``/*``, newlines, huge numbers, non-ASCII) — and for every result:

* reading it either gives a contract that matches its JSON Schema
  (schemas/db-schema-prisma.schema.json) or raises
  :class:`~convex_ssot.prisma.semantics.PrismaSchemaError` with a line and column inside
  the text — never any other exception;
* reading it takes under 1 s of CPU time.

Bounded for CI: 200 examples, ``derandomize=True``, no example database.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convex_ssot.emit.prisma_contract import prisma_contract
from convex_ssot.prisma.parse import PrismaSyntaxError, parse_file
from convex_ssot.prisma.semantics import PrismaSchemaError, analyse
from convex_ssot.validate import validate

FIXTURES = Path(__file__).resolve().parents[1] / "conformance" / "prisma_fixtures" / "valid"
SOURCES = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.prisma"))]
PIECES = ["{", "}", "[", "]", "(", ")", '"', "@", "@@", "//", "///", "/*", "*/", "\n", "\r\n", " ", ",", ":", "=", "?", "[]",
          "model", "enum", "type", "view", "Unsupported(", "@relation(fields: [", "@default(", "99999999999999999999999", "-", ".",
          "é", "\u2028", "\t", "\\", "@db.VarChar(", "@@index([", "datasource", "generator"]
CPU_BOUND_S = 1.0


def _mutate(data: st.DataObject) -> str:
    text = data.draw(st.sampled_from(SOURCES))
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if op == "delete":
            text = text[:i] + text[i + data.draw(st.integers(1, 40)) :]
        elif op == "insert":
            text = text[:i] + data.draw(st.sampled_from(PIECES)) + text[i:]
        else:
            j = min(len(text), i + data.draw(st.integers(1, 80)))
            text = text[:j] + text[i:j] + text[j:]
    return text


def _read(text: str):
    try:
        schema = analyse([parse_file("prisma/schema.prisma", text)])
    except PrismaSyntaxError as exc:
        return PrismaSchemaError(exc.file, exc.line, exc.column, exc.message)
    except PrismaSchemaError as exc:
        return exc
    return prisma_contract(schema, "prisma/schema.prisma", "1970-01-01T00:00:00.000Z")


@settings(max_examples=200, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_schema_gives_a_valid_contract_or_a_positioned_error(data) -> None:
    text = _mutate(data)
    start = time.process_time()
    result = _read(text)
    spent = time.process_time() - start
    assert spent < CPU_BOUND_S, f"{spent:.2f}s of CPU on {len(text)} characters"
    if isinstance(result, PrismaSchemaError):
        lines = text.count("\n") + 2
        assert result.file == "prisma/schema.prisma" and 1 <= result.line <= lines and result.column >= 1, str(result)
        assert f"prisma/schema.prisma:{result.line}:{result.column}: " in str(result)
    else:
        assert validate("db", result) == [], "the contract of a mutated schema does not match its JSON Schema"


def test_mutations_reach_both_outcomes() -> None:
    """The fuzzing is not vacuous: simple mutations give both contracts and errors."""
    base = SOURCES[0]
    assert not isinstance(_read(base), Exception)
    assert isinstance(_read(base.replace("}", "", 1)), PrismaSchemaError)
    assert not isinstance(_read(base.replace("\n", "\n\n")), Exception)
