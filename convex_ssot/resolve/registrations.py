"""One registration → its :class:`~convex_ssot.ir.Function`: the definition object's
``args``/``returns`` validators (convex-helpers custom builders' added args merged in), the
handler's facts (tables read and written, uses, auth signal: :mod:`.bodies`), its calls
(:mod:`.surface.calls`) and where it is declared. Used by :mod:`.project` for every
registration a function module exports."""

from __future__ import annotations

from .. import ir
from ..interp.core import Evaluator
from ..interp.values import VBool, VFunction, VObj, VUnknown, Value
from ..packages.convex_server import VRegistration
from ..packages.convex_values import VVal, to_validator
from ..packages.validator_ir import object_fields
from ..parse import ast
from . import bodies
from .handlers import handler_facts
from .modules import Module
from .surface import calls as surface_calls

__all__ = ["registered_function"]


def _merge_custom(fn_args: ir.Validator, custom: dict[str, ir.Validator]) -> ir.Validator:
    """convex-helpers ``addFieldsToValidator``: custom fields after the function's own;
    for a key in both, the existing validator stays unless it is optional and the new one
    is required (customFunctions.ts:481-533)."""
    if fn_args.kind == "union":
        return ir.Validator("union", members=tuple(_merge_custom(m, custom) for m in fn_args.members), raw=fn_args.raw)
    if fn_args.kind != "object":
        return fn_args
    fields = fn_args.field_map()
    for k, v in custom.items():
        if k not in fields or (fields[k].optional and not v.optional):
            fields[k] = v
    return ir.Validator("object", fields=object_fields(fields), raw=fn_args.raw)


def registered_function(ev: Evaluator, loader, mod: Module, reg: VRegistration, module_path: str, export_name: str, unparsed: bool = False) -> ir.Function:
    """The IR of a registration; its definition is evaluated over the local variables of
    the project helper that made it (``return { read: query({ args: idArgs, ... }) }``)."""
    ev.scopes.append(reg.env if reg.env is not None else {})
    try:
        return _registered_function(ev, loader, mod, reg, module_path, export_name, unparsed)
    finally:
        ev.scopes.pop()


def _registered_function(ev: Evaluator, loader, mod: Module, reg: VRegistration, module_path: str, export_name: str, unparsed: bool) -> ir.Function:
    b = reg.builder
    rmod = reg.module if isinstance(reg.module, Module) else mod
    definition = reg.definition
    handler: Value | None = None
    args: ir.Validator | None = None
    args_is_map = False
    returns: ir.Validator | None = None
    dval = None
    if b.model is not None:  # a package's builder registers the function (packages/zodvex.py)
        args, args_is_map, returns, handler = b.model.registration(ev, rmod, reg, f"{module_path}:{export_name}")
    elif isinstance(definition, ast.Obj):
        dval = ev.eval(rmod, definition)  # over reg.env, pushed by _function
    elif definition is not None and not unparsed and not isinstance(definition, ast.Function):
        dval = ev.eval(rmod, definition)  # over reg.env, pushed by _function  # a definition object passed by name: query(config)
        if isinstance(dval, VFunction):
            handler, dval = dval, None
        elif not isinstance(dval, VObj):
            rmod.diag(definition.span[0], "CSX230", f"{module_path}:{export_name}: function definition not understood; args and handler not read")
            dval = None
    if isinstance(dval, VObj):
        dval = VObj(dict(dval.entries), dict(dval.nodes), list(dval.spread_unknown), dval.node)  # evaluated values are shared
        handler = dval.entries.get("handler")
        if b.zod and isinstance(dval.entries.get("skipConvexValidation"), VBool) and dval.entries["skipConvexValidation"].value:
            # zCustom*: registered without validators (convex-helpers zod4.ts:846-950)
            dval.entries.pop("args", None)
            dval.entries.pop("returns", None)
        if "args" in dval.entries:
            a_node = dval.nodes.get("args")
            a_val = dval.entries["args"]
            args_is_map = isinstance(a_val, VObj)
            av = to_validator(ev, rmod, a_val, a_node)
            if isinstance(av, VUnknown):
                rmod.diag(a_node.span[0] if a_node is not None else definition.span[0], "CSX230", f"{module_path}:{export_name}: args not resolved ({av.reason}); recorded as v.any()")
                av = ir.Validator("any", raw=rmod.raw(a_node.span) if a_node is not None else "")
            args = av
        if "returns" in dval.entries:
            r_node = dval.nodes.get("returns")
            rv = to_validator(ev, rmod, dval.entries["returns"], r_node, output=b.zod)
            if isinstance(rv, VUnknown):
                rmod.diag(r_node.span[0] if r_node is not None else definition.span[0], "CSX230", f"{module_path}:{export_name}: returns not resolved ({rv.reason}); recorded as v.any()")
                rv = ir.Validator("any", raw=rmod.raw(r_node.span) if r_node is not None else "")
            returns = rv
    elif isinstance(definition, ast.Function):
        handler = VFunction(definition, rmod)

    if definition is None and reg.args is not None:  # a library-registered function
        if isinstance(reg.args, VVal):
            args = reg.args.v
            args_is_map = args.kind == "object"
        if isinstance(reg.returns, VVal):
            returns = reg.returns.v
    if b.kind == "httpAction":
        args, returns, args_is_map = None, None, False
    elif b.custom_args:
        if args is not None:
            for custom in b.custom_args:
                args = _merge_custom(args, custom)
        elif any(b.custom_args):
            rmod.diag(definition.span[0] if definition is not None else 0, "CSX232", f"{module_path}:{export_name}: the custom builder adds args but the function declares none; convex-helpers throws at definition time")

    facts = bodies.BodyFacts()
    if isinstance(handler, VFunction):
        facts = handler_facts(handler, loader.resolve)
    uses = ir.Uses(**facts.uses)
    if facts.identity:
        auth = "explicit-user-identity"
    elif facts.convex_auth:
        auth = "convex-auth"
    elif b.auth:
        auth = b.auth
    elif b.visibility == "internal":
        auth = "internal-only"
    else:
        auth = "not-detected"
    chain = b.chain
    constructor = reg.constructor_text
    if definition is not None:
        line, col = mod.lines.position(definition.span[0])
    elif reg.span is not None:
        line, col = rmod.lines.position(reg.span[0])
    else:
        line, col = (0, 0)
    return ir.Function(
        module_path=module_path,
        export_name=export_name,
        kind=b.kind,
        visibility=b.visibility or "public",
        constructor=constructor,
        resolved_constructor=b.canonical if constructor != b.canonical else None,
        constructor_chain=chain,
        file=mod.rel,
        runtime="node" if mod.use_node else "convex",
        args=args,
        args_is_map=args_is_map,
        returns=returns,
        auth_kind=auth,
        uses=uses,
        tables_read=tuple(sorted(facts.read)),
        tables_written=tuple(sorted(facts.written)),
        line=line,
        column=col,
        calls=tuple(surface_calls.find_calls(ev, facts.visited)),
        handler_spans=tuple((m.rel, sp[0], sp[1]) for m, sp in facts.visited),
        bare_handler=isinstance(definition, ast.Function) and b.model is None,
    )
