"""Validators that component clients register, computed from a model variant and the
arguments a project gives (:mod:`.components` holds the clients themselves):
@convex-dev/workpool's ``vOnCompleteArgs(context?, runResult?)`` and @convex-dev/workflow's
``workflowMutation`` args and returns (0.4.6 and later)."""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..interp.values import VObj, VUndefined, VUnknown, Value
from ..parse import ast
from .convex_values import VVal, to_validator
from .validator_ir import from_convex_json

__all__ = ["on_complete_args", "on_complete_object", "workflow_validators_046"]


def on_complete_args(ev, mod, exp, args: list[ast.Node], node: ast.Call) -> Value:
    """``vOnCompleteArgs(context?)`` of @convex-dev/workpool (src/client/index.ts):
    ``v.object({workId: vWorkId, context: context ?? v.optional(v.any()), result:
    vResult})``; from 0.4.10 ``(context?, runResult?)`` with ``result:
    vRunResult(runResult ?? v.optional(v.any()))`` (src/component/shared.ts ``vRunResult``:
    the ``success`` member's ``returnValue``). The variant's ``onComplete`` gives the
    argument-free result (``workId``, ``context`` and ``result`` fields in Convex JSON) and
    whether the second argument exists."""
    spec = exp.variant["onComplete"]
    given: list[ir.Validator | None] = []
    for i, a in enumerate(args[: 2 if spec["runResultArgument"] else 1]):
        val = ev.eval(mod, a)
        if isinstance(val, VUndefined):
            given.append(None)
            continue
        if not isinstance(val, VVal):
            reason = val.reason if isinstance(val, VUnknown) else "not a validator"
            return VUnknown(f"{exp.name}(): argument {i + 1} is not a validator the tool resolves ({reason})")
        given.append(val.v.with_raw(""))
    out = on_complete_object(spec, given[0] if given else None, given[1] if len(given) > 1 else None)
    return VVal(replace(out, raw=mod.raw(node.span)))


def on_complete_object(spec: dict, context: ir.Validator | None, run_result: ir.Validator | None) -> ir.Validator:
    """``vOnCompleteArgs(context, runResult)`` of a variant (``spec``: its ``onComplete``)."""
    base = from_convex_json(spec["noArguments"])
    fields = dict((f.name, f.validator) for f in base.fields)
    if context is not None:
        fields["context"] = context
    if run_result is not None:
        success, *rest = fields["result"].members
        ok = tuple(ir.ObjectField(f.name, run_result if f.name == "returnValue" else f.validator) for f in success.fields)
        fields["result"] = ir.Validator("union", members=(ir.Validator("object", fields=ok), *rest))
    return ir.Validator("object", fields=tuple(ir.ObjectField(k, v) for k, v in fields.items()))


def _lit(s: str) -> ir.Validator:
    return ir.Validator("literal", literal=ir.LiteralValue("string", s))


def _as_object(ev, mod, val: Value | None, node, what: str, text: str, at: ast.Node) -> ir.Validator | None:
    """``asObjectValidator(x)``: a validator stays, a fields map becomes ``v.object``."""
    if val is None:
        return None
    v = to_validator(ev, mod, val, node)
    if isinstance(v, VUnknown):
        mod.diag((node or at).span[0], "CSX230", f"{text}(): workflow {what} not resolved ({v.reason}); recorded as v.any()")
        return ir.Validator("any")
    return v.with_raw("")


def workflow_validators_046(ev, mod, cfg: VObj, text: str, node: ast.Node) -> tuple[ir.Validator, ir.Validator]:
    """``workflowMutation`` args and returns of @convex-dev/workflow 0.4.6–0.4.8
    (src/client/workflowMutation.ts): ``{...vWorkflowArgs.members[0].partial().fields,
    ...members[1].partial().fields, args: v.optional(asObjectValidator(registered.args ??
    v.any())), docs: v.optional(v.literal(...))}`` and ``v.union(vWorkflowId,
    v.object({kind: "complete", runResult: vRunResult(returns)}))``."""
    s, n, any_, b = ir.Validator("string"), ir.Validator("float64"), ir.Validator("any"), ir.Validator("boolean")
    reg_args = _as_object(ev, mod, cfg.entries.get("args"), cfg.nodes.get("args"), "args", text, node) or any_
    reg_returns = _as_object(ev, mod, cfg.entries.get("returns"), cfg.nodes.get("returns"), "returns", text, node)
    fields = [
        ("workflowId", s), ("generationNumber", n), ("args", reg_args), ("startAsync", b), ("onComplete", s), ("context", any_),
        ("docs", _lit("To call a workflow directly, nest its arguments: { args: { ...yourWorkflowArgs } }")),
    ]
    args_v = ir.Validator("object", fields=tuple(ir.ObjectField(k, v.as_optional(True)) for k, v in fields))

    def obj(**kw: ir.Validator) -> ir.Validator:
        return ir.Validator("object", fields=tuple(ir.ObjectField(k, v) for k, v in kw.items()))

    run_result = ir.Validator("union", members=(
        obj(kind=_lit("success"), returnValue=reg_returns if reg_returns is not None else any_),
        obj(kind=_lit("failed"), error=s),
        obj(kind=_lit("canceled")),
    ))
    returns_v = ir.Validator("union", members=(s, obj(kind=_lit("complete"), runResult=run_result)))
    return args_v, returns_v
