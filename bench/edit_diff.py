#!/usr/bin/env python3
"""Differential edit runs on real projects: after each random edit of a source, the
contracts an incremental ``ctl-db-ssot sync-to-context`` writes (cache on, as a pre-commit
hook runs it) must equal, ``updatedAt`` aside, those of an evaluation of everything
(``derive(use_cache=False)``) of the same sources. Issue 10 promises exactly that; the
fixtures of tests/reliability/test_incremental.py check it for the edits we thought of,
this runs it for edits nobody chose, on code nobody here wrote (docs/testing.md).

Each project is copied first (``node_modules`` directories, up to four levels deep, are
linked to the original's, never copied or written), so the original is never touched.
Edits, drawn from ``--seed``: append an exported query (or a constant), insert a blank or
comment line, delete or duplicate a line (syntax errors included), add a statement after
the imports, or restore the file. A mismatch keeps both documents as
``<out>/<project>.<step>.{got,want}.json``; ``<out>/results.json`` lists every step.

Usage (the installed convex_ssot is the one tested; run it with that environment's Python)::

    python bench/edit_diff.py OUT PROJECT [PROJECT ...] [--edits 10] [--seed 11]
    python bench/edit_diff.py OUT --projects-json projects.json

A PROJECT is a repository root with ``convex/schema.ts``; ``--projects-json`` takes a list
of ``{"name", "checkout", "root", "schemaRel", "convexDir", "env"}`` objects (paths of
``root``, ``schemaRel`` and ``convexDir`` relative to ``checkout``; ``env``: environment
variables the sources read), for monorepo members that need their workspace around them.
Exit status: 0 when every step matched, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

SOURCE_SUFFIXES = (".ts", ".tsx", ".js", ".mjs")
EDITS = ("append", "blank", "comment", "delete", "duplicate", "restore", "append", "statement")


def _strip(doc):
    if isinstance(doc, dict):
        return {k: _strip(v) for k, v in doc.items() if k != "updatedAt"}
    if isinstance(doc, list):
        return [_strip(v) for v in doc]
    return doc


def _copy(checkout: Path, dest: Path) -> None:
    """``checkout`` copied to ``dest`` without .git and node_modules; each node_modules
    directory (up to four levels deep) linked to the original's."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(checkout, dest, symlinks=True, ignore=shutil.ignore_patterns("node_modules", ".git"))
    for dirpath, dirs, _ in os.walk(checkout):
        rel = os.path.relpath(dirpath, checkout)
        if rel.count(os.sep) > 3:
            dirs[:] = []
            continue
        if "node_modules" in dirs:
            os.symlink(os.path.join(dirpath, "node_modules"), dest / rel / "node_modules")
        dirs[:] = [d for d in dirs if d not in ("node_modules", ".git")]


def _edit(rng: random.Random, path: Path, pristine: str, step: int) -> str:
    """Apply one random edit to ``path``; returns its description."""
    text = path.read_text("utf-8", "replace")
    lines = text.split("\n")
    kind = rng.choice(EDITS)
    at = rng.randrange(len(lines))
    if kind == "append":
        if "query" in text and ("{ v }" in text or " v," in text or ", v " in text):
            text += f"\nexport const diffEdit{step} = query({{ args: {{ n{step}: v.number() }}, handler: async () => {step} }});\n"
        else:
            text += f"\nexport const diffConst{step} = {step};\n"
    elif kind == "blank":
        lines.insert(at, "")
    elif kind == "comment":
        lines.insert(at, f"// edit {step}")
    elif kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "restore":
        text = pristine
    else:  # a statement after the imports
        at = 1 + max((i for i, line in enumerate(lines) if line.startswith("import ")), default=-1)
        lines.insert(at, f"const diffLocal{step} = {step};")
    if kind in ("blank", "comment", "delete", "duplicate", "statement"):
        text = "\n".join(lines)
    path.write_text(text, "utf-8")
    return f"{kind} at line {at + 1}"


def _projects(args) -> list[dict]:
    if args.projects_json:
        return json.loads(Path(args.projects_json).read_text("utf-8"))
    return [{"name": Path(p).resolve().name, "checkout": str(Path(p).resolve()), "root": ".",
             "schemaRel": "convex/schema.ts", "convexDir": "convex", "env": {}} for p in args.project]


def run_project(p: dict, out: Path, rng: random.Random, edits: int, keep: bool) -> dict:
    """The steps of one project: a first run, then ``edits`` edited runs."""
    from convex_ssot.config import Config
    from convex_ssot.emit.jsonout import dumps, loads
    from convex_ssot.pipeline import derive

    base = out / "copies" / p["name"]
    _copy(Path(p["checkout"]), base)
    root = base / p["root"]
    schema_rel = os.path.relpath(base / p["schemaRel"], root)
    (root / "docs/project").mkdir(parents=True, exist_ok=True)
    (root / "docs/project/db-ssot.json").write_text(json.dumps(
        {"version": 1, "db": {"ssot": "convex", "source": {"kind": "convex-schema", "path": schema_rel}}}))
    cfg = Config(repo_root=root.resolve(), mode="convex", mode_source="config", config_path="docs/project/db-ssot.json",
                 config_exists=True, schema_rel=schema_rel)
    os.environ.update(p.get("env", {}))
    env = dict(os.environ, CONVEX_SSOT_CACHE_DIR=str(out / "cache" / p["name"]))
    cli = str(Path(sys.executable).parent / "ctl-db-ssot")
    files = sorted(f for f in (base / p["convexDir"]).rglob("*") if f.suffix in SOURCE_SUFFIXES and f.is_file()
                   and "_generated" not in f.parts and "node_modules" not in f.parts and not f.name.endswith(".d.ts"))
    pristine = {f: f.read_text("utf-8", "replace") for f in files}
    steps = []
    for step in range(edits + 1 if files else 1):
        what = "first run"
        if step:
            f = rng.choice(files)
            what = f"{f.relative_to(base).as_posix()}: {_edit(rng, f, pristine[f], step)}"
        run = subprocess.run([cli, "sync-to-context", "--repo-root", str(root)], env=env, capture_output=True, text=True)
        try:
            got = {"db": _strip(loads((root / "docs/context/db/schema.json").read_bytes())),
                   "functions": _strip(loads((root / "docs/context/convex/functions.json").read_bytes()))}
        except (OSError, ValueError) as exc:
            got = {"error": str(exc)}
        derived = derive(cfg, use_cache=False)
        want = {"db": _strip(loads(dumps(derived.db))), "functions": _strip(loads(dumps(derived.functions)))}
        same = got == want
        if not same:
            for name, doc in (("got", got), ("want", want)):
                (out / f"{p['name']}.{step}.{name}.json").write_bytes(dumps(doc))
        steps.append({"step": step, "edit": what, "exit": run.returncode, "same": same,
                      "stderr": run.stderr[-600:] if run.returncode else ""})
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    return {"project": p["name"], "steps": steps, "mismatches": sum(not s["same"] for s in steps)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="output directory (copies, caches, mismatching documents, results.json)")
    ap.add_argument("project", nargs="*", help="repository roots with convex/schema.ts")
    ap.add_argument("--projects-json", help="a JSON list of projects (see the module docstring)")
    ap.add_argument("--edits", type=int, default=10, help="edited runs per project (default 10)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", action="store_true", help="keep the copies")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    results = []
    for p in _projects(args):
        t0 = time.perf_counter()
        results.append(run_project(p, out, rng, args.edits, args.keep))
        r = results[-1]
        print(f"{p['name']}: {r['mismatches']} of {len(r['steps'])} runs differ ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    (out / "results.json").write_text(json.dumps(results, indent=1))
    bad = sum(r["mismatches"] for r in results)
    print(f"{bad} of {sum(len(r['steps']) for r in results)} runs differ", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
