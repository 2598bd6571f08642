"""The generated modules (``<convexDir>/_generated/server|api|dataModel``) as modules.

The resolver (:mod:`.paths`) recognises them by where a specifier resolves, whatever its
form (``./_generated/server``, ``@cvx/_generated/server``, ``~/convex/_generated/server``,
a workspace package name) and whether or not ``_generated/`` exists on disk. The loader
then hands the interpreter one of these stand-in modules instead of reading the file. A
stand-in holds no values of its own: it re-exports each name from the specifier the
interpreter's model of that module answers for, exactly as the file ``npx convex codegen``
writes does (convex ``src/cli/codegen_templates/``):

- ``server``: the seven function builders ``query``, ``mutation``, ``action``,
  ``internalQuery``, ``internalMutation``, ``internalAction``, ``httpAction`` (from the
  canonical ``./_generated/server``, which the model of the generated server answers for);
- ``api``: ``api`` and ``internal`` (``anyApi``) and ``components``
  (``componentsGeneric()``) of ``convex/server``: function references, which no validator
  or registration is built from;
- ``dataModel``: types only (no runtime exports).
"""

from __future__ import annotations

from ..parse import lexer
from .modules import Module

__all__ = ["generated_module", "SERVER_BUILDERS"]

#: The builders ``_generated/server`` exports (codegen_templates/server.ts).
SERVER_BUILDERS = ("query", "mutation", "action", "internalQuery", "internalMutation", "internalAction", "httpAction")
#: The specifier the interpreter's generated-server model recognises by its form.
_CANONICAL_SERVER = "./_generated/server"


def generated_module(name: str, rel: str) -> Module:
    """A stand-in :class:`Module` for the generated module ``name`` (``server``, ``api`` or
    ``dataModel``) at repo-relative ``rel``: re-exports only, no source, no diagnostics."""
    mod = Module(rel, "", lexer.mask(""), lexer.LineIndex(""))
    mod.has_import_export = True
    if name == "server":
        mod.reexports = {n: (_CANONICAL_SERVER, n) for n in SERVER_BUILDERS}
    elif name == "api":
        mod.reexports = {"api": ("convex/server", "anyApi"), "internal": ("convex/server", "anyApi"), "components": ("convex/server", "componentsGeneric")}
    return mod
