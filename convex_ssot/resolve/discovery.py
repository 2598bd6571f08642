"""Which files are Convex function modules — the rule of Convex's own bundler.

``entryPoints`` in convex ``src/bundler/index.ts``: every ``.ts .tsx .js .jsx .mjs .cjs
.mts .cts`` file under the Convex directory except ``_generated/``, dot-files and
dot-directories, ``schema.ts`` / ``schema.js`` at any depth, base names with more than
one dot (``auth.config.ts``, ``*.test.ts``, ``*.d.ts``), paths containing a space,
directories that hold their own ``convex.config.ts`` (components), and ``.ts`` files with
no import or export statement (that last check needs the text; see
:func:`convex_ssot.resolve.project.build_project`). Light module: imported on the
cache-hit path, so it imports nothing heavy.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["discover_modules", "SOURCE_EXTENSIONS"]

SOURCE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")


def discover_modules(convex_dir: Path) -> list[Path]:
    """Candidate function modules under ``convex_dir`` (sorted, before the import/export
    check, which needs the file text). See the module docstring for the rules."""
    out: list[Path] = []
    if not convex_dir.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(convex_dir):
        d = Path(dirpath)
        rel_dir = d.relative_to(convex_dir)
        keep_dirs = []
        for name in dirnames:
            if name.startswith(".") or name == "node_modules":
                continue
            if rel_dir == Path(".") and name == "_generated":
                continue
            if any((d / name / f"convex.config{ext}").is_file() for ext in (".ts", ".js")):
                continue
            keep_dirs.append(name)
        dirnames[:] = sorted(keep_dirs)
        for name in sorted(filenames):
            if name.startswith(".") or " " in name or " " in str(rel_dir):
                continue
            if not name.endswith(SOURCE_EXTENSIONS):
                continue
            if name.count(".") > 1:
                continue
            if name in ("schema.ts", "schema.js"):
                continue
            out.append(d / name)
    return sorted(out)


