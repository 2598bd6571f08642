"""JSON Schema validation of everything we write (Draft 2020-12, the ``jsonschema`` library).

Schemas are read from ``schemas/`` (package data) once per process. ``jsonschema`` is
imported only when something is validated: importing it costs about 0.1 s, which the
no-change path of a pre-commit hook does not pay.
"""

from __future__ import annotations

from functools import lru_cache

from .emit.jsonout import loads
from .resources import schema_path

__all__ = ["validate", "SCHEMAS"]

#: contract name → schema file
SCHEMAS = {
    "db": "db-schema.schema.json",
    "functions": "functions.schema.json",
    "registry": "registry.schema.json",
    "config": "db-ssot.schema.json",
}


@lru_cache(maxsize=None)
def _validator(name: str):
    from jsonschema import Draft202012Validator

    schema = loads(schema_path(SCHEMAS[name]).read_bytes())
    return Draft202012Validator(schema)


def validate(name: str, doc) -> list[str]:
    """Errors of ``doc`` against the schema ``name`` (see :data:`SCHEMAS`), as
    ``"<json path>: <message>"`` strings sorted by path; empty when valid."""
    errors = sorted(_validator(name).iter_errors(doc), key=lambda e: (e.json_path, e.message))
    return [f"{e.json_path}: {e.message}" for e in errors]
