"""Evaluating one named export of any module of the repository (not only Convex modules).

``ctl-convex check`` reads the Zod schemas named by the configured alignment pairs
(``src/ai/outputs.ts#scenarioSchema``) with the same loader and evaluator as the schema
and the function modules, so imports, constants and helpers are followed exactly as there.
"""

from __future__ import annotations

from ..dataclass_cache import dataclass
from pathlib import Path

from ..interp.values import Value, VUnknown
from .project import module_evaluator

__all__ = ["ExportValue", "evaluate_export"]


@dataclass(slots=True)
class ExportValue:
    """The value of ``rel#name`` (a :class:`VUnknown` with the reason when it could not be
    read), where it is declared (1-based ``line``/``column``; 1, 1 when unknown)."""

    value: Value
    line: int = 1
    column: int = 1


def evaluate_export(repo_root: Path, rel: str, name: str, module_cache=None) -> ExportValue:
    """Evaluate export ``name`` of the module at repo-relative ``rel``; never raises for bad
    sources (a missing file or export gives a :class:`VUnknown` saying so)."""
    load, ev = module_evaluator(repo_root, module_cache)
    path = repo_root / rel
    if not path.is_file():
        return ExportValue(VUnknown(f"file {rel} not found"))
    mod = load(path)
    if mod is None:
        return ExportValue(VUnknown(f"file {rel} could not be read"))
    if name not in mod.exports and name not in mod.reexports and name != "default":
        return ExportValue(VUnknown(f"{rel} has no export '{name}'"))
    local = mod.exports.get(name, name)
    decl = mod.decls.get(local)
    line, col = mod.lines.position(decl.span[0]) if decl is not None else (1, 1)
    value = ev.eval(mod, mod.default_export) if name == "default" and mod.default_export is not None else ev.export_value(mod, name)
    return ExportValue(value, line, col)
