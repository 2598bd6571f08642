"""The generated module ``_generated/server`` (convex ``src/cli/codegen_templates/server.ts``):
the seven function builders, also through ``import * as``. Recognised by the specifier's
form (``./_generated/server``, ``../convex/_generated/server.js``); the file itself is
never read (many projects do not commit ``_generated/``)."""

from __future__ import annotations

from ..interp.packages import PackageModel
from ..interp.values import VObj, VUnknown, Value
from .convex_server import GENERATED_BUILDERS, VBuilder

__all__ = ["GeneratedModel", "is_generated_server"]


def is_generated_server(specifier: str) -> bool:
    """True for ``./_generated/server``, ``../convex/_generated/server.js`` and the like."""
    s = specifier
    for ext in (".js", ".ts", ".mjs", ".cjs"):
        if s.endswith(ext):
            s = s[: -len(ext)]
    return s.startswith(".") and (s.endswith("/_generated/server") or s == "_generated/server")


# ---------------------------------------------------------------- the evaluator


class GeneratedModel(PackageModel):
    """``_generated/server``: ``query``, ``mutation``, ``action``, their ``internal*``
    forms and ``httpAction``."""

    def export(self, ev, mod, specifier: str, name: str) -> Value | None:
        if not is_generated_server(specifier):
            return None
        if name == "*":
            return VObj({n: VBuilder(kind, vis, n, (n,)) for n, (kind, vis) in GENERATED_BUILDERS.items()})
        if name in GENERATED_BUILDERS:
            kind, vis = GENERATED_BUILDERS[name]
            return VBuilder(kind, vis, name, (name,))
        return VUnknown(f"`{name}` from _generated/server is not a function builder")
