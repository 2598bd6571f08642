"""Random Convex projects for differential testing against the real ``convex`` package.

A generated project holds many independent *cases*. Each case is one table plus one
function module (1-3 functions), so one oracle run checks many cases at once:

* tables: unique identifier names; a document written as a fields map, as ``v.object(...)``
  or as a union of objects; fields with random validators nested up to depth 4 (every
  ``v.*`` builder, literals of every kind, ``v.optional`` and ``.optional()``,
  ``v.nullable``, records with string / id / union-of-id keys, empty unions); database,
  search and vector indexes on existing top-level fields (array and object forms,
  ``staged`` true / false / absent, up to 15 fields, valid unique names); tables are written
  inline in ``schema.ts``, in a table map spread into ``defineSchema``, or in their own file
  and imported;
* functions: all seven builders (imported under aliases, re-aliased through local
  ``const``s), convex-helpers custom builders (with and without custom args, nested); args
  as a fields map, as ``v.object``, ``{}`` or absent (also the bare-function form); returns
  as a fields map, a validator or absent; ``export const``, export lists with renames and
  default exports;
* formatting: random whitespace and newlines, block and line comments between tokens (their
  text contains ``, " ' { } ( ) [ ]`` and code-like snippets), trailing commas, quoted
  keys (double, single, computed), shorthand properties through local ``const``s, aliases of
  ``v`` (``import { v as val }``, ``const vv = v``), validators and field maps extracted into
  constants (local, or exported from ``lib/shared.ts`` and imported directly, through the
  barrel ``lib/index.ts``, under an alias or through a namespace import), spreads of field maps.

Everything is drawn from one ``random.Random(seed)``, so a project is reproducible from its
seed: ``python tests/conformance/gen.py --seed 123 --out /tmp/p`` writes it. The hypothesis
strategy :func:`projects` draws the seed and a few style knobs.

Constructs whose differences are already pinned by a hand-written fixture are not generated
(so this generator keeps finding *new* problems): integer-like object keys, repeated keys,
``Infinity``/``NaN`` literals, escapes inside template literals, angle-bracket type
assertions, namespace imports of function builders, computed ``.map(v.literal)`` unions,
surrogate-pair escapes (``"\\ud83d\\ude00"``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

# ---------------------------------------------------------------- vocabulary

TABLE_WORDS = ["tasks", "users", "msgs", "items", "docs", "events", "notes", "orders", "logs", "teams", "files", "votes"]
FIELD_WORDS = [
    "name", "title", "body", "count", "flag", "tags", "meta", "owner", "status", "kind", "score", "at",
    "data", "entries", "ref", "label", "value", "position", "amount", "createdAt", "isDone", "parentId",
]  # fmt: skip
# Property names that are reserved words (valid keys, never shorthand or const names).
RESERVED_KEYS = ["delete", "new", "default", "in", "class", "function", "return", "typeof", "constructor", "toString"]
FN_WORDS = ["list", "get", "create", "update", "remove", "run", "sync", "search", "count", "fetchAll", "upsert"]
INDEX_WORDS = ["by", "idx", "search", "vec", "lookup"]

STRINGS = [
    "", "a", "hello world", 'say "hi"', "it's", "back\\slash", "comma, paren) brace{ bracket] curly}",
    "// not a comment", "/* not a comment */", "unicode é ☃ 😀", "tab\there", "new\nline", "${notSub}",
    "args: { x: v.string() }", "`tick`", "v.literal(\"x\")", "dollar $ sign", "semi; colon",
]  # fmt: skip
FLOATS = [1.5, -0.25, 1e21, 1e-7, 0.1, 123456.789, -3.5e-5, 2.5e10, 0.5]
COMMENTS = [
    "a, b", 'say "hi"', "it's", "open { brace", "close ) paren", "args: { x: v.string() }",
    "export const fake = query({", "} ) ] ,", "`tick` ${x}", 'v.literal("no"),', "http://x.y/z?a=1", "/ slash",
    "* star", "TODO(bob): [fix]", "=> arrow", "; semicolon", "'single' \"double\"", "defineTable({",
]  # fmt: skip

BUILDERS = ["query", "internalQuery", "mutation", "internalMutation", "action", "internalAction"]
# Custom builders defined in lib/custom.ts: name -> names of the args the wrapper adds.
CUSTOM_BUILDERS = {
    "authedQuery": [],
    "sessionMutation": ["cwSessionId"],
    "loggedAction": [],
    "nestedQuery": ["cwOuter", "cwInner"],
    "internalCtxMutation": [],
}
LEAVES = ["string", "number", "float64", "int64", "bigint", "commitTs", "boolean", "bytes", "null", "any", "id", "literal"]

CUSTOM_TS = """\
// Custom builders shared by the generated modules (convex-helpers).
import { customQuery, customMutation, customAction, customCtx, NoOp } from "convex-helpers/server/customFunctions";
import { v } from "convex/values";
import { query, internalQuery, mutation, internalMutation, action } from "../_generated/server";

export const authedQuery = customQuery(query, customCtx(async (ctx) => ({ user: await ctx.auth.getUserIdentity() })));
export const sessionMutation = customMutation(mutation, {
  args: { cwSessionId: v.string() },
  input: async (ctx, { cwSessionId }) => ({ ctx: { cwSessionId }, args: {} }),
});
export const loggedAction = customAction(action, NoOp);
const inner = customQuery(internalQuery, { args: { cwInner: v.number() }, input: async () => ({ ctx: {}, args: {} }) });
export const nestedQuery = customQuery(inner, { args: { cwOuter: v.boolean() }, input: async () => ({ ctx: {}, args: {} }) });
export const internalCtxMutation = customMutation(internalMutation, customCtx(async () => ({})));
"""

IDENT_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
NB = object()  # no line break and no comment between the neighbouring tokens (ASI / grammar)


# ---------------------------------------------------------------- validator specs


@dataclass
class Lit:
    src: str  # JavaScript source text


@dataclass
class Val:
    kind: str  # LEAVES + array object record union nullable
    arg: object = None  # id: table; literal: Lit; array/nullable: Val; record: (Val, Val); union: [Val]; object: [Field]


@dataclass
class Field:
    key: str
    val: Val
    optional: bool


@dataclass
class Case:
    index: int
    table: str
    table_file: str  # repo-relative file that defines the table
    module: str  # module path (functionId prefix)
    module_file: str
    functions: list[str] = field(default_factory=list)


@dataclass
class Project:
    seed: int
    files: dict[str, str]
    cases: list[Case]
    style: dict = field(default_factory=dict)

    def write(self, root: Path) -> Path:
        for rel, text in self.files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        return root

    def case_of_table(self, table: str) -> Case | None:
        return next((c for c in self.cases if c.table == table), None)

    def case_of_function(self, function_id: str) -> Case | None:
        module = function_id.rsplit(":", 1)[0]
        return next((c for c in self.cases if c.module == module), None)


# ---------------------------------------------------------------- JS literal text


def js_string(s: str, rng: random.Random) -> str:
    """``s`` as a JavaScript string literal (double, single or template quotes)."""
    simple_template = not any(ch in s for ch in "\\`\n\t\r") and "${" not in s
    style = rng.choice(['"', "'", "`"] if simple_template else ['"', "'"])
    if style == "`":
        return "`" + s + "`"
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == style:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append(rng.choice(["\\t", "\\u0009", "\\x09"]))
        elif ch == "é" and rng.random() < 0.5:
            out.append("\\u00e9")
        elif ch == "😀" and rng.random() < 0.5:
            out.append("\\u{1F600}")  # (surrogate-pair escapes are pinned by fixtures/string_escapes)
        else:
            out.append(ch)
    return style + "".join(out) + style


def js_number(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        n = rng.choice([0, 1, 2, 7, 42, 100, 255, 1000, 65535, 2**31, 2**53 - 1, rng.randint(0, 10**6)])
        form = rng.random()
        if form < 0.15 and n > 0:
            return hex(n)
        if form < 0.25 and n >= 1000:
            s = f"{n:_}"
            return s
        if form < 0.3 and n > 0 and n % 1000 == 0:
            return f"{n // 1000}e3"
        return str(n)
    if r < 0.6:
        return "-" + str(rng.choice([1, 3, 7, 100, 2**31, rng.randint(1, 10**6)]))
    if r < 0.65:
        return "-0"
    if r < 0.7:
        return rng.choice([".5", "5.", "0.0", "1.0", "0b101", "0o17"])
    return repr(rng.choice(FLOATS))


def js_bigint(rng: random.Random) -> str:
    n = rng.choice([0, 1, -1, 5, -129, 2**40, -(2**40), 2**63 - 1, -(2**63), rng.randint(-(2**63), 2**63 - 1)])
    if n >= 0 and rng.random() < 0.2:
        return hex(n) + "n"
    return f"{n}n"


# ---------------------------------------------------------------- token layout


def _needs_space(a: str, b: str) -> bool:
    return a[-1] in IDENT_CHARS and b[0] in IDENT_CHARS


@dataclass
class Style:
    newline: float  # probability of a newline between two tokens
    space: float  # probability of a space (when no newline)
    comment: float  # probability of a comment between two tokens
    trailing_comma: float
    quote_key: float
    line_comment: float = 0.4  # share of line comments (``// ...`` + newline) among comments


def layout(tokens: list, rng: random.Random, st: Style) -> str:
    out: list[str] = []
    prev = None
    no_break = False
    for t in tokens:
        if t is NB:
            no_break = True
            continue
        if prev is not None:
            if no_break:
                out.append(" " if _needs_space(prev, t) or rng.random() < 0.5 else "")
            else:
                r = rng.random()
                if r < st.comment:
                    c = rng.choice(COMMENTS)
                    if rng.random() >= st.line_comment:
                        out.append(rng.choice([" ", ""]) + "/* " + c + " */" + rng.choice([" ", "", "\n"] if st.newline else [" ", ""]))
                    else:
                        out.append(" // " + c + "\n" + "  " * rng.randint(0, 3))
                elif r < st.comment + st.newline:
                    out.append("\n" + "  " * rng.randint(0, 4))
                elif _needs_space(prev, t) or rng.random() < st.space:
                    out.append(" ")
        out.append(t)
        prev = t
        no_break = False
    return "".join(out)


# ---------------------------------------------------------------- files


class FileCtx:
    """One TypeScript file being rendered: its imports, constants and naming scope."""

    def __init__(self, gen: "Gen", rel: str):
        self.gen = gen
        self.rng = gen.rng
        self.rel = rel
        self.imports: dict[str, list[str]] = {}  # specifier -> import clauses ("x", "x as y")
        self.imported: dict[str, str] = {}  # exported name of lib/shared -> local binding
        self.namespace_imports: dict[str, str] = {}
        self.consts: list[list] = []  # statements (token lists) emitted before the main ones
        self.names: set[str] = set()
        self.v_alias = self._choose_v_alias()

    # -- names and imports
    def fresh(self, base: str) -> str:
        name = base
        i = 2
        while name in self.names or name in RESERVED_KEYS:
            name = f"{base}{i}"
            i += 1
        self.names.add(name)
        return name

    def add_import(self, specifier: str, name: str, alias: str | None = None) -> str:
        local = alias or name
        clause = name if alias is None or alias == name else f"{name} as {alias}"
        lst = self.imports.setdefault(specifier, [])
        if clause not in lst:
            lst.append(clause)
        self.names.add(local)
        return local

    def rel_specifier(self, target_rel: str) -> str:
        """Import specifier from this file to ``target_rel`` (a path without extension)."""
        here = os.path.dirname(self.rel)
        r = os.path.relpath(target_rel, here or ".").replace(os.sep, "/")
        return r if r.startswith(".") else "./" + r

    def _choose_v_alias(self) -> list[str]:
        r = self.rng.random()
        if r < 0.6:
            self.add_import("convex/values", "v")
            return ["v"]
        if r < 0.8:
            alias = self.fresh("val")
            self.add_import("convex/values", "v", alias)
            return [alias]
        self.add_import("convex/values", "v")
        alias = self.fresh("vv")
        self.consts.append(["const", alias, "=", "v", ";"])
        return ["v", alias]

    def v(self) -> str:
        return self.rng.choice(self.v_alias)

    def render(self, main: list[list], st: Style) -> str:
        parts = [f"// generated by tests/conformance/gen.py (seed {self.gen.seed}); file {self.rel}"]
        for spec, clauses in self.imports.items():
            toks = ["import", "{"]
            for i, c in enumerate(clauses):
                toks += c.split(" ")
                if i < len(clauses) - 1 or self.rng.random() < st.trailing_comma:
                    toks.append(",")
            toks += ["}", "from", json.dumps(spec), ";"]
            parts.append(layout(toks, self.rng, st))
        for spec, ns in self.namespace_imports.items():
            parts.append(layout(["import", "*", "as", ns, "from", json.dumps(spec), ";"], self.rng, st))
        for stmt in self.consts + main:
            text = layout(stmt, self.rng, st)
            if text.endswith(";") and self.rng.random() < 0.05:
                text = text[:-1]  # ASI (every statement starts on a new line and with a keyword)
            parts.append(text)
        return "\n".join(parts) + "\n"


class Gen:
    def __init__(self, seed: int, n_cases: int = 50, style: dict | None = None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_cases = n_cases
        s = {"newline": 0.12, "space": 0.5, "comment": 0.04, "trailing_comma": 0.3, "quote_key": 0.25}
        s.update(style or {})
        self.style_knobs = dict(style or {})
        self.st = Style(**s)
        self.tables: list[str] = []
        self.shared: FileCtx | None = None

    # -- validators
    def gen_val(self, depth: int) -> Val:
        rng = self.rng
        compound = depth > 0 and rng.random() < 0.45
        if not compound:
            k = rng.choice(LEAVES + ["string", "number", "id", "literal", "literal"])
            if k == "id":
                return Val("id", rng.choice(self.tables + ["_storage"]) if self.tables else "_storage")
            if k == "literal":
                r = rng.random()
                if r < 0.35:
                    return Val("literal", Lit(js_string(rng.choice(STRINGS + ["draft", "done"]), rng)))
                if r < 0.65:
                    return Val("literal", Lit(js_number(rng)))
                if r < 0.8:
                    return Val("literal", Lit(rng.choice(["true", "false"])))
                return Val("literal", Lit(js_bigint(rng)))
            return Val(k)
        k = rng.choice(["array", "object", "object", "record", "union", "union", "nullable"])
        if k == "array":
            return Val("array", self.gen_val(depth - 1))
        if k == "nullable":
            return Val("nullable", self.gen_val(depth - 1))
        if k == "record":
            kr = rng.random()
            if kr < 0.5:
                key = Val("string")
            elif kr < 0.75:
                key = Val("id", rng.choice(self.tables or ["_storage"]))
            else:
                key = Val("union", [Val("id", rng.choice(self.tables or ["_storage"])) for _ in range(rng.randint(1, 3))])
            return Val("record", (key, self.gen_val(depth - 1)))
        if k == "union":
            n = rng.choice([0, 1, 2, 2, 3, 4]) if rng.random() < 0.9 else 0
            return Val("union", [self.gen_val(depth - 1) for _ in range(n)])
        return Val("object", self.gen_fields(depth - 1, rng.randint(0, 4)))

    def gen_key(self, taken: set[str]) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.06:
                k = rng.choice(RESERVED_KEYS)
            else:
                k = rng.choice(FIELD_WORDS) + (str(rng.randint(1, 99)) if rng.random() < 0.3 else "")
            if k not in taken:
                taken.add(k)
                return k

    def gen_fields(self, depth: int, n: int, taken: set[str] | None = None) -> list[Field]:
        taken = set() if taken is None else taken
        return [Field(self.gen_key(taken), self.gen_val(depth), self.rng.random() < 0.3) for _ in range(n)]

    # -- rendering validators
    def key_toks(self, key: str) -> list:
        r = self.rng.random()
        if r < self.st.quote_key * 0.45:
            return [json.dumps(key)]
        if r < self.st.quote_key * 0.9:
            return ["'" + key + "'"]
        if r < self.st.quote_key:
            return ["[", json.dumps(key), "]"]
        return [key]

    def extract(self, fc: FileCtx, base: str, toks_fn) -> list:
        """Put a validator (or fields map) into a constant, local or shared; return its reference."""
        rng = self.rng
        if self.shared is not None and fc is not self.shared and rng.random() < 0.4:
            name = self.shared.fresh(base)
            self.shared.consts.append(["export", "const", name, "=", *toks_fn(self.shared), ";"])
            return self.import_shared(fc, name)
        name = fc.fresh(base)
        fc.consts.append(["const", name, "=", *toks_fn(fc), ";"])
        return [name]

    def import_shared(self, fc: FileCtx, name: str) -> list:
        rng = self.rng
        if name in fc.imported:
            return [fc.imported[name]]
        r = rng.random()
        if r < 0.7:
            alias = fc.fresh(name + "Alias") if name in fc.names or rng.random() < 0.25 else None
            spec = fc.rel_specifier("convex/lib/shared" if r < 0.4 else "convex/lib")
            fc.imported[name] = fc.add_import(spec, name, alias)
            return [fc.imported[name]]
        spec = fc.rel_specifier("convex/lib/shared")
        ns = fc.namespace_imports.get(spec)
        if ns is None:
            ns = fc.namespace_imports[spec] = fc.fresh("shared")
        return [ns, ".", name]

    def val_toks(self, val: Val, fc: FileCtx, allow_extract: bool = True) -> list:
        rng = self.rng
        if allow_extract and val.kind in ("object", "union", "array", "record", "nullable") and rng.random() < 0.1:
            return self.extract(fc, val.kind + "V", lambda f: self.val_toks(val, f, allow_extract=False))
        V = fc.v()
        if val.kind in LEAVES and val.kind not in ("id", "literal"):
            return [V, ".", val.kind, "(", ")"]
        if val.kind == "id":
            return [V, ".", "id", "(", js_string(val.arg, rng), ")"]
        if val.kind == "literal":
            return [V, ".", "literal", "(", val.arg.src, ")"]
        if val.kind in ("array", "nullable"):
            return [V, ".", val.kind, "(", *self.val_toks(val.arg, fc), *self.trail(), ")"]
        if val.kind == "record":
            k, x = val.arg
            return [V, ".", "record", "(", *self.val_toks(k, fc), ",", *self.val_toks(x, fc), *self.trail(), ")"]
        if val.kind == "union" and val.arg and all(m.kind == "literal" for m in val.arg) and rng.random() < 0.25:
            fn = fc.add_import("convex-helpers/validators", "literals")
            toks = [fn, "("]
            for i, m in enumerate(val.arg):
                toks += [m.arg.src] + ([","] if i < len(val.arg) - 1 else [])
            return toks + [")"]
        if val.kind == "nullable" and rng.random() < 0.2:
            # convex-helpers' nullable puts null FIRST (unlike v.nullable)
            return [fc.add_import("convex-helpers/validators", "nullable"), "(", *self.val_toks(val.arg, fc), ")"]
        if val.kind == "union":
            toks = [V, ".", "union", "("]
            for i, m in enumerate(val.arg):
                toks += self.val_toks(m, fc)
                if i < len(val.arg) - 1:
                    toks.append(",")
            if val.arg:
                toks += self.trail()
            return toks + [")"]
        if val.kind == "object":
            return self.object_toks(val.arg, fc)
        raise AssertionError(val.kind)

    def object_toks(self, fields: list[Field], fc: FileCtx, pick: bool = True) -> list:
        """``v.object({...})``, sometimes built with the object helpers (``.pick``, ``.omit``,
        ``.partial``, ``.extend``, ``.fields``); extra keys never repeat a key."""
        rng = self.rng
        V = fc.v()
        r = rng.random()
        plain = [V, ".", "object", "(", *self.fields_toks(fields, fc), *self.trail(), ")"]
        if r < 0.75:
            return plain
        if r < 0.82:
            taken = {f.key for f in fields}
            extra = self.gen_fields(1, rng.randint(1, 2), taken)
            toks = [V, ".", "object", "(", *self.fields_toks(fields + extra, fc), ")", ".", "omit", "("]
            for i, f in enumerate(extra):
                toks += [js_string(f.key, rng)] + ([","] if i < len(extra) - 1 else [])
            return toks + [")"]
        if r < 0.88 and fields and pick:
            keep = rng.sample(fields, rng.randint(1, len(fields)))
            toks = [*plain, ".", "pick", "("]
            for i, f in enumerate(keep):
                toks += [js_string(f.key, rng)] + ([","] if i < len(keep) - 1 else [])
            return toks + [")"]
        if r < 0.93:
            return [*plain, ".", "partial", "(", ")"]
        if r < 0.97 and len(fields) >= 2:
            cut = rng.randint(1, len(fields) - 1)
            return [V, ".", "object", "(", *self.fields_toks(fields[:cut], fc), ")", ".", "extend", "(", *self.fields_toks(fields[cut:], fc), ")"]
        return [V, ".", "object", "(", *plain, ".", "fields", ")"]

    def trail(self) -> list:
        return [","] if self.rng.random() < self.st.trailing_comma else []

    def field_val_toks(self, f: Field, fc: FileCtx) -> list:
        inner = self.val_toks(f.val, fc)
        if not f.optional:
            return inner
        if self.rng.random() < 0.5:
            return [fc.v(), ".", "optional", "(", *inner, ")"]
        return [*inner, ".", "optional", "(", ")"]

    def fields_toks(self, fields: list[Field], fc: FileCtx, allow_spread: bool = True) -> list:
        """A fields map ``{ ... }`` (shorthand properties, spreads of extracted maps)."""
        rng = self.rng
        toks: list = ["{"]
        i = 0
        entries: list[list] = []
        while i < len(fields):
            if allow_spread and rng.random() < 0.08:
                j = rng.randint(i + 1, len(fields))
                chunk = fields[i:j]
                ref = self.extract(fc, "fields", lambda f, chunk=chunk: self.fields_toks(chunk, f, allow_spread=False))
                entries.append(["...", *ref])
                i = j
                continue
            f = fields[i]
            if f.key not in RESERVED_KEYS and f.key not in fc.names and rng.random() < 0.07:
                fc.names.add(f.key)
                fc.consts.append(["const", f.key, "=", *self.field_val_toks(f, fc), ";"])
                entries.append([f.key])
            else:
                entries.append([*self.key_toks(f.key), ":", *self.field_val_toks(f, fc)])
            i += 1
        for n, e in enumerate(entries):
            toks += e
            if n < len(entries) - 1:
                toks.append(",")
        if entries:
            toks += self.trail()
        return toks + ["}"]

    # -- tables
    def table_toks(self, name: str, fc: FileCtx) -> list:
        rng = self.rng
        form = rng.random()
        top: list[Field]
        if form < 0.15:
            # union of objects; fields shared between members are possible
            members = []
            top_keys: list[str] = []
            for _ in range(rng.randint(2, 3)):
                taken: set[str] = set()
                fs = self.gen_fields(3, rng.randint(1, 4), taken)
                members.append(fs)
                for f in fs:
                    if f.key not in top_keys:
                        top_keys.append(f.key)
            doc = [fc.v(), ".", "union", "("]
            for i, fs in enumerate(members):
                doc += self.object_toks(fs, fc)
                if i < len(members) - 1:
                    doc.append(",")
            doc += self.trail() + [")"]
            field_names = top_keys
            strings = sorted({f.key for fs in members for f in fs if f.val.kind == "string"})
            vectors: list[str] = []
        else:
            taken: set[str] = set()
            top = self.gen_fields(3, rng.randint(1, 6), taken)
            if rng.random() < 0.25:
                # a vector field, as real projects have them (array of float64)
                pos = rng.randint(0, len(top))
                top.insert(pos, Field(self.gen_key(taken), Val("array", Val(rng.choice(["float64", "number"]))), rng.random() < 0.3))
            field_names = [f.key for f in top]
            strings = [f.key for f in top if f.val.kind == "string"]
            vectors = [f.key for f in top if f.val.kind == "array" and f.val.arg.kind in ("float64", "number")]
            if form < 0.35:
                doc = self.object_toks(top, fc, pick=False)
            else:
                doc = self.fields_toks(top, fc)
        toks = [fc.add_import("convex/server", "defineTable"), "(", *doc, *self.trail(), ")"]
        return toks + self.indexes_toks(field_names, strings, vectors)

    def indexes_toks(self, fields: list[str], strings: list[str], vectors: list[str]) -> list:
        """Index builders on existing top-level fields: database indexes (distinct field lists),
        search indexes on string fields, vector indexes on array<float64> fields."""
        rng = self.rng
        toks: list = []
        used: set[str] = set()
        field_lists: set[tuple[str, ...]] = set()
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
            kinds = ["index", "index", "index"] + (["searchIndex"] if strings else []) + (["vectorIndex"] if vectors else [])
            kind = rng.choice(kinds)
            if kind == "index":
                idx_fields = rng.sample(fields, rng.randint(1, min(15, len(fields))))
                if tuple(idx_fields) in field_lists:
                    continue
                field_lists.add(tuple(idx_fields))
            while True:
                nm = f"{rng.choice(INDEX_WORDS)}_{rng.choice(fields)}{rng.randint(0, 99) if rng.random() < 0.5 else ''}"
                if nm not in used:
                    used.add(nm)
                    break
            staged = rng.choice([None, None, True, False])
            if kind == "index":
                arr = ["["]
                for i, f in enumerate(idx_fields):
                    arr.append(json.dumps(f))
                    if i < len(idx_fields) - 1:
                        arr.append(",")
                arr += self.trail() + ["]"]
                if staged is None and rng.random() < 0.5:
                    arg = arr
                else:
                    arg = self.options_toks([("fields", arr)] + ([("staged", [str(staged).lower()])] if staged is not None else []))
            elif kind == "searchIndex":
                sf = rng.choice(strings)
                filters = rng.sample(fields, rng.randint(0, min(3, len(fields)))) if rng.random() < 0.6 else None
                if ("search", sf, tuple(filters or ())) in field_lists:
                    continue
                field_lists.add(("search", sf, tuple(filters or ())))
                opts = [("searchField", [json.dumps(sf)])]
                if filters is not None:
                    opts.append(("filterFields", self.str_array(filters)))
                if staged is not None:
                    opts.append(("staged", [str(staged).lower()]))
                arg = self.options_toks(opts)
            else:
                vf, dims = rng.choice(vectors), rng.choice([2, 3, 128, 1536, 4096, rng.randint(2, 4096)])
                if ("vector", vf, dims) in field_lists:
                    continue
                field_lists.add(("vector", vf, dims))
                opts = [("vectorField", [json.dumps(vf)]), ("dimensions", [str(dims)])]
                if rng.random() < 0.6:
                    opts.append(("filterFields", self.str_array(rng.sample(fields, rng.randint(0, min(3, len(fields)))))))
                if staged is not None:
                    opts.append(("staged", [str(staged).lower()]))
                arg = self.options_toks(opts)
            toks += [".", kind, "(", json.dumps(nm), ",", *arg, *self.trail(), ")"]
        return toks

    def str_array(self, items: list[str]) -> list:
        toks = ["["]
        for i, s in enumerate(items):
            toks.append(json.dumps(s))
            if i < len(items) - 1:
                toks.append(",")
        if items:
            toks += self.trail()
        return toks + ["]"]

    def options_toks(self, opts: list[tuple[str, list]]) -> list:
        self.rng.shuffle(opts)
        toks = ["{"]
        for i, (k, val) in enumerate(opts):
            toks += [*self.key_toks(k), ":", *val]
            if i < len(opts) - 1:
                toks.append(",")
        return toks + (self.trail() if opts else []) + ["}"]

    # -- function modules
    def module_file(self, case: Case) -> str:
        rng = self.rng
        fc = FileCtx(self, case.module_file)
        gen_spec = fc.rel_specifier("convex/_generated/server")
        main: list[list] = []
        used_exports: set[str] = set()
        has_default = False
        local_alias: dict[str, str] = {}
        for _ in range(rng.randint(1, 3)):
            # the builder
            r = rng.random()
            custom_args: list[str] = []
            if r < 0.05:
                builder = "httpAction"
            elif r < 0.2:
                builder = rng.choice(list(CUSTOM_BUILDERS))
                custom_args = CUSTOM_BUILDERS[builder]
            else:
                builder = rng.choice(BUILDERS)
            if builder in CUSTOM_BUILDERS:
                ref = fc.add_import(fc.rel_specifier("convex/lib/custom"), builder)
            else:
                alias = None
                if rng.random() < 0.3:
                    alias = fc.fresh(builder[0] + "B")
                ref = fc.add_import(gen_spec, builder, alias)
            if rng.random() < 0.15:
                if ref not in local_alias:
                    local_alias[ref] = fc.fresh("my" + builder[0].upper() + builder[1:])
                    fc.consts.append(["const", local_alias[ref], "=", ref, ";"])
                ref = local_alias[ref]
            # the export name
            if not has_default and rng.random() < 0.1:
                export = "default"
                has_default = True
            else:
                while True:
                    export = rng.choice(FN_WORDS) + (str(rng.randint(0, 9)) if rng.random() < 0.4 else "")
                    if export not in used_exports and export not in fc.names:
                        break
                fc.names.add(export)
            used_exports.add(export)
            case.functions.append(f"{case.module}:{export}")
            expr = self.definition_toks(ref, builder, custom_args, fc)
            main += self.export_stmts(export, expr, fc)
        return fc.render(main, self.st)

    def definition_toks(self, ref: str, builder: str, custom_args: list[str], fc: FileCtx) -> list:
        rng = self.rng
        if builder == "httpAction":
            return [ref, "(", "async", NB, "(", ")", NB, "=>", "new", "Response", "(", js_string("ok", rng), ")", ")"]
        args_form = rng.choice(["fields", "fields", "object", "empty", "absent"])
        if custom_args and args_form == "absent":
            args_form = "empty"
        if args_form == "absent" and rng.random() < 0.3:
            return [ref, "(", *self.handler_value(), ")"]  # bare-function form
        entries: list[list] = []
        if args_form != "absent":
            taken = set(custom_args)
            fields = self.gen_fields(3, rng.randint(1, 5), taken) if args_form in ("fields", "object") else []
            if args_form == "object":
                val = self.extract(fc, "argsV", lambda f: self.object_toks(fields, f)) if rng.random() < 0.15 else self.object_toks(fields, fc)
            else:
                val = self.fields_toks(fields, fc)
            entries.append([*self.key_toks("args"), ":", *val])
        returns_form = rng.choice(["absent", "validator", "validator", "fields"])
        if returns_form == "validator":
            entries.append([*self.key_toks("returns"), ":", *self.val_toks(self.gen_val(rng.randint(0, 3)), fc)])
        elif returns_form == "fields":
            entries.append([*self.key_toks("returns"), ":", *self.fields_toks(self.gen_fields(3, rng.randint(0, 4)), fc)])
        if rng.random() < 0.3:
            entries.append(["async", NB, "handler", NB, "(", "ctx", ",", "args", ")", "{", *self.body(), "}"])
        else:
            entries.append([*self.key_toks("handler"), ":", *self.handler_value()])
        rng.shuffle(entries)
        toks = [ref, "(", "{"]
        for i, e in enumerate(entries):
            toks += e
            if i < len(entries) - 1:
                toks.append(",")
        return toks + self.trail() + ["}", *self.trail(), ")"]

    def body(self) -> list:
        return self.rng.choice(
            [
                ["return", NB, "null", ";"],
                ["const", "s", "=", json.dumps("}) , { args: { fake: v.string() } })"), ";", "return", NB, "null", ";"],
                ["/* args: { x: v.string() } */", "return", NB, "null", ";"],
                ["if", "(", "args", ")", "{", "return", NB, "null", ";", "}", "return", NB, "null", ";"],
            ]
        )

    def handler_value(self) -> list:
        r = self.rng.random()
        if r < 0.4:
            return ["async", NB, "(", "ctx", ",", "args", ")", NB, "=>", "null"]
        if r < 0.7:
            return ["async", NB, "(", "ctx", ")", NB, "=>", "{", *self.body(), "}"]
        if r < 0.85:
            return ["async", NB, "function", "(", "ctx", ")", "{", *self.body(), "}"]
        return ["async", NB, "(", ")", NB, "=>", "(", "{", "ok", ":", "true", "}", ")"]

    def export_stmts(self, export: str, expr: list, fc: FileCtx) -> list[list]:
        rng = self.rng
        if export == "default":
            if rng.random() < 0.5:
                return [["export", "default", *expr, ";"]]
            local = fc.fresh("impl")
            return [["const", local, "=", *expr, ";"], ["export", "default", local, ";"]]
        r = rng.random()
        if r < 0.7:
            return [["export", "const", export, "=", *expr, ";"]]
        if r < 0.85:
            return [["const", export, "=", *expr, ";"], ["export", "{", export, *self.trail(), "}", ";"]]
        local = fc.fresh("local" + export[0].upper() + export[1:])
        return [["const", local, "=", *expr, ";"], ["export", "{", local, "as", export, "}", ";"]]

    # -- the project
    def project(self) -> Project:
        rng = self.rng
        files: dict[str, str] = {}
        cases: list[Case] = []
        self.tables = []
        for i in range(self.n_cases):
            name = f"{rng.choice(TABLE_WORDS)}{i}" if rng.random() < 0.8 else f"{rng.choice(TABLE_WORDS)}_{i}_t"
            self.tables.append(name)
        self.shared = FileCtx(self, "convex/lib/shared.ts")
        schema = FileCtx(self, "convex/schema.ts")
        entries: list[list] = []
        group: list[list] | None = None
        for i, name in enumerate(self.tables):
            place = rng.random()
            if place < 0.25:
                tfile = f"convex/tables/{name}.ts"
                tfc = FileCtx(self, tfile)
                export = name if rng.random() < 0.5 else name + "Table"
                tfc.names.add(export)
                files[tfile] = tfc.render([["export", "const", export, "=", *self.table_toks(name, tfc), ";"]], self.st)
                local = schema.add_import(schema.rel_specifier(tfile[:-3]), export)
                entries.append([local] if local == name else [*self.key_toks(name), ":", local])
            else:
                tfile = "convex/schema.ts"
                entry = [*self.key_toks(name), ":", *self.table_toks(name, schema)]
                if place < 0.4:
                    # a map of tables spread into defineSchema
                    if group is None:
                        group = []
                        gname = schema.fresh("tableGroup")
                        entries.append(["...", gname])
                    group.append(entry)
                else:
                    if group is not None:
                        schema.consts.append(["const", gname, "=", "{", *sum((e + [","] for e in group), []), "}", ";"])
                        group = None
                    entries.append(entry)
            mod_dir = rng.choice(["", "", "fns/", "a/b/"])
            module = f"{mod_dir}m{i}_{name}"
            cases.append(Case(i, name, tfile, module, f"convex/{module}.ts"))
        if group is not None:
            schema.consts.append(["const", gname, "=", "{", *sum((e + [","] for e in group), []), "}", ";"])
        for c in cases:
            files[c.module_file] = self.module_file(c)
        # defineSchema(...)
        body = ["{"]
        for n, e in enumerate(entries):
            body += e
            if n < len(entries) - 1:
                body.append(",")
        body += self.trail() + ["}"]
        opts: list[tuple[str, list]] = []
        if rng.random() < 0.3:
            opts.append(("schemaValidation", [rng.choice(["true", "false"])]))
        if rng.random() < 0.2:
            opts.append(("strictTableNameTypes", [rng.choice(["true", "false"])]))
        call = [schema.add_import("convex/server", "defineSchema"), "(", *body]
        if opts or rng.random() < 0.1:
            call += [",", *self.options_toks(opts)]
        call += [*self.trail(), ")"]
        if rng.random() < 0.2:
            local = schema.fresh("schema")
            main = [["const", local, "=", *call, ";"], ["export", "default", local, ";"]]
        else:
            main = [["export", "default", *call, ";"]]
        files["convex/schema.ts"] = schema.render(main, self.st)
        files["convex/lib/shared.ts"] = self.shared.render([["export", "const", "sharedMarker", "=", "1", ";"]], self.st)
        barrel = ['export * from "./shared";']
        files["convex/lib/index.ts"] = "\n".join(barrel) + "\n"
        files["convex/lib/custom.ts"] = CUSTOM_TS
        for c in cases:
            c.functions.sort()
        return Project(self.seed, files, cases, self.style_knobs)


def generate_project(seed: int, n_cases: int = 50, style: dict | None = None) -> Project:
    return Gen(seed, n_cases, style).project()


# ---------------------------------------------------------------- hypothesis


def projects(n_cases: int = 50):
    """Hypothesis strategy of :class:`Project` (seed and formatting knobs drawn by hypothesis)."""
    from hypothesis import strategies as st

    style = st.fixed_dictionaries(
        {
            "newline": st.sampled_from([0.0, 0.1, 0.3]),
            "comment": st.sampled_from([0.0, 0.03, 0.1]),
            "trailing_comma": st.sampled_from([0.0, 0.3, 0.9]),
            "quote_key": st.sampled_from([0.0, 0.25, 0.8]),
        }
    )
    return st.builds(lambda seed, s: generate_project(seed, n_cases, s), st.integers(0, 2**32 - 1), style)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Write one generated Convex project (for debugging a conformance failure).")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--cases", type=int, default=50)
    ap.add_argument("--style", default="{}", help="JSON object of style knobs (newline, comment, trailing_comma, quote_key, space)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    p = generate_project(a.seed, a.cases, json.loads(a.style))
    p.write(a.out)
    print(f"wrote {len(p.files)} files ({len(p.cases)} cases) to {a.out}")


if __name__ == "__main__":
    main()
