#!/usr/bin/env python3
"""Measure how much of a Convex project convex-ssot reads exactly as Convex itself does.

Compares the conformance oracle's output (``export_project.mjs``: what the real ``convex``
package reports) with convex-ssot's two contracts for the same project, entry by entry:

- **tables**: the set of table names;
- **fields**: per table, per declared field of Convex's ``documentType``: our column's
  ``{"fieldType": validator, "optional": optional}`` must equal Convex's field entry exactly.
  For a table whose ``documentType`` is a union of objects, Convex's fields are merged with
  the rule our DB contract documents (docs/contracts.md §2.3: first-seen order, optional
  unless every member requires it, the validator when all members agree, else the union of
  the distinct validators); ``v.any()``/``v.record()`` tables have no declared fields. The
  whole ``documentType`` is also compared per table (reported, not part of the four shares);
- **indexes**: per table, by name: kind (db/search/vector), fields / searchField /
  vectorField / dimensions / filterFields and staged must all be equal;
- **functions**: by ``functionId``: kind, visibility, args JSON and returns JSON must all be
  equal (``argsValidator: null`` stands for Convex's ``{"type": "any"}``); HTTP actions are
  compared by id and kind only.

Denominators are Convex's entries. Excluded from them is only what Convex itself could not
load: with a ``schemaError`` the schema is not scored at all; functions of a module listed in
``moduleErrors`` (or the single export named by a per-export error) are not scored, and our
functions in those modules are not counted as extras. Entries we report that Convex does not
are listed as extras (false positives), outside the shares.

Also reported, beside the four shares:

- **args** and **returns**: over the functions present in both (HTTP actions left out, since
  they have neither), the share whose args JSON, respectively returns JSON, is equal;
- **missing without a diagnostic**: Convex functions absent from our contract whose module
  file no diagnostic of either contract names (``missingDiagnosed`` splits the missing
  functions into ``export`` — a diagnostic in the module's file names the export —, ``file``
  — a diagnostic is in the module's file but does not name the export — and ``none``).

Usage::

    # contracts already written (or derived elsewhere)
    measure_accuracy.py --oracle oracle.json --db schema.json --functions functions.json
    # derive in memory from a checkout (writes nothing into it)
    measure_accuracy.py --oracle oracle.json --derive ROOT --schema-rel convex/schema.ts
    # aggregate several --json results into one table
    measure_accuracy.py --summary a.json b.json ...

``--json OUT`` writes the full result (shares, every miss with its hint); ``--name``
labels the project. Without ``--json`` a readable report goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ANY = {"type": "any"}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def first_diff(ours, theirs, path="$"):
    """Path of the first place two JSON values differ, with both sides there.

    Stops at a validator that is ``v.any()`` on one side only, so the hint names the whole
    validator we could not resolve rather than its ``type`` key."""
    if (ours == ANY) != (theirs == ANY):
        return path, ours, theirs
    if type(ours) is not type(theirs):
        return path, ours, theirs
    if isinstance(ours, dict):
        for k in list(theirs) + [k for k in ours if k not in theirs]:
            if k not in ours or k not in theirs:
                return f"{path}.{k}", ours.get(k, "<absent>"), theirs.get(k, "<absent>")
            if ours[k] != theirs[k]:
                return first_diff(ours[k], theirs[k], f"{path}.{k}")
        if list(ours) != list(theirs):
            # same keys, different order: Convex's JSON carries source order
            return f"{path}<key order>", list(ours), list(theirs)
        return None
    if isinstance(ours, list):
        if len(ours) != len(theirs):
            return f"{path}<len {len(ours)} vs {len(theirs)}>", ours, theirs
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if a != b:
                return first_diff(a, b, f"{path}[{i}]")
        return None
    return (path, ours, theirs) if ours != theirs else None


def short(value, limit=160):
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def hint_for(ours, theirs):
    """A one-line description of how our JSON differs from Convex's."""
    d = first_diff(ours, theirs)
    if d is None:
        return "equal"
    path, a, b = d
    if a == ANY and b != ANY:
        what = "ours v.any()"
    elif b == ANY and a != ANY:
        what = "convex v.any()"
    elif path.endswith("<key order>"):
        what = "key order"
    elif path.endswith(".optional"):
        what = "optional flag"
    elif isinstance(a, str) and a == "<absent>":
        what = "key missing in ours"
    elif isinstance(b, str) and b == "<absent>":
        what = "extra key in ours"
    else:
        what = "value"
    return f"{what} at {path}: ours={short(a, 100)} convex={short(b, 100)}"


def convex_fields(doc):
    """Declared fields of a documentType as {name: {"fieldType", "optional"}} (contracts.md §2.3)."""
    if not isinstance(doc, dict):
        return {}
    if doc.get("type") == "object":
        return dict(doc.get("value") or {})
    if doc.get("type") == "union" and doc.get("value") and all(m.get("type") == "object" for m in doc["value"]):
        members = [m.get("value") or {} for m in doc["value"]]
        order: list[str] = []
        for m in members:
            for k in m:
                if k not in order:
                    order.append(k)
        out = {}
        for k in order:
            present = [m[k] for m in members if k in m]
            optional = not (len(present) == len(members) and all(not e.get("optional") for e in present))
            distinct: list = []
            for e in present:
                if e["fieldType"] not in distinct:
                    distinct.append(e["fieldType"])
            ftype = distinct[0] if len(distinct) == 1 else {"type": "union", "value": distinct}
            out[k] = {"fieldType": ftype, "optional": optional}
        return out
    return {}


def convex_indexes(table):
    out = {}
    for key, kind, staged in (
        ("indexes", "index", False),
        ("stagedDbIndexes", "index", True),
        ("searchIndexes", "search", False),
        ("stagedSearchIndexes", "search", True),
        ("vectorIndexes", "vector", False),
        ("stagedVectorIndexes", "vector", True),
    ):
        for ix in table.get(key) or []:
            e = {"type": kind, "name": ix["indexDescriptor"], "staged": staged}
            if kind == "index":
                e["fields"] = list(ix.get("fields") or [])
            elif kind == "search":
                e["searchField"] = ix.get("searchField")
                e["filterFields"] = list(ix.get("filterFields") or [])
            else:
                e["vectorField"] = ix.get("vectorField")
                e["dimensions"] = ix.get("dimensions")
                e["filterFields"] = list(ix.get("filterFields") or [])
            out[e["name"]] = e
    return out


def our_index(ix):
    e = {"type": ix.get("type"), "name": ix.get("name"), "staged": bool(ix.get("staged"))}
    if e["type"] == "index":
        e["fields"] = list(ix.get("fields") or [])
    elif e["type"] == "search":
        e["searchField"] = ix.get("searchField")
        e["filterFields"] = list(ix.get("filterFields") or [])
    elif e["type"] == "vector":
        e["vectorField"] = ix.get("vectorField")
        e["dimensions"] = ix.get("dimensions")
        e["filterFields"] = list(ix.get("filterFields") or [])
    return e


def our_function(fn):
    kind = fn.get("kind")
    if kind == "httpAction":
        return {"kind": kind, "visibility": None, "args": None, "returns": None}
    args = fn.get("argsValidator")
    returns = fn.get("returnsValidator")
    return {
        "kind": kind,
        "visibility": fn.get("visibility"),
        "args": args["validator"] if args else ANY,
        "returns": returns["validator"] if returns else None,
    }


_PER_EXPORT = re.compile(r"^([^\s:]+):([A-Za-z_$][\w$]*): ")


def excluded_by_module_errors(oracle):
    """(modules Convex could not load, functionIds whose export could not be read)."""
    modules, ids = set(), set()
    for err in oracle.get("moduleErrors") or []:
        m = _PER_EXPORT.match(err.get("error") or "")
        if m and m.group(1) == err.get("module"):
            ids.add(f"{m.group(1)}:{m.group(2)}")
        else:
            modules.add(err.get("module"))
    return modules, ids


def diag_index(contract):
    by_file: dict[str, list] = {}
    for d in (contract or {}).get("diagnostics") or []:
        by_file.setdefault(d.get("file"), []).append(d)
    return by_file


def _strip_ext(path):
    stem, dot, ext = path.rpartition(".")
    return stem if dot and "/" not in ext else path


def convex_dir_prefixes(fc):
    """Repository-relative Convex directories (``"pkg/convex/"``) seen in a function contract:
    each function's ``file`` without its ``modulePath`` and extension."""
    out = set()
    for f in (fc or {}).get("functions") or []:
        stem, module = _strip_ext(f.get("file") or ""), f.get("modulePath") or ""
        if module and stem.endswith(module):
            out.add(stem[: len(stem) - len(module)])
    return out


def missing_diagnosis(function_id, diagnostics, convex_dirs=()):
    """How the contracts' diagnostics account for a function missing from our contract.

    ``function_id`` is ``module/path:exportName``; ``diagnostics`` are diagnostic objects
    (``file`` repository-relative); ``convex_dirs`` are the Convex directories as
    :func:`convex_dir_prefixes` gives them (empty: any file whose path without extension
    ends with ``/module/path`` counts as the module's). Returns ``"export"`` when a
    diagnostic in the module's file names the export as a whole word in its message,
    ``"file"`` when a diagnostic is only in that file, else ``"none"`` (the function is
    missing silently)."""
    module, _, export = function_id.rpartition(":")
    word = re.compile(r"(?<![\w$])" + re.escape(export) + r"(?![\w$])")
    found = "none"
    for d in diagnostics:
        stem = _strip_ext(d.get("file") or "")
        if (any(stem == prefix + module for prefix in convex_dirs) if convex_dirs
                else stem == module or stem.endswith("/" + module)):
            if word.search(d.get("message") or ""):
                return "export"
            found = "file"
    return found


def diags_for(by_file, file, limit=3):
    return [f"{d['file']}:{d['line']} {d['code']} {d['message'][:200]}" for d in by_file.get(file, [])[:limit]]


# ---------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------


def share(ok, total):
    return {"match": ok, "total": total, "share": (round(ok / total, 4) if total else None)}


def compare(oracle, db, fc):
    res = {"misses": {"tables": [], "fields": [], "indexes": [], "functions": []},
           "extras": {"tables": [], "fields": [], "indexes": [], "functions": []}}
    res["oracle"] = {
        "convexVersion": oracle.get("convexVersion"),
        "schemaError": oracle.get("schemaError"),
        "stubbedPackages": oracle.get("stubbedPackages") or [],
        "moduleErrors": oracle.get("moduleErrors") or [],
    }
    db_diags = diag_index(db)
    fn_diags = diag_index(fc)

    # ---- schema -------------------------------------------------------
    ours_tables = {t["name"]: t for t in (db or {}).get("tables") or []}
    schema = oracle.get("schema")
    counts = {k: [0, 0] for k in ("tables", "fields", "indexes", "functions")}
    doc_equal = [0, 0]
    if schema is not None:
        theirs_tables = {t["tableName"]: t for t in schema.get("tables") or []}
        for name, t in theirs_tables.items():
            counts["tables"][1] += 1
            ours = ours_tables.get(name)
            if ours is not None:
                counts["tables"][0] += 1
            else:
                res["misses"]["tables"].append({"table": name, "hint": "table missing in ours"})
            # fields
            tf = convex_fields(t.get("documentType"))
            of = {}
            if ours is not None:
                of = {c["name"]: c for c in ours.get("columns") or [] if c.get("default") != "system"}
                doc_equal[1] += 1
                if ours.get("documentType") == t.get("documentType"):
                    doc_equal[0] += 1
            for fname, entry in tf.items():
                counts["fields"][1] += 1
                col = of.get(fname)
                if ours is None:
                    res["misses"]["fields"].append({"table": name, "field": fname, "hint": "table missing in ours"})
                    continue
                if col is None:
                    res["misses"]["fields"].append({"table": name, "field": fname, "hint": "field missing in ours",
                                                    "convex": entry})
                    continue
                mine = {"fieldType": col.get("validator"), "optional": bool(col.get("optional"))}
                if mine == entry:
                    counts["fields"][0] += 1
                else:
                    res["misses"]["fields"].append({"table": name, "field": fname, "hint": hint_for(mine, entry),
                                                    "raw": col.get("rawValidator"), "ours": mine, "convex": entry})
            for fname in of:
                if ours is not None and fname not in tf:
                    res["extras"]["fields"].append({"table": name, "field": fname, "raw": of[fname].get("rawValidator")})
            # indexes
            ti = convex_indexes(t)
            oi = {ix["name"]: our_index(ix) for ix in (ours or {}).get("indexes") or []}
            for iname, e in ti.items():
                counts["indexes"][1] += 1
                mine = oi.get(iname)
                if ours is None:
                    res["misses"]["indexes"].append({"table": name, "index": iname, "hint": "table missing in ours"})
                elif mine is None:
                    res["misses"]["indexes"].append({"table": name, "index": iname, "hint": "index missing in ours", "convex": e})
                elif mine == e:
                    counts["indexes"][0] += 1
                else:
                    res["misses"]["indexes"].append({"table": name, "index": iname, "hint": hint_for(mine, e), "ours": mine, "convex": e})
            for iname in oi:
                if ours is not None and iname not in ti:
                    res["extras"]["indexes"].append({"table": name, "index": iname})
        for name in ours_tables:
            if name not in theirs_tables:
                res["extras"]["tables"].append({"table": name, "origin": ours_tables[name].get("origin")})
    res["schemaDiagnostics"] = sum(len(v) for v in db_diags.values())

    # ---- functions ----------------------------------------------------
    bad_modules, bad_ids = excluded_by_module_errors(oracle)
    res["excluded"] = {"modules": sorted(m for m in bad_modules if m is not None), "functionIds": sorted(bad_ids)}
    ours_fns = {f["functionId"]: f for f in (fc or {}).get("functions") or []}
    theirs_fns = {f["functionId"]: f for f in oracle.get("functions") or []}

    def excluded(fid):
        return fid.rsplit(":", 1)[0] in bad_modules or fid in bad_ids

    all_diags = list((db or {}).get("diagnostics") or []) + list((fc or {}).get("diagnostics") or [])
    arg_counts, ret_counts = [0, 0], [0, 0]
    diagnosed = {"export": 0, "file": 0, "none": 0}
    convex_dirs = convex_dir_prefixes(fc)

    for fid, t in theirs_fns.items():
        if excluded(fid):
            continue
        counts["functions"][1] += 1
        o = ours_fns.get(fid)
        if o is None:
            named = missing_diagnosis(fid, all_diags, convex_dirs)
            diagnosed[named] += 1
            res["misses"]["functions"].append({"functionId": fid, "hint": "function missing in ours", "kind": t["kind"],
                                               "diagnosed": named})
            continue
        mine = our_function(o)
        if t["kind"] != "httpAction":
            arg_counts[1] += 1
            ret_counts[1] += 1
            arg_counts[0] += mine["args"] == t["args"]
            ret_counts[0] += mine["returns"] == t["returns"]
        entry = {"functionId": fid, "file": o.get("file"), "constructorChain": o.get("constructorChain")}
        if t["kind"] == "httpAction":
            if mine["kind"] == "httpAction":
                counts["functions"][0] += 1
            else:
                res["misses"]["functions"].append({**entry, "hint": f"kind: ours={mine['kind']} convex=httpAction"})
            continue
        theirs = {"kind": t["kind"], "visibility": t["visibility"], "args": t["args"], "returns": t["returns"]}
        if mine == theirs:
            counts["functions"][0] += 1
            continue
        parts = [key for key in ("kind", "visibility", "args", "returns") if mine[key] != theirs[key]]
        entry["differs"] = parts
        if mine["kind"] != theirs["kind"] or mine["visibility"] != theirs["visibility"]:
            entry["hint"] = f"kind/visibility: ours={mine['kind']}/{mine['visibility']} convex={theirs['kind']}/{theirs['visibility']}"
        else:
            key = parts[0]
            entry["hint"] = f"{key}: " + hint_for(mine[key], theirs[key])
        entry["argsRaw"] = ((o.get("argsValidator") or {}).get("raw") or "")[:300]
        entry["returnsRaw"] = ((o.get("returnsValidator") or {}).get("raw") or "")[:300]
        entry["ours"] = {k: mine[k] for k in parts}
        entry["convex"] = {k: theirs[k] for k in parts}
        entry["diagnostics"] = diags_for(fn_diags, o.get("file"))
        res["misses"]["functions"].append(entry)
    for fid, o in ours_fns.items():
        if fid not in theirs_fns and not excluded(fid):
            res["extras"]["functions"].append({"functionId": fid, "file": o.get("file"), "kind": o.get("kind"),
                                               "constructorChain": o.get("constructorChain")})
    res["functionDiagnostics"] = sum(len(v) for v in fn_diags.values())
    res["shares"] = {k: share(*v) for k, v in counts.items()}
    res["shares"]["args"] = share(*arg_counts)
    res["shares"]["returns"] = share(*ret_counts)
    res["missingDiagnosed"] = diagnosed
    res["missingWithoutDiagnostic"] = diagnosed["none"]
    res["extrasTotal"] = sum(len(v) for v in res["extras"].values())
    if schema is None:
        for k in ("tables", "fields", "indexes"):
            res["shares"][k] = {"match": None, "total": None, "share": None, "excluded": "schemaError"}
    res["documentTypeEqual"] = share(*doc_equal)
    return res


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------


def fmt_share(s):
    if s.get("total") is None:
        return "n/a"
    if not s["total"]:
        return "-/0"
    return f"{s['match']}/{s['total']} ({100 * s['share']:.1f}%)"


def report(name, res, max_misses, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"== {name}")
    o = res["oracle"]
    p(f"convex {o['convexVersion']}; stubbed packages: {', '.join(o['stubbedPackages']) or 'none'}; "
      f"moduleErrors: {len(o['moduleErrors'])}; schemaError: {o['schemaError'] or 'none'}")
    if res["excluded"]["modules"] or res["excluded"]["functionIds"]:
        p(f"excluded (Convex could not load): modules {res['excluded']['modules']}, exports {res['excluded']['functionIds']}")
    for k in ("tables", "fields", "indexes", "functions"):
        p(f"  {k:<10} {fmt_share(res['shares'][k])}   extras in ours: {len(res['extras'][k])}")
    p(f"  documentType equal: {fmt_share(res['documentTypeEqual'])}")
    p(f"  args       {fmt_share(res['shares']['args'])}   returns {fmt_share(res['shares']['returns'])}"
      "   (functions present in both, HTTP actions left out)")
    md = res["missingDiagnosed"]
    p(f"  functions missing: {sum(md.values())}; without a diagnostic: {md['none']}"
      f" (named by export: {md['export']}, by file only: {md['file']})")
    for k in ("tables", "fields", "indexes", "functions"):
        misses = res["misses"][k]
        if not misses:
            continue
        p(f"-- {k} misses ({len(misses)})")
        for m in misses[:max_misses]:
            label = m.get("functionId") or ".".join(str(m[x]) for x in ("table", "field", "index") if x in m)
            extra = f"  raw={m['raw']!r}" if m.get("raw") else ""
            if m.get("diagnosed"):
                extra += f"  [diagnostic: {m['diagnosed']}]"
            p(f"   {label}: {m['hint']}{extra}")
        if len(misses) > max_misses:
            p(f"   ... {len(misses) - max_misses} more")
    for k in ("tables", "fields", "indexes", "functions"):
        ex = res["extras"][k]
        if ex:
            labels = [e.get("functionId") or ".".join(str(e[x]) for x in ("table", "field", "index") if x in e) for e in ex]
            p(f"-- {k} extras ({len(ex)}): {', '.join(labels[:max_misses])}{' ...' if len(ex) > max_misses else ''}")


def summary(paths, out=sys.stdout):
    rows = []
    tot = {k: [0, 0] for k in ("tables", "fields", "indexes", "functions")}
    for path in paths:
        r = json.loads(Path(path).read_text())
        rows.append(r)
        for k in tot:
            s = r["shares"][k]
            if s.get("total"):
                tot[k][0] += s["match"]
                tot[k][1] += s["total"]
    print("| project | tables | fields | indexes | functions |", file=out)
    print("|---|---|---|---|---|", file=out)
    for r in rows:
        cells = [fmt_share(r["shares"][k]) for k in ("tables", "fields", "indexes", "functions")]
        print(f"| {r.get('name')} | " + " | ".join(cells) + " |", file=out)
    cells = [fmt_share(share(*tot[k])) for k in tot]
    print("| **all** | " + " | ".join(cells) + " |", file=out)
    print(file=out)
    extended_summary(rows, out)


def extended_summary(rows, out=sys.stdout):
    """Second table of --summary: args, returns, missing functions, extras (results that
    predate these keys show "?")."""
    tot = {"args": [0, 0], "returns": [0, 0]}
    missing = silent = extras = 0
    print("| project | args | returns | functions missing | missing without diagnostic | extras |", file=out)
    print("|---|---|---|---|---|---|", file=out)
    for r in rows:
        cells = []
        for k in ("args", "returns"):
            s = r["shares"].get(k)
            cells.append(fmt_share(s) if s else "?")
            if s and s.get("total"):
                tot[k][0] += s["match"]
                tot[k][1] += s["total"]
        md = r.get("missingDiagnosed")
        ex = r.get("extrasTotal")
        if md is not None:
            missing += sum(md.values())
            silent += md["none"]
        if ex is not None:
            extras += ex
        cells += [str(sum(md.values())) if md else ("0" if md is not None else "?"),
                  str(md["none"]) if md is not None else "?", str(ex) if ex is not None else "?"]
        print(f"| {r.get('name')} | " + " | ".join(cells) + " |", file=out)
    cells = [fmt_share(share(*tot[k])) for k in tot] + [str(missing), str(silent), str(extras)]
    print("| **all** | " + " | ".join(cells) + " |", file=out)


def derive_contracts(root, schema_rel):
    from convex_ssot.config import Config
    from convex_ssot.pipeline import derive

    cfg = Config(repo_root=Path(root).resolve(), mode="convex", mode_source="config",
                 config_path="docs/project/db-ssot.json", config_exists=False, schema_rel=schema_rel)
    d = derive(cfg, use_cache=False)
    return d.db, d.functions


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--oracle", help="JSON printed by export_project.mjs")
    ap.add_argument("--db", help="our DB contract (docs/context/db/schema.json)")
    ap.add_argument("--functions", help="our function contract (docs/context/convex/functions.json)")
    ap.add_argument("--derive", metavar="ROOT", help="derive both contracts in memory from this repository root")
    ap.add_argument("--schema-rel", default="convex/schema.ts", help="schema path relative to ROOT (with --derive)")
    ap.add_argument("--name", default=None)
    ap.add_argument("--json", help="write the full result here")
    ap.add_argument("--max-misses", type=int, default=40)
    ap.add_argument("--summary", nargs="+", metavar="RESULT", help="aggregate --json results into a table")
    a = ap.parse_args(argv)
    if a.summary:
        summary(a.summary)
        return 0
    if not a.oracle or not (a.derive or (a.db and a.functions)):
        ap.error("--oracle and either --derive or --db/--functions are required")
    oracle = json.loads(Path(a.oracle).read_text())
    if a.derive:
        db, fc = derive_contracts(a.derive, a.schema_rel)
    else:
        db = json.loads(Path(a.db).read_text())
        fc = json.loads(Path(a.functions).read_text())
    res = compare(oracle, db, fc)
    res["name"] = a.name or (a.derive or a.oracle)
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    report(res["name"], res, a.max_misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
