"""The interpreter core: names, imports, expressions, member access and calls over the
abstract values of :mod:`.values`, following constants, aliases, imports and re-exports
across files. It runs no user code and knows no package: a specifier that is not a module
of the project is looked up in the :class:`~.packages.PackageRegistry` (the package
models of :mod:`convex_ssot.packages`), and values those models made answer member access
and calls themselves (:class:`~.values.ModelValue`).

Anything the core cannot follow evaluates to :class:`~.values.VUnknown` with a reason, and
callers turn that into a diagnostic.
"""

from __future__ import annotations

import sys
from collections import ChainMap
from typing import Callable

from ..parse import ast
from . import builtins, classes, journal, operators, statements, templates
from .packages import PackageRegistry
from .values import (
    ModelValue,
    VArr,
    VBigInt,
    VBool,
    VBuiltin,
    VCallable,
    VClass,
    VFunction,
    VInstance,
    VMethod,
    VNamespace,
    VNull,
    VNum,
    VObj,
    VStr,
    VUndefined,
    VUnknown,
    Value,
)

__all__ = ["Evaluator", "callee_text"]


def callee_text(node: ast.Node) -> str:
    """The source form of a callee (``a.b.c``; ``?`` for anything but names and members)."""
    if isinstance(node, ast.Ident):
        return node.name
    if isinstance(node, ast.Member):
        return f"{callee_text(node.obj)}.{node.prop}"
    return "?"


class Evaluator:
    """Evaluates expressions of a set of modules.

    ``load(from_module, specifier)`` is the resolver: the :class:`~convex_ssot.resolve.modules.Module`
    a specifier names (a project module, resolved as Convex's bundler does), or None.
    ``packages`` is asked first for specifiers a package model knows. Diagnostics are
    recorded on the module the expression belongs to. Evaluation of a name is memoised per
    module (with the :mod:`.journal` slice it wrote, replayed on every use) and guarded
    against cycles. ``state`` holds per-run data of the package models
    (e.g. component versions found per directory); ``repo_root`` is the repository (models
    read installed package versions inside it only).
    """

    #: Deepest expression nesting evaluated (method chains such as 30 ``.index()`` calls
    #: count one level per call); keeps the recursion bounded.
    MAX_DEPTH = 400

    def __init__(self, load: Callable[[object, str], object | None], packages: PackageRegistry, repo_root=None) -> None:
        self.load = load
        self.packages = packages
        self.repo_root = repo_root
        self.state: dict = {}
        self.scopes: list = []  # scopes (mappings) of the functions being applied; innermost last
        self.stmt_calls = 0  # statement-bodied calls in progress (statements.MAX_CALL_DEPTH)
        self.stmt_steps = 0  # statements executed by the outermost such call
        self._active: set[tuple[int, str]] = set()
        self._depth = 0
        # Each expression level costs a few Python frames; make room for MAX_DEPTH.
        if sys.getrecursionlimit() < 8 * self.MAX_DEPTH:
            sys.setrecursionlimit(8 * self.MAX_DEPTH)

    # ---- names
    def lookup(self, mod, name: str, span: ast.Span = (0, 0)) -> Value:
        """The value a top-level name has in ``mod`` (a local, an import or a global)."""
        if self.scopes and name in self.scopes[-1]:
            return self.scopes[-1][name]
        if name in mod.values:
            j = journal.CURRENT
            if j is not None and name in mod.slices:  # what computing it did, again (journal.py)
                j.events.extend(mod.slices[name])
            return mod.values[name]
        key = (id(mod), name)
        if key in self._active:
            return VUnknown(f"`{name}` refers to itself")
        self._active.add(key)
        j = journal.CURRENT
        start = len(j.events) if j is not None else 0
        self.scopes.append({})  # a module-level binding never sees a caller's local variables
        try:
            val = self._lookup(mod, name, span)
            mod.values[name] = val
            for call in mod.mutations.get(name, ()):
                self.eval(mod, call)  # top-level `t.index(...)`: changes the table in place
            if j is not None and len(j.events) > start:
                mod.slices[name] = j.events[start:]
        finally:
            self.scopes.pop()
            self._active.discard(key)
        return val

    def _lookup(self, mod, name: str, span: ast.Span) -> Value:
        if name in mod.pending:  # a package module's declaration, parsed on first use
            mod.materialize(name)
        d = mod.decls.get(name)
        if d is not None:
            if d.init is None:
                return VUnknown(f"`{name}` has no initializer")
            return _named(self.eval(mod, d.init), name)
        pd = mod.pattern_decls.get(name)
        if pd is not None:
            decl, prop = pd
            base = self.eval(mod, decl.init) if decl.init is not None else VUnknown("no initializer")
            if prop == "...":  # const { a, ...rest } = obj: rest holds the other entries
                taken = {k for k, _ in (decl.pattern or []) if k != "..."}
                if isinstance(base, VObj):
                    return VObj({k: x for k, x in base.entries.items() if k not in taken}, {k: n for k, n in base.nodes.items() if k not in taken}, keys_known=base.keys_known and not base.spread_unknown)
                return VUnknown("rest of a destructured value the tool does not model")
            return self.member(mod, base, prop)
        imp = mod.imports.get(name)
        if imp is not None:
            return _named(self.import_value(mod, imp[0], imp[1]), name)
        if name == "undefined":
            return VUndefined()
        if name == "Infinity":
            return VNum(float("inf"))
        if name == "NaN":
            return VNum(float("nan"))
        if name in mod.functions:
            decl = statements.function_declaration(mod, name)
            return VFunction(decl, mod) if decl is not None else VUnknown(f"`{name}` is a function whose declaration the tool does not read")
        if name in mod.classes:
            return VClass(name, mod)
        if name in getattr(mod, "enums", ()):
            return templates.enum_value(self, mod, name)
        g = builtins.global_value(name)
        if g is not None:
            return g
        return VUnknown(f"`{name}` is not defined in this module")

    def import_value(self, mod, specifier: str, imported: str) -> Value:
        """The value of ``imported`` (a name, ``default`` or ``*``) from ``specifier``:
        what a package model gives, else the export of the module the resolver finds (a
        project module or an installed package's). A model that stands in for a package
        only at the versions it was read from gives way to the installed package at
        another version, unless what is read there is not understood."""
        reader = self.packages.reader_for(specifier)
        if reader is not None and reader.reads_export(specifier, imported):
            target = self.load(mod, specifier)
            if target is not None and getattr(target, "package", None) is not None and not reader.covers(specifier, target.package_version):
                val = VNamespace(target) if imported == "*" else self.export_value(target, imported)
                if not isinstance(val, VUnknown):
                    return val
        lib = self.packages.export(self, mod, specifier, imported)
        if lib is not None:
            if type(lib) is VUnknown and reader is not None and imported != "*":
                # The model covers this version but not this export: read it from the
                # installed package when it is there (never a silent "not modelled").
                target = self.load(mod, specifier)
                if target is not None and getattr(target, "package", None) is not None:
                    val = self.export_value(target, imported)
                    if not isinstance(val, VUnknown):
                        return val
            return lib
        target = self.load(mod, specifier)
        if target is None:
            if specifier.startswith("."):
                return VUnknown(f"module {specifier} was not found")
            return VUnknown(f"`{imported}` comes from package {specifier}, which is not modelled")
        if imported == "*":
            return VNamespace(target)
        return self.export_value(target, imported)

    def eval_in(self, mod, node: ast.Node, scope) -> Value:
        """Evaluate ``node`` with the local variables ``scope`` (a mapping captured where the
        expression was written inside a function; None for module level)."""
        self.scopes.append(scope if scope is not None else {})
        try:
            return self.eval(mod, node)
        finally:
            self.scopes.pop()

    def default_value(self, mod) -> Value:
        """The module's default export, evaluated once."""
        key = "\0default"
        j = journal.CURRENT
        if key not in mod.values:
            start = len(j.events) if j is not None else 0
            self.scopes.append({})
            try:
                mod.values[key] = self.eval(mod, mod.default_export)
                if j is not None and len(j.events) > start:
                    mod.slices[key] = j.events[start:]
            finally:
                self.scopes.pop()
        elif j is not None and key in mod.slices:
            j.events.extend(mod.slices[key])
        return mod.values[key]

    def export_value(self, mod, name: str, _seen: frozenset = frozenset()) -> Value:
        """The value a module exports under ``name`` (following re-exports)."""
        if name == "default":
            if mod.default_export is None:
                return VUnknown(f"{mod.rel} has no default export")
            return self.default_value(mod)
        if name in mod.exports:
            return self.lookup(mod, mod.exports[name])
        if name in mod.reexports:
            spec, imported = mod.reexports[name]
            return self.import_value(mod, spec, imported)
        key = (mod.rel, name)
        if key in _seen:
            return VUnknown(f"`{name}`: cyclic re-export")
        for spec in mod.star_exports:
            target = self.load(mod, spec)
            if target is not None:
                v = self.export_value(target, name, _seen | {key})
                if not isinstance(v, VUnknown):
                    return v
        return VUnknown(f"{mod.rel} does not export `{name}`")

    # ---- expressions
    def eval(self, mod, node: ast.Node) -> Value:
        """Evaluate ``node`` (an expression of module ``mod``)."""
        if self._depth >= self.MAX_DEPTH:
            mod.diag(node.span[0], "CSX202", f"expression nested more than {self.MAX_DEPTH} levels deep; not evaluated (recorded as v.any() where a validator was expected)")
            return VUnknown("nested too deep")
        self._depth += 1
        try:
            return self._eval(mod, node)
        finally:
            self._depth -= 1

    def _eval(self, mod, node: ast.Node) -> Value:
        t = type(node)
        if t is ast.Call:
            return self.call(mod, node)
        if t is ast.Member:
            return self.member(mod, self.eval(mod, node.obj), node.prop, node)
        if t is ast.Ident:
            return self.lookup(mod, node.name, node.span)
        if t is ast.Str:
            return VStr(node.value)
        if t is ast.Obj:
            return self.object(mod, node)
        if t is ast.Arr:
            items = []
            for it in node.items:
                if it is None:
                    items.append(VUndefined())
                elif isinstance(it, ast.Spread):
                    inner = self.eval(mod, it.expr)
                    if not isinstance(inner, VArr):  # unknown length: no position is known
                        return VUnknown(f"array spread not resolved ({inner.reason if isinstance(inner, VUnknown) else 'not an array'})")
                    items.extend(inner.items)
                else:
                    items.append(self.eval(mod, it))
            return VArr(items)
        if t is ast.Num:
            return VNum(node.value)
        if t is ast.BigInt:
            return VBigInt(node.value)
        if t is ast.Bool:
            return VBool(node.value)
        if t is ast.Null:
            return VNull()
        if t is ast.Paren:
            if len(node.items) == 1 or all(type(x) in (ast.Num, ast.Str) for x in node.items[:-1]):
                # `(0, m.f)(...)`, compilers' call without `this`: the leading operands have
                # no effect, the value is the last one (ECMA-262 §13.16)
                return self.eval(mod, node.items[-1])
            return VUnknown("comma expression")
        if t is ast.Function:
            return VFunction(node, mod, self.scopes[-1] if self.scopes else None)
        if t is ast.Index:
            base = self.eval(mod, node.obj)
            k = operators.property_key(self.eval(mod, node.index))
            if k is not None:
                return self.member(mod, base, k, node)
            return VUnknown("computed member access")
        if t is ast.New:
            out = self.packages.new(self, mod, node)
            if out is None or type(out) is VUnknown:  # not a package's: maybe a class the tool reads
                inst = self.construct(mod, node)
                if inst is not None:
                    return inst
            return out if out is not None else VUnknown("`new` expression")
        if t is ast.Opaque:
            if node.parts and node.what in ("binary", "unary"):
                return operators.operator(self, mod, node)
            if node.what == "template":
                return templates.template(self, mod, node)
            if node.what == "conditional" and node.parts:  # `a ? b : c` with a decidable test
                b = operators.truthy(self.eval(mod, node.parts[0]))
                return VUnknown("conditional expression") if b is None else self.eval(mod, node.parts[1] if b else node.parts[2])
            if node.what == "this" and self.scopes and "this" in self.scopes[-1]:
                return self.scopes[-1]["this"]
            return VUnknown(f"{node.what} expression")
        return VUnknown("expression not understood")

    def object(self, mod, node: ast.Obj) -> VObj:
        out = VObj({}, node=node)
        keys_known = True  # every spread resolved to an object whose keys are all known
        for m in node.members:
            if isinstance(m, ast.Prop):
                key = m.key
                if key is None:  # `[CURRENCY.USD]: ...`: a key computed from a known value
                    kv = self.eval(mod, m.computed) if m.computed is not None else VUnknown("computed key")
                    key = builtins.entry_key(kv)
                    if key is None:
                        out.spread_unknown.append((kv.reason if isinstance(kv, VUnknown) else "computed key", m))
                        continue
                    out.entries[key] = self.eval(mod, m.value)
                    out.nodes[key] = m.value
                    continue
                # A repeated key keeps its first position and takes the last value, as in JS.
                out.entries[m.key] = self.eval(mod, m.value)
                out.nodes[m.key] = m.value
            elif isinstance(m, ast.Spread):
                inner = self.eval(mod, m.expr)
                fields = self.as_entries(inner)
                if fields is None:
                    reason = inner.reason if isinstance(inner, VUnknown) else "not an object"
                    out.spread_unknown.append((reason, m))
                    continue
                if isinstance(inner, VObj):  # what the spread object itself could not resolve
                    out.spread_unknown.extend((reason, m) for reason, _ in inner.spread_unknown)
                keys_known = keys_known and isinstance(inner, VObj) and inner.keys_known
                for k, val in fields.items():
                    out.nodes.pop(k, None)
                    out.entries[k] = val
            elif isinstance(m, ast.Method):
                if m.key is not None:
                    out.entries[m.key] = VFunction(m, mod, self.scopes[-1] if self.scopes else None)
                    out.nodes[m.key] = m
                else:
                    keys_known = False
        out.keys_known = keys_known and not out.spread_unknown
        return out

    def construct(self, mod, node: ast.New) -> Value | None:
        """``new C(...)`` where ``C`` evaluates to a class the tool reads (:mod:`.classes`);
        None when it does not."""
        target = node.target
        callee, args = (target.callee, target.args) if isinstance(target, ast.Call) else (target, [])
        cls = self.eval(mod, callee)
        if not isinstance(cls, VClass):
            return None
        inst = classes.construct(self, mod, cls, args)
        if isinstance(inst, VInstance):
            inst.made_by = (mod, node)
        return inst

    def as_entries(self, val: Value) -> dict[str, Value] | None:
        """Key → value entries of something spreadable into an object literal."""
        if isinstance(val, VObj):
            return dict(val.entries)
        return None

    # ---- member access
    def member(self, mod, base: Value, prop: str, node: ast.Node | None = None) -> Value:
        """``base.prop``."""
        if isinstance(base, ModelValue):
            return base.member(self, mod, prop, node)
        if isinstance(base, VBuiltin):
            return self.packages.member(self, mod, base, prop)
        if isinstance(base, VObj):
            if prop in base.entries:
                return base.entries[prop]
            if isinstance(base, VInstance):
                return classes.instance_member(self, base, prop)
            if operators.absent_property(base, prop):  # `options.retries` of `options = {}`
                return VUndefined()
            return VUnknown(f"object has no property `{prop}`")
        if isinstance(base, VClass):
            return classes.static_member(self, base, prop)
        if isinstance(base, VArr):
            return builtins.array_member(base, prop)
        if isinstance(base, VStr):
            return builtins.string_member(base, prop)
        if isinstance(base, VNamespace):
            return self.export_value(base.module, prop)
        if isinstance(base, VUnknown):
            return base
        if isinstance(base, (VUndefined, VNull)) and node is not None and _optional_chain(mod, node, prop):
            return VUndefined()  # `a?.b` on null or undefined (ECMA-262 §13.3.9)
        return VUnknown(f"property `{prop}` of a value the tool does not model")

    # ---- calls
    def call(self, mod, node: ast.Call) -> Value:
        """A call expression."""
        callee = self.eval(mod, node.callee)
        args = node.args
        if isinstance(callee, (VUnknown, ModelValue)) or (type(callee) is VFunction and getattr(callee.module, "package", None) is not None):
            out = self.packages.intercept(self, mod, callee, node)  # e.g. code that receives the router
            if out is not None:
                return out
        if isinstance(callee, VUnknown):
            out = self.packages.call_unknown(self, mod, callee, node)  # e.g. component client factories
            if out is not None:
                return out
            return VUnknown(callee.reason)
        if isinstance(callee, ModelValue):
            return callee.call(self, mod, node)
        if isinstance(callee, VBuiltin):
            return self.packages.call(self, mod, callee.name, args, node)
        if isinstance(callee, VMethod):
            return self.call_method(mod, callee, args, node)
        if isinstance(callee, VFunction):
            res = self.apply(callee, args, mod)
            if isinstance(res, VUnknown):
                return self.packages.call_failed(self, mod, callee, node, res) or res
            return res
        if isinstance(callee, VCallable):
            return callee.call(self, mod, args, node)
        return VUnknown("call of a value the tool does not model")

    def call_method(self, mod, m: VMethod, args: list[ast.Node], node: ast.Call) -> Value:
        """``target.name(...args)`` for a method value ``m``."""
        tgt = m.target
        if isinstance(tgt, ModelValue):
            out = tgt.call_method(self, mod, m.name, args, node)
            if out is not None:
                return out
        elif isinstance(tgt, (VArr, VStr)):
            return builtins.call_method(self, mod, tgt, m.name, args)
        return VUnknown(f".{m.name}() not modelled here")

    def apply(self, fn: VFunction, args: list[ast.Node], caller) -> Value:
        """Call a project function with the argument expressions ``args`` of module
        ``caller`` (a spread of a resolved array counts as its elements); see
        :meth:`call_function`."""
        values: list[Value] = []
        for a in args:
            if len(values) >= len(fn.node.params):
                break
            if isinstance(a, ast.Spread):
                inner = self.eval(caller, a.expr)
                if not isinstance(inner, VArr):
                    return VUnknown("call with a spread argument the tool does not resolve")
                values.extend(inner.items)
            else:
                values.append(self.eval(caller, a))
        if fn.module is caller:
            return self.call_function(fn, values)
        # values cross modules without the caller's source nodes (reported unless both
        # modules are installed packages' files)
        report = getattr(caller, "package", None) is None or getattr(fn.module, "package", None) is None
        values = [statements.detach(x, caller, report=report) for x in values]
        return statements.detach(self.call_function(fn, values), fn.module, report=report)

    def call_function(self, fn: VFunction, values: list[Value]) -> Value:
        """Call a project function with argument values: parameters (plain names; a missing
        argument is ``undefined``) are bound over the variables the function closes over.
        An expression body (``(values) => v.union(...)``) is evaluated; a statement body
        is run by :func:`.statements.run` (a small sound subset; otherwise VUnknown)."""
        node = fn.node
        frame = self.bind_params(fn, values)
        if isinstance(frame, VUnknown):
            return frame
        scope = ChainMap(frame, fn.env) if fn.env else ChainMap(frame)
        if isinstance(node, ast.Function) and node.expr is not None:
            self.scopes.append(scope)
            try:
                return self.eval(fn.module, node.expr)
            finally:
                self.scopes.pop()
        return statements.run(self, fn, scope)

    def bind_params(self, fn: VFunction, values: list[Value]) -> dict[str, Value] | VUnknown:
        """The frame of a call of ``fn`` (a project function, method or constructor) with
        argument values: a plain name takes its argument (``undefined`` when missing), a
        destructured object parameter the keys it names, a name with a default or an
        array pattern as :func:`.builtins.bind_param` binds it. VUnknown (saying why) for
        a parameter form the tool does not model."""
        frame: dict[str, Value] = {}
        for i, param in enumerate(fn.node.params):
            arg = values[i] if i < len(values) else VUndefined()
            if isinstance(param, ast.Ident):
                frame[param.name] = arg
            elif isinstance(param, ast.Obj):  # ({ a, b: c }) from an object whose keys are known
                bound = _destructure(param, arg)
                if bound is None:
                    return VUnknown("call of a function with destructured parameters (not evaluated)")
                frame.update(bound)
            elif not builtins.bind_param(self, fn, param, arg, frame):
                return VUnknown("call of a function with parameters the tool does not model (a nested pattern or a rest)")
        return frame


def _named(val: Value, name: str) -> Value:
    """A value reached through the binding ``name`` (a function builder records the name
    in its chain: :meth:`~.values.ModelValue.bound_to`)."""
    return val.bound_to(name) if isinstance(val, ModelValue) else val


def _destructure(pattern: ast.Obj, val: Value) -> dict[str, Value] | None:
    """``{ a, b: c }`` bound from an object value: each named key (a missing one is
    ``undefined`` when the object's keys are all known); None for anything else (defaults,
    nested patterns, rest elements, a value that is not such an object)."""
    if not isinstance(val, VObj):
        return None
    out: dict[str, Value] = {}
    for m in pattern.members:
        if not isinstance(m, ast.Prop) or m.key is None or not isinstance(m.value, ast.Ident):
            return None
        if m.key in val.entries:
            out[m.value.name] = val.entries[m.key]
        elif val.keys_known:
            out[m.value.name] = VUndefined()
        else:
            return None
    return out


def _optional_chain(mod, node: ast.Node, prop: str) -> bool:
    """Whether the member access ``node`` is written ``?.prop`` (the syntax tree does not
    keep it; the masked source does)."""
    if not isinstance(node, ast.Member):
        return False
    end = node.span[1]
    if mod.mk.masked[end - len(prop) : end] != prop:
        return False
    return mod.mk.masked[max(0, end - len(prop) - 64) : end - len(prop)].rstrip().endswith("?.")
