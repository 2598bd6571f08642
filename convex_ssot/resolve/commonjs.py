"""CommonJS files of installed packages, read with the same interpreter as ES modules.

When the file a package's ``exports``/``module``/``main`` select for Convex's bundler is
CommonJS, its ``require`` calls and its assignments to ``exports`` are indexed into the
tables an ES module has (:class:`~.modules.Module` ``imports``, ``exports``,
``star_exports``, ``reexports``, ``default_export``), so the evaluator follows them lazily
like ``import``/``export`` (docs/architecture.md, "CommonJS packages"). The shapes read are
those Node's CommonJS loader gives meaning to and that the usual compilers emit:

* hand-written: ``exports.x = e``, ``module.exports.x = e``, ``module.exports = {a, b: e,
  ...require("./y")}``, ``module.exports = require("./y")``, ``module.exports = name`` of a
  top-level object literal;
* TypeScript (``tsc --module commonjs``): ``Object.defineProperty(exports, "__esModule",
  …)``, ``exports.a = exports.b = void 0`` (ignored), ``const m_1 = require("m")``,
  ``exports.x = e``, ``Object.defineProperty(exports, "x", { enumerable: true, get:
  function () { return m_1.x; } })``, ``__exportStar(require("./y"), exports)``,
  ``__importDefault``/``__importStar`` wrappers; ``exports.x`` read back in the module;
* esbuild (``--format=cjs``): ``__export(target, { x: () => x, default: () => y })``,
  ``module.exports = __toCommonJS(target)``, ``var import_m = require("m")`` (also through
  ``__toESM``), ``__reExport(target, require("./y"), module.exports)``, and the
  ``0 && (module.exports = {...})`` annotation (blanked: it is not code that runs);
* Babel: ``const x = exports.x = e``, ``_interopRequireDefault``/``_interopRequireWildcard``
  wrappers and the ``Object.keys(_y).forEach(…exports[key]…)`` form of ``export * from``.

A ``require(...)`` elsewhere (inside functions) evaluates to the required module's
namespace (:func:`bind_globals`), and ``exports``/``module.exports`` to this module's.
Interop follows esbuild's ``__toESM``: a named import is a property of ``module.exports``;
the default import is ``exports.default`` when the file marks itself ``__esModule`` (as
TypeScript, Babel and esbuild output do), else ``module.exports`` itself.

Not read (the exports stay unknown and are reported where the project uses them):
assignments inside conditions or functions (``if (…) module.exports = require(…)``),
computed export names, ``module.exports = f(…)`` of anything but an object literal or
``require``, getters other than ``return <expression>``.
"""

from __future__ import annotations

import re

from ..interp.values import VCallable, VNamespace, VObj, VUnknown, Value
from ..parse import ast, lexer
from .modules import Module
from .. import regex_cache

__all__ = ["looks_commonjs", "blank_annotation", "is_commonjs", "index_commonjs", "bind_globals", "CJS_KIND"]

#: The kind of the pending statements this module adds: ``var <local> =`` is put in front of
#: the expression the statement assigns (:meth:`.modules.Module.materialize`).
CJS_KIND = "cjs"

_HINT = regex_cache.compile(r"\b(?:module\.exports|exports\.[\w$]+\s*=|exports\s*,|require\s*\()")
_ANNOTATION = regex_cache.compile(r"(?ms)^0 && \(module\.exports = \{.*?^\}\);?")

_NAME = r"[A-Za-z_$][\w$]*"
_REQUIRE = r"""require\(\s*(["'])([^"'\n]+)\1\s*\)"""
# `var x = require("m")`, `__toESM(require("m"), 1)`, `tslib_1.__importStar(require("m"))`…
_REQUIRE_DECL = regex_cache.compile(
    rf"(?:var|let|const)\s+({_NAME})\s*=\s*(?:(?:{_NAME}\.)?(?:__toESM|__importDefault|__importStar|_interopRequireDefault|_interopRequireWildcard)\(\s*)?"
    rf"""require\(\s*(["'])([^"'\n]+)\2\s*\)(?:\s*,\s*[\w$!]+)?\s*\)?\s*(?:\.\s*({_NAME}))?\s*;?\s*\Z"""
)
_REQUIRE_PATTERN = regex_cache.compile(rf"""(?:var|let|const)\s*\{{([^{{}}]*)\}}\s*=\s*{_REQUIRE}\s*;?\s*\Z""")
_EXPORT_ASSIGN = regex_cache.compile(rf"(?:module\s*\.\s*)?exports\s*\.\s*({_NAME})\s*=(?!=)\s*")
_VOID_CHAIN = regex_cache.compile(rf"(?:(?:module\s*\.\s*)?exports\s*\.\s*{_NAME}\s*=\s*)+void 0\s*;?\s*\Z")
_MODULE_EXPORTS = regex_cache.compile(r"module\s*\.\s*exports\s*=(?!=)\s*")
_ES_MODULE = regex_cache.compile(r"""Object\.defineProperty\(\s*(?:module\.)?exports\s*,\s*(["'])__esModule\1|(?:module\.)?exports\.__esModule\s*=\s*(?:true|!0)""")
_DEFINE_GETTER = regex_cache.compile(
    rf"""Object\.defineProperty\(\s*(?:module\.)?exports\s*,\s*(["'])([^"'\n]+)\1\s*,\s*\{{[^{{}}]*?\bget\s*"""
    rf"""(?::\s*function\s*(?:{_NAME}\s*)?\(\s*\)\s*\{{\s*return\s+|\(\s*\)\s*\{{\s*return\s+|:\s*\(\s*\)\s*=>\s*)"""
    r"""([^;{}]+?)\s*;?\s*\}"""
)
_ESBUILD_EXPORT = regex_cache.compile(rf"__export\(\s*({_NAME})\s*,\s*\{{")
_ESBUILD_ENTRY = regex_cache.compile(rf"""(?:({_NAME})|(["'])([^"'\n]+)\2)\s*:\s*\(\s*\)\s*=>\s*({_NAME})\s*(?=[,}}])""")
_STAR = regex_cache.compile(
    rf"""(?:(?:{_NAME}\.)?__exportStar|__reExport)\(\s*(?:{_NAME}\s*,\s*)?(?:(?:{_NAME}\.)?(?:__toESM|__importStar)\(\s*)?{_REQUIRE}"""
)
_BABEL_STAR = regex_cache.compile(rf"Object\.keys\(\s*({_NAME})\s*\)\s*\.forEach\(")
_DECL_EXPORT = regex_cache.compile(rf"(?:var|let|const)\s+({_NAME})\s*=\s*(?:module\s*\.\s*)?exports\s*\.\s*({_NAME})\s*=(?!=)\s*")
_IDENT_ONLY = regex_cache.compile(rf"\s*({_NAME})\s*;?\s*\Z")


def looks_commonjs(text: str) -> bool:
    """A cheap test on a package file's text before it is loaded: does it use ``exports``,
    ``module.exports`` or ``require``?"""
    return _HINT.search(text) is not None


def blank_annotation(text: str) -> str:
    """``text`` with esbuild's ``0 && (module.exports = {...})`` annotation blanked (same
    length and lines): it never runs, and as a line starting with ``0`` it would otherwise
    be read as part of the statement before it."""
    return _ANNOTATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def is_commonjs(mod: Module) -> bool:
    """A package module with no ES module syntax at all (no ``import``/``export``)."""
    return not (mod.imports or mod.exports or mod.reexports or mod.star_exports or mod.default_export is not None)


def index_commonjs(mod: Module) -> None:
    """Index ``mod`` (a CommonJS file of an installed package, lazily loaded by
    :func:`.modules.load_package_module`) into ES module terms; see the module docstring."""
    clean = mod.mk.clean
    es_module = False
    default_local: str | None = None
    object_locals: dict[str, str] = {}  # `module.exports = name`: read that object's entries
    for st in lexer.split_statements(mod.mk.masked):
        text = clean[st.start : st.end].rstrip()
        if st.kind == "decl":
            m = _DECL_EXPORT.match(text)
            if m is not None:  # Babel: `const x = exports.x = e`
                start = st.start + m.end()
                if start - len(f"var {m.group(1)}=") >= st.start:
                    mod.pending[m.group(1)] = lexer.Statement(start - len(f"var {m.group(1)}="), st.start + len(text), CJS_KIND, m.group(1))
                    mod.decls.pop(m.group(1), None)
                    mod.exports[m.group(2)] = m.group(1)
                continue
            _index_require(mod, st, text)
            continue
        if st.kind != "other":
            continue
        if _ES_MODULE.match(text):
            es_module = True
            continue
        if _VOID_CHAIN.match(text):
            continue
        m = _EXPORT_ASSIGN.match(text)
        if m is not None:
            _export_expression(mod, m.group(1), st.start + m.end(), st.start + len(text))
            continue
        m = _MODULE_EXPORTS.match(text)
        if m is not None:
            value = text[m.end() :].strip().rstrip(";").strip()
            if value.startswith("__toCommonJS("):
                es_module = True  # esbuild: the names come from `__export(target, {...})`
            elif value.startswith("{"):
                _export_object(mod, st.start + m.end(), st.start + len(text))
            elif (r := re.match(rf"{_REQUIRE}\s*\Z", value)) is not None:
                mod.star_exports.append(r.group(2))
            elif (i := _IDENT_ONLY.match(value)) is not None:
                object_locals[i.group(1)] = i.group(1)
                default_local = i.group(1)
            continue
        m = _DEFINE_GETTER.match(text)
        if m is not None:
            _export_expression(mod, m.group(2), st.start + m.start(3), st.start + m.end(3))
            continue
        m = _ESBUILD_EXPORT.match(text)
        if m is not None:
            for e in _ESBUILD_ENTRY.finditer(text, m.end()):
                mod.exports[e.group(1) or e.group(3)] = e.group(4)
            continue
        m = _STAR.match(text)
        if m is not None:
            mod.star_exports.append(m.group(2))
            continue
        m = _BABEL_STAR.match(text)
        if m is not None and "exports" in text:
            imp = mod.imports.get(m.group(1))
            if imp is not None:
                mod.star_exports.append(imp[0])
    for local in object_locals:
        _export_declared_object(mod, local)
    if es_module and "default" in mod.exports:
        mod.default_export = ast.Ident((0, 0), mod.exports["default"])
    elif default_local is not None:
        mod.default_export = ast.Ident((0, 0), default_local)
    elif not es_module:
        mod.default_export = ast.Ident((0, 0), "module.exports")  # bound by bind_globals


def _index_require(mod: Module, st: lexer.Statement, text: str) -> None:
    """``var x = require("m")`` (and its wrappers) becomes ``import * as x from "m"``,
    ``var {a, b: c} = require("m")`` ``import {a, b as c} from "m"``, ``var x =
    require("m").y`` ``import {y as x} from "m"``: no declaration left to evaluate."""
    m = _REQUIRE_DECL.match(text)
    if m is not None:
        _drop_pending(mod, m.group(1))
        mod.imports[m.group(1)] = (m.group(3), m.group(4) or "*")
        return
    m = _REQUIRE_PATTERN.match(text)
    if m is None:
        return
    pairs = []
    for part in m.group(1).split(","):
        part = part.strip()
        if not part:
            continue
        pm = re.fullmatch(rf"({_NAME})(?:\s*:\s*({_NAME}))?", part)
        if pm is None:
            return  # defaults, nested patterns, rest: left as a declaration (unknown)
        pairs.append((pm.group(1), pm.group(2) or pm.group(1)))
    for imported, local in pairs:
        _drop_pending(mod, local)
        mod.imports[local] = (m.group(3), imported)


def _drop_pending(mod: Module, name: str) -> None:
    mod.pending.pop(name, None)
    mod.decls.pop(name, None)


def _local_for(name: str) -> str:
    return "$cjs$" + name


def _export_expression(mod: Module, name: str, start: int, end: int) -> None:
    """Export ``name`` with the value of the expression at ``start``–``end`` (a name
    directly; anything else as a lazily parsed synthetic declaration)."""
    ident = _IDENT_ONLY.match(mod.mk.clean, start, end)
    if ident is not None and ident.end() >= end and ident.group(1) not in ("exports", "module", "undefined"):
        mod.exports[name] = ident.group(1)
        return
    local = _local_for(name)
    head = len(f"var {local}=")
    if start - head < 0:
        return
    mod.pending[local] = lexer.Statement(start - head, end, CJS_KIND, local)
    mod.exports[name] = local


def _export_object(mod: Module, start: int, end: int) -> None:
    """``module.exports = { a, b: e, ...require("./y") }``: each entry is an export."""
    o = mod.mk.masked.find("{", start, end)
    for s, e in _object_parts(mod.mk.masked, o, end) if o >= 0 else ():
        part = mod.mk.clean[s:e].strip()
        if not part:
            continue
        lead = len(mod.mk.clean[s:e]) - len(mod.mk.clean[s:e].lstrip())
        r = re.match(rf"\.\.\.\s*{_REQUIRE}\s*\Z", part)
        if r is not None:
            mod.star_exports.append(r.group(2))
            continue
        km = re.match(rf"({_NAME})\s*(?::\s*)?", part)
        if km is None:
            continue
        if km.end() == len(part):  # shorthand `{ a }`
            mod.exports[km.group(1)] = km.group(1)
        elif ":" in km.group(0):
            _export_expression(mod, km.group(1), s + lead + km.end(), e)


def _export_declared_object(mod: Module, local: str) -> None:
    """``module.exports = api`` where ``api`` is a top-level ``const api = { ... }``: its
    entries are the exports (found in the declaration's text, values evaluated lazily)."""
    st = mod.pending.get(local)
    if st is None:
        return
    masked = mod.mk.masked
    eq = re.compile(rf"(?:var|let|const)\s+{re.escape(local)}\s*=\s*\{{").match(masked, st.start)
    if eq is None:
        return
    _export_object(mod, eq.end() - 1, st.end)


def _object_parts(masked: str, o: int, end: int) -> list[tuple[int, int]]:
    """The comma-separated parts (at bracket depth 0) of the object literal whose ``{`` is at
    ``o``, up to its closing brace (none when it does not close before ``end``)."""
    out, depth, p = [], 0, o + 1
    for i in range(o + 1, end):
        ch = masked[i]
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            if depth == 0:
                out.append((p, i))
                return out
            depth -= 1
        elif ch == "," and depth == 0:
            out.append((p, i))
            p = i + 1
    return []


def _require(ev, mod, args: list[ast.Node], node: ast.Call) -> Value:
    """``require("m")`` evaluated inside a CommonJS file: ``m``'s exports as an object (so
    that ``{...require("m")}`` spreads them), or its namespace when its export names are not
    all known statically."""
    if len(args) != 1 or not isinstance(args[0], ast.Str):
        return VUnknown("require() of a specifier the tool does not resolve")
    ns = ev.import_value(mod, args[0].value, "*")
    if isinstance(ns, VNamespace):
        names = _export_names(ev, ns.module, 0)
        if names is not None:
            return VObj({n: ev.export_value(ns.module, n) for n in names if n != "default"})
    return ns


def _export_names(ev, mod, depth: int) -> list[str] | None:
    """Every name ``mod`` exports (following ``export *``), or None when that is not known."""
    if depth > 8:
        return None
    names = list(mod.exports) + [n for n in mod.reexports if n not in mod.exports]
    for spec in mod.star_exports:
        target = ev.load(mod, spec)
        more = _export_names(ev, target, depth + 1) if target is not None else None
        if more is None:
            return None
        names += [n for n in more if n not in names and n != "default"]
    return names


def bind_globals(mod: Module) -> None:
    """Bind ``exports``, ``module`` and ``require`` in a CommonJS module (evaluation-time
    values, set each time the module is read: cached copies do not keep values)."""
    ns = VNamespace(mod)
    mod.values.setdefault("exports", ns)
    mod.values.setdefault("module.exports", ns)
    mod.values.setdefault("module", VObj({"exports": ns}))
    mod.values.setdefault("require", VCallable("require", _require))
