#!/usr/bin/env python3
"""Coverage-guided fuzzing of the source reader with atheris (docs/reliability.md §5).

Target: arbitrary bytes → one source module → ``load_module`` (lexer, outline, Lark
parser) → the evaluator on every export and the default export → when the module is a
schema: ``check_schema`` and the DB contract emitter; when it registers functions: the
function contract emitter → the serializer and JSON Schema validation. Nothing of that may
raise: the tool promises diagnostics, never exceptions, for bad sources. A single input
that needs more than ``--slow`` seconds of CPU is reported as well.

Setup (a scratch venv; atheris is not a dependency of the project)::

    python3 -m venv .fuzz/venv
    .fuzz/venv/bin/pip install atheris -e .

Run (the figures in docs/reliability.md come from this command)::

    .fuzz/venv/bin/python bench/fuzz_atheris.py --keep-going --out .fuzz/out \\
        -max_total_time=600 -max_len=4096 -timeout=30 -rss_limit_mb=4096 .fuzz/corpus

The first directory argument is libFuzzer's corpus; it is seeded with
examples/chat-app/convex/*.ts and the snippets below when empty. ``--keep-going``
records every distinct failure (exception type + innermost convex_ssot frame) as
``<out>/crash-<n>.bin`` with its traceback in ``<out>/crash-<n>.txt`` and keeps fuzzing;
without it the first exception stops the run the libFuzzer way (``crash-<sha1>`` in the
working directory). ``<out>/summary.json`` holds the counts. Reproduce one input with::

    .fuzz/venv/bin/python bench/fuzz_atheris.py --repro .fuzz/out/crash-1.bin

Python 3.10+; atheris 2.3+ (tested with 3.0.0).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

SEED_SNIPPETS = [
    b'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
    b'export default defineSchema({\n  t: defineTable({ a: v.string(), e: v.array(v.float64()), o: v.optional(v.object({ k: v.int64() })) })\n'
    b'    .index("by_a", ["a"]).searchIndex("s", { searchField: "a", filterFields: ["o.k"] })\n'
    b'    .vectorIndex("v", { vectorField: "e", dimensions: 1536 }),\n}, { schemaValidation: true });\n',
    b'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
    b'const K = v.union(v.literal("a"), v.literal(1e999), v.literal(12n), v.literal(-0));\n'
    b'export const q = query({ args: { k: K, r: v.record(v.string(), v.any()) }, returns: v.null(),\n'
    b'  handler: async (ctx, { k }) => { const re = /[/`"]+/g; const t = `x ${`y ${k}`}`; await ctx.db.query("t").collect(); return null; } });\n'
    b'export default mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("t", { a: "1" }); } });\n',
    b'"use node";\nimport { action } from "./_generated/server";\nexport const a = action(async () => 1 / 2 / 3);\n',
]

DICTIONARY = [
    '"', "'", "`", "${", "}", "{", "/*", "*/", "//", "/", "\\\\", "v.array(", "v.object({", "v.union(", "v.literal(",
    "v.id(", "v.optional(", "v.float64()", "v.string()", "defineTable(", "defineSchema(", ".index(", ".searchIndex(",
    ".vectorIndex(", "dimensions:", "export const ", "export default ", "import ", " from ", "query({", "mutation({",
    "action({", "args:", "handler:", "returns:", "1e400", "99999999999999999999999n", "\\u{FFFFFFFFFF}", "=>",
]


def _setup_imports(instrument: bool):
    """Import the code under test (instrumented for coverage when fuzzing)."""
    if instrument:
        import atheris

        with atheris.instrument_imports(include=["convex_ssot"]):
            import convex_ssot.checks  # noqa: F401
            import convex_ssot.emit.db_contract  # noqa: F401
            import convex_ssot.emit.functions_contract  # noqa: F401
            import convex_ssot.resolve.evaluator  # noqa: F401
            import convex_ssot.resolve.modules  # noqa: F401
            import convex_ssot.resolve.project  # noqa: F401
            import convex_ssot.validate  # noqa: F401
            import convex_ssot.parse.parser  # noqa: F401
            import convex_ssot.parse.lexer  # noqa: F401


def one_input(data: bytes) -> None:
    """Everything the tool does with one source file, in memory. Must never raise."""
    from convex_ssot import ir
    from convex_ssot.checks import check_schema
    from convex_ssot.emit.db_contract import EPOCH, db_contract
    from convex_ssot.emit.functions_contract import functions_contract
    from convex_ssot.emit.jsonout import dumps
    from convex_ssot.resolve import project as P
    from convex_ssot.resolve.evaluator import Evaluator
    from convex_ssot.resolve.modules import load_module
    from convex_ssot.validate import validate

    # the first byte picks the file name (.tsx turns on JSX); the loader refuses what is not
    # UTF-8 or has NUL bytes (CSX101), so only decodable text goes further
    ext = (".ts", ".tsx", ".js", ".mjs")[data[0] % 4] if data else ".ts"
    is_schema = bool(data) and data[0] & 4 == 0
    rel = "convex/schema" + ext if is_schema else "convex/fuzz" + ext
    try:
        text = data[1:].decode("utf-8")
    except UnicodeDecodeError:
        return
    if "\x00" in text:
        return
    loader = P._Loader(Path("/nonexistent-fuzz-root"))
    ev = Evaluator(loader.resolve)
    mod = load_module(rel, text)
    loader.modules[str(Path("/nonexistent-fuzz-root") / rel)] = mod
    if is_schema:
        schema = P._read_schema(ev, mod, rel)
        mod.diagnostics.extend(check_schema(schema))
        diags = sorted(set(mod.diagnostics), key=ir.Diagnostic.sort_key)
        doc = db_contract(schema, diags, EPOCH)
        name = "db"
    else:
        fns = P._functions_of(ev, loader, mod, Path("/nonexistent-fuzz-root/convex"), Path("/nonexistent-fuzz-root"))
        diags = sorted(set(mod.diagnostics), key=ir.Diagnostic.sort_key)
        doc = functions_contract("convex", sorted(fns, key=lambda f: f.function_id), diags, EPOCH)
        name = "functions"
    dumps(doc)
    errors = validate(name, doc)
    if errors:
        raise AssertionError(f"{name} contract fails its JSON Schema: {errors[:3]}")


def _signature(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "convex_ssot" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}"


class Recorder:
    """--keep-going: one reproducer per distinct failure; counts in summary.json."""

    def __init__(self, out: Path, slow: float) -> None:
        self.out, self.slow = out, slow
        out.mkdir(parents=True, exist_ok=True)
        self.seen: dict[str, int] = {}
        self.inputs = 0
        self.worst = (0.0, 0)
        self.started = time.time()
        self.last_write = 0.0

    def __call__(self, data: bytes) -> None:
        self.inputs += 1
        t0 = time.process_time()
        try:
            one_input(data)
        except Exception as exc:  # noqa: BLE001 - that is what we are looking for
            self.record(_signature(exc), data, "".join(traceback.format_exception(exc)))
        spent = time.process_time() - t0
        if spent > self.worst[0]:
            self.worst = (spent, len(data))
        if spent > self.slow:
            self.record(f"slow input (>{self.slow}s CPU)", data, f"{spent:.2f}s CPU for {len(data)} bytes\n")
        if time.time() - self.last_write > 10:
            self.write_summary()

    def record(self, sig: str, data: bytes, text: str) -> None:
        if sig in self.seen:
            self.seen[sig] += 1
            return
        self.seen[sig] = 1
        n = len(self.seen)
        (self.out / f"crash-{n}.bin").write_bytes(data)
        (self.out / f"crash-{n}.txt").write_text(f"{sig}\n\n{text}", encoding="utf-8")
        print(f"\n=== new failure #{n}: {sig} ({len(data)} bytes) -> {self.out}/crash-{n}.bin", file=sys.stderr, flush=True)
        self.write_summary()

    def write_summary(self) -> None:
        self.last_write = time.time()
        summary = {
            "inputs": self.inputs,
            "seconds": round(time.time() - self.started, 1),
            "distinctFailures": len(self.seen),
            "failures": self.seen,
            "worstCpuSeconds": round(self.worst[0], 4),
            "worstCpuInputBytes": self.worst[1],
        }
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def _seed_corpus(corpus: Path) -> None:
    if corpus.exists() and any(corpus.iterdir()):
        return
    corpus.mkdir(parents=True, exist_ok=True)
    i = 0
    for p in sorted((REPO / "examples" / "chat-app" / "convex").rglob("*.ts")):
        first = b"\x00" if p.name == "schema.ts" else b"\x05"  # schema .ts / module .ts (see one_input)
        (corpus / f"seed-{i}").write_bytes(first + p.read_bytes())
        i += 1
    for j, snippet in enumerate(SEED_SNIPPETS):
        (corpus / f"seed-{i}").write_bytes((b"\x00" if j == 0 else b"\x05") + snippet)
        i += 1


def main(argv: list[str]) -> int:
    if "--repro" in argv:
        path = Path(argv[argv.index("--repro") + 1])
        _setup_imports(False)
        one_input(path.read_bytes())
        print("no exception")
        return 0
    out = Path("fuzz-out")
    keep_going = "--keep-going" in argv
    slow = 1.0
    rest: list[str] = []
    it = iter(argv[1:])
    for a in it:
        if a == "--out":
            out = Path(next(it))
        elif a == "--slow":
            slow = float(next(it))
        elif a != "--keep-going":
            rest.append(a)
    corpora = [Path(a) for a in rest if not a.startswith("-")]
    for c in corpora[:1]:
        _seed_corpus(c)
    out.mkdir(parents=True, exist_ok=True)
    dict_file = out / "convex.dict"
    dict_file.write_text("".join(json.dumps(t) + "\n" for t in DICTIONARY), encoding="utf-8")
    if not any(a.startswith("-dict=") for a in rest):
        rest.insert(0, f"-dict={dict_file}")

    import atheris

    _setup_imports(True)
    os.environ.setdefault("CONVEX_SSOT_CACHE_DIR", str(out / "cache"))
    for seed in SEED_SNIPPETS:  # warm up (grammar tables, schemas) outside the timed inputs
        try:
            one_input(b"\x00" + seed)
        except Exception:  # noqa: BLE001 - reported when the fuzzer reaches it
            pass
    target = one_input
    recorder = None
    if keep_going:
        recorder = Recorder(out, slow)
        target = recorder
    atheris.Setup([argv[0], *rest], target)
    try:
        atheris.Fuzz()
    finally:
        if recorder is not None:
            recorder.write_summary()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
