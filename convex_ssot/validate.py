"""JSON Schema validation of everything we write (Draft 2020-12, the ``jsonschema`` library).

Schemas are read from ``schemas/`` (package data) once per process; ``jsonschema`` is
imported only when something is validated (the import alone costs about 0.1 s).

Contracts are validated in pieces: the document with its entry lists emptied, then each
entry of ``tables`` / ``functions`` / ``diagnostics`` against its ``$defs`` entry. An entry
whose exact bytes were validated before (in this run, or in an earlier run with the same
schema, remembered in the cache directory) is not validated again. The verdict is the
same as validating the whole document at once, because the entry lists' ``items`` are
exactly those ``$defs``; validating a 4 MB project's contracts whole takes seconds in
``jsonschema``, and an edit changes only a few entries.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from .emit.jsonout import dumps, loads
from .resources import schema_path

__all__ = ["validate", "SCHEMAS"]

#: contract name → schema file
SCHEMAS = {
    "db": "db-schema.schema.json",
    "functions": "functions.schema.json",
    "registry": "registry.schema.json",
    "config": "db-ssot.schema.json",
}

#: contract name → {list key: $defs name} validated entry by entry
_ENTRY_LISTS = {
    "db": {"tables": "table", "diagnostics": "diagnostic"},
    "functions": {"functions": "function", "diagnostics": "diagnostic"},
}


@lru_cache(maxsize=None)
def _schema(name: str) -> tuple[dict, str]:
    data = schema_path(SCHEMAS[name]).read_bytes()
    return loads(data), hashlib.sha256(data).hexdigest()[:16]


@lru_cache(maxsize=None)
def _validator(name: str, definition: str | None = None):
    from jsonschema import Draft202012Validator

    schema, _ = _schema(name)
    if definition is not None:
        schema = {"$schema": schema.get("$schema"), "$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return Draft202012Validator(schema)


def _errors(validator, doc, prefix: str = "") -> list[str]:
    errors = sorted(validator.iter_errors(doc), key=lambda e: (e.json_path, e.message))
    return [f"{prefix}{e.json_path[1:] if prefix else e.json_path}: {e.message}" for e in errors]


class _KnownGood:
    """Hashes of entries that passed validation, kept in the cache directory."""

    def __init__(self, schema_hash: str) -> None:
        from .cache import cache_dir

        d = cache_dir()
        self.path = d / f"valid-{schema_hash}.txt" if d is not None else None
        self.seen: set[str] = set()
        self.new: set[str] = set()
        if self.path is not None:
            try:
                self.seen = set(self.path.read_text(encoding="ascii").split())
            except (OSError, UnicodeDecodeError):
                self.seen = set()

    def save(self) -> None:
        if self.path is None or not self.new:
            return
        import os
        import tempfile

        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write("\n".join(sorted(self.seen | self.new)) + "\n")
            os.replace(tmp, self.path)
        except OSError:
            pass


def validate(name: str, doc) -> list[str]:
    """Errors of ``doc`` against the schema ``name`` (see :data:`SCHEMAS`), as
    ``"<json path>: <message>"`` strings; empty when valid."""
    lists = _ENTRY_LISTS.get(name)
    if lists is None or not isinstance(doc, dict):
        return _errors(_validator(name), doc)
    skeleton = {k: ([] if k in lists and isinstance(v, list) else v) for k, v in doc.items()}
    errors = _errors(_validator(name), skeleton)
    _, schema_hash = _schema(name)
    known = _KnownGood(schema_hash)
    for key, definition in lists.items():
        entries = doc.get(key)
        if not isinstance(entries, list):
            continue
        entry_validator = None
        for i, entry in enumerate(entries):
            digest = hashlib.sha256(definition.encode() + b"\0" + dumps(entry)).hexdigest()[:32]
            if digest in known.seen or digest in known.new:
                continue
            entry_validator = entry_validator or _validator(name, definition)
            errs = _errors(entry_validator, entry, prefix=f"$.{key}[{i}]")
            if errs:
                errors.extend(errs)
            else:
                known.new.add(digest)
    if not errors:
        known.save()
    return errors
