"""``ctl-convex verify``: is the repository a consistent Convex project with current contracts?

:func:`verify` reads the repository (it never writes to it) and returns a
:class:`VerifyReport` of findings in three levels, each a :class:`Finding` with a stable
``code`` (for CI) and a message:

- **errors** (exit 1): the configuration cannot be read; the mode is not ``convex``; the
  layout leaves the repository root; contract-path overrides in db-ssot.json that differ
  from the fixed paths (:meth:`Config.contract_overrides`); the schema source is missing;
  package.json is missing near the schema, is invalid, or has no ``convex`` dependency;
  either contract is missing or unreadable; a contract without its ``tables`` /
  ``functions`` array; with ``fail_on_diagnostics``, any diagnostic in the freshly derived
  contracts.
- **warnings** (exit 2 with ``--strict``): ``<convexDir>/_generated`` is missing; a
  contract is out of date (differs from the freshly derived one in anything but
  ``updatedAt``), with the drift explained by :func:`diff_db` / :func:`diff_functions`.
- **advisories** (never change the exit code): the ``convex:dev`` / ``convex:codegen``
  scripts missing or customized; derived diagnostics when they are not fatal.

The rules come from issue #3 (``ctl-convex init | status | verify``); the drift line
formats are documented in docs/lifecycle.md.
"""

from __future__ import annotations

from dataclasses import field
from .dataclass_cache import dataclass
from pathlib import Path

from .config import CONFIG_REL, DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, Config, load_config
from .errors import ConfigError
from .pipeline import EPOCH

__all__ = [
    "Finding",
    "VerifyReport",
    "verify",
    "diff_db",
    "diff_functions",
    "drift_lines",
    "cap_lines",
    "MAX_DRIFT_LINES",
    "MAX_NAMES_PER_LINE",
]

#: Drift lines printed per contract before ``… and N more`` (JSON output is not capped).
MAX_DRIFT_LINES = 20
#: Names listed in one ``… added:`` / ``… removed:`` line before ``… (+N more)``.
MAX_NAMES_PER_LINE = 10

DB_STALE = f"{DB_CONTRACT_REL} is out of date with current Convex schema."
FUNCTIONS_STALE = f"{FUNCTIONS_CONTRACT_REL} is out of date with current Convex source."


# ---------------------------------------------------------------------------------------
# drift: structured changes and their lines
#
# A change is a dict with a ``kind`` and the keys below; :func:`drift_lines` renders it.
#   count           {what: "DB tables"|"Convex functions", before, after}
#   added/removed   {what: "DB tables"|"DB fields"|"DB indexes"|"Functions", names: [...]}
#   property        {subject, property, before?, after?}  (no before/after: "<property> changed")
#   note            {subject, text}


def _fmt(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{…}"
    return str(value)


def _by_name(items, key: str) -> dict:
    """``{item[key]: item}`` for the dict items of a list that have a string ``key`` (first wins)."""
    out: dict = {}
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict) and isinstance(it.get(key), str) and it[key] not in out:
            out[it[key]] = it
    return out


def _prop(changes: list, subject: str, prop: str, before, after, scalar: bool = True) -> None:
    if before == after:
        return
    if scalar:
        changes.append({"kind": "property", "subject": subject, "property": prop, "before": before, "after": after})
    else:
        changes.append({"kind": "property", "subject": subject, "property": prop})


def _added_removed(changes: list, what: str, old: dict, new: dict) -> None:
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    if added:
        changes.append({"kind": "added", "what": what, "names": added})
    if removed:
        changes.append({"kind": "removed", "what": what, "names": removed})


_COLUMN_PROPS = ("type", "optional", "nullable")
_INDEX_PROPS = ("type", "fields", "searchField", "vectorField", "dimensions", "filterFields", "staged")


def diff_db(old: dict, new: dict) -> list[dict]:
    """Changes from the DB contract ``old`` (on disk) to ``new`` (derived), ignoring ``updatedAt``.

    Order: table count, tables added/removed, fields added/removed (in tables present in
    both), per field ``type`` / ``optional`` / ``nullable`` (then ``validator`` or
    ``rawValidator`` when only those differ), indexes added/removed and per index
    property, per table leftovers (field order, relations, other keys), then top-level keys.
    """
    changes: list[dict] = []
    old_t, new_t = _by_name(old.get("tables"), "name"), _by_name(new.get("tables"), "name")
    if len(old_t) != len(new_t):
        changes.append({"kind": "count", "what": "DB tables", "before": len(old_t), "after": len(new_t)})
    _added_removed(changes, "DB tables", old_t, new_t)
    common = [n for n in new_t if n in old_t]
    fields_added, fields_removed, idx_added, idx_removed = [], [], [], []
    per_field: list[dict] = []
    per_index: list[dict] = []
    leftovers: list[dict] = []
    for name in common:
        ot, nt = old_t[name], new_t[name]
        if ot == nt:
            continue
        oc, nc = _by_name(ot.get("columns"), "name"), _by_name(nt.get("columns"), "name")
        fields_added += [f"{name}.{c}" for c in nc if c not in oc]
        fields_removed += [f"{name}.{c}" for c in oc if c not in nc]
        explained = bool([c for c in nc if c not in oc] or [c for c in oc if c not in nc])
        for col in (c for c in nc if c in oc):
            a, b = oc[col], nc[col]
            if a == b:
                continue
            subject = f"{name}.{col}"
            before = len(per_field)
            for prop in _COLUMN_PROPS:
                _prop(per_field, subject, prop, a.get(prop), b.get(prop))
            if len(per_field) == before:
                if a.get("validator") != b.get("validator"):
                    per_field.append({"kind": "property", "subject": subject, "property": "validator"})
                elif a.get("rawValidator") != b.get("rawValidator"):
                    _prop(per_field, subject, "rawValidator", a.get("rawValidator"), b.get("rawValidator"))
                else:
                    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                    per_field.append({"kind": "note", "subject": subject, "text": f"changed ({', '.join(keys)})"})
            explained = True
        oi, ni = _by_name(ot.get("indexes"), "name"), _by_name(nt.get("indexes"), "name")
        idx_added += [f"{name}.{i}" for i in ni if i not in oi]
        idx_removed += [f"{name}.{i}" for i in oi if i not in ni]
        explained = explained or any(i not in oi for i in ni) or any(i not in ni for i in oi)
        for idx in (i for i in ni if i in oi):
            a, b = oi[idx], ni[idx]
            if a == b:
                continue
            for prop in _INDEX_PROPS:
                _prop(per_index, f"{name}.{idx} (index)", prop, a.get(prop), b.get(prop))
            explained = True
        if not explained:
            if list(oc) != list(nc):
                leftovers.append({"kind": "note", "subject": name, "text": "field order changed"})
            elif list(oi) != list(ni):
                leftovers.append({"kind": "note", "subject": name, "text": "index order changed"})
            else:
                keys = [k for k in nt if ot.get(k) != nt.get(k)] + [k for k in ot if k not in nt]
                leftovers.append({"kind": "note", "subject": name, "text": f"changed ({', '.join(keys)})"})
    if fields_added:
        changes.append({"kind": "added", "what": "DB fields", "names": fields_added})
    if fields_removed:
        changes.append({"kind": "removed", "what": "DB fields", "names": fields_removed})
    changes += per_field
    if idx_added:
        changes.append({"kind": "added", "what": "DB indexes", "names": idx_added})
    if idx_removed:
        changes.append({"kind": "removed", "what": "DB indexes", "names": idx_removed})
    changes += per_index + leftovers
    if not changes and list(old_t) != list(new_t):
        changes.append({"kind": "note", "subject": "DB", "text": "table order changed"})
    _top_level(changes, "DB", old, new, skip=("tables",))
    return changes


def _top_level(changes: list, label: str, old: dict, new: dict, skip: tuple[str, ...]) -> None:
    for key in list(new) + [k for k in old if k not in new]:
        if key in skip or key == "updatedAt" or old.get(key) == new.get(key):
            continue
        a, b = old.get(key), new.get(key)
        if key not in old or key not in new:
            changes.append({"kind": "note", "subject": label, "text": f"{key} {'added' if key not in old else 'removed'}"})
        elif key == "diagnostics":
            changes.append(
                {"kind": "property", "subject": label, "property": "diagnostics", "before": len(a) if isinstance(a, list) else a, "after": len(b) if isinstance(b, list) else b}
            )
        elif isinstance(a, dict) and isinstance(b, dict):
            for sub in list(b) + [k for k in a if k not in b]:
                _prop(changes, label, f"{key}.{sub}", a.get(sub), b.get(sub), scalar=not isinstance(b.get(sub), (dict, list)))
        else:
            _prop(changes, label, key, a, b, scalar=not isinstance(b, (dict, list)) and not isinstance(a, (dict, list)))


#: Function properties in reporting order: the issue's list first, then the rest.
_FUNCTION_PROPS = (
    "kind",
    "visibility",
    "auth.kind",
    "tablesRead",
    "tablesWritten",
    "argsValidator",
    "returnsValidator",
    "constructor",
    "resolvedConstructor",
    "constructorChain",
    "runtime",
    "file",
    "modulePath",
    "exportName",
)
_WHOLE_ONLY = ("argsValidator", "returnsValidator")


def _get(doc: dict, dotted: str):
    cur = doc
    for part in dotted.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def diff_functions(old: dict, new: dict) -> list[dict]:
    """Changes from the function contract ``old`` (on disk) to ``new`` (derived), ignoring ``updatedAt``.

    Order: function count, functions added/removed, then per function (by id) ``kind``,
    ``visibility``, ``auth.kind``, ``tablesRead``, ``tablesWritten``, ``argsValidator`` /
    ``returnsValidator`` (as "changed"), the other keys, ``uses.<flag>``; then top-level keys.
    """
    changes: list[dict] = []
    of, nf = _by_name(old.get("functions"), "functionId"), _by_name(new.get("functions"), "functionId")
    if len(of) != len(nf):
        changes.append({"kind": "count", "what": "Convex functions", "before": len(of), "after": len(nf)})
    _added_removed(changes, "Functions", of, nf)
    for fid in sorted(k for k in nf if k in of):
        a, b = of[fid], nf[fid]
        if a == b:
            continue
        before = len(changes)
        for prop in _FUNCTION_PROPS:
            _prop(changes, fid, prop, _get(a, prop), _get(b, prop), scalar=prop not in _WHOLE_ONLY)
        ua, ub = a.get("uses") if isinstance(a.get("uses"), dict) else {}, b.get("uses") if isinstance(b.get("uses"), dict) else {}
        for flag in list(ub) + [k for k in ua if k not in ub]:
            _prop(changes, fid, f"uses.{flag}", ua.get(flag), ub.get(flag))
        if len(changes) == before:
            keys = [k for k in b if a.get(k) != b.get(k)] + [k for k in a if k not in b]
            changes.append({"kind": "note", "subject": fid, "text": f"changed ({', '.join(keys)})"})
    _top_level(changes, "Functions", old, new, skip=("functions",))
    return changes


def _names(names: list[str]) -> str:
    if len(names) <= MAX_NAMES_PER_LINE:
        return ", ".join(names)
    return ", ".join(names[:MAX_NAMES_PER_LINE]) + f", … (+{len(names) - MAX_NAMES_PER_LINE} more)"


def drift_lines(changes: list[dict]) -> list[str]:
    """One line per change (uncapped)::

        DB tables changed: 2 -> 3            Convex functions changed: 2 -> 3
        DB tables added: audits              Functions added: messages:latest
        DB fields added: messages.editedAt   DB indexes removed: users.by_email
        messages.body: type string -> array<string>
        messages.by_author (index): fields [author] -> [author, channel]
        messages:list: tablesRead [messages] -> [messages, users]
        messages:send: argsValidator changed
    """
    out = []
    for ch in changes:
        kind = ch["kind"]
        if kind == "count":
            out.append(f"{ch['what']} changed: {ch['before']} -> {ch['after']}")
        elif kind in ("added", "removed"):
            out.append(f"{ch['what']} {kind}: {_names(ch['names'])}")
        elif kind == "property":
            if "before" in ch:
                out.append(f"{ch['subject']}: {ch['property']} {_fmt(ch['before'])} -> {_fmt(ch['after'])}")
            else:
                out.append(f"{ch['subject']}: {ch['property']} changed")
        else:
            out.append(f"{ch['subject']}: {ch['text']}")
    return out


def cap_lines(lines: list[str], limit: int = MAX_DRIFT_LINES) -> list[str]:
    """``lines`` cut to ``limit`` entries, the last replaced by ``… and N more`` when cut."""
    if len(lines) <= limit:
        return list(lines)
    return lines[: limit - 1] + [f"… and {len(lines) - limit + 1} more"]


def _same(on_disk: dict, derived: dict) -> bool:
    """Equal in everything but ``updatedAt`` (the rule of pipeline._updated_at)."""
    return {**on_disk, "updatedAt": EPOCH} == {**derived, "updatedAt": EPOCH}


# ---------------------------------------------------------------------------------------
# verify


@dataclass(slots=True)
class Finding:
    """One error, warning or advisory: ``code`` is stable, ``message`` a sentence,
    ``details`` extra lines (drift lines, diagnostics) printed indented below it."""

    code: str
    message: str
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": list(self.details)}


@dataclass(slots=True)
class VerifyReport:
    """Everything ``verify`` found. ``drift`` maps ``db`` / ``functions`` to
    ``{path, outOfDate, changes, lines}`` or None when that contract was not compared."""

    repo_root: Path
    mode: str | None = None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    advisories: list[Finding] = field(default_factory=list)
    drift: dict = field(default_factory=lambda: {"db": None, "functions": None})
    diagnostics: list[dict] = field(default_factory=list)

    def exit_code(self, strict: bool) -> int:
        """1 with errors; 2 with ``strict`` and warnings; else 0."""
        if self.errors:
            return 1
        if strict and self.warnings:
            return 2
        return 0

    def as_dict(self, strict: bool) -> dict:
        code = self.exit_code(strict)
        return {
            "ok": code == 0,
            "exitCode": code,
            "strict": strict,
            "mode": self.mode,
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
            "advisories": [f.as_dict() for f in self.advisories],
            "drift": self.drift,
            "diagnostics": self.diagnostics,
        }


def _sync_hint(root: Path) -> str:
    return f"ctl-db-ssot sync-to-context --repo-root {root}"


def _check_package_json(cfg: Config, pkg_rel: str, report: VerifyReport) -> None:
    from .scaffold.layout import CONVEX_SCRIPTS, dir_label, read_package_json

    pkg = read_package_json(cfg.repo_root, pkg_rel)
    if not pkg.exists:
        report.errors.append(
            Finding(
                "package-json-missing",
                f"no package.json near {cfg.schema_rel} (looked in {dir_label(cfg.convex_dir_rel)}'s parent and up to the "
                "repository root); create one (`npm init -y`) and run `ctl-convex init`",
            )
        )
        return
    if not pkg.valid:
        report.errors.append(Finding("package-json-invalid", f"{pkg_rel}: {pkg.error}"))
        return
    if not pkg.has_convex_dependency:
        report.errors.append(
            Finding(
                "package-json-no-convex",
                f'{pkg_rel} has no "convex" in dependencies or devDependencies; run `npm install convex` (or `ctl-convex init`)',
            )
        )
    for name, command in CONVEX_SCRIPTS.items():
        current = pkg.script(name)
        if current is None:
            report.advisories.append(
                Finding("script-missing", f'{pkg_rel} has no "{name}" script; add "{name}": "{command}" (or run `ctl-convex init`)')
            )
        elif current != command:
            report.advisories.append(Finding("script-customized", f'{pkg_rel}: script "{name}" is customized ("{current}"; the default is "{command}")'))


def _read_contract(cfg: Config, rel: str, key: str, name: str, report: VerifyReport) -> dict | None:
    from .pipeline import read_json_file

    path = cfg.repo_root / rel
    if not path.is_file():
        report.errors.append(Finding(f"{name}-contract-missing", f"{rel} is missing: run `{_sync_hint(cfg.repo_root)}`"))
        return None
    doc = read_json_file(path)
    if not isinstance(doc, dict):
        report.errors.append(
            Finding(f"{name}-contract-invalid", f"{rel} is not a valid JSON object; regenerate it with `{_sync_hint(cfg.repo_root)}`")
        )
        return None
    if not isinstance(doc.get(key), list):
        report.errors.append(
            Finding(f"{name}-contract-invalid", f"{rel} has no '{key}' array; regenerate it with `{_sync_hint(cfg.repo_root)}`")
        )
        return None
    return doc


def _check_codegen(cfg: Config, gen: str, report: VerifyReport) -> None:
    """``codegen-stale`` when ``_generated/api.d.ts`` does not list the function modules on disk."""
    from .codegen import codegen_drift

    found = codegen_drift(cfg.repo_root / (cfg.convex_dir_rel or "."))
    if found is None or not (found.added or found.removed):
        return
    details = [f"added since codegen: {m}" for m in found.added] + [f"removed since codegen: {m}" for m in found.removed]
    report.warnings.append(
        Finding(
            "codegen-stale",
            f"{gen}/api.d.ts is out of date ({len(found.added)} module(s) added, {len(found.removed)} removed since codegen ran): "
            "run `npx convex dev` or `npx convex codegen`",
            cap_lines(details),
        )
    )


def _format_diagnostic(d: dict) -> str:
    return f"{d.get('file')}:{d.get('line')}:{d.get('column')}: {d.get('code')} {d.get('severity')}: {d.get('message')}"


def verify(repo_root: Path, *, fail_on_diagnostics: bool = False, use_cache: bool = True) -> VerifyReport:
    """Check the repository at ``repo_root`` (absolute); see the module docstring for the rules.

    Never writes inside the repository (the parse cache lives in the user cache directory
    unless ``use_cache`` is False). Bad input becomes findings, not exceptions; only
    internal failures of the derivation propagate (ContractError / unexpected errors).
    """
    from .pipeline import derive, fingerprint
    from .scaffold.layout import check_layout, generated_rel

    report = VerifyReport(Path(repo_root))
    try:
        cfg = load_config(Path(repo_root))
    except ConfigError as exc:
        report.errors.append(Finding("config-invalid", str(exc)))
        return report
    report.mode = cfg.mode
    if cfg.mode != "convex":
        report.errors.append(
            Finding(
                "mode-not-convex",
                f"DB SSOT mode is '{cfg.mode}' ({cfg.mode_source}), not 'convex'; `ctl-convex verify` checks Convex projects "
                f"(set db.ssot to 'convex' in {CONFIG_REL}, or run `ctl-convex init`)",
            )
        )
        return report
    try:
        pkg_rel = check_layout(cfg)
    except ConfigError as exc:
        report.errors.append(Finding("layout-outside-root", str(exc)))
        return report
    for key, val, fixed in cfg.contract_overrides():
        report.errors.append(
            Finding(
                "contract-path-override",
                f"{CONFIG_REL}: {key} is '{val}', but contract paths are fixed in v1 ('{fixed}'); remove the key or set it to '{fixed}'",
            )
        )
    schema_ok = (cfg.repo_root / cfg.schema_rel).is_file()
    if not schema_ok:
        report.errors.append(
            Finding("schema-missing", f"Convex schema {cfg.schema_rel} is missing; run `ctl-convex init` or fix db.source.path in {CONFIG_REL}")
        )
    _check_package_json(cfg, pkg_rel, report)
    gen = generated_rel(cfg)
    if not (cfg.repo_root / gen).is_dir():
        report.warnings.append(Finding("generated-missing", f"{gen} is missing: run `npx convex dev` or `npx convex codegen` to generate it"))
    else:
        _check_codegen(cfg, gen, report)
    if not schema_ok:
        _read_contract(cfg, DB_CONTRACT_REL, "tables", "db", report)
        _read_contract(cfg, FUNCTIONS_CONTRACT_REL, "functions", "functions", report)
        return report
    derived = derive(cfg, use_cache=use_cache)
    report.diagnostics = list(derived.summary["diagnostics"])
    for name, key, rel, stale, differ in (
        ("db", "tables", DB_CONTRACT_REL, DB_STALE, diff_db),
        ("functions", "functions", FUNCTIONS_CONTRACT_REL, FUNCTIONS_STALE, diff_functions),
    ):
        if name not in derived.fingerprints:
            _read_contract(cfg, rel, key, name, report)
            continue
        try:
            on_disk = (cfg.repo_root / rel).read_bytes()
        except OSError:
            on_disk = None
        if on_disk is not None and fingerprint(on_disk) == derived.fingerprints[name]:
            # What sync would write, but for updatedAt: in sync, no JSON to read.
            report.drift[name] = {"path": rel, "outOfDate": False, "changes": [], "lines": []}
            continue
        doc = _read_contract(cfg, rel, key, name, report)
        fresh = derived.doc(name)
        if doc is None or fresh is None:
            continue
        if _same(doc, fresh):
            report.drift[name] = {"path": rel, "outOfDate": False, "changes": [], "lines": []}
            continue
        changes = differ(doc, fresh)
        lines = drift_lines(changes)
        report.drift[name] = {"path": rel, "outOfDate": True, "changes": changes, "lines": lines}
        details = [f"drift: {line}" for line in cap_lines(lines)]
        details.append(f"fix: {_sync_hint(cfg.repo_root)}")
        report.warnings.append(Finding(f"{name}-contract-stale", stale, details))
    if report.diagnostics:
        shown = cap_lines([_format_diagnostic(d) for d in report.diagnostics])
        n = len(report.diagnostics)
        if fail_on_diagnostics:
            report.errors.append(Finding("diagnostics", f"{n} diagnostic(s) in the freshly derived contracts (--fail-on-diagnostics)", shown))
        else:
            report.advisories.append(
                Finding("diagnostics", f"{n} diagnostic(s) in the freshly derived contracts (--fail-on-diagnostics makes them errors)", shown)
            )
    return report
