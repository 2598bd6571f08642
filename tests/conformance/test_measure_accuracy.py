"""The counts measure_accuracy.py adds beside the four shares: args and returns shares over
functions present in both, and functions missing without a diagnostic (docs/accuracy.md).

The oracle output and contracts below are small synthetic documents written for this test."""

from __future__ import annotations

import io

import measure_accuracy as ma

NUM = {"type": "number"}
STR = {"type": "string"}
NULL = {"type": "null"}


def _oracle_fn(fid, kind="query", args=None, returns=None, visibility="public"):
    return {"functionId": fid, "kind": kind, "visibility": None if kind == "httpAction" else {"kind": visibility},
            "args": args if args is not None else {"type": "object", "value": {}}, "returns": returns}


def _our_fn(fid, kind="query", args=None, returns=None, visibility="public"):
    module = fid.split(":")[0]
    return {"functionId": fid, "kind": kind, "visibility": None if kind == "httpAction" else {"kind": visibility},
            "file": f"convex/{module}.ts", "modulePath": module,
            "argsValidator": {"validator": args if args is not None else {"type": "object", "value": {}}, "raw": ""},
            "returnsValidator": {"validator": returns, "raw": ""} if returns is not None else None}


def _diag(file, message, code="CSX243"):
    return {"file": file, "line": 3, "column": 1, "code": code, "severity": "warning", "message": message}


N_ARGS = {"type": "object", "value": {"n": {"fieldType": NUM, "optional": False}}}

ORACLE = {
    "convexVersion": "1.31.0",
    "schema": None,
    "schemaError": "not scored here",
    "moduleErrors": [{"module": "bad", "error": "threw at import"}],
    "functions": [
        _oracle_fn("notes:list", args=N_ARGS, returns=NULL),           # equal in ours
        _oracle_fn("notes:add", kind="mutation", args=N_ARGS, returns=NULL),  # ours: args differ
        _oracle_fn("notes:get", args=N_ARGS, returns=STR),              # ours: returns differ
        _oracle_fn("http:hook", kind="httpAction"),                     # present, no args/returns
        _oracle_fn("a/b:gone"),       # missing, a diagnostic in a/b.ts names `gone`
        _oracle_fn("a/b:other"),      # missing, a diagnostic only in its file
        _oracle_fn("c:lost"),         # missing, nothing names c.ts (`lostAll` in cc.ts does not count)
        _oracle_fn("d:fromDb"),       # missing, named by a diagnostic of the DB contract
        _oracle_fn("bad:f"),          # module Convex could not load: not scored
    ],
}

FUNCTIONS = {
    "functions": [
        _our_fn("notes:list", args=N_ARGS, returns=NULL),
        _our_fn("notes:add", kind="mutation", args={"type": "any"}, returns=NULL),
        _our_fn("notes:get", args=N_ARGS, returns=NUM),
        _our_fn("http:hook", kind="httpAction"),
        _our_fn("extra:x"),
    ],
    "diagnostics": [
        _diag("convex/a/b.ts", "`gone` is built by a package function the tool does not model"),
        _diag("convex/cc.ts", "`lostAll` and lost things", code="CSX200"),
    ],
}

DB = {"tables": [], "diagnostics": [_diag("convex/d.tsx", "export fromDb may be a Convex function")]}


def test_args_and_returns_shares_count_functions_present_in_both():
    res = ma.compare(ORACLE, DB, FUNCTIONS)
    assert res["shares"]["functions"] == {"match": 2, "total": 8, "share": 0.25}
    assert res["shares"]["args"] == {"match": 2, "total": 3, "share": round(2 / 3, 4)}
    assert res["shares"]["returns"] == {"match": 2, "total": 3, "share": round(2 / 3, 4)}


def test_missing_functions_are_split_by_the_diagnostics_that_name_them():
    res = ma.compare(ORACLE, DB, FUNCTIONS)
    assert res["missingDiagnosed"] == {"export": 2, "file": 1, "none": 1}
    assert res["missingWithoutDiagnostic"] == 1
    by_id = {m["functionId"]: m.get("diagnosed") for m in res["misses"]["functions"]}
    assert by_id["a/b:gone"] == "export"
    assert by_id["a/b:other"] == "file"
    assert by_id["c:lost"] == "none"
    assert by_id["d:fromDb"] == "export"
    assert "bad:f" not in by_id
    assert res["extrasTotal"] == 1


def test_missing_diagnosis_matches_whole_module_paths_and_words():
    diags = [_diag("pkg/convex/x/y.ts", "cannot list `run`"), _diag("pkg/convex/xx/y.ts", "cannot list `walk`")]
    dirs = ma.convex_dir_prefixes({"functions": [{"file": "pkg/convex/notes.ts", "modulePath": "notes"}]})
    assert dirs == {"pkg/convex/"}
    assert ma.missing_diagnosis("x/y:run", diags, dirs) == "export"
    assert ma.missing_diagnosis("x/y:runner", diags, dirs) == "file"
    assert ma.missing_diagnosis("y:walk", diags, dirs) == "none"  # pkg/convex/xx/y.ts is module xx/y, not y
    assert ma.missing_diagnosis("xx/y:walk", diags, dirs) == "export"
    # without a known Convex directory, a path suffix decides
    assert ma.missing_diagnosis("y:walk", diags) == "export"


def test_report_and_summary_print_the_new_counts(tmp_path):
    res = ma.compare(ORACLE, DB, FUNCTIONS)
    res["name"] = "synthetic"
    out = io.StringIO()
    ma.report("synthetic", res, 10, out=out)
    text = out.getvalue()
    assert "args       2/3 (66.7%)   returns 2/3 (66.7%)" in text
    assert "functions missing: 4; without a diagnostic: 1 (named by export: 2, by file only: 1)" in text
    path = tmp_path / "r.json"
    import json

    path.write_text(json.dumps(res))
    out = io.StringIO()
    ma.summary([str(path)], out=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "| project | tables | fields | indexes | functions |"
    assert "| synthetic | 2/3 (66.7%) | 2/3 (66.7%) | 4 | 1 | 1 |" in lines
    assert "| **all** | 2/3 (66.7%) | 2/3 (66.7%) | 4 | 1 | 1 |" in lines
