#!/usr/bin/env python3
"""Where a cold run's CPU time goes, stage by stage (the profile behind docs/performance.md
"Why the cold targets are missed").

Two parts, both in this process with the installed convex_ssot (run it with the Python of
the venv to measure), CPU time (``time.process_time``) so that other load on the machine
matters less:

1. the parse stages over every TypeScript file under ``convex/`` (``_generated`` and
   ``node_modules`` excluded): masking, statements and outline, the outline lexer alone,
   and lexing + LALR parsing + Transformer, with the number of tokens the parser reads;
2. a cold ``sync-to-context`` of a copy of the project (empty cache directory, parse
   child and worker off so that every stage runs here), with the inclusive CPU time of
   its main stages.

usage: python bench/profile_cold.py PROJECT [--worker]

PROJECT is a folder holding ``convex/``; it is copied to a temporary directory and never
changed. Peak memory is measured as a whole process by compare.py. ``--worker`` keeps the parse child (``EarlyParse``) and worker: part 2's figures then count
only this process's share, and the child's CPU is printed beside them. Standard library and convex_ssot only.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def parse_stages(root: Path) -> dict:
    from convex_ssot.parse import lexer
    from convex_ssot.parse.parser import get_parser, parse_outline, ParseFailure
    from convex_ssot.resolve.modules import KEEP_KINDS

    files = [p for p in sorted((root / "convex").rglob("*.ts")) if "_generated" not in p.parts and "node_modules" not in p.parts]
    texts = [(p, p.read_text("utf-8", "replace").replace("\r\n", "\n")) for p in files]
    lex = get_parser().lexer
    out: dict = {"files": len(texts), "MB": sum(len(t.encode()) for _, t in texts) / 1e6}

    def timed(name, fn):
        gc.collect()
        c = time.process_time()
        result = fn()
        out[name] = time.process_time() - c
        return result

    masks = timed("mask", lambda: [lexer.mask(t, jsx=p.suffix == ".tsx") for p, t in texts])
    outlines = timed("statements + outline", lambda: [lexer.outline(mk, lexer.split_statements(mk.masked), KEEP_KINDS)[0] for mk in masks])
    out["tokens"] = timed("lex (outline lexer alone)", lambda: sum(sum(1 for _ in lex.lex(o)) for o in outlines))

    def parse_all() -> int:
        failed = 0
        for o in outlines:
            try:
                parse_outline(o)
            except ParseFailure:
                failed += 1
        return failed

    out["outlines not parsed whole"] = timed("lex + LALR parse + Transformer", parse_all)
    return out


def cold_sync(root: Path, worker: bool) -> tuple[float, dict]:
    import convex_ssot.resolve.project as project
    import convex_ssot.resolve.registrations as registrations
    import convex_ssot.validate as validate
    from convex_ssot.cache import ModuleCache
    from convex_ssot.cli import db_ssot
    from convex_ssot.emit import db_contract, functions_contract

    if not worker:
        from convex_ssot.resolve import source_files

        project.PARALLEL_MIN_BYTES = 10**15
        source_files._two_cpus = lambda: False  # no EarlyParse child: every parse is here
    spent: dict = {}

    def wrap(owner, name: str, label: str) -> None:
        fn = getattr(owner, name, None)
        if fn is None:
            return  # renamed since: that stage is just not shown

        spent[label] = 0.0  # printed in this order

        def timed(*a, **k):
            c = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.process_time() - c

        setattr(owner, name, timed)

    wrap(project, "build_project", "read the project (build_project)")
    wrap(project, "load_module", "  parse modules (load_module)")
    wrap(project, "_read_schema", "  evaluate the schema")
    wrap(project, "_functions_of", "  evaluate function modules")
    wrap(registrations, "handler_facts", "    of which handler bodies")
    wrap(ModuleCache, "store", "  store parsed modules in the cache")
    wrap(ModuleCache, "lookup", "  read modules from the parse cache")
    wrap(db_contract, "db_contract", "emit the DB contract")
    wrap(functions_contract, "functions_contract", "emit the function contract")
    wrap(validate, "validate", "validate (JSON Schema)")
    argv = sys.argv
    sys.argv = ["ctl-db-ssot", "sync-to-context", "--repo-root", str(root)]
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    c = time.process_time()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the CLI's own report
            db_ssot.run_command(db_ssot.cli, "ctl-db-ssot")  # in-process: SystemExit, not the entry point's exit
    except SystemExit:
        pass
    finally:
        sys.argv = argv
    total = time.process_time() - c
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if worker:
        spent["(parse child and worker, CPU)"] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return total, spent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--worker", action="store_true", help="keep the parse worker process")
    args = ap.parse_args(argv)
    if not (args.project / "convex").is_dir():
        ap.error(f"{args.project} has no convex/ directory")
    work = Path(tempfile.mkdtemp(prefix="convex-ssot-profile-"))
    try:
        copy = work / "project"
        shutil.copytree(args.project, copy, symlinks=True, ignore=shutil.ignore_patterns("node_modules", ".git"))
        for rel in ("docs/context/db/schema.json", "docs/context/convex/functions.json"):
            (copy / rel).unlink(missing_ok=True)
        os.environ["CONVEX_SSOT_CACHE_DIR"] = str(work / "cache")
        c = time.process_time()
        import convex_ssot.cli.db_ssot  # noqa: F401
        from convex_ssot.parse.parser import get_parser

        t_imports = time.process_time() - c
        c = time.process_time()
        get_parser()
        t_parser = time.process_time() - c
        stages = parse_stages(copy)
        total, spent = cold_sync(copy, args.worker)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    try:
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    print(f"{args.project.name}: {stages['files']} files, {stages['MB']:.2f} MB; CPU seconds; load average {load}")
    print(f"  start-up: imports of the CLI {t_imports:.3f}, loading the parser tables {t_parser:.3f}")
    print(f"  parse stages over every file ({stages['tokens']} tokens, {stages['outlines not parsed whole']} outlines not parsed whole):")
    for k in ("mask", "statements + outline", "lex (outline lexer alone)", "lex + LALR parse + Transformer"):
        print(f"    {k:34s} {stages[k]:7.3f}")
    print(f"  cold sync-to-context ({'parse worker on' if args.worker else 'one process'}): {total:.3f} s CPU")
    for k, v in spent.items():
        print(f"    {k:34s} {v:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
