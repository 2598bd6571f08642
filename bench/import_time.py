#!/usr/bin/env python3
"""Start-up import time of convex-ssot, by module group, in fresh interpreters.

Each run is a new process of the given Python (``--python``, repeatable: several installs
are run alternately) importing, in the order a ``sync-to-context`` run needs them:

cli              convex_ssot.cli.db_ssot (click, the configuration), after what the console
                 scripts do first where the install has it (cli/entry.prepare: the collector
                 off, re's cache primed)
project+emit     convex_ssot.resolve.project, emit.functions_contract, emit.db_contract
                 (interpreter core, IR, package models, resolution)
validate         convex_ssot.validate and jsonschema_rs
parser           convex_ssot.parse.parser (Lark)
registry         convex_ssot.pipeline, resolve.incremental and the package registry of a run

and printing the wall time of each group (``time.perf_counter``; with ``--cpu``, the
process's CPU time, ``time.process_time``, steadier on a busy machine). Prints the median of
``--runs`` runs per group and install, in ms, as a markdown table. Measure a
non-editable install (``pip install .``): an editable install imports more slowly. The
start-up code cache (convex_ssot/code_cache.py: compiled dataclass methods and regular
expressions) is read from the cache directory of the environment
(``XDG_CACHE_HOME``/``CONVEX_SSOT_CACHE_DIR``); one ``ctl-db-ssot`` command run before
fills it, and a note on stderr says when a run found it lacking (an install from before
the cache prints nothing there and counts as warm). Standard library only.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

GROUPS = ("cli", "project+emit", "validate", "parser", "registry")

_PROBE = """
import time
clock = time.{clock}
r = []
t = clock()
try:  # what the console scripts do first (session 7)
    from convex_ssot.cli.entry import prepare
    prepare()
except ImportError:
    pass
import convex_ssot.cli.db_ssot; r.append(clock() - t)
t = clock(); import convex_ssot.resolve.project, convex_ssot.emit.functions_contract, convex_ssot.emit.db_contract; r.append(clock() - t)
t = clock(); import convex_ssot.validate, jsonschema_rs; r.append(clock() - t)
t = clock(); import convex_ssot.parse.parser; r.append(clock() - t)
t = clock(); import convex_ssot.pipeline, convex_ssot.resolve.incremental
from convex_ssot.packages import default_registry; default_registry(); r.append(clock() - t)
try:
    from convex_ssot.code_cache import _missed
except ImportError:  # an install from before code_cache.py: its dataclass code cache
    from convex_ssot.dataclass_cache import _missed
print(" ".join(repr(x) for x in r), len(_missed))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", action="append", help="interpreter of an install (repeatable; default: this one)")
    ap.add_argument("--runs", type=int, default=9, help="runs per install (default 9)")
    ap.add_argument("--cpu", action="store_true", help="CPU time (process_time) instead of wall time")
    args = ap.parse_args(argv)
    pythons = args.python or [sys.executable]
    times: dict[str, list[list[float]]] = {p: [] for p in pythons}
    cold = dict.fromkeys(pythons, 0)  # runs in which a module compiled what the start-up code cache lacked
    for i in range(args.runs):
        for p in pythons if i % 2 == 0 else pythons[::-1]:
            probe = _PROBE.replace("{clock}", "process_time" if args.cpu else "perf_counter")
            out = subprocess.run([p, "-c", probe], capture_output=True, text=True, check=True, cwd="/")
            *groups, missed = out.stdout.split()
            times[p].append([float(x) * 1000 for x in groups])
            cold[p] += int(missed) > 0
    print("| install | " + " | ".join(GROUPS) + " | total |")
    print("|---|" + "---:|" * (len(GROUPS) + 1))
    for p, rows in times.items():
        med = [statistics.median(col) for col in zip(*rows)]
        total = statistics.median(sum(r) for r in rows)
        print(f"| {p} | " + " | ".join(f"{m:.1f}" for m in med) + f" | {total:.1f} |")
    for p, n in cold.items():
        if n:
            print(f"note: {p}: in {n} of {args.runs} runs the start-up code cache lacked entries "
                  "(compiled dataclass methods or regular expressions): run one ctl-db-ssot command first", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
