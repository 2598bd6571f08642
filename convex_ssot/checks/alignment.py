"""Zod ↔ Convex alignment: Convex must accept whatever a Zod schema produces.

Pairs come from ``"convex": {"alignments": [{"zod": "file#export", "convex": target}]}``;
``target`` is a table (its document), ``table.field[.sub…]``, or
``module/path:function.args[.field…]`` / ``….returns[.field…]``. The Zod schema is read
with the project's evaluator and converted with :func:`convex_ssot.resolve.zod.to_convex`
(``output=True``: what ``zodOutputToConvex`` makes of it, i.e. the data Zod produces), then
compared structurally with the Convex validator:

* ``zod-extra-field``: Zod produces a field the Convex object does not declare;
* ``zod-missing-field``: Convex requires a field Zod does not produce, or Zod may omit it;
* ``zod-type-mismatch``: a value Zod produces that the Convex validator rejects (kinds,
  literals, ids of another table, ``null`` from ``.nullable()``…);
* ``zod-union-mismatch``: a member of a Zod union that no Convex union member accepts.

A side the tool could not resolve (``v.any()``, a Zod transform) is not compared.
"""

from __future__ import annotations

from .. import ir
from .context import Context
from .registry import Finding
from .settings import Alignment

__all__ = ["alignment_findings", "compare"]

_BASE = {"string": "string", "number": "float64", "boolean": "boolean", "bigint": "int64"}


def _show(v: ir.Validator) -> str:
    if v.kind == "literal" and v.literal is not None:
        return f"literal {v.literal.value!r}"
    if v.kind == "id":
        return f"id<{v.table}>"
    if v.kind == "union":
        return " | ".join(_show(m) for m in v.members) or "never"
    if v.kind == "array" and v.element is not None:
        return f"array<{_show(v.element)}>"
    return v.kind


def compare(src: ir.Validator, dst: ir.Validator, path: str, out: list[tuple[str, str, str]]) -> None:
    """Append ``(rule, path, message)`` for every way ``dst`` rejects data ``src`` allows."""
    if dst.kind == "any" or src.kind == "any":
        return
    if src.kind == "union":
        if dst.kind == "union":
            for m in src.members:
                if not any(_accepts(m, d) for d in dst.members):
                    best = _closest(m, dst.members)
                    if best is not None:
                        compare(m, best, path, out)
                    else:
                        out.append(("zod-union-mismatch", path, f"Zod union member {_show(m)} matches no member of the Convex union ({_show(dst)})"))
            return
        for m in src.members:
            compare(m, dst, path, out)
        return
    if dst.kind == "union":
        if any(_accepts(src, d) for d in dst.members):
            return
        best = _closest(src, dst.members)
        if best is not None:
            compare(src, best, path, out)
        else:
            out.append(("zod-type-mismatch", path, f"Zod produces {_show(src)}; Convex accepts {_show(dst)}"))
        return
    if src.kind == "object" and dst.kind == "object":
        dfields = dst.field_map()
        sfields = src.field_map()
        for name, sv in sfields.items():
            sub = f"{path}.{name}" if path else name
            dv = dfields.get(name)
            if dv is None:
                out.append(("zod-extra-field", sub, f"Zod produces field '{name}', which the Convex object does not declare; Convex rejects the data"))
                continue
            if sv.optional and not dv.optional:
                out.append(("zod-missing-field", sub, f"Zod may omit '{name}' (optional), but Convex requires it"))
            compare(sv.as_optional(False), dv.as_optional(False), sub, out)
        for name, dv in dfields.items():
            if name not in sfields and not dv.optional:
                sub = f"{path}.{name}" if path else name
                out.append(("zod-missing-field", sub, f"Convex requires field '{name}', which the Zod schema does not produce"))
        return
    if src.kind == "array" and dst.kind == "array":
        if src.element is not None and dst.element is not None:
            compare(src.element, dst.element, f"{path}[]", out)
        return
    if dst.kind == "record":
        if src.kind == "record" and src.value is not None and dst.value is not None:
            compare(src.value, dst.value, f"{path}{{}}", out)
            return
        if src.kind == "object" and dst.value is not None:
            for f in src.fields:
                compare(f.validator.as_optional(False), dst.value, f"{path}.{f.name}" if path else f.name, out)
            return
    if not _scalar_accepts(src, dst):
        out.append(("zod-type-mismatch", path, f"Zod produces {_show(src)}; Convex accepts {_show(dst)}"))


def _scalar_accepts(src: ir.Validator, dst: ir.Validator) -> bool:
    if src.kind == "literal" and src.literal is not None:
        if dst.kind == "literal":
            return dst.literal == src.literal
        return _BASE.get(src.literal.kind) == dst.kind
    if src.kind == "id":
        return (dst.kind == "id" and dst.table == src.table) or dst.kind == "string"
    return src.kind == dst.kind and src.kind not in ("object", "array", "record", "union", "literal", "id")


def _accepts(src: ir.Validator, dst: ir.Validator) -> bool:
    probe: list = []
    compare(src, dst, "", probe)
    return not probe


def _closest(src: ir.Validator, members: tuple[ir.Validator, ...]) -> ir.Validator | None:
    """The object member sharing most field names with an object ``src`` (for precise
    messages), or None when ``src`` is not an object or no member is."""
    if src.kind != "object":
        return None
    names = {f.name for f in src.fields}
    objs = [m for m in members if m.kind == "object"]
    if not objs:
        return None
    return max(objs, key=lambda m: len(names & {f.name for f in m.fields}))


def _field_path(v: ir.Validator, parts: list[str]) -> ir.Validator | None:
    for p in parts:
        if v.kind != "object":
            return None
        got = v.field_map().get(p)
        if got is None:
            return None
        v = got
    return v


def resolve_target(ctx: Context, target: str) -> tuple[ir.Validator | None, str]:
    """The Convex validator ``target`` names, or None and why not."""
    if ":" in target:
        fn_id, _, rest = target.partition(".")
        fn = next((f for f in ctx.project.functions if f.function_id == fn_id), None)
        if fn is None:
            return None, f"no function '{fn_id}' in the function contract"
        parts = rest.split(".") if rest else []
        if not parts or parts[0] not in ("args", "returns"):
            return None, f"'{target}': name `.args[.field]` or `.returns[.field]` after the function"
        base = fn.args if parts[0] == "args" else fn.returns
        if base is None:
            return None, f"{fn_id} has no `{parts[0]}` validator"
        got = _field_path(base, parts[1:])
        return (got, "") if got is not None else (None, f"{fn_id}.{parts[0]} has no field path '{'.'.join(parts[1:])}'")
    table_name, _, rest = target.partition(".")
    table = ctx.tables.get(table_name)
    if table is None:
        return None, f"no table '{table_name}' in the schema"
    got = _field_path(table.document, rest.split(".")) if rest else table.document
    return (got, "") if got is not None else (None, f"table '{table_name}' has no field path '{rest}'")


def alignment_findings(ctx: Context, alignments: list[Alignment], repo_root, module_cache=None) -> tuple[list[Finding], list[str]]:
    """Findings for every configured pair, and configuration problems (a target or Zod
    export that cannot be read) as messages for the report's errors."""
    from ..config import CONFIG_REL
    from ..interp.values import VUnknown
    from ..packages.zod import VZod, to_convex
    from ..resolve.exports import evaluate_export

    findings: list[Finding] = []
    problems: list[str] = []
    for a in alignments:
        label = f"{CONFIG_REL}: convex.alignments[{a.index}]"
        dst, why = resolve_target(ctx, a.convex)
        if dst is None:
            problems.append(f"{label}: convex target {why}")
            continue
        ev = evaluate_export(repo_root, a.zod_file, a.zod_export, module_cache)
        if not isinstance(ev.value, VZod):
            reason = ev.value.reason if isinstance(ev.value, VUnknown) else "not a Zod schema"
            problems.append(f"{label}: zod '{a.zod_file}#{a.zod_export}' not read ({reason})")
            continue
        try:
            src = to_convex(ev.value.schema, output=True)
        except ValueError as exc:
            findings.append(Finding("zod-type-mismatch", a.zod_file, ev.line, ev.column, f"{a.zod_export} → {a.convex}: {exc}"))
            continue
        out: list[tuple[str, str, str]] = []
        compare(src.as_optional(False), dst.as_optional(False), "", out)
        for rule, path, msg in out:
            where = f"{a.zod_export}{'.' + path if path and not path.startswith('[') else path} → {a.convex}"
            findings.append(Finding(rule, a.zod_file, ev.line, ev.column, f"{where}: {msg}"))
    return findings, problems
