"""Module specifier → file, the way TypeScript's bundler resolution finds project files.

Handled, in this order (TypeScript handbook, "Module Resolution": ``moduleResolution:
bundler``; tsconfig ``paths``/``baseUrl``/``extends``):

1. relative specifiers (``./x``, ``../lib/x.js``): the file itself, the file with one of
   the source extensions, a ``.js``-style specifier mapped back to ``.ts``/``.tsx``, or
   ``index.*`` of a directory;
2. ``compilerOptions.paths`` of the nearest ``tsconfig.json`` above the importing file
   (following relative ``extends``; comments and trailing commas allowed, as tsc does);
3. a package importing itself by its ``package.json`` name (``@repo/backend/convex/x``).

Nothing outside the repository root is ever returned. Packages from ``node_modules`` are
not read: the evaluator models the libraries it knows (convex, convex-helpers, …).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..cache import note_input

__all__ = ["SpecifierResolver"]

_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".d.ts")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _read_jsonc(path: Path):
    from ..emit.jsonout import loads
    from ..parse.lexer import mask

    note_input(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        clean = mask(text).clean
        return loads(_TRAILING_COMMA.sub(r"\1", clean))
    except ValueError:
        return None


class SpecifierResolver:
    """Resolves specifiers for files inside ``repo_root``; caches per directory."""

    def __init__(self, repo_root: Path) -> None:
        self.root = Path(os.path.abspath(repo_root))
        self.root_real = os.path.realpath(self.root)
        self._tsconfig: dict[str, tuple[Path, dict] | None] = {}
        self._package: dict[str, tuple[Path, str] | None] = {}

    def _inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real == self.root_real or real.startswith(self.root_real + os.sep)

    def try_file(self, target: str) -> Path | None:
        """The source file a path without/with extension or a directory stands for."""
        candidates = [target + ext for ext in _EXTENSIONS]
        for ext in (".js", ".jsx", ".mjs", ".cjs"):
            if target.endswith(ext):
                stem = target[: -len(ext)]
                candidates = [stem + e for e in (".ts", ".tsx", ".mts", ".cts")] + candidates
        candidates = [target] + candidates if os.path.splitext(target)[1] in _EXTENSIONS else candidates + [target]
        candidates += [os.path.join(target, "index" + ext) for ext in _EXTENSIONS]
        for c in candidates:
            if os.path.isfile(c):
                # Outside the repository (a symlink): returned all the same, so the loader
                # refuses to read it with a CSX102 diagnostic instead of "not found".
                return Path(c)
        return None

    def resolve(self, from_file: Path, specifier: str) -> Path | None:
        base = from_file.parent
        if specifier.startswith("."):
            return self.try_file(os.path.normpath(base / specifier))
        hit = self._via_paths(base, specifier)
        if hit is not None:
            return hit
        return self._via_self_package(base, specifier)

    # ---- tsconfig paths
    def _nearest_tsconfig(self, directory: Path) -> tuple[Path, dict] | None:
        key = str(directory)
        if key in self._tsconfig:
            return self._tsconfig[key]
        found = None
        cfg_path = directory / "tsconfig.json"
        note_input(cfg_path)
        if cfg_path.is_file():
            opts = self._compiler_paths(cfg_path, 0)
            if opts is not None:
                found = opts
        if found is None and directory != self.root and self.root in directory.parents:
            found = self._nearest_tsconfig(directory.parent)
        self._tsconfig[key] = found
        return found

    def _compiler_paths(self, cfg_path: Path, depth: int) -> tuple[Path, dict] | None:
        """``(base directory, paths)`` of a tsconfig, following relative ``extends``."""
        data = _read_jsonc(cfg_path)
        if not isinstance(data, dict):
            return None
        opts = data.get("compilerOptions") if isinstance(data.get("compilerOptions"), dict) else {}
        paths = opts.get("paths")
        if isinstance(paths, dict):
            base_url = opts.get("baseUrl")
            base = cfg_path.parent / base_url if isinstance(base_url, str) else cfg_path.parent
            return (Path(os.path.normpath(base)), paths)
        ext = data.get("extends")
        if isinstance(ext, str) and ext.startswith(".") and depth < 5:
            parent = os.path.normpath(cfg_path.parent / ext)
            if not parent.endswith(".json"):
                parent += ".json"
            if os.path.isfile(parent) and self._inside(parent):
                return self._compiler_paths(Path(parent), depth + 1)
        return None

    def _via_paths(self, directory: Path, specifier: str) -> Path | None:
        cfg = self._nearest_tsconfig(directory)
        if cfg is None:
            return None
        base, paths = cfg
        best: tuple[int, str, list] | None = None
        for pattern, targets in paths.items():
            if not isinstance(targets, list):
                continue
            if "*" in pattern:
                prefix, _, suffix = pattern.partition("*")
                if specifier.startswith(prefix) and specifier.endswith(suffix) and len(specifier) >= len(prefix) + len(suffix):
                    star = specifier[len(prefix) : len(specifier) - len(suffix)]
                    if best is None or len(prefix) > best[0]:
                        best = (len(prefix), star, targets)
            elif pattern == specifier:
                best = (10**6, "", targets)
        if best is None:
            return None
        for t in best[2]:
            if isinstance(t, str):
                hit = self.try_file(os.path.normpath(base / t.replace("*", best[1])))
                if hit is not None:
                    return hit
        return None

    # ---- a package importing itself by name
    def _nearest_package(self, directory: Path) -> tuple[Path, str] | None:
        key = str(directory)
        if key in self._package:
            return self._package[key]
        found = None
        pj = directory / "package.json"
        note_input(pj)
        if pj.is_file():
            data = _read_jsonc(pj)
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                found = (directory, data["name"])
        if found is None and directory != self.root and self.root in directory.parents:
            found = self._nearest_package(directory.parent)
        self._package[key] = found
        return found

    def _via_self_package(self, directory: Path, specifier: str) -> Path | None:
        pkg = self._nearest_package(directory)
        if pkg is None:
            return None
        pdir, name = pkg
        if specifier == name:
            return self.try_file(str(pdir / "index"))
        if specifier.startswith(name + "/"):
            return self.try_file(os.path.normpath(pdir / specifier[len(name) + 1 :]))
        return None
