#!/usr/bin/env python3
"""Ours against the original controller: the four figures of issue 10, as ratios.

For each project (a directory holding ``convex/``, given with ``--project``, or a
generated one, ``--generate N``), the project is copied once into a work directory
and these four cases are timed as whole processes (wall clock from ``Popen`` to
``os.wait4``, peak RSS from ``ru_maxrss``):

one-module edit  a function module gets a new exported query appended (a new
                 argument name every run, so both the file and the contracts
                 change); ours runs with the cache of the previous run
nothing changed  the same command again, contracts and cache in place
cold             ours with an empty cache directory; contracts reset to the
                 project's own state (removed when it had none)
peak RSS (cold)  the median over the cold runs of the process's ``ru_maxrss`` (the
                 largest resident set of the process or of any child it waited for)

Ours is ``ctl-db-ssot sync-to-context --repo-root COPY``. With ``--original PATH``
(a folder holding ``.ai/scripts/ctl-db-ssot.mjs``, e.g. a checkout of
willyu1007/Template-Skill-Addon), the original's ``.ai/scripts`` and its delegate
``.ai/skills/features/database/convex-as-ssot/scripts`` are copied into the project
copy and ``node .ai/scripts/ctl-db-ssot.mjs sync-to-context --repo-root COPY`` runs
on the same copy, alternating with ours run by run (the first tool of each round
alternates too). Each tool's contracts are put back in place before its own run, so
neither sees the other's output. The original keeps no cache: its three timings are
the same work, measured separately anyway.

Prints a markdown table (medians, and ours/original when ``--original`` is given)
on stdout; progress on stderr. Nothing is written outside ``--workdir`` (default: a
temporary directory, removed afterwards). Python 3.10+, standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_project  # noqa: E402  (sibling module)
from run_bench import BenchError, _loadavg, check, run_once, tool_argv  # noqa: E402

CASES = ("edit", "nothing", "cold")
CASE_TITLES = {"edit": "one function module edited", "nothing": "nothing changed", "cold": "cold (empty cache)"}
ORIGINAL_PARTS = (".ai/scripts", ".ai/skills/features/database/convex-as-ssot/scripts")
SKIP_DIRS = {"node_modules", ".git"}
QUERY_IMPORT = re.compile(r"""^import\s*\{[^}]*\bquery\b[^}]*\}\s*from\s*["'](?:\./|\.\./)+_generated/server["']""", re.M)
V_IMPORT = re.compile(r"""^import\s*\{[^}]*\bv\b[^}]*\}\s*from\s*["']convex/values["']""", re.M)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """rel path -> (size, mtime_ns) of every file outside node_modules/.git."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for f in files:
            p = os.path.join(dirpath, f)
            st = os.stat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


def pick_edit_module(convex_dir: Path) -> Path:
    """The first function module (sorted path) importing `query` from _generated/server and `v`
    from convex/values, so that appending `export const x = query({...})` is valid TypeScript."""
    for p in sorted(convex_dir.rglob("*.ts")):
        rel = p.relative_to(convex_dir).as_posix()
        if rel.startswith("_generated/") or "node_modules" in rel or rel.startswith("schema") \
                or rel.endswith((".d.ts", ".test.ts")) or "/" in rel and rel.split("/")[0] == "lib":
            continue
        text = p.read_text("utf-8", "replace")
        if QUERY_IMPORT.search(text) and V_IMPORT.search(text):
            return p
    raise BenchError(f"no function module under {convex_dir} imports both `query` and `v`; pass --edit-module")


@dataclass
class Tool:
    name: str
    argv: list[str]
    env: dict[str, str]
    outputs: dict[str, bytes] = field(default_factory=dict)  # its last contracts (rel -> content)
    times: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CASES})
    rss: dict[str, list[int]] = field(default_factory=lambda: {c: [] for c in CASES})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CASES})


class Copy:
    """One copy of a project, shared by both tools; remembers which files each tool writes."""

    def __init__(self, src: Path, dest: Path):
        self.src, self.root = src, dest
        shutil.copytree(src, dest, symlinks=True)
        self.written: set[str] = set()

    def put(self, tool: Tool | None) -> None:
        """Put `tool`'s contracts in place (None: the project's own state, for cold runs)."""
        for rel in sorted(self.written):
            target = self.root / rel
            content = tool.outputs.get(rel) if tool is not None else None
            if content is None:
                orig = self.src / rel
                content = orig.read_bytes() if orig.is_file() else None
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)

    def run(self, tool: Tool, case: str, timeout: float, exclude: str, record: bool = True) -> None:
        before = snapshot(self.root)
        r = run_once(tool.argv, tool.env, timeout)
        check(r, tool.argv, f"{tool.name} ({case})")
        after = snapshot(self.root)
        changed = {k for k in after if before.get(k) != after[k]} - {exclude}
        self.written |= changed
        tool.outputs = {rel: (self.root / rel).read_bytes() for rel in self.written if (self.root / rel).is_file()}
        if record:
            tool.times[case].append(r.wall)
            tool.rss[case].append(r.rss or 0)
            tool.cpu[case].append(r.cpu or 0.0)


def ts_size(convex_dir: Path) -> tuple[int, int]:
    n = size = 0
    for p in convex_dir.rglob("*.ts"):
        rel = p.relative_to(convex_dir).as_posix()
        if rel.startswith("_generated/") or "node_modules" in rel:
            continue
        n += 1
        size += p.stat().st_size
    return n, size


def bench(name: str, src: Path, args: argparse.Namespace, work: Path, ours_argv: list[str]) -> dict:
    copy = Copy(src, work / "project")
    convex_dir = copy.root / "convex"
    if not convex_dir.is_dir():
        raise BenchError(f"{src} has no convex/ directory")
    edit_path = convex_dir / args.edit_module if args.edit_module else pick_edit_module(convex_dir)
    edit_rel = edit_path.relative_to(copy.root).as_posix()
    pristine_module = edit_path.read_text("utf-8")
    files, size = ts_size(convex_dir)
    print(f"[{name}] {files} TypeScript files, {size / 1e6:.2f} MB; editing {edit_rel}", file=sys.stderr)

    base_env = dict(os.environ)
    warm_cache = work / "cache-warm"
    ours = Tool("ours", ours_argv + ["sync-to-context", "--repo-root", str(copy.root)],
                dict(base_env, CONVEX_SSOT_CACHE_DIR=str(warm_cache)))
    tools = [ours]
    if args.original:
        for part in ORIGINAL_PARTS:
            src_part = Path(args.original) / part
            if not src_part.is_dir():
                raise BenchError(f"--original {args.original}: {part}/ not found")
            shutil.copytree(src_part, copy.root / part, dirs_exist_ok=True)
        tools.append(Tool("original", [args.node, str(copy.root / ".ai/scripts/ctl-db-ssot.mjs"), "sync-to-context",
                                       "--repo-root", str(copy.root)], base_env))

    def edit(i: int) -> None:
        edit_path.write_text(pristine_module + f"\nexport const benchEdit = query({{ args: {{ n{i}: v.number() }}, "
                                               f"handler: async () => {i} }});\n", "utf-8")

    # priming (untimed): each tool once, so that the output files are known and ours' cache is warm
    for t in tools:
        copy.put(t)
        copy.run(t, "prime", args.timeout, edit_rel, record=False)
    try:
        for i in range(args.runs):
            order = tools if i % 2 == 0 else tools[::-1]
            edit(i)
            for t in order:
                copy.put(t)
                copy.run(t, "edit", args.timeout, edit_rel)
            for t in order:
                copy.put(t)
                copy.run(t, "nothing", args.timeout, edit_rel)
            for t in order:
                copy.put(None)
                if t is ours:
                    cold = Path(tempfile.mkdtemp(prefix="cache-cold-", dir=work))
                    saved_env, t.env = t.env, dict(t.env, CONVEX_SSOT_CACHE_DIR=str(cold))
                    try:
                        copy.run(t, "cold", args.timeout, edit_rel)
                    finally:
                        t.env = saved_env
                        shutil.rmtree(cold, ignore_errors=True)
                else:
                    copy.run(t, "cold", args.timeout, edit_rel)
            print(f"[{name}] round {i + 1}/{args.runs}: " + "; ".join(
                f"{t.name} " + " ".join(f"{c} {t.times[c][-1]:.2f}s" for c in CASES) for t in tools), file=sys.stderr)
    finally:
        edit_path.write_text(pristine_module, "utf-8")
    result = {"project": name, "files": files, "mb": size / 1e6, "edited": edit_rel, "runs": args.runs}
    for t in tools:
        result[t.name] = {c: {"median_s": statistics.median(t.times[c]), "times_s": t.times[c],
                              "median_cpu_s": statistics.median(t.cpu[c]), "cpu_s": t.cpu[c],
                              "median_rss_mb": statistics.median(t.rss[c]) / 1e6} for c in CASES}
    return result


def render(results: list[dict], with_original: bool) -> str:
    """Markdown: per project and case, the medians of wall time (what a user waits) and of
    CPU time (user + system; less sensitive to other load on the machine), and peak RSS."""
    lines = []
    if with_original:
        lines.append("| project | case | ours | original | ours / original | CPU ours | CPU original | CPU ratio |")
        lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    else:
        lines.append("| project | case | ours (median) | CPU (median) |")
        lines.append("|---|---|---:|---:|")
    for res in results:
        label = f"{res['project']} ({res['files']} files, {res['mb']:.2f} MB)"
        orig = res.get("original", {})
        for c in CASES:
            o, g = res["ours"][c], orig.get(c)
            if with_original:
                lines.append(f"| {label} | {CASE_TITLES[c]} | {o['median_s']:.3f} s | {g['median_s']:.3f} s | "
                             f"**{o['median_s'] / g['median_s']:.2f}×** | {o['median_cpu_s']:.2f} s | "
                             f"{g['median_cpu_s']:.2f} s | {o['median_cpu_s'] / g['median_cpu_s']:.2f}× |")
            else:
                lines.append(f"| {label} | {CASE_TITLES[c]} | {o['median_s']:.3f} s | {o['median_cpu_s']:.2f} s |")
        o_rss = res["ours"]["cold"]["median_rss_mb"]
        if with_original:
            g_rss = orig["cold"]["median_rss_mb"]
            lines.append(f"| {label} | peak RSS of a cold run | {o_rss:.0f} MB | {g_rss:.0f} MB | **{o_rss / g_rss:.2f}×** | | | |")
        else:
            lines.append(f"| {label} | peak RSS of a cold run | {o_rss:.0f} MB | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--project", action="append", default=[], metavar="DIR",
                    help="a project root holding convex/ (repeatable); it is copied, never modified")
    ap.add_argument("--generate", action="append", default=[], type=int, metavar="N",
                    help="also bench bench/gen_project.py --modules N (repeatable)")
    ap.add_argument("--original", metavar="PATH", help="folder holding the original's .ai/scripts/ctl-db-ssot.mjs")
    ap.add_argument("--node", default="node", help="node executable for the original (default: node)")
    ap.add_argument("--runs", "-k", type=int, default=5, help="rounds (default 5); medians are reported")
    ap.add_argument("--edit-module", help="module to edit, relative to convex/ (default: picked automatically)")
    ap.add_argument("--cli-prefix", help="how to start ours, as in run_bench.py (default: the ctl-db-ssot script)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run (default 600)")
    ap.add_argument("--workdir", help="keep the copies and caches here (default: a removed temporary directory)")
    ap.add_argument("--json", metavar="FILE", help="also write every measurement as JSON")
    args = ap.parse_args(argv)
    if not args.project and not args.generate:
        ap.error("give at least one --project DIR or --generate N")
    if args.original and shutil.which(args.node) is None:
        ap.error(f"--original needs node: `{args.node}` not found")
    try:
        ours_argv = tool_argv("ctl-db-ssot", args.cli_prefix)
        root = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="convex-ssot-compare-"))
        root.mkdir(parents=True, exist_ok=True)
        results = []
        try:
            sources = [(Path(p).resolve().name, Path(p).resolve()) for p in args.project]
            for n in args.generate:
                gen = root / f"gen-{n}"
                with contextlib.redirect_stdout(sys.stderr):
                    gen_project.main([str(gen), "--modules", str(n), "--force"])
                sources.append((f"gen_project --modules {n}", gen))
            for idx, (name, src) in enumerate(sources):
                work = root / f"run-{idx}"
                if work.exists():
                    shutil.rmtree(work)
                work.mkdir()
                results.append(bench(name, src, args, work, ours_argv))
        finally:
            if not args.workdir:
                shutil.rmtree(root, ignore_errors=True)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load average {_loadavg()}, {args.runs} rounds alternating")
    print()
    print(render(results, bool(args.original)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
