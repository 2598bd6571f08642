"""A method of a modelled component client that its model does not cover, read from the
installed package (issue 9 §2; docs/architecture.md, "Models and installed packages"):
:mod:`.components` asks here before it reports the export (CSX243)."""

from __future__ import annotations

from ..interp.classes import construct
from ..interp.values import VClass, VFunction, VInstance, VObj, VUnknown, Value
from ..parse import ast

__all__ = ["installed_method"]


def installed_method(ev, mod, client, name: str, node: ast.Call) -> Value | None:
    """``client.name(...)`` read from the installed package: the class (``new``) or factory
    function (``createClient(...)``) ``client.cls`` of the package file the client's
    expression imports it from, applied to the same arguments in that JavaScript, and its
    method applied (issue 9 §2: a model that covers the installed version but not this
    method gives way to the package's code). None when the package is not installed or the
    export is not read there; a :class:`~convex_ssot.interp.values.VUnknown` when the
    method's result is not understood."""
    if client.made is None:
        return None
    made_mod, new_node = client.made
    call = new_node if isinstance(new_node, ast.Call) else new_node.target if isinstance(new_node.target, ast.Call) else None
    base = call.callee if call is not None else new_node.target
    while isinstance(base, ast.Member):
        base = base.obj
    imp = made_mod.imports.get(base.name) if isinstance(base, ast.Ident) else None
    if imp is None:
        return None
    target = ev.load(made_mod, imp[0])
    if target is None or getattr(target, "package", None) is None:
        return None
    made = ev.export_value(target, client.cls)
    if isinstance(new_node, ast.Call):
        inst = ev.apply(made, new_node.args, made_mod) if isinstance(made, VFunction) else None
    else:
        inst = construct(ev, made_mod, made, call.args if call is not None else []) if isinstance(made, VClass) else None
        if isinstance(inst, VInstance):
            inst.made_by = (made_mod, new_node)
    if not isinstance(inst, VObj):
        return inst if isinstance(inst, VUnknown) else None
    method = ev.member(mod, inst, name)
    if not isinstance(method, VFunction):
        return method if isinstance(method, VUnknown) else None
    return ev.apply(method, node.args, mod)
