"""Layout invariance: inserting a newline, a block comment or a line comment between any two
tokens of a valid module changes nothing for JavaScript (the probe sources avoid the few
places where a line break matters: after ``return``/``throw``/``async``, before ``=>``/``as``), so it
must change nothing in our contracts either.

The untouched probe project is first compared with the real Convex (so the baseline is
right); then every single-boundary variant is compared with our own baseline output. One
failure lists every boundary that changes the output, with the source line around it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import conformance_harness as h

# Tokens separated by single spaces; one statement per line. Every boundary is a probe point.
SCHEMA = """\
import { defineSchema , defineTable } from "convex/server" ;
import { v as val } from "convex/values" ;
import { shared } from "./lib" ;
import * as lib from "./lib" ;
const vv = val ;
const tags = val . array ( val . string ( ) ) . optional ( ) ;
export const base = { title : vv . string ( ) , "quoted" : val . union ( val . literal ( "a" ) , val . literal ( -1n ) , ) , } ;
export default defineSchema ( { posts : defineTable ( { tags , ... base , other : shared , deep : lib . shared } ) . index ( "by_title" , [ "title" ] ) . searchIndex ( "s" , { searchField : "title" , filterFields : [ "quoted" ] , staged : true } ) , docs : defineTable ( val . object ( { n : val . nullable ( val . number ( ) ) , p : pick ( ) } ) ) , } , { schemaValidation : false } ) ;
function pick ( flag ? : string ) { const chosen = flag ?? "x" ; for ( const k of [ "a" ] ) { if ( k === chosen ) throw new Error ( "no" ) ; } if ( chosen === "x" ) { return val . literal ( chosen ) ; } return val . string ( ) ; }
"""
LIB = """\
import { v } from "convex/values" ;
export const shared = v . record ( v . id ( "posts" ) , v . boolean ( ) ) ;
"""
LIB_INDEX = """\
export * from "./shared" ;
export { shared as sharedAlias } from "./shared" ;
"""
FUNCS = """\
import { v } from "convex/values" ;
import { query as q , mutation } from "./_generated/server" ;
import { base } from "./schema" ;
const myMutation = mutation ;
export const list = q ( { args : { limit : v . optional ( v . number ( ) ) , ... base } , returns : v . array ( v . string ( ) ) , handler : async ( ctx , args ) => [ ] } ) ;
const create = myMutation ( { args : v . object ( { title : v . string ( ) } ) , handler : async ( ctx ) => null } ) ;
export { create , create as renamed } ;
export default q ( { handler : async ( ) => 1 } ) ;
const shapes = { args : { id : v . string ( ) } , tag ( p : string ) : Base & { id : string } { return { id : p } ; } , } ;
export const tagged = q ( { args : shapes . args , handler : ( ctx , args ) : Promise < null > & { at ? : number } => null } ) ;
"""
FILES = {"convex/schema.ts": SCHEMA, "convex/lib/shared.ts": LIB, "convex/lib/index.ts": LIB_INDEX, "convex/funcs.ts": FUNCS}
PROBED = ["convex/schema.ts", "convex/lib/shared.ts", "convex/lib/index.ts", "convex/funcs.ts"]

SEPARATORS = {
    "newline": "\n",  # the continuation starts in column 0
    "indented-newline": "\n    ",
    "block-comment": ' /* , " { ) */ ',
    "line-comment": ' // , " { ) ]\n',  # (continuation in column 0)
    "no-space": "",
}
# Boundaries where a separator would change the meaning or the tokens (never probed); no
# line break may follow `return` or `throw` either (ECMA-262 §12.10.1).
_KEEP = {("async", "("), (")", "=>"), ("}", "=>")}
_NO_BREAK_AFTER = {"return", "throw"}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def _facts(derived) -> str:
    """The compared parts of our two contracts, as canonical JSON text."""
    tables = [
        {k: t[k] for k in ("name", "documentType", "indexes")} | {"columns": [(c["name"], c["validator"], c["optional"]) for c in t["columns"]]}
        for t in derived.db["tables"]
    ]
    fns = [
        {k: f[k] for k in ("functionId", "kind", "visibility")}
        | {"args": f["argsValidator"] and f["argsValidator"]["validator"], "returns": f["returnsValidator"] and f["returnsValidator"]["validator"]}
        for f in derived.functions["functions"]
    ]
    return json.dumps({"tables": tables, "schemaOptions": derived.db["schemaOptions"], "functions": fns}, sort_keys=True)


def _variants(text: str, sep: str, seen: set):
    """(line number, excerpt, new text) for every boundary between two tokens of ``text``;
    a boundary seen before (same statement head, same two tokens) is probed once."""
    lines = text.split("\n")
    for ln, line in enumerate(lines):
        toks = line.split(" ")
        for i in range(len(toks) - 1):
            a, b = toks[i], toks[i + 1]
            if (a, b) in _KEEP or a in _NO_BREAK_AFTER:
                continue
            key = (toks[0], toks[1] if toks[0] == "export" else "", "from" in toks, a, b)
            if key in seen:
                continue
            seen.add(key)
            if sep == "" and (a[-1:].isalnum() or a[-1:] in "_$\"") and (b[:1].isalnum() or b[:1] in "_$\""):
                continue  # would glue two tokens together
            new_line = " ".join(toks[: i + 1]) + sep + " ".join(toks[i + 1 :])
            excerpt = " ".join(toks[max(0, i - 3) : i + 1]) + " ⏎ " + " ".join(toks[i + 1 : i + 5])
            yield ln + 1, excerpt, "\n".join(lines[:ln] + [new_line] + lines[ln + 1 :])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, oracle_node):
    root = _write(tmp_path_factory.mktemp("layout") / "base", FILES)
    c = h.compare_project(root)
    problems = h.oracle_problems(c.oracle)
    assert not problems, problems
    diffs = c.schema_diffs + c.function_diffs
    if diffs:
        pytest.fail(h.report("layout probe baseline (single spaces)", diffs, c.diagnostics_text()), pytrace=False)
    return _facts(c.ours)


@pytest.mark.parametrize("kind", list(SEPARATORS))
def test_layout_does_not_change_output(kind, baseline, tmp_path):
    sep = SEPARATORS[kind]
    broken: list[str] = []
    n = 0
    seen: set = set()
    root = _write(tmp_path / "variant", FILES)
    for rel in PROBED:
        # One project; the probed file is rewritten for every variant (run_ours uses no cache,
        # so nothing can be stale) and restored afterwards.
        for line_no, excerpt, text in _variants(FILES[rel], sep, seen):
            n += 1
            (root / rel).write_text(text, encoding="utf-8")
            if _facts(h.run_ours(root)) != baseline:
                broken.append(f"  {rel}:{line_no}: {excerpt}")
        (root / rel).write_text(FILES[rel], encoding="utf-8")
    assert n > 80, n
    if broken:
        pytest.fail(
            f"{len(broken)} of {n} single '{kind}' insertions change convex-ssot's output "
            f"(JavaScript means the same; ⏎ marks the insertion point):\n" + "\n".join(broken),
            pytrace=False,
        )
