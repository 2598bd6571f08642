"""Never a silent loss: exports Convex could register that the contract does not list.

Convex registers every export of a function module whose value is a registered function
(convex ``src/server/impl/registration_impl.ts``; the CLI lists them by importing the
module). When the interpreter cannot tell what an export is (its value is unknown: an
unresolved import, a builder it does not model, a call it cannot follow), the export is
reported with CSX250 if its source has the shape of a registration:

- ``export const x = f({ ..., handler, ... })`` (also ``handler() {}`` methods, and such a
  call nested in the arguments of another call: ``withAuth(query({...}))``);
- ``export const x = f(async (ctx, ...) => ...)`` (a function whose first parameter is a
  context: ``ctx``, ``_ctx``, ``context``, ``*Ctx``);
- ``export const { a, b } = g(...)`` (each destructured name of a call, or of a ``new``
  expression: ``export const { a } = new Client(...)``);
- re-exports (``export { x } from``, ``export *``) of such values, reported where they are
  re-exported (the function id Convex would give them);
- names re-exported from a package the tool does not read (``export { x } from "pkg"``
  whose value is unknown), and every ``export * from "pkg"`` of such a package (its names
  cannot be listed without reading it).

The diagnostic names the function id, the export and the reason the value is unknown.
"""

from __future__ import annotations

from ..parse import ast

__all__ = ["registration_shape", "report_unknown_export", "report_star_exports"]

_MAX_NESTING = 3


def _is_ctx(param: ast.Node) -> bool:
    name = getattr(param, "name", None)
    if not isinstance(name, str):
        return False
    low = name.lower()
    return low in ("ctx", "_ctx", "context", "_context") or low.endswith("ctx")


def registration_shape(node: ast.Node | None, depth: int = 0) -> str | None:
    """Why the expression ``node`` looks like a Convex registration, or None."""
    if not isinstance(node, ast.Call) or depth > _MAX_NESTING:
        return None
    for a in node.args:
        if isinstance(a, ast.Obj):
            for m in a.members:
                if isinstance(m, (ast.Prop, ast.Method)) and m.key == "handler":
                    return "a call with a `handler`"
        elif isinstance(a, ast.Function) and a.params and _is_ctx(a.params[0]):
            return "a call with a function of `ctx`"
        elif isinstance(a, ast.Call):
            inner = registration_shape(a, depth + 1)
            if inner is not None:
                return inner
    callee = node.callee
    if isinstance(callee, ast.Call):  # builder(...)({...}) and builder.x(...)(...)
        return registration_shape(callee, depth + 1)
    return None


def _declaration(mod, name: str):
    """``(node whose shape is checked, offset, destructured)`` of exported ``name``."""
    local = mod.exports.get(name)
    if local is None:
        return None
    d = mod.decls.get(local)
    if d is not None:
        return d.init, d.span[0], False
    pd = mod.pattern_decls.get(local)
    if pd is not None:
        return pd[0].init, pd[0].span[0], True
    return None


def _origin(loader, mod, name: str, hops: int = 0):
    """The declaration an exported name comes from, following re-exports (5 hops)."""
    found = _declaration(mod, name)
    if found is not None or hops >= 5:
        return found
    re = mod.reexports.get(name)
    if re is not None and re[1] not in ("*", "default"):
        target = loader.resolve(mod, re[0])
        return _origin(loader, target, re[1], hops + 1) if target is not None else None
    for spec in mod.star_exports:
        target = loader.resolve(mod, spec)
        if target is not None and name != "default":
            hit = _origin(loader, target, name, hops + 1)
            if hit is not None:
                return hit
    return None


def _export_from_offset(mod, spec: str, name: str | None) -> int:
    for it in mod.items:
        if isinstance(it, ast.ExportFrom) and it.specifier == spec and (name is None or it.names is None or any(e == name for _, e in it.names)):
            return it.span[0]
    return 0


def _package_source(loader, mod, name: str) -> str | None:
    """The specifier of a package (not a project module) ``name`` is re-exported from."""
    re = mod.reexports.get(name)
    if re is None or re[0].startswith(".") or loader.resolve(mod, re[0]) is not None:
        return None
    return re[0]


def report_star_exports(loader, mod, module_path: str) -> None:
    """CSX250 for ``export * from "<package>"``: the names a package module exports are not
    known without reading it, so any Convex functions among them would be missing."""
    for spec in mod.star_exports:
        for missing in _unread_stars(loader, mod, spec, set()):
            what = "a package the tool does not read" if not missing.startswith(".") else "a module that was not found"
            via = "" if missing == spec else f" (through `export * from \"{spec}\"`)"
            mod.diag(_export_from_offset(mod, spec, None), "CSX250", f"{module_path}: `export * from \"{missing}\"`{via} re-exports {what}; any Convex functions it exports (function ids {module_path}:<name>) are missing from the contract")


def _unread_stars(loader, mod, spec: str, seen: set) -> list[str]:
    """Specifiers reached through ``export *`` from ``spec`` that name no project module."""
    target = loader.resolve(mod, spec)
    if target is None:
        return [spec]
    if target.rel in seen:
        return []
    seen.add(target.rel)
    out: list[str] = []
    for inner in target.star_exports:
        out.extend(_unread_stars(loader, target, inner, seen))
    return out


def report_unknown_export(loader, mod, name: str, reason: str, function_id: str) -> bool:
    """CSX250 on ``mod`` when its export ``name`` (whose value is unknown because of
    ``reason``) has the shape of a registration, or is re-exported from a package the tool
    does not read; True when reported."""
    found = _origin(loader, mod, name)
    if found is None:
        spec = _package_source(loader, mod, name)
        if spec is None:
            return False
        mod.diag(_export_from_offset(mod, spec, name), "CSX250", f"{function_id} may be a Convex function (re-exported from package `{spec}`) but its value is not understood ({reason}); it is missing from the contract")
        return True
    node, offset, destructured = found
    if destructured and isinstance(node, (ast.Call, ast.New)):
        why = "destructured from a call" if isinstance(node, ast.Call) else "destructured from a `new` expression"
    else:
        why = registration_shape(node)
    if why is None:
        return False
    if _declaration(mod, name) is None:  # a re-export: reported at the re-exporting statement
        offset = next((it.span[0] for it in mod.items if isinstance(it, ast.ExportFrom) and (it.names is None or any(e == name for _, e in it.names))), 0)
    mod.diag(offset, "CSX250", f"{function_id} may be a Convex function ({why}) but its value is not understood ({reason}); it is missing from the contract")
    return True
