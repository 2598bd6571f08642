"""File paths as the contracts give them.

Files are named by their path relative to the repository root (``module/path.ts``). An
installed package's file can lie outside the repository when its real path does: a
workspace member run as the repository root whose dependencies are hoisted to the
workspace's ``node_modules`` above it (5 of the 34 projects of docs/accuracy.md), or a
``node_modules`` that is a symlink to a store elsewhere. The contracts' JSON Schemas
(``schemas/*.schema.json``, the ``repoPath`` definitions) allow no ``..`` segment, and
the path that leads outside says nothing useful to a reader of the repository, so such a
file is named by the path the repository reaches it through: ``node_modules/`` and what
follows the last ``node_modules/`` of its real path (``node_modules/@scope/pkg/dist/x.js``:
the package and its file, as a bare specifier names them). A path outside the
repository with no ``node_modules`` segment is given unchanged.
"""

from __future__ import annotations

__all__ = ["contract_path"]

_NODE_MODULES = "/node_modules/"


def contract_path(rel: str | None) -> str | None:
    """``rel`` (repo-relative, ``/``-separated, or None) as the contracts name it (module docstring)."""
    if rel is None or not rel.startswith("../"):
        return rel
    i = rel.rfind(_NODE_MODULES)
    return rel if i < 0 else rel[i + 1:]
