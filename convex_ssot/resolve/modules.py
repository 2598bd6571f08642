"""Loading one source module: lexing, outlining, parsing and indexing its top-level bindings.

A :class:`Module` is built from a file's text by :func:`load_module`. It holds the parsed
items (:mod:`..parse.ast`) and tables of what the module declares, imports and exports,
which the evaluator looks names up in. Nothing here knows what Convex APIs mean.
"""

from __future__ import annotations

from dataclasses import field
from ..dataclass_cache import dataclass
from pathlib import Path

from .. import ir
from ..interp import journal
from ..parse import ast, lexer
from .. import regex_cache

__all__ = ["Module", "load_module", "load_package_module", "KEEP_KINDS", "FailedExport"]

#: Statement kinds the grammar sees (see :class:`..parse.lexer.Statement`).
KEEP_KINDS = frozenset({"import", "export-from", "export-named", "export-decl", "export-default", "decl", "mutation"})

_LEADING_BLANK = regex_cache.compile(r"\s*")
_DIRECTIVE = regex_cache.compile(r"""(["'])[^"'\n]*\1\s*;?""")


def _has_use_node(text: str, masked: str) -> bool:
    """True when the directive prologue (the string-literal statements that open the
    module; comments allowed) contains ``"use node"`` (convex src/bundler/index.ts)."""
    pos = _LEADING_BLANK.match(masked).end()
    while True:
        m = _DIRECTIVE.match(masked, pos)
        if m is None:
            return False
        if text[m.start() + 1 : m.start() + 9] == "use node" and text[m.start() + 9] == m.group(1):
            return True
        pos = _LEADING_BLANK.match(masked, m.end()).end()
#: ``[export] [declare] [const] enum Name {`` at a statement start (masked text).
_TEMPLATE = regex_cache.compile(r"`~*`")
_ENUM_HEAD = regex_cache.compile(r"(export\s+)?(declare\s+)?(?:const\s+)?enum\s+([\w$]+)\s*\{")
_EXPORT_CALL = regex_cache.compile(r"export\s+const\s+([\w$]+)\s*(?::[^=]*)?=\s*([\w$.]+)\s*[(<]")


@dataclass(slots=True)
class FailedExport:
    """An ``export const NAME = callee(...)`` whose statement the grammar could not parse."""

    name: str
    callee: str
    offset: int


@dataclass(slots=True)
class Module:
    """One parsed source file.

    ``rel`` is the repo-relative POSIX path (used in contracts and diagnostics);
    ``decls`` maps top-level names to declarators; ``imports`` maps a local name to
    ``(specifier, imported)`` where imported is a name, ``"default"`` or ``"*"``;
    ``exports`` maps an exported name to a local name; ``reexports`` maps an exported name
    to ``(specifier, imported)``; ``star_exports`` lists ``export * from`` specifiers;
    ``functions`` maps top-level function declarations to their body spans; ``classes``
    top-level class declarations to their statement spans; ``enums`` TypeScript ``enum``
    declarations to the offsets of their braces. A module of an installed
    package (``package``/``package_version`` set, :func:`load_package_module`) parses a
    declaration only when its name is first looked up: ``pending`` maps such names to their
    statements (:meth:`materialize`). ``text`` (the source) is emptied once
    :func:`load_module` is done: later stages read ``mk.masked`` and ``mk.clean`` only.
    """

    rel: str
    text: str
    mk: lexer.Masked
    lines: lexer.LineIndex
    items: list[ast.Node] = field(default_factory=list)
    decls: dict[str, ast.Declarator] = field(default_factory=dict)
    pattern_decls: dict[str, tuple[ast.Declarator, str]] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)
    reexports: dict[str, tuple[str, str]] = field(default_factory=dict)
    star_exports: list[str] = field(default_factory=list)
    default_export: ast.Node | None = None
    functions: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    classes: dict[str, tuple[int, int]] = field(default_factory=dict)
    pending: dict[str, "lexer.Statement"] = field(default_factory=dict)
    package: str | None = None
    package_version: str | None = None
    enums: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: source text of each template literal with substitutions, by its start offset (the
    #: only source text kept after loading: ``mk.clean`` blanks such literals)
    raw_templates: dict[int, str] = field(default_factory=dict)
    mutations: dict[str, list[ast.Node]] = field(default_factory=dict)
    function_params: dict[str, str] = field(default_factory=dict)
    failed_exports: dict[str, FailedExport] = field(default_factory=dict)
    use_node: bool = False
    has_import_export: bool = False
    #: a CommonJS file of an installed package, indexed by :mod:`.commonjs`
    commonjs: bool = False
    diagnostics: list[ir.Diagnostic] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)
    #: the :mod:`~convex_ssot.interp.journal` events written while each memoised value of
    #: ``values`` was computed (replayed whenever the value is used again)
    slices: dict[str, list] = field(default_factory=dict)

    def diag(self, offset: int, code: str, message: str, severity: str = "warning") -> ir.Diagnostic:
        """Record and return a diagnostic at ``offset`` in this module."""
        line, col = self.lines.position(offset)
        d = ir.Diagnostic(self.rel, line, col, code, message, severity)
        self.diagnostics.append(d)
        journal.record(("d", self.rel, d))
        return d

    def materialize(self, name: str) -> None:
        """Parse the pending declaration of ``name`` (a package module's) and index it; a
        statement the grammar cannot place leaves the name undefined (no diagnostic: the
        package is not the project's code; the use site reports what stays unknown)."""
        st = self.pending.pop(name, None)
        if st is None:
            return
        for other in [k for k, v in self.pending.items() if v is st]:
            del self.pending[other]
        from ..parse.parser import ParseFailure, parse_outline

        try:
            if st.kind == "cjs":  # a CommonJS export's value (resolve/commonjs.py): `var <name>=` before it
                head = f"var {name}="
                text = head + _statement_outline(self.mk, lexer.Statement(st.start + len(head), st.end, "decl"))
            else:
                text = _statement_outline(self.mk, st)
            items = parse_outline(text, base=st.start)
        except ParseFailure:
            return
        self.items.extend(items)
        _index(self, items)

    def raw(self, span: ast.Span) -> str:
        """Source text of ``span`` with comments removed and whitespace collapsed
        (memoised in ``values``: a validator's text is asked for by each reader)."""
        memo = self.values.get("\0raw")
        if memo is None:
            memo = self.values["\0raw"] = {}  # type: ignore[assignment]
        text = memo.get(span)  # type: ignore[union-attr]
        if text is None:
            text = memo[span] = collapse(self.mk.clean[span[0] : span[1]])  # type: ignore[index]
        return text


_STRINGS = regex_cache.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)""")
_WS = regex_cache.compile(r"\s+")


def collapse(text: str) -> str:
    """Collapse whitespace outside string literals to single spaces; no space just inside
    brackets or before commas, no trailing comma before a closing bracket (so formatting
    does not change ``rawValidator``)."""
    if '"' not in text and "'" not in text and "`" not in text:
        return _tight(" ".join(text.split()))  # str.split and \s agree on what whitespace is
    parts = _STRINGS.split(text)  # string literals at odd indexes, kept as they are
    for i in range(0, len(parts), 2):
        parts[i] = _WS.sub(" ", parts[i])
    # Strings are found again: joining lines can complete one the first split did not see.
    parts = _STRINGS.split("".join(parts).strip())
    for i in range(0, len(parts), 2):
        parts[i] = _tight(parts[i])
    return "".join(parts)


def _tight(s: str) -> str:
    """No space after ``(``/``[`` or before ``)``/``]``/``,``, no comma before an optional
    space and ``)``/``]``/``}``, in text outside string literals whose whitespace is
    already single spaces. Each deletion depends on the original neighbours only, so
    plain replacements in this order give what one left-to-right pass would."""
    if " " in s:
        s = s.replace("( ", "(").replace("[ ", "[").replace(" )", ")").replace(" ]", "]").replace(" ,", ",")
    if "," in s:
        s = s.replace(",)", ")").replace(",]", "]").replace(",}", "}").replace(", }", " }")
    return s


def _statement_outline(mk: lexer.Masked, st: lexer.Statement) -> str:
    """The outline of one statement (its function bodies elided), from its start offset."""
    pieces: list[str] = []
    p = st.start
    for o, c in lexer.find_bodies(mk.masked, st.start, st.end):
        pieces.append(mk.clean[p:o])
        pieces.append("@")
        pieces.append(lexer.blank(mk.clean[o + 1 : c]))
        p = c
    pieces.append(mk.clean[p : st.end])
    return "".join(pieces)


#: Statement kinds of a package module parsed when the module is loaded (what it imports and
#: exports); declarations wait until their name is looked up.
_EAGER_KINDS = frozenset({"import", "export-from", "export-named", "export-default"})


def load_package_module(rel: str, text: str, package: str | None, version: str | None) -> Module:
    """A module of an installed package (``package`` at ``version``), read lazily: imports
    and export lists are parsed now, each declaration when its name is first looked up
    (:meth:`Module.materialize`); classes and functions are indexed by the lexer and read
    on demand as in project modules. Syntax the grammar cannot place is not reported (the
    package is not the project's code; a use of what stays unknown is reported where it
    is used)."""
    if text.startswith("\ufeff"):
        text = " " + text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    mk = lexer.mask(text, jsx=rel.endswith((".tsx", ".jsx")))
    mod = Module(rel, text, mk, lexer.LineIndex(text), package=package, package_version=version)
    mod.has_import_export = True
    from ..parse.parser import ParseFailure, parse_outline

    for st in lexer.split_statements(mk.masked):  # splits minified same-line statements too
        if st.kind in _EAGER_KINDS or (st.kind in ("decl", "export-decl") and not st.name):
            try:
                mod.items.extend(parse_outline(_statement_outline(mk, st), base=st.start))
            except ParseFailure:
                pass
        elif st.kind in ("decl", "export-decl"):
            mod.pending[st.name] = st
            if st.kind == "export-decl":
                mod.exports[st.name] = st.name
        else:
            _index_declaration(mod, st)
    _index(mod)
    _keep_templates(mod, text)  # the parse cache's copy has no text (source_files.slim)
    return mod


def _keep_templates(mod: Module, text: str) -> None:
    """Keep the source of each template literal with substitutions (``raw_templates``):
    evaluation reads them after the text is gone (a project module drops it at once; a
    package module's copy in the parse cache has none, and without this a declaration read
    lazily from that copy lost its template literals: an edit run then reported CSX200
    where a cold run resolved the value, found by bench/edit_diff.py, session 7)."""
    for m in _TEMPLATE.finditer(mod.mk.masked):
        raw = text[m.start() : m.end()]
        if "${" in raw:
            mod.raw_templates[m.start()] = raw


def _index_declaration(mod: Module, st: lexer.Statement) -> None:
    """A top-level function or class declaration: its body spans (read on demand) and,
    when exported, its export."""
    mk = mod.mk
    if st.kind == "function" and st.name:
        bodies = lexer.find_bodies(mk.masked, st.start, st.end)
        if bodies:
            mod.functions[st.name] = bodies[:1]
            paren = mk.clean.find("(", st.start, bodies[0][0])
            mod.function_params[st.name] = mk.clean[paren + 1 : bodies[0][0]] if paren >= 0 else ""
    elif st.kind == "class" and st.name:
        mod.classes[st.name] = (st.start, st.end)
    else:
        return
    if mk.masked.startswith("export", st.start):
        mod.exports.setdefault(st.name, st.name)


def load_module(rel: str, text: str) -> Module:
    """Lex, outline and parse ``text`` (the module at repo-relative path ``rel``).

    Never raises on bad input: lexical problems and statements the grammar cannot place
    become diagnostics (codes CSX001–CSX004, CSX100) and the rest is still read.
    """
    bom = text.startswith("\ufeff")
    if bom:
        text = " " + text[1:]  # keep offsets; a BOM is not content (columns are corrected below)
    if "\r" in text:
        # CRLF and lone CR end lines in JavaScript (ECMA-262 §12.3): one form for everything
        # after this point, so lines, columns and template values do not depend on them.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    jsx = rel.endswith((".tsx", ".jsx"))
    mk = lexer.mask(text, jsx=jsx)
    mod = Module(rel, text, mk, lexer.LineIndex(text, skip_first=1 if bom else 0))
    # The "use node" directive (convex src/bundler/index.ts): the first statement of the
    # module, comments allowed before it. Comments are blank in the masked text.
    mod.use_node = _has_use_node(text, mk.masked)
    from .discovery import has_import_or_export

    mod.has_import_export = has_import_or_export(Path(rel), text)
    for issue in mk.issues:
        mod.diag(issue.offset, issue.code, issue.message + "; the rest of the file was read as if it ended there")
    from ..parse.parser import ParseFailure, parse_outline  # lark is imported only when parsing

    statements = [_enum(mod, st) for st in lexer.split_statements(mk.masked)]
    text_outline, _ = lexer.outline(mk, statements, KEEP_KINDS)
    try:
        items = parse_outline(text_outline)
    except ParseFailure:
        items = []
        for st in statements:
            if st.kind not in KEEP_KINDS:
                continue
            try:
                items.extend(parse_outline(text_outline[st.start : st.end], base=st.start))
            except ParseFailure as exc:
                snippet = mk.clean[st.start : st.end].split("\n", 1)[0][:60].strip()
                mod.diag(
                    exc.offset,
                    "CSX100",
                    f"syntax not understood ({exc.message}) in statement `{snippet}`; "
                    "this statement was skipped, the rest of the file was read",
                )
                if st.kind == "export-decl":
                    m = _EXPORT_CALL.match(mk.masked, st.start)
                    if m:
                        mod.failed_exports[m.group(1)] = FailedExport(m.group(1), m.group(2), st.start)
    mod.items = items
    for st in statements:
        _index_declaration(mod, st)
    _index(mod)
    _keep_templates(mod, text)
    # Later stages read the masked and clean texts only (evaluation, body scanning, raw
    # validator text); the source text itself is dropped, as in the cached copies (slim).
    mod.text = ""
    mk.text = ""
    return mod


def _enum(mod: Module, st: lexer.Statement) -> lexer.Statement:
    """Index a top-level ``enum`` declaration (a runtime object unless ``declare``d) and
    keep it from the grammar (its kind becomes ``enum``)."""
    if st.kind not in ("other", "decl", "export-decl"):
        return st
    m = _ENUM_HEAD.match(mod.mk.masked, st.start)
    if m is None:
        return st
    if m.group(2) is None:
        open_ = m.end() - 1
        depth, i, masked = 0, open_, mod.mk.masked
        while i < st.end:
            depth += {"{": 1, "}": -1}.get(masked[i], 0)
            if depth == 0:
                mod.enums[m.group(3)] = (open_, i)
                if m.group(1):
                    mod.exports.setdefault(m.group(3), m.group(3))
                break
            i += 1
    return lexer.Statement(st.start, st.end, "enum", m.group(3))


def _index(mod: Module, items: list[ast.Node] | None = None) -> None:
    for item in mod.items if items is None else items:
        if isinstance(item, ast.Import):
            if item.type_only:
                continue
            if item.default:
                mod.imports[item.default] = (item.specifier, "default")
            if item.namespace:
                mod.imports[item.namespace] = (item.specifier, "*")
            for imported, local in item.named:
                mod.imports[local] = (item.specifier, imported)
        elif isinstance(item, ast.VarDecl):
            for d in item.declarators:
                if d.name is not None:
                    mod.decls[d.name] = d
                    if item.exported:
                        mod.exports[d.name] = d.name
                elif d.pattern:
                    for prop, local in d.pattern:
                        mod.pattern_decls[local] = (d, prop)
                        if item.exported:
                            mod.exports[local] = local
        elif isinstance(item, ast.ExportNamed):
            for local, exported in item.names:
                mod.exports[exported] = local
        elif isinstance(item, ast.ExportFrom):
            if item.names is None:
                if item.star_as:
                    mod.reexports[item.star_as] = (item.specifier, "*")
                else:
                    mod.star_exports.append(item.specifier)
            else:
                for imported, exported in item.names:
                    mod.reexports[exported] = (item.specifier, imported)
        elif isinstance(item, ast.ExportDefault):
            mod.default_export = item.expr
        elif isinstance(item, ast.ExprStatement):
            base = item.expr
            while isinstance(base, (ast.Call, ast.Member)):
                base = base.callee if isinstance(base, ast.Call) else base.obj
            if isinstance(base, ast.Ident):
                mod.mutations.setdefault(base.name, []).append(item.expr)
