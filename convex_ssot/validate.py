"""JSON Schema validation of everything we write (Draft 2020-12, the ``jsonschema`` library).

Schemas are read from ``schemas/`` (package data) once per process; ``jsonschema`` is
imported only when something is validated (the import alone costs about 0.1 s).

Contracts are validated in pieces: the document with its entry lists emptied; each entry
of ``tables`` / ``functions`` / ``diagnostics`` against its ``$defs`` entry, with its
Convex validator JSON values (``validator``, ``documentType``) set aside; and each
*distinct* validator value against ``$defs/convexValidator``. A piece whose exact bytes
were validated before (in this run, or in an earlier run with the same schema, remembered
in the cache directory) is not validated again. The verdict is the same as validating the
whole document at once, because those list items and keys are exactly ``$ref``s to the
``$defs`` used; validating a 4 MB project's contracts whole takes many seconds in
``jsonschema`` (it evaluates every keyword in Python), and validators repeat a lot.
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
    return _inline_refs(loads(data)), hashlib.sha256(data).hexdigest()[:16]


def _inline_refs(schema: dict) -> dict:
    """The same schema with every ``$ref`` to a non-recursive ``$defs`` entry replaced by
    the definition itself. Equivalent for validation (Draft 2020-12 ``$ref`` semantics,
    local references only) and much faster in ``jsonschema``, whose reference lookups
    dominate otherwise; recursive definitions keep their ``$ref``."""
    defs = schema.get("$defs", {})
    prefix = "#/$defs/"

    def refs_of(node, out: set) -> set:
        if isinstance(node, dict):
            r = node.get("$ref")
            if isinstance(r, str) and r.startswith(prefix):
                out.add(r[len(prefix):])
            for v in node.values():
                refs_of(v, out)
        elif isinstance(node, list):
            for v in node:
                refs_of(v, out)
        return out

    direct = {k: refs_of(v, set()) for k, v in defs.items()}
    recursive = set()
    for start in defs:
        stack, seen = list(direct[start]), set()
        while stack:
            k = stack.pop()
            if k == start:
                recursive.add(start)
                break
            if k in seen or k not in direct:
                continue
            seen.add(k)
            stack.extend(direct[k])

    def inline(node):
        if isinstance(node, dict):
            r = node.get("$ref")
            if isinstance(r, str) and r.startswith(prefix) and r[len(prefix):] in defs and r[len(prefix):] not in recursive:
                rest = {k: inline(v) for k, v in node.items() if k != "$ref"}
                target = inline(defs[r[len(prefix):]])
                if not rest:
                    return target
                return {"allOf": [target], **rest}
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    out = {k: inline(v) for k, v in schema.items() if k != "$defs"}
    out["$defs"] = {k: inline(v) for k, v in defs.items()}
    return out


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


_VALIDATOR_KEYS = ("validator", "documentType")
_PLACEHOLDER = {"type": "any"}


def _split_validators(node, found: list) -> object:
    """A copy of ``node`` whose Convex validator JSON values (under ``validator`` and
    ``documentType``, where the schemas say ``$ref: convexValidator``) are replaced by a
    placeholder; the originals are appended to ``found``. Validators repeat a lot (every
    ``{"type": "string"}``), so each distinct one is then validated once."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in _VALIDATOR_KEYS and isinstance(v, dict):
                found.append(v)
                out[k] = _PLACEHOLDER
            else:
                out[k] = _split_validators(v, found)
        return out
    if isinstance(node, list):
        return [_split_validators(v, found) for v in node]
    return node


#: Below this many pieces to check, starting a second process does not pay.
PARALLEL_MIN_PIECES = 300


def _check_pieces(name: str, pieces: list[tuple[str, str, str, object]]) -> list[tuple[str, list[str]]]:
    """Validate ``(digest, definition, json path, value)`` pieces; ``(digest, errors)`` each."""
    out = []
    for digest, definition, path, value in pieces:
        out.append((digest, _errors(_validator(name, definition), value, prefix=path)))
    return out


def _check_parallel(name: str, pieces: list) -> list[tuple[str, list[str]]]:
    """:func:`_check_pieces` on both cores (``fork``: the compiled validators are inherited)."""
    import os

    if len(pieces) < PARALLEL_MIN_PIECES or (os.cpu_count() or 1) < 2:
        return _check_pieces(name, pieces)
    for definition in {p[1] for p in pieces}:
        _validator(name, definition)  # build before forking, once
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("fork")
        halves = [pieces[0::2], pieces[1::2]]
        with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
            return [r for part in pool.map(_check_pieces, [name, name], halves) for r in part]
    except (OSError, ValueError, RuntimeError, ImportError):
        return _check_pieces(name, pieces)


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
    validators: list = []
    pieces: list[tuple[str, str, str, object]] = []
    queued: set[str] = set()
    for key, definition in lists.items():
        entries = doc.get(key)
        if not isinstance(entries, list):
            continue
        for i, raw_entry in enumerate(entries):
            entry = _split_validators(raw_entry, validators)
            digest = hashlib.sha256(definition.encode() + b"\0" + dumps(entry)).hexdigest()[:32]
            if digest in known.seen or digest in queued:
                continue
            queued.add(digest)
            pieces.append((digest, definition, f"$.{key}[{i}]", entry))
    for v in validators:
        digest = hashlib.sha256(b"convexValidator\0" + dumps(v)).hexdigest()[:32]
        if digest in known.seen or digest in queued:
            continue
        queued.add(digest)
        pieces.append((digest, "convexValidator", "$..validator", v))
    for digest, errs in _check_parallel(name, pieces):
        if errs:
            errors.extend(errs)
        else:
            known.new.add(digest)
    if not errors:
        known.save()
    return errors
