"""Differential testing of convex-ssot against the real ``convex`` package.

For one project directory this module

* runs the Node oracle (``export_project.mjs``, which loads the project with the pinned
  ``convex`` 1.48.0 and prints what Convex itself reports),
* runs our pipeline in memory (``convex_ssot.pipeline.derive``) on the same directory,
* compares the two and returns a list of :class:`Diff` (empty = conformant).

What is compared (see docs/conformance.md):

* the table set and order (``schema.tables[].tableName``);
* per table: ``documentType`` (and ``stagedDocumentType`` when Convex reports one); the system columns; the declared columns (names, order,
  ``validator``, ``optional``) against ``documentType.value`` (object tables) or against the
  merge rule of docs/contracts.md §2.3 (tables whose document is a union of objects);
  the indexes, mapped onto Convex's six lists ``indexes`` / ``stagedDbIndexes`` /
  ``searchIndexes`` / ``stagedSearchIndexes`` / ``vectorIndexes`` / ``stagedVectorIndexes``;
* ``schemaValidation``;
* the function list (``functionId``; ``kind``; ``visibility`` except for HTTP actions,
  where Convex reports ``null`` and the contract has no such value); for every
  non-HTTP function ``argsValidator.validator`` (``{"type":"any"}`` when null) against
  ``exportArgs()``, the args ``fields`` (names, order, validators, optional flags) against
  the exported object's entries, and ``returnsValidator.validator`` (or null) against
  ``exportReturns()``.

JSON values are compared exactly: object key order is ignored, list order is not, and a
boolean never equals a number (Python's ``True == 1`` would hide a real difference).
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORACLE = HERE / "export_project.mjs"
FIXTURES = HERE / "fixtures"
NODE_MODULES = HERE / "node_modules"

SETUP_HINT = "install Node.js >= 20 and run `cd tests/conformance && npm ci` (see tests/conformance/README.md)"


# ---------------------------------------------------------------- running both sides


def node_executable() -> str:
    """Path of ``node``; raises RuntimeError with a setup hint when the oracle cannot run."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"`node` is not on PATH: the conformance tests need the Convex oracle; {SETUP_HINT}")
    if not (NODE_MODULES / "convex" / "package.json").is_file():
        raise RuntimeError(f"{NODE_MODULES}/convex is missing (the oracle's pinned packages are not installed); {SETUP_HINT}")
    return node


def run_oracle(convex_dir: Path, project_root: Path | None = None, timeout: int = 600) -> dict:
    """What Convex reports for ``convex_dir`` (the JSON the oracle prints)."""
    cmd = [node_executable(), str(ORACLE), str(convex_dir)]
    if project_root is not None:
        cmd += ["--project-root", str(project_root)]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"oracle failed (exit {proc.returncode}): {' '.join(cmd)}\n--- stderr\n{proc.stderr[-4000:]}")
    try:
        return json.loads(proc.stdout)
    except ValueError as exc:
        raise RuntimeError(f"oracle printed no JSON ({exc}): {' '.join(cmd)}\n--- stderr\n{proc.stderr[-4000:]}") from None


def run_ours(root: Path, use_cache: bool = False):
    """Our two contracts for the repository at ``root`` (in memory, nothing written to the
    project; by default without the module cache, i.e. the cold path every user hits first)."""
    from convex_ssot.config import load_config
    from convex_ssot.pipeline import derive

    return derive(load_config(root), use_cache=use_cache)


def copy_project(src: Path, dest: Path) -> Path:
    """Copy a fixture/example to ``dest`` (never run anything inside the checkout)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("node_modules", "_generated", "context"))
    return dest


# ---------------------------------------------------------------- exact JSON equality


def json_equal(a, b) -> bool:
    """Exact JSON equality: key order ignored, list order kept, bool is not a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == b
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def field_orders(ours, convex, path: str = "") -> list[tuple[str, list[str], list[str]]]:
    """Object validators (``{"type":"object","value":{...}}``) at the same place in two
    validators whose field order differs: ``[(path, ours_keys, convex_keys)]``. Field order
    is the JavaScript key order Convex sees (docs/contracts.md: columns, ``shape`` and args
    ``fields`` follow it), so it is checked even though key order is otherwise ignored."""
    out: list[tuple[str, list[str], list[str]]] = []
    if not (isinstance(ours, dict) and isinstance(convex, dict)) or ours.get("type") != convex.get("type"):
        return out
    t = convex.get("type")
    if t == "object" and isinstance(ours.get("value"), dict) and isinstance(convex.get("value"), dict):
        ok, ck = list(ours["value"]), list(convex["value"])
        if ok != ck and set(ok) == set(ck):
            out.append((path or "(top)", ok, ck))
        for k in ck:
            if k in ours["value"]:
                out += field_orders(ours["value"][k].get("fieldType"), convex["value"][k].get("fieldType"), f"{path}.{k}")
    elif t == "array":
        out += field_orders(ours.get("value"), convex.get("value"), f"{path}[]")
    elif t == "union" and isinstance(ours.get("value"), list) and len(ours["value"]) == len(convex.get("value") or []):
        for i, (a, b) in enumerate(zip(ours["value"], convex["value"])):
            out += field_orders(a, b, f"{path}|{i}")
    elif t == "record":
        out += field_orders((ours.get("values") or {}).get("fieldType"), (convex.get("values") or {}).get("fieldType"), f"{path}{{}}")
    return out


def _order_diffs(where: str, ours, convex) -> list["Diff"]:
    return [Diff(f"{where} / field order at {p}", o, c) for p, o, c in field_orders(ours, convex)]


# ---------------------------------------------------------------- differences


def _dumps(x, **kw) -> str:
    """JSON text for messages; lone surrogates (a bug class of their own) are shown as ``\\udXXX``."""
    text = json.dumps(x, ensure_ascii=False, **kw)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class Diff:
    where: str  # e.g. "table messages / column body / validator"
    ours: object
    convex: object

    def render(self) -> str:
        o = _dumps(self.ours)
        c = _dumps(self.convex)
        long = len(o) > 160 or len(c) > 160
        short = lambda t: t if len(t) <= 160 else t[:157] + "..."  # noqa: E731
        lines = [f"* {self.where}", f"    ours:   {short(o)}", f"    convex: {short(c)}"]
        if long:
            ol = _dumps(self.ours, indent=2, sort_keys=True).splitlines()
            cl = _dumps(self.convex, indent=2, sort_keys=True).splitlines()
            udiff = list(difflib.unified_diff(cl, ol, "convex", "ours", n=2, lineterm=""))
            if len(udiff) > 80:
                udiff = udiff[:80] + [f"... ({len(udiff) - 80} more diff lines)"]
            lines += ["    " + ln for ln in udiff]
        return "\n".join(lines)


def report(title: str, diffs: list[Diff], extra: str = "") -> str:
    head = f"{title}: {len(diffs)} difference(s) between convex-ssot and Convex 1.48 (ours vs convex)"
    body = "\n".join(d.render() for d in diffs)
    return f"{head}\n{body}" + (f"\n{extra}" if extra else "")


def oracle_problems(oracle: dict) -> list[str]:
    """Reasons the oracle's output cannot serve as ground truth (fixture bugs, not tool bugs)."""
    out = []
    if oracle.get("schemaError"):
        out.append(f"schemaError: {oracle['schemaError']}")
    for e in oracle.get("moduleErrors") or []:
        out.append(f"moduleError in {e['module']}: {e['error']}")
    if oracle.get("stubbedPackages"):
        out.append(f"stubbed packages (unresolved imports): {oracle['stubbedPackages']}")
    return out


# ---------------------------------------------------------------- schema comparison

_INDEX_LISTS = (
    ("index", False, "indexes"),
    ("index", True, "stagedDbIndexes"),
    ("search", False, "searchIndexes"),
    ("search", True, "stagedSearchIndexes"),
    ("vector", False, "vectorIndexes"),
    ("vector", True, "stagedVectorIndexes"),
)


def _index_as_convex(ix: dict) -> dict:
    """One of our index entries in Convex's ``schema.export()`` form."""
    t = ix.get("type")
    if t == "index":
        return {"indexDescriptor": ix.get("name"), "fields": ix.get("fields")}
    if t == "search":
        return {"indexDescriptor": ix.get("name"), "searchField": ix.get("searchField"), "filterFields": ix.get("filterFields")}
    if t == "vector":
        return {
            "indexDescriptor": ix.get("name"),
            "vectorField": ix.get("vectorField"),
            "dimensions": ix.get("dimensions"),
            "filterFields": ix.get("filterFields"),
        }
    return {"unknownIndexType": ix}


def expected_columns(document_type: dict) -> list[tuple[str, dict, bool]] | None:
    """Declared columns (name, validator, optional) that docs/contracts.md §2.3 derives from a
    Convex ``documentType``; None when the document is neither an object nor a union of objects
    with at least one member (no rule to check against beyond "no declared fields")."""
    t = document_type.get("type")
    if t == "object":
        return [(k, e["fieldType"], e["optional"]) for k, e in document_type["value"].items()]
    if t == "union" and document_type["value"] and all(m.get("type") == "object" for m in document_type["value"]):
        members = document_type["value"]
        names: list[str] = []
        for m in members:
            for k in m["value"]:
                if k not in names:
                    names.append(k)
        out = []
        for k in names:
            present = [m["value"][k] for m in members if k in m["value"]]
            optional = len(present) < len(members) or any(e["optional"] for e in present)
            distinct: list[dict] = []
            for e in present:
                if not any(json_equal(e["fieldType"], d) for d in distinct):
                    distinct.append(e["fieldType"])
            validator = distinct[0] if len(distinct) == 1 else {"type": "union", "value": distinct}
            out.append((k, validator, optional))
        return out
    return [] if t != "union" else None


def compare_schema(db: dict, oracle: dict) -> list[Diff]:
    diffs: list[Diff] = []
    schema = oracle.get("schema")
    if schema is None:
        if db.get("schemaOptions") is not None or db.get("tables"):
            diffs.append(Diff("schema", [t["name"] for t in db.get("tables", [])], None))
        return diffs
    ours_tables = db.get("tables", [])
    theirs_tables = schema["tables"]
    ours_names = [t["name"] for t in ours_tables]
    theirs_names = [t["tableName"] for t in theirs_tables]
    if ours_names != theirs_names:
        diffs.append(Diff("table names (in order)", ours_names, theirs_names))
    opts = db.get("schemaOptions") or {}
    if not json_equal(opts.get("schemaValidation"), schema.get("schemaValidation")):
        diffs.append(Diff("schemaOptions.schemaValidation", opts.get("schemaValidation"), schema.get("schemaValidation")))
    ours_by_name = {t["name"]: t for t in ours_tables}
    for tt in theirs_tables:
        name = tt["tableName"]
        ot = ours_by_name.get(name)
        if ot is None:
            continue  # already reported in the table names
        where = f"table {name}"
        doc = tt["documentType"]
        if not json_equal(ot.get("documentType"), doc):
            diffs.append(Diff(f"{where} / documentType", ot.get("documentType"), doc))
        diffs += _order_diffs(f"{where} / documentType", ot.get("documentType"), doc)
        # `.staged(...)` (convex 1.47+) exports `stagedDocumentType`; the key is absent otherwise.
        if "stagedDocumentType" in tt or "stagedDocumentType" in ot:
            if not json_equal(ot.get("stagedDocumentType"), tt.get("stagedDocumentType")):
                diffs.append(Diff(f"{where} / stagedDocumentType", ot.get("stagedDocumentType"), tt.get("stagedDocumentType")))
        cols = ot.get("columns", [])
        sys_cols = [(c["name"], c.get("validator")) for c in cols[:2]]
        want_sys = [("_creationTime", {"type": "number"}), ("_id", {"type": "id", "tableName": name})]
        if not json_equal([list(x) for x in sys_cols], [list(x) for x in want_sys]):
            diffs.append(Diff(f"{where} / system columns", sys_cols, want_sys))
        declared = [c for c in cols if c.get("default") != "system"]
        want = expected_columns(doc)
        if want is not None:
            ours_col_names = [c["name"] for c in declared]
            want_names = [k for k, _, _ in want]
            if ours_col_names != want_names:
                diffs.append(Diff(f"{where} / declared column names (in order)", ours_col_names, want_names))
            by = {c["name"]: c for c in declared}
            for k, validator, optional in want:
                c = by.get(k)
                if c is None:
                    continue
                if not json_equal(c.get("validator"), validator):
                    diffs.append(Diff(f"{where} / column {k} / validator", c.get("validator"), validator))
                if not json_equal(c.get("optional"), optional):
                    diffs.append(Diff(f"{where} / column {k} / optional", c.get("optional"), optional))
        ours_ix = ot.get("indexes", [])
        for typ, staged, key in _INDEX_LISTS:
            mine = [_index_as_convex(ix) for ix in ours_ix if ix.get("type") == typ and bool(ix.get("staged")) == staged]
            theirs = tt.get(key, [])
            if not json_equal(mine, theirs):
                diffs.append(Diff(f"{where} / {key}", mine, theirs))
        unknown = [ix for ix in ours_ix if ix.get("type") not in ("index", "search", "vector")]
        if unknown:
            diffs.append(Diff(f"{where} / indexes of unknown type", unknown, []))
    return diffs


# ---------------------------------------------------------------- function comparison


def compare_functions(fc: dict | None, oracle: dict) -> list[Diff]:
    diffs: list[Diff] = []
    ours_fns = (fc or {}).get("functions", [])
    theirs_fns = oracle.get("functions", [])
    ours_by = {f["functionId"]: f for f in ours_fns}
    theirs_by = {f["functionId"]: f for f in theirs_fns}
    missing = sorted(set(theirs_by) - set(ours_by))
    extra = sorted(set(ours_by) - set(theirs_by))
    if missing or extra:
        diffs.append(
            Diff(
                "function ids (missing in ours / only in ours)",
                {"onlyInOurs": extra},
                {"missingInOurs": missing},
            )
        )
    for fid in sorted(set(ours_by) & set(theirs_by)):
        o, t = ours_by[fid], theirs_by[fid]
        where = f"function {fid}"
        if o.get("kind") != t["kind"]:
            diffs.append(Diff(f"{where} / kind", o.get("kind"), t["kind"]))
        if t["kind"] == "httpAction" or o.get("kind") == "httpAction":
            continue
        if o.get("visibility") != t["visibility"]:
            diffs.append(Diff(f"{where} / visibility", o.get("visibility"), t["visibility"]))
        av = o.get("argsValidator")
        ours_args = {"type": "any"} if av is None else av.get("validator")
        if not json_equal(ours_args, t["args"]):
            diffs.append(Diff(f"{where} / args", ours_args, t["args"]))
        diffs += _order_diffs(f"{where} / args", ours_args, t["args"])
        if av is not None and "fields" in av and isinstance(t["args"], dict) and t["args"].get("type") == "object":
            names = [f["name"] for f in av["fields"]]
            want = list(t["args"]["value"])
            if names != want:
                diffs.append(Diff(f"{where} / args fields (names in order)", names, want))
            for f in av["fields"]:
                e = t["args"]["value"].get(f["name"])
                if e is None:
                    continue
                if not json_equal(f.get("validator"), e["fieldType"]):
                    diffs.append(Diff(f"{where} / args field {f['name']} / validator", f.get("validator"), e["fieldType"]))
                if not json_equal(f.get("optional"), e["optional"]):
                    diffs.append(Diff(f"{where} / args field {f['name']} / optional", f.get("optional"), e["optional"]))
        rv = o.get("returnsValidator")
        ours_ret = None if rv is None else rv.get("validator")
        if not json_equal(ours_ret, t["returns"]):
            diffs.append(Diff(f"{where} / returns", ours_ret, t["returns"]))
        diffs += _order_diffs(f"{where} / returns", ours_ret, t["returns"])
    return diffs


# ---------------------------------------------------------------- one project end to end


@dataclass
class Comparison:
    oracle: dict
    ours: object  # convex_ssot.pipeline.Derived
    schema_diffs: list[Diff]
    function_diffs: list[Diff]

    @property
    def diagnostics(self) -> list[dict]:
        d = list(self.ours.db.get("diagnostics", []))
        if self.ours.functions is not None:
            d += self.ours.functions.get("diagnostics", [])
        return d

    def diagnostics_text(self, limit: int = 40) -> str:
        diags = self.diagnostics
        if not diags:
            return "(convex-ssot reported no diagnostics)"
        lines = [f"convex-ssot diagnostics ({len(diags)}):"]
        lines += [f"  {d['file']}:{d['line']}:{d['column']} {d['code']} {d['severity']}: {d['message']}" for d in diags[:limit]]
        if len(diags) > limit:
            lines.append(f"  ... and {len(diags) - limit} more")
        return "\n".join(lines)


def unaccounted(c: "Comparison") -> list[str]:
    """Functions and tables Convex reports that are neither in our contracts nor named by
    a diagnostic (issue 9 §4: never a silent loss). A function is named by a diagnostic
    whose message holds its id; a table by a diagnostic whose message holds its quoted or
    backticked name, or by a CSX210/CSX220 diagnostic (tables that could not be read at all,
    whose names the tool cannot know)."""
    diags = c.diagnostics
    texts = [d["message"] for d in diags]
    out: list[str] = []
    ours_fns = {f["functionId"] for f in (c.ours.functions or {}).get("functions", [])}
    for f in c.oracle.get("functions", []):
        fid = f["functionId"]
        if fid not in ours_fns and not any(fid in t for t in texts):
            out.append(f"function {fid}")
    ours_tables = {t["name"] for t in c.ours.db.get("tables", [])}
    tables_unreadable = any(d["code"] in ("CSX210", "CSX220") for d in diags)
    for t in (c.oracle.get("schema") or {}).get("tables", []):
        name = t["tableName"]
        named = any(f"'{name}'" in x or f"`{name}`" in x for x in texts)
        if name not in ours_tables and not named and not tables_unreadable:
            out.append(f"table {name}")
    return out


def compare_project(root: Path, convex_dir: str = "convex") -> Comparison:
    """Run both sides on the repository ``root`` (its functions directory is ``root/convex_dir``)."""
    oracle = run_oracle(root / convex_dir)
    ours = run_ours(root)
    return Comparison(oracle, ours, compare_schema(ours.db, oracle), compare_functions(ours.functions, oracle))
