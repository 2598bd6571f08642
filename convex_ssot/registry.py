"""Keep ``docs/context/registry.json`` current after a sync.

The registry is shared with other tools (format: docs/contracts.md §4.1, schema
``schemas/registry.schema.json``)::

    {version, updatedAt, artifacts: [{id, type, path, mode, format?, tags?,
                                      checksumSha256, lastUpdated, source?}], ...}

:func:`update_after_sync` is called by ``ctl-db-ssot sync-to-context`` (and the internal
``ctl-convex sync-to-context``) after the contracts are written. Rules (issue #3):

- no registry file: nothing happens ("skipped (no docs/context/registry.json)"); we never
  create one, because its owner decides whether the repository uses a registry;
- a registry that is not valid JSON or does not match its schema: a warning line, the
  file is left byte for byte as it was;
- in convex mode, with the function contract on disk, the artifact ``convex-functions``
  (type json, mode generated, format convex-functions-v1, tags db/convex/llm) is added
  when no artifact has that id or that path;
- every artifact whose file's SHA-256 differs from its ``checksumSha256`` gets the new
  checksum and ``lastUpdated`` = now; artifacts whose files are missing or outside the
  repository are reported and left as they are;
- when anything changed, the top-level ``updatedAt`` becomes now, the document is
  validated against the schema and written atomically (unknown keys and key order kept).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import fsutil
from .config import FUNCTIONS_CONTRACT_REL, REGISTRY_REL, Config, inside
from .emit.jsonout import dumps, loads
from .errors import ConfigError

__all__ = ["update_after_sync", "refresh_registry", "sha256_file", "FUNCTIONS_ARTIFACT_ID"]

FUNCTIONS_ARTIFACT_ID = "convex-functions"


def sha256_file(path: Path) -> str:
    """Lowercase hex SHA-256 of the file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _functions_artifact(cfg: Config, checksum: str, now: str) -> dict:
    from .scaffold.layout import dir_label

    return {
        "id": FUNCTIONS_ARTIFACT_ID,
        "type": "json",
        "path": FUNCTIONS_CONTRACT_REL,
        "mode": "generated",
        "format": "convex-functions-v1",
        "tags": ["db", "convex", "llm"],
        "checksumSha256": checksum,
        "lastUpdated": now,
        "source": {"generator": "convex-ssot", "command": "ctl-db-ssot sync-to-context", "input": dir_label(cfg.convex_dir_rel)},
    }


def _norm_rel(p: str) -> str | None:
    """A repo-relative POSIX path, or None for an absolute path or one with ``..`` leaving the root."""
    p = p.replace("\\", "/")
    if p.startswith("/") or (len(p) > 1 and p[1] == ":"):
        return None
    norm = os.path.normpath(p).replace("\\", "/")
    if norm == ".." or norm.startswith("../"):
        return None
    return norm


def refresh_registry(cfg: Config, register_functions: bool, now: str | None = None) -> list[str]:
    """Apply the rules of the module docstring; return one line per thing done or noticed.

    Lines: ``registered convex-functions (<path>)``, ``refreshed checksum of <path>``,
    ``up to date (N artifacts)``, ``skipped (no docs/context/registry.json)`` and
    ``warning: …`` lines. Never raises for bad registry content.
    """
    from .pipeline import now_iso
    from .validate import validate

    root = cfg.repo_root
    path = root / REGISTRY_REL
    if not path.is_file():
        return [f"skipped (no {REGISTRY_REL})"]
    if not inside(root, path):
        return [f"warning: {REGISTRY_REL} resolves outside repo root {root}; left untouched"]
    try:
        data = path.read_bytes()
        doc = loads(data)
    except OSError as exc:
        return [f"warning: cannot read {REGISTRY_REL} ({exc.strerror}); left untouched"]
    except ValueError:
        try:
            json.loads(data.decode("utf-8", errors="replace"))
            where = "not valid JSON"
        except json.JSONDecodeError as jexc:
            where = f"invalid JSON at line {jexc.lineno} column {jexc.colno}: {jexc.msg}"
        return [f"warning: {REGISTRY_REL}: {where}; left untouched"]
    errors = validate("registry", doc)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return [f"warning: {REGISTRY_REL} does not match the registry schema ({errors[0]}{more}); left untouched"]
    now = now or now_iso()
    lines: list[str] = []
    artifacts: list = doc["artifacts"]
    new_artifacts = []
    changed = False
    for art in artifacts:
        rel = _norm_rel(art["path"])
        if rel is None or not inside(root, root / rel):
            lines.append(f"warning: artifact {art['id']}: path '{art['path']}' is outside the repository; not checked")
            new_artifacts.append(art)
            continue
        target = root / rel
        if not target.is_file():
            lines.append(f"warning: artifact {art['id']}: {rel} is missing; entry kept")
            new_artifacts.append(art)
            continue
        checksum = sha256_file(target)
        if checksum != art["checksumSha256"]:
            art = {**art, "checksumSha256": checksum, "lastUpdated": now}
            lines.append(f"refreshed checksum of {rel}")
            changed = True
        new_artifacts.append(art)
    fc_path = root / FUNCTIONS_CONTRACT_REL
    if register_functions and fc_path.is_file():
        known = any(
            a.get("id") == FUNCTIONS_ARTIFACT_ID or _norm_rel(a.get("path", "")) == FUNCTIONS_CONTRACT_REL for a in new_artifacts
        )
        if not known:
            new_artifacts.append(_functions_artifact(cfg, sha256_file(fc_path), now))
            lines.insert(0, f"registered {FUNCTIONS_ARTIFACT_ID} ({FUNCTIONS_CONTRACT_REL})")
            changed = True
    if not changed:
        return lines + [f"up to date ({len(new_artifacts)} artifacts)"]
    new_doc = {**doc, "updatedAt": now, "artifacts": new_artifacts}
    errors = validate("registry", new_doc)
    if errors:  # cannot happen with a valid input; keep the file rather than break it
        return lines + [f"warning: the refreshed registry would not match its schema ({errors[0]}); left untouched"]
    try:
        fsutil.write_atomic(root, path, dumps(new_doc))
    except (ConfigError, OSError) as exc:
        return lines + [f"warning: could not write {REGISTRY_REL} ({exc}); left untouched"]
    return lines


def update_after_sync(cfg: Config, result) -> list[str]:
    """Refresh the registry after ``pipeline.sync`` returned ``result`` (a SyncResult).

    Registers the function contract only in convex mode (when the sync derived one).
    Returns the lines ``ctl-db-ssot sync-to-context`` prints after ``registry:``.
    """
    derived = getattr(result, "derived", None)
    register = getattr(result, "mode", cfg.mode) == "convex" and derived is not None and derived.summary.get("functions") is not None
    return refresh_registry(cfg, register_functions=register)
