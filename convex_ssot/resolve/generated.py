"""The generated modules (``<convexDir>/_generated/server|api|dataModel``) as modules.

The resolver (:mod:`.paths`) recognises them by where a specifier resolves, whatever its
form (``./_generated/server``, ``@cvx/_generated/server``, ``~/convex/_generated/server``,
a workspace package name) and whether or not ``_generated/`` exists on disk. The loader
then hands the interpreter one of these stand-in modules instead of reading the file:

- ``server``: the seven function builders ``npx convex codegen`` writes (convex
  ``src/cli/codegen_templates/server.ts``: ``query``, ``mutation``, ``action``,
  ``internalQuery``, ``internalMutation``, ``internalAction``, ``httpAction``);
- ``api``: ``api``, ``internal`` and ``components`` (``anyApi``/``componentsGeneric()``
  proxies: function references, which no validator or registration is built from);
- ``dataModel``: types only (no runtime exports).
"""

from __future__ import annotations

from ..parse import lexer
from .modules import Module

__all__ = ["generated_module"]


def generated_module(name: str, rel: str) -> Module:
    """A stand-in :class:`Module` for the generated module ``name`` at repo-relative
    ``rel``: its exports are pre-evaluated values, it has no source and no diagnostics."""
    from .evaluator import GENERATED_BUILDERS
    from .values import VBuilder, VUnknown

    mod = Module(rel, "", lexer.mask(""), lexer.LineIndex(""))
    mod.has_import_export = True
    values: dict = {}
    if name == "server":
        values = {n: VBuilder(kind, vis, n, (n,)) for n, (kind, vis) in GENERATED_BUILDERS.items()}
    elif name == "api":
        values = {n: VUnknown(f"`{n}` from _generated/api holds function references") for n in ("api", "internal", "components")}
    for n, v in values.items():
        mod.exports[n] = n
        mod.values[n] = v
    return mod
