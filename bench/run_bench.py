#!/usr/bin/env python3
"""Whole-process benchmark of the convex-ssot CLI on generated Convex projects.

For a 3-file project (schema + 2 modules) and each --sizes module count
(default 30, 350, 2000), generate a project with bench/gen_project.py, then
time, as a subprocess (wall clock, including interpreter start-up):

    ctl-db-ssot sync-to-context --repo-root DIR
    ctl-convex verify --repo-root DIR [--strict]

in two conditions:

cold  every run gets a fresh, empty CONVEX_SSOT_CACHE_DIR, and the files the
      first sync wrote into the project (the contracts) are removed before each
      sync, so nothing from a previous run can be reused;
warm  one CONVEX_SSOT_CACHE_DIR for the series, primed by one untimed run of the
      same command; the contracts stay in place.

Each series is K runs (--runs, default 5); best and median wall time and the
child's peak RSS (os.wait4 rusage) are reported as a markdown table on stdout.
Progress goes to stderr. The exit status is non-zero only when a command cannot
be run or fails (its stderr is printed); missed targets are only reported.

Python 3.10+, standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_project  # noqa: E402  (sibling module)

CACHE_ENV = "CONVEX_SSOT_CACHE_DIR"
# console script -> module that holds main(); see [project.scripts] in pyproject.toml
TOOLS = {"ctl-db-ssot": "convex_ssot.cli.db_ssot", "ctl-convex": "convex_ssot.cli.convex"}
COMMANDS = [  # (label, tool, subcommand)
    ("sync-to-context", "ctl-db-ssot", "sync-to-context"),
    ("verify", "ctl-convex", "verify"),
]
TINY = "3-file"
TARGET_4MB_MODULES = 350
TARGETS = {  # (project, condition) -> median seconds
    (TINY, "cold"): 0.15,
    (TINY, "warm"): 0.15,
    (f"N={TARGET_4MB_MODULES}", "cold"): 0.30,
    (f"N={TARGET_4MB_MODULES}", "warm"): 0.15,
}


class BenchError(Exception):
    """A command could not be run or failed; message is user-facing."""


# ---------------------------------------------------------------------------
# Command lines
# ---------------------------------------------------------------------------


def tool_argv(tool: str, prefix: str | None) -> list[str]:
    """argv that runs `tool` (without its arguments).

    No prefix: the console script, from PATH or next to this Python interpreter.
    Prefix with {module} / {tool} placeholders: the prefix with them filled in,
    e.g. "python -m {module}" -> python -m convex_ssot.cli.db_ssot.
    Prefix without placeholders: prefix + tool, e.g. "uv run" -> uv run ctl-db-ssot.
    """
    if prefix is None:
        found = shutil.which(tool)
        if found is None:
            sibling = Path(sys.executable).parent / tool
            if sibling.is_file() and os.access(sibling, os.X_OK):
                found = str(sibling)
        if found is None:
            raise BenchError(
                f"command not found: `{tool}` is neither on PATH nor next to {sys.executable}.\n"
                "  Install convex-ssot into this environment (e.g. `pip install -e .`), or point the benchmark\n"
                "  at it with --cli-prefix, e.g. --cli-prefix 'python -m {module}' or --cli-prefix 'uv run'."
            )
        return [found]
    toks = shlex.split(prefix)
    if not toks:
        raise BenchError("--cli-prefix is empty")
    if any("{module}" in t or "{tool}" in t for t in toks):
        toks = [t.replace("{module}", TOOLS[tool]).replace("{tool}", tool) for t in toks]
    else:
        toks = toks + [tool]
    exe = toks[0]
    if shutil.which(exe) is None and not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        raise BenchError(f"command not found: `{exe}` (from --cli-prefix {prefix!r}) is not an executable on PATH")
    return toks


# ---------------------------------------------------------------------------
# Running one process
# ---------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    rss: int | None  # bytes
    rc: int
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu: float | None = None  # user + system seconds of the child and the descendants it waited for


def run_once(argv: list[str], env: dict[str, str], timeout: float | None) -> Run:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        timed_out = threading.Event()
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        except OSError as e:  # missing executable, permission, ...
            raise BenchError(f"cannot run `{shlex.join(argv)}`: {e}") from None
        timer = None
        if timeout:
            def _kill() -> None:
                timed_out.set()
                p.kill()
            timer = threading.Timer(timeout, _kill)
            timer.start()
        try:
            if hasattr(os, "wait4"):
                # wait4 gives this child's own rusage (ru_maxrss = its peak RSS, including
                # descendants it waited for); RUSAGE_CHILDREN deltas cannot express a max.
                _, status, ru = os.wait4(p.pid, 0)
                wall = time.perf_counter() - t0
                p.returncode = os.waitstatus_to_exitcode(status)
                rss = ru.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
                cpu = ru.ru_utime + ru.ru_stime
            else:  # pragma: no cover - Windows
                p.wait()
                wall = time.perf_counter() - t0
                rss = cpu = None
        except BaseException:  # interrupted: do not leave the child running
            if p.returncode is None:
                p.kill()
                p.wait()
            raise
        finally:
            if timer:
                timer.cancel()
        out.seek(0)
        err.seek(0)
        return Run(wall, rss, p.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), timed_out.is_set(), cpu)


def check(run: Run, argv: list[str], what: str) -> None:
    if run.timed_out:
        raise BenchError(f"{what}: `{shlex.join(argv)}` timed out after {run.wall:.1f} s\n{run.stderr.rstrip()}")
    if run.rc != 0:
        detail = run.stderr.rstrip() or run.stdout.rstrip() or "(no output)"
        raise BenchError(f"{what}: `{shlex.join(argv)}` exited with status {run.rc}; stderr:\n{detail}")


# ---------------------------------------------------------------------------
# Project bookkeeping
# ---------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            st = os.stat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return out


class Outputs:
    """Files a sync writes into the project, found by diffing the tree around the first sync."""

    def __init__(self, root: Path):
        self.root = root
        self.created: list[str] = []
        self.modified: list[str] = []
        # originals of the small non-source files a sync might legitimately rewrite
        self.originals: dict[str, bytes] = {}
        for rel in snapshot(root):
            if not rel.startswith("convex" + os.sep) and os.path.getsize(root / rel) < 1_000_000:
                self.originals[rel] = (root / rel).read_bytes()
        self.before: dict[str, tuple[int, int]] | None = None

    def begin_detect(self) -> None:
        self.before = snapshot(self.root)

    def end_detect(self) -> None:
        assert self.before is not None
        after = snapshot(self.root)
        self.created = sorted(set(after) - set(self.before))
        self.modified = sorted(k for k in self.before if k in after and after[k] != self.before[k])
        bad = [k for k in self.modified if k not in self.originals]
        if bad:
            print(f"  warning: sync modified project sources: {', '.join(bad[:5])}", file=sys.stderr)

    def reset(self) -> None:
        """Undo what the previous sync wrote (cold condition)."""
        for rel in self.created:
            try:
                (self.root / rel).unlink()
            except FileNotFoundError:
                pass
        for rel in self.modified:
            if rel in self.originals:
                (self.root / rel).write_bytes(self.originals[rel])


@dataclass
class Project:
    name: str
    modules: int
    tables: int
    extras: bool
    path: Path
    ts_files: int = 0
    ts_bytes: int = 0
    files: int = 0


@dataclass
class Row:
    project: str
    files: int
    mb: float
    command: str
    condition: str
    times: list[float]
    rss: list[int | None]
    best: float = 0.0
    median: float = 0.0
    mb_s: float = 0.0
    peak_mb: float | None = None

    def finish(self) -> "Row":
        self.best = min(self.times)
        self.median = statistics.median(self.times)
        self.mb_s = self.mb / self.median if self.median > 0 else 0.0
        known = [r for r in self.rss if r is not None]
        self.peak_mb = max(known) / 1e6 if known else None
        return self


# ---------------------------------------------------------------------------
# Benchmark
# ---------------------------------------------------------------------------


def bench_project(proj: Project, argvs: dict[str, list[str]], args: argparse.Namespace,
                  cache_root: Path) -> list[Row]:
    base_env = dict(os.environ)
    outputs = Outputs(proj.path)
    rows: dict[tuple[str, str], Row] = {}

    def cmd(label: str) -> list[str]:
        extra = ["--strict"] if (label == "verify" and args.strict) else []
        sub = dict((c[0], c[2]) for c in COMMANDS)[label]
        return argvs[label] + [sub, "--repo-root", str(proj.path)] + extra

    def timed(label: str, cond: str, cache: Path, what: str) -> None:
        argv = cmd(label)
        env = dict(base_env, **{CACHE_ENV: str(cache)})
        r = run_once(argv, env, args.timeout)
        check(r, argv, f"{proj.name} {label} ({what})")
        row = rows.setdefault((label, cond), Row(proj.name, proj.ts_files, proj.ts_bytes / 1e6, label, cond, [], []))
        row.times.append(r.wall)
        row.rss.append(r.rss)

    def fresh_cache(tag: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{tag}-", dir=cache_root))

    k = args.runs
    # cold sync: fresh cache, contracts removed
    for i in range(k):
        cache = fresh_cache("cold-sync")
        if i == 0:
            outputs.begin_detect()
        else:
            outputs.reset()
        timed("sync-to-context", "cold", cache, f"cold run {i + 1}/{k}")
        if i == 0:
            outputs.end_detect()
            wrote = outputs.created + [f"{m} (rewritten)" for m in outputs.modified]
            if wrote:
                print(f"  sync wrote: {', '.join(wrote)}", file=sys.stderr)
            else:
                print("  WARNING: the sync exited 0 but wrote nothing inside the project, so the cold runs cannot\n"
                      "  remove its contracts. Is the command right? (`python -m pkg.mod` silently does nothing\n"
                      "  when the module has no `if __name__ == \"__main__\":` block.)", file=sys.stderr)
        shutil.rmtree(cache, ignore_errors=True)
    # cold verify: fresh cache, contracts from the last sync in place
    for i in range(k):
        cache = fresh_cache("cold-verify")
        timed("verify", "cold", cache, f"cold run {i + 1}/{k}")
        shutil.rmtree(cache, ignore_errors=True)
    # warm: one primed cache per command
    for label in ("sync-to-context", "verify"):
        cache = fresh_cache(f"warm-{label}")
        argv = cmd(label)
        r = run_once(argv, dict(base_env, **{CACHE_ENV: str(cache)}), args.timeout)
        check(r, argv, f"{proj.name} {label} (warm priming run)")
        for i in range(k):
            timed(label, "warm", cache, f"warm run {i + 1}/{k}")
        shutil.rmtree(cache, ignore_errors=True)
    order = [("sync-to-context", "cold"), ("sync-to-context", "warm"), ("verify", "cold"), ("verify", "warm")]
    return [rows[key].finish() for key in order]


def render_table(rows: list[Row]) -> str:
    head = ["project", "files", "MB", "command", "condition", "best s", "median s", "MB/s", "peak MB"]
    body = []
    for r in rows:
        body.append([r.project, str(r.files), f"{r.mb:.2f}", r.command, r.condition, f"{r.best:.3f}",
                     f"{r.median:.3f}", f"{r.mb_s:.1f}", f"{r.peak_mb:.0f}" if r.peak_mb is not None else "n/a"])
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    right = {1, 2, 5, 6, 7, 8}

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), sep] + [line(b) for b in body])


def render_targets(rows: list[Row]) -> list[str]:
    out = []
    for r in rows:
        limit = TARGETS.get((r.project, r.condition))
        if limit is None:
            continue
        verdict = "ok" if r.median < limit else "MISSED"
        out.append(f"- {r.project} {r.command} {r.condition}: median {r.median:.3f} s "
                   f"(target < {limit:.2f} s) {verdict}")
    return out


def _loadavg() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def _on_sigterm(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # run the cleanup in main()'s finally


def parse_sizes(values: list[str]) -> list[int]:
    sizes: list[int] = []
    for v in values:
        for part in v.split(","):
            part = part.strip()
            if not part:
                continue
            n = int(part)
            if n < 1:
                raise argparse.ArgumentTypeError(f"module count must be >= 1: {part}")
            sizes.append(n)
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="See bench/README.md for what is measured and the targets.")
    ap.add_argument("--sizes", nargs="+", default=["30,350,2000"], metavar="N",
                    help="module counts to generate (space or comma separated; default 30,350,2000)")
    ap.add_argument("--no-tiny", dest="tiny", action="store_false",
                    help="skip the 3-file project (schema + 2 modules)")
    ap.add_argument("--runs", "-k", type=int, default=5, help="timed runs per command and condition (default 5)")
    ap.add_argument("--cli-prefix", default=None,
                    help="run the tools through this prefix. '{module}' / '{tool}' are replaced by the tool's "
                         "module / script name (e.g. 'python -m {module}'); without placeholders the script name "
                         "is appended (e.g. 'uv run'). Default: the ctl-db-ssot / ctl-convex scripts on PATH or "
                         "next to this Python.")
    ap.add_argument("--strict", action="store_true", help="pass --strict to `ctl-convex verify`")
    ap.add_argument("--keep", metavar="DIR", default=None,
                    help="generate the projects into DIR/<project> and keep them (and their contracts)")
    ap.add_argument("--tables", type=int, default=100, help="tables in the generated schemas (default 100)")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    ap.add_argument("--timeout", type=float, default=600.0, help="per-run timeout in seconds (default 600)")
    ap.add_argument("--json", metavar="FILE", default=None, help="also write all measurements as JSON")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        sizes = parse_sizes(args.sizes)
    except (ValueError, argparse.ArgumentTypeError) as e:
        ap.error(f"--sizes: {e}")
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    try:
        argvs = {label: tool_argv(tool, args.cli_prefix) for label, tool, _ in COMMANDS}
    except BenchError as e:
        print(f"run_bench: {e}", file=sys.stderr)
        return 2

    projects: list[Project] = []
    if args.tiny:
        projects.append(Project(TINY, 2, 8, False, Path()))
    projects += [Project(f"N={n}", n, args.tables, True, Path()) for n in sizes]

    work = Path(tempfile.mkdtemp(prefix="convex-ssot-bench-"))
    keep = Path(args.keep).resolve() if args.keep else None
    rows: list[Row] = []
    status = 0
    try:
        cache_root = work / "cache"
        cache_root.mkdir()
        print(f"# convex-ssot whole-process benchmark\n", flush=True)
        print(f"- sync: `{shlex.join(argvs['sync-to-context'])} sync-to-context --repo-root DIR`")
        print(f"- verify: `{shlex.join(argvs['verify'])} verify --repo-root DIR{' --strict' if args.strict else ''}`")
        print(f"- timed runs per row: {args.runs}; host: {platform.system()} {platform.machine()}, "
              f"{os.cpu_count()} CPUs, load average {_loadavg()}, Python {platform.python_version()} (harness)\n",
              flush=True)
        for proj in projects:
            slug = "tiny" if proj.name == TINY else f"n{proj.modules}"
            proj.path = (keep / slug) if keep else (work / "projects" / slug)
            t0 = time.perf_counter()
            print(f"[{proj.name}] generating into {proj.path} ...", file=sys.stderr, flush=True)
            st = gen_project.generate(proj.path, proj.modules, proj.tables, args.seed, proj.extras)
            proj.ts_files, proj.ts_bytes, proj.files = st.ts_files, st.ts_bytes, st.files
            print(f"[{proj.name}] {st.ts_files} TS files, {st.ts_bytes / 1e6:.2f} MB "
                  f"({time.perf_counter() - t0:.1f} s); timing ...", file=sys.stderr, flush=True)
            rows += bench_project(proj, argvs, args, cache_root)
            for r in rows[-4:]:
                print(f"[{proj.name}] {r.command:<15} {r.condition}: best {r.best:.3f} s, median {r.median:.3f} s",
                      file=sys.stderr, flush=True)
    except BenchError as e:
        print(f"run_bench: {e}", file=sys.stderr)
        status = 1
    except FileExistsError as e:
        print(f"run_bench: {e}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        print("run_bench: interrupted", file=sys.stderr)
        status = 130
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if rows:
        print(render_table(rows))
        print("\nMB = 10^6 bytes of TypeScript under convex/ (excluding _generated/); MB/s = MB / median s; "
              "peak MB = largest child max RSS over the timed runs.")
        tg = render_targets(rows)
        if tg:
            print("\nTargets (median, whole process; stated for a 2-core machine):")
            print("\n".join(tg))
    if args.json and rows:
        Path(args.json).write_text(json.dumps({
            "host": {"system": platform.system(), "machine": platform.machine(), "cpus": os.cpu_count(),
                     "python": platform.python_version()},
            "commands": {k: v for k, v in argvs.items()},
            "runs": args.runs,
            "strict": args.strict,
            "complete": status == 0,
            "rows": [asdict(r) for r in rows],
        }, indent=2) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
