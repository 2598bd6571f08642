"""``ctl-convex init``: create the missing parts of a Convex project, never overwriting.

Flow: :func:`plan_init` reads the repository and returns an :class:`InitPlan` (a list of
:class:`Action`, warnings); :func:`apply_init` carries it out. ``--dry-run`` prints the
plan and stops. Both raise :class:`ConfigError` (exit 1) before anything is created when

- the layout leaves the repository (schema, Convex directory, package.json, or a target
  directory such as ``docs/context/`` through a symlink): "… outside repo root";
- the configuration names a mode init cannot serve (``repo-prisma``, ``database``);
- a directory to create is blocked by a file.

What is created (the issue's list; templates in ``templates/``, written by us):

========================================  ==================================================
``<convexDir>/``, ``docs/context/db/``,   directories (``mkdir -p``)
``docs/context/convex/``
``<convexDir>/AGENTS.md``                 guidance for coding agents
``<convexDir>/README.md``                 the workflow with this tool's commands
``<schema path>``                         starter schema: ``users`` (tokenIdentifier, optional
                                          email and name, index ``by_tokenIdentifier``)
``<convexDir>/auth.config.ts``            no providers yet
``docs/context/convex/INDEX.md``          what the context files are
``docs/context/convex/functions.json``    empty contract, ``updatedAt`` = 1970 epoch
``docs/context/convex/functions.schema.json``  the JSON Schema the package validates with
========================================  ==================================================

Each file is written only when nothing (not even a dangling symlink) is at its path.
package.json (see :func:`convex_ssot.scaffold.layout.find_package_json`) gets
``dependencies.convex`` = :data:`CONVEX_RANGE` when neither ``dependencies`` nor
``devDependencies`` has ``convex``, and the :data:`CONVEX_SCRIPTS` that are absent; a
script defined differently is kept (warning); key order and indentation are kept.
Missing or invalid package.json: a warning, the file is not touched.
"""

from __future__ import annotations

import json
import os
from dataclasses import field
from ..dataclass_cache import dataclass
from pathlib import Path, PurePosixPath

from .. import fsutil
from ..config import CONFIG_REL, FUNCTIONS_CONTRACT_REL, Config, inside
from ..emit.db_contract import EPOCH
from ..emit.jsonout import dumps
from ..errors import ConfigError, ContractError
from ..resources import schema_path, template_dir
from .layout import CONVEX_RANGE, CONVEX_SCRIPTS, PackageJson, check_layout, dir_label, read_package_json

__all__ = ["Action", "InitPlan", "plan_init", "apply_init", "render_template", "empty_functions_contract"]

FUNCTIONS_SCHEMA_REL = "docs/context/convex/functions.schema.json"
INDEX_REL = "docs/context/convex/INDEX.md"
CONTEXT_DIRS = ("docs/context/db", "docs/context/convex")


@dataclass(slots=True)
class Action:
    """One line of the plan.

    ``op`` is ``mkdir``, ``write``, ``skip`` or ``update``; ``path`` is repo-relative
    (directories end with ``/``); ``reason`` explains a skip (printed ``[reason]``),
    ``note`` what a write/update does (printed ``{note}``); ``data`` is what to write.
    """

    op: str
    path: str
    reason: str | None = None
    note: str | None = None
    data: bytes | None = None

    def line(self, dry_run: bool = False) -> str:
        """``  <op>: <path> [reason] {note}`` plus `` (dry-run)``."""
        out = f"  {self.op}: {self.path}"
        if self.reason:
            out += f" [{self.reason}]"
        if self.note:
            out += f" {{{self.note}}}"
        return out + (" (dry-run)" if dry_run else "")

    def as_dict(self) -> dict:
        return {"op": self.op, "path": self.path, "reason": self.reason, "note": self.note}


@dataclass(slots=True)
class InitPlan:
    """What ``init`` will do (or did): actions in order, warnings to print."""

    cfg: Config
    package_json: str
    actions: list[Action] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def render_template(name: str, values: dict[str, str]) -> bytes:
    """Template ``name`` from ``templates/`` with each ``{{KEY}}`` replaced by ``values[KEY]``.

    Raises FileNotFoundError when the package data is missing (a broken installation) and
    ValueError when a placeholder is left unreplaced (a bug in a template); the CLI turns
    both into an internal error (exit 3).
    """
    text = (template_dir() / name).read_text(encoding="utf-8")
    for key, val in values.items():
        text = text.replace("{{" + key + "}}", val)
    if "{{" in text:
        raise ValueError(f"template {name}: unreplaced placeholder near {text[text.index('{{'):][:30]!r}")
    return text.encode("utf-8")


def empty_functions_contract(cfg: Config) -> dict:
    """``{version: 1, updatedAt: 1970-01-01T00:00:00.000Z, source: {kind, path: "<convexDir>/"}, functions: []}``.

    Valid against ``schemas/functions.schema.json`` (``diagnostics`` is optional there so
    that this document is valid; see docs/contracts.md §3.1).
    """
    return {
        "version": 1,
        "updatedAt": EPOCH,
        "source": {"kind": "convex-functions", "path": dir_label(cfg.convex_dir_rel)},
        "functions": [],
    }


def _check_mode(cfg: Config, warnings: list[str]) -> None:
    if cfg.mode_source != "config":
        if cfg.mode in ("repo-prisma", "database"):  # a new convex/schema.ts would silently switch the inferred mode
            raise ConfigError(
                f"the DB SSOT mode is inferred as '{cfg.mode}' (no {CONFIG_REL}; a Prisma schema or DB mirror exists); "
                f"`ctl-convex init` scaffolds Convex projects only. Create {CONFIG_REL} with db.ssot = 'convex' first "
                "if the project moves to Convex; nothing was created"
            )
        return
    if cfg.mode in ("repo-prisma", "database"):
        raise ConfigError(
            f"{CONFIG_REL} sets the DB SSOT mode to '{cfg.mode}'; `ctl-convex init` scaffolds Convex projects only. "
            "Set db.ssot to 'convex' first if the project moves to Convex; nothing was created"
        )
    if cfg.mode == "none":
        warnings.append(
            f"{CONFIG_REL} sets the DB SSOT mode to 'none'; set db.ssot to 'convex' so that sync-to-context and verify use the new schema"
        )


def _exists(root: Path, rel: str) -> bool:
    return os.path.lexists(root / rel)


def _insert_key(doc: dict, key: str, value, before: tuple[str, ...]) -> dict:
    """A copy of ``doc`` with ``key`` inserted before the first of ``before`` present, else at the end."""
    anchor = next((k for k in doc if k in before), None)
    if anchor is None:
        return {**doc, key: value}
    out: dict = {}
    for k, v in doc.items():
        if k == anchor:
            out[key] = value
        out[k] = v
    return out


def _plan_package_json(cfg: Config, rel: str, plan: InitPlan) -> None:
    info: PackageJson = read_package_json(cfg.repo_root, rel)
    convex_dir = dir_label(cfg.convex_dir_rel)
    if not info.exists:
        plan.actions.append(Action("skip", rel, reason="missing"))
        plan.warnings.append(
            f"no package.json in {convex_dir}'s parent directories (looked up to the repository root); "
            f'create one (e.g. `npm init -y`) and re-run `ctl-convex init` to add "convex" and the convex:* scripts'
        )
        return
    if not info.valid:
        plan.actions.append(Action("skip", rel, reason="invalid JSON" if "JSON" in (info.error or "") else "unreadable"))
        plan.warnings.append(f"{rel}: {info.error}; left untouched (fix it and re-run `ctl-convex init`)")
        return
    doc = dict(info.doc or {})
    notes: list[str] = []
    if not info.has_convex_dependency:
        deps = doc.get("dependencies")
        if deps is None:
            doc = _insert_key(doc, "dependencies", {"convex": CONVEX_RANGE}, before=("devDependencies", "peerDependencies", "optionalDependencies"))
            notes.append(f"dependencies.convex = {CONVEX_RANGE}")
        elif isinstance(deps, dict):
            keys = list(deps)
            if keys == sorted(keys):  # npm keeps dependencies sorted: stay sorted
                new = dict(sorted({**deps, "convex": CONVEX_RANGE}.items()))
            else:
                new = {**deps, "convex": CONVEX_RANGE}
            doc["dependencies"] = new
            notes.append(f"dependencies.convex = {CONVEX_RANGE}")
        else:
            plan.warnings.append(f"{rel}: 'dependencies' is not an object; not adding convex (add \"convex\": \"{CONVEX_RANGE}\" yourself)")
    scripts = doc.get("scripts")
    if scripts is not None and not isinstance(scripts, dict):
        plan.warnings.append(f"{rel}: 'scripts' is not an object; not adding the convex:* scripts")
    else:
        new_scripts = dict(scripts or {})
        for name, command in CONVEX_SCRIPTS.items():
            current = new_scripts.get(name)
            if current is None:
                new_scripts[name] = command
                notes.append(f"scripts.{name} = {command}")
            elif current != command:
                plan.warnings.append(f'{rel}: script "{name}" is {json.dumps(current)}, not "{command}"; kept as is')
        if new_scripts != (scripts or {}):
            if scripts is None:
                doc = _insert_key(doc, "scripts", new_scripts, before=("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"))
            else:
                doc["scripts"] = new_scripts
    if not notes:
        plan.actions.append(Action("skip", rel, reason="convex dependency and scripts present"))
        return
    text = json.dumps(doc, indent=info.indent, ensure_ascii=False)
    if info.newline:
        text += "\n"
    data = ("\ufeff" if info.bom else "") + text
    plan.actions.append(Action("update", rel, note="; ".join(notes), data=data.encode("utf-8")))


def plan_init(cfg: Config) -> InitPlan:
    """Read the repository and decide every action; changes nothing.

    Raises :class:`ConfigError` for a layout outside the repository root, a mode init
    cannot serve, or a file where a directory must go.
    """
    from ..validate import validate

    pkg_rel = check_layout(cfg)
    plan = InitPlan(cfg, pkg_rel)
    _check_mode(cfg, plan.warnings)
    root = cfg.repo_root
    convex_dir = cfg.convex_dir_rel or "."
    values = {
        "CONVEX_DIR": convex_dir.rstrip("/") if convex_dir != "." else ".",
        "SCHEMA_PATH": cfg.schema_rel,
        "PACKAGE_JSON": pkg_rel,
    }
    dirs = [convex_dir, *CONTEXT_DIRS]
    for d in dirs:
        if not inside(root, root / d):
            raise ConfigError(f"'{d}' is outside repo root {root} (through a symlink?); nothing was created")
        if (root / d).is_dir():
            plan.actions.append(Action("skip", dir_label(d), reason="exists"))
        elif os.path.lexists(root / d):
            raise ConfigError(f"cannot create directory {dir_label(d)}: a file is in the way; nothing was created")
        else:
            plan.actions.append(Action("mkdir", dir_label(d)))
    cdir = PurePosixPath(convex_dir)
    contract = empty_functions_contract(cfg)
    errors = validate("functions", contract)
    if errors:  # our bug, not the user's
        raise ContractError(f"internal error: the empty function contract does not match its JSON Schema ({errors[0]})")
    files: list[tuple[str, bytes | None, str | None]] = [
        ((cdir / "AGENTS.md").as_posix(), render_template("AGENTS.md", values), None),
        ((cdir / "README.md").as_posix(), render_template("README.md", values), None),
    ]
    if cfg.schema_rel.endswith(".ts"):
        files.append((cfg.schema_rel, render_template("schema.ts", values), "starter users table"))
    else:
        files.append((cfg.schema_rel, None, "not a .ts path; write the schema yourself"))
    files += [
        ((cdir / "auth.config.ts").as_posix(), render_template("auth.config.ts", values), "no providers yet"),
        (INDEX_REL, render_template("INDEX.md", values), None),
        (FUNCTIONS_CONTRACT_REL, dumps(contract), "empty contract; run ctl-db-ssot sync-to-context"),
        (FUNCTIONS_SCHEMA_REL, schema_path("functions.schema.json").read_bytes(), None),
    ]
    for rel, data, note in files:
        if not inside(root, root / rel):
            raise ConfigError(f"'{rel}' is outside repo root {root} (through a symlink?); nothing was created")
        if _exists(root, rel):
            plan.actions.append(Action("skip", rel, reason="exists"))
        elif data is None:
            plan.actions.append(Action("skip", rel, reason=note))
        else:
            plan.actions.append(Action("write", rel, note=note, data=data))
    _plan_package_json(cfg, pkg_rel, plan)
    return plan


def apply_init(plan: InitPlan) -> None:
    """Carry out ``plan``: directories, then files (each through :func:`fsutil.write_atomic`).

    A file that appeared since planning is left alone and its action becomes a skip.
    Raises :class:`ConfigError` when a target turns out to be outside the repository.
    """
    root = plan.cfg.repo_root
    for act in plan.actions:
        if act.op == "mkdir":
            fsutil.ensure_dir(root, root / act.path.rstrip("/"))
        elif act.op == "write":
            if _exists(root, act.path):
                act.op, act.reason, act.note, act.data = "skip", "exists", None, None
                continue
            fsutil.write_atomic(root, root / act.path, act.data or b"")
        elif act.op == "update":
            fsutil.write_atomic(root, root / act.path, act.data or b"")
