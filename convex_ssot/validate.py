"""JSON Schema validation of everything we write (Draft 2020-12).

Schemas are read from ``schemas/`` (package data) once per process.

Validation uses ``jsonschema-rs`` (a Rust implementation of Draft 2020-12 with Python
bindings): it validates the contracts of a 4 MB project (about 6 MB of JSON) in about
30 ms, where the pure-Python ``jsonschema`` takes several seconds (measured in
docs/performance.md). ``jsonschema`` stays the reference: it is used when
``jsonschema-rs`` cannot be imported (a platform without a wheel), and the test suite
checks that both libraries give the same verdict on valid and broken contracts
(``tests/test_validate.py``). Either library is imported only when something is
validated; an unchanged project validates nothing.
"""

from __future__ import annotations

from functools import lru_cache

from .emit.jsonout import loads
from .resources import schema_path

__all__ = ["validate", "validate_links", "schema_digest", "SCHEMAS", "backend"]

#: contract name → schema file
SCHEMAS = {
    "db": "db-schema.schema.json",
    "db-prisma": "db-schema-prisma.schema.json",
    "db-mirror": "db-schema-mirror.schema.json",
    "functions": "functions.schema.json",
    "registry": "registry.schema.json",
    "config": "db-ssot.schema.json",
}


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """The parsed JSON Schema for contract ``name`` (a key of :data:`SCHEMAS`)."""
    return loads(schema_path(SCHEMAS[name]).read_bytes())


def _json_path(parts) -> str:
    """``$.tables[0].name`` for the instance path ``["tables", 0, "name"]`` (the notation of
    ``jsonschema``'s ``ValidationError.json_path``)."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


@lru_cache(maxsize=None)
def schema_digest(name: str) -> str:
    """SHA-256 of the schema file of ``name``: a stored promise "validated" holds only
    against the same schema."""
    import hashlib

    return hashlib.sha256(schema_path(SCHEMAS[name]).read_bytes()).hexdigest()


#: The schema of ``[{"calls": [...], "calledBy": [...]}, ...]``: each pair checked by the
#: function contract's own ``calls`` and ``calledBy`` subschemas.
_LINKS = "functions#links"


def _schema_of(name: str) -> dict:
    if name != _LINKS:
        return schema(name)
    base = schema("functions")
    props = base["$defs"]["function"]["properties"]
    pair = {"type": "object", "properties": {k: props[k] for k in ("calls", "calledBy")}}
    # only the definitions those two subschemas reach (compiling all of them costs more
    # than validating the pairs)
    defs: dict = {}
    todo = [pair]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                key = ref[len("#/$defs/"):]
                if "/" in key:
                    raise ValueError(f"unsupported reference {ref} in the function schema")
                if key not in defs:
                    defs[key] = base["$defs"][key]
                    todo.append(defs[key])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return {"$schema": base["$schema"], "$defs": defs, "type": "array", "items": pair}


@lru_cache(maxsize=None)
def _rs_validator(name: str):
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_schema_of(name))


@lru_cache(maxsize=None)
def _py_validator(name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema_of(name))


@lru_cache(maxsize=1)
def backend() -> str:
    """``"jsonschema-rs"`` when it can be imported, else ``"jsonschema"``."""
    try:
        import jsonschema_rs  # noqa: F401
    except ImportError:
        return "jsonschema"
    return "jsonschema-rs"


def validate(name: str, doc, use: str | None = None) -> list[str]:
    """Errors of ``doc`` against the schema ``name`` (see :data:`SCHEMAS`), as sorted
    ``"<json path>: <message>"`` strings; empty when valid.

    ``use`` picks the library (``"jsonschema-rs"`` or ``"jsonschema"``); the default is
    :func:`backend`. Raises KeyError for an unknown ``name``. The DB contract (``"db"``) is
    checked against the schema of its mode (``ssot.mode``): repo-prisma → ``db-prisma``,
    database → ``db-mirror``, convex and none → ``db``.
    """
    if name == "db" and isinstance(doc, dict) and isinstance(doc.get("ssot"), dict):
        name = {"repo-prisma": "db-prisma", "database": "db-mirror"}.get(doc["ssot"].get("mode"), name)
    return _errors(name, doc, use or backend())


def validate_links(pairs: list[tuple], use: str | None = None) -> list[str]:
    """Errors of the ``(calls, calledBy, …)`` of function entries taken from a validated
    contract (``functions_contract(bodies=…)``), each pair checked against the ``calls``
    and ``calledBy`` subschemas of ``$defs/function`` (sorted ``"<json path>: <message>"``).
    The rest of each such entry is valid: its bytes are
    those of an entry of a contract that passed :func:`validate` against the same schema
    file (docs/architecture.md, "Emitted entries"). The index in an error's path is the
    pair's among those checked."""
    # (None, None, …): the very calls and calledBy of the validated entry, not checked again.
    # Validation is a function of the value: of the pairs with nothing in them, one is checked.
    doc = [{"calls": c, "calledBy": b} for c, b, *_ in pairs if c or b]
    if any(c is not None and not c and not b for c, b, *_ in pairs):
        doc.append({"calls": [], "calledBy": []})
    if not doc:
        return []
    return _errors(_LINKS, doc, use or backend())


def _errors(name: str, doc, use: str) -> list[str]:
    if use == "jsonschema-rs":
        v = _rs_validator(name)
        if v.is_valid(doc):
            return []
        errors = [(_json_path(e.instance_path), e.message) for e in v.iter_errors(doc)]
    else:
        errors = [(e.json_path, e.message) for e in _py_validator(name).iter_errors(doc)]
    return [f"{path}: {message}" for path, message in sorted(set(errors))]
