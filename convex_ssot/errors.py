"""One error hierarchy; the CLI turns each class into an exit code in one place.

Exit codes: 0 ok; 1 a user-facing error (configuration, layout, input) or errors found by
``verify``; 2 usage errors (click) and ``verify --strict`` with warnings; 3 an internal
error (a contract that fails its own JSON Schema is our bug).
"""

from __future__ import annotations

__all__ = ["SsotError", "ConfigError", "InputError", "ContractError", "InternalError", "byte_position"]


class SsotError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class ConfigError(SsotError):
    """Bad configuration or repository layout (invalid db-ssot.json, path outside repo root…)."""


class InputError(SsotError):
    """A source the contract is read from is not valid (a Prisma schema Prisma rejects, a DB
    mirror that is not JSON or not of a known shape); the message names file:line:column."""


class ContractError(SsotError):
    """A generated contract failed its JSON Schema: a bug in convex-ssot; nothing is written."""

    exit_code = 3


class InternalError(SsotError):
    """An unexpected failure inside convex-ssot."""

    exit_code = 3


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """``(line, column)``, both 1-based, of byte ``offset`` in ``data`` (the column counts
    bytes): where a ``UnicodeDecodeError`` (``exc.start``) is reported as file:line:column."""
    return data.count(b"\n", 0, offset) + 1, offset - (data.rfind(b"\n", 0, offset) + 1) + 1
