"""Agreement of the repo-prisma contract with Prisma's own engine on real schemas.

Usage::

    .venv/bin/python tests/conformance/measure_prisma_accuracy.py DIR [DIR ...]

Each DIR is one project's schema: a ``.prisma`` file, or a folder whose ``.prisma`` files
(recursively, path order) form one multi-file schema. For each, Prisma's ``validate`` +
``get_dmmf`` (prisma_dmmf.mjs) and our parser/emitter run on the same files; the script
prints per project the models, fields, enums and block indexes Prisma reports and how
many of them our contract gives identically (prisma_harness's comparable form), and the
totals. Nothing is written. Figures go to docs/accuracy.md ("Prisma schemas").
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import prisma_harness as ph  # noqa: E402


def _files(p: Path) -> list[tuple[str, str]]:
    if p.is_file():
        return [(p.name, p.read_text(encoding="utf-8"))]
    return [(f.relative_to(p).as_posix(), f.read_text(encoding="utf-8")) for f in sorted(p.rglob("*.prisma"))]


def _count(expected: dict, actual: dict) -> dict:
    out = {"models": [0, 0], "fields": [0, 0], "enums": [0, 0], "indexes": [0, 0], "keys": [0, 0]}
    for name, m in expected["models"].items():
        a = actual["models"].get(name)
        out["models"][1] += 1
        out["models"][0] += int(a is not None and not ph.differences(m, a))
        afields = {f["name"]: f for f in (a or {}).get("fields", [])}
        for f in m["fields"]:
            out["fields"][1] += 1
            out["fields"][0] += int(afields.get(f["name"]) == f)
        for i in m["indexes"]:
            out["indexes"][1] += 1
            out["indexes"][0] += int(a is not None and i in a["indexes"])
        out["keys"][1] += 1 + len(m["uniqueIndexes"])
        if a is not None:
            out["keys"][0] += int(a["primaryKey"] == m["primaryKey"]) + sum(1 for u in m["uniqueIndexes"] if u in a["uniqueIndexes"])
    for name, e in expected["enums"].items():
        out["enums"][1] += 1
        out["enums"][0] += int(actual["enums"].get(name) == e)
    return out


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv]
    cases = [_files(d) for d in dirs]
    verdicts = ph.run_prisma(cases)
    totals: dict = {}
    for d, files, v in zip(dirs, cases, verdicts):
        if not v["ok"]:
            print(f"{d.name}: Prisma rejects it ({v['error'].splitlines()[0][:120]})")
            continue
        doc = ph.ours(files)
        if isinstance(doc, Exception):
            print(f"{d.name}: WE REJECT what Prisma accepts: {doc}")
            totals.setdefault("rejected", 0)
            totals["rejected"] = totals["rejected"] + 1
            continue
        exp, act = ph.reduce_dmmf(v["datamodel"]), ph.reduce_ours(doc)
        c = _count(exp, act)
        diffs = ph.differences(exp, act)
        line = ", ".join(f"{k} {a}/{b}" for k, (a, b) in c.items())
        print(f"{d.name} ({len(files)} file{'s' if len(files) > 1 else ''}): {line}")
        for x in diffs[:5]:
            print(f"    {x}")
        for k, (a, b) in c.items():
            t = totals.setdefault(k, [0, 0])
            t[0] += a
            t[1] += b
    print("total: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in totals.items() if isinstance(v, list)) + (f", rejected by us {totals['rejected']}" if "rejected" in totals else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
