"""Is the committed ``_generated/api.d.ts`` in step with the function modules on disk?

Convex's codegen (convex 1.48 ``src/cli/codegen_templates/api.ts``) writes one
``import type * as <id> from "../<module path>.js";`` line per function module of the
Convex directory (the bundler's ``entryPoints`` rule, :mod:`.resolve.discovery`). A module
added since codegen ran is missing from ``api``/``internal`` types; a removed one still
appears there. ``ctl-convex verify`` reports both (a warning; ``--strict`` fails). A file
without the template's ``ApiFromModules`` type (a hand-written stand-in, such as
``export declare const api: any;``) lists no modules and is not compared.
"""

from __future__ import annotations

import re
from .dataclass_cache import dataclass
from pathlib import Path

from .resolve.discovery import discover_modules, has_import_or_export
from . import regex_cache

__all__ = ["CodegenDrift", "codegen_drift"]

_IMPORT = regex_cache.compile(r"""^import\s+type\s+\*\s+as\s+[\w$]+\s+from\s+["']\.\./((?:[^"'\\])+?)(?:\.js)?["'];?\s*$""", re.M)


@dataclass(frozen=True, slots=True)
class CodegenDrift:
    """Module paths (``dir/mod``) ``added`` on disk since codegen and ``removed`` from disk
    but still in ``api.d.ts``; both sorted."""

    added: tuple[str, ...]
    removed: tuple[str, ...]


def generated_modules(api_dts: str) -> set[str]:
    """The module paths an ``api.d.ts`` imports."""
    return set(_IMPORT.findall(api_dts))


def disk_modules(convex_dir: Path) -> set[str]:
    """The function modules Convex would bundle, as module paths."""
    out: set[str] = set()
    for path in discover_modules(convex_dir):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if has_import_or_export(path, text):
            out.add(path.relative_to(convex_dir).as_posix().rsplit(".", 1)[0])
    return out


def codegen_drift(convex_dir: Path) -> CodegenDrift | None:
    """None when ``<convex_dir>/_generated/api.d.ts`` is absent, unreadable or not written by
    codegen (then there is nothing to compare), else the modules added and removed since it
    was generated."""
    try:
        text = (convex_dir / "_generated" / "api.d.ts").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "ApiFromModules" not in text:
        return None
    gen = generated_modules(text)
    if not gen:
        return None
    disk = disk_modules(convex_dir)
    return CodegenDrift(tuple(sorted(disk - gen)), tuple(sorted(gen - disk)))
