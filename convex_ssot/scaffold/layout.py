"""Where the parts of a Convex project are, as ``init``, ``status`` and ``verify`` see them.

Rules (each decided here, documented in docs/lifecycle.md):

- The Convex directory is the parent of the configured schema (:attr:`Config.convex_dir_rel`,
  from ``db.source.path`` / ``paths.convexSchema``, default ``convex/schema.ts``).
- ``<convexDir>/_generated`` is what ``npx convex dev`` / ``npx convex codegen`` write.
- package.json: the nearest ``package.json`` in the Convex directory's parent or above it,
  never past the repository root; when there is none, the root ``package.json`` (which
  then does not exist). A ``package.json`` inside the Convex directory itself is not a
  project manifest and is not considered.
- The layout is valid when the schema, the Convex directory and that package.json lie
  inside the repository root after resolving symlinks (:func:`check_layout`); otherwise
  :class:`ConfigError` with "outside repo root".

Nothing in this module writes.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from ..dataclass_cache import dataclass
from pathlib import Path, PurePosixPath

from ..config import Config, check_inside, inside
from ..errors import ConfigError
from .. import regex_cache
__all__ = [
    "CONVEX_RANGE",
    "CONVEX_SCRIPTS",
    "PackageJson",
    "generated_rel",
    "dir_label",
    "find_package_json",
    "check_layout",
    "read_package_json",
    "candidate_convex_dirs",
    "status_report",
]

#: The ``dependencies.convex`` range ``init`` adds (a current Convex release line).
CONVEX_RANGE = "^1.48.0"

#: The package.json scripts ``init`` adds and ``verify`` expects: name → command.
CONVEX_SCRIPTS = {"convex:dev": "convex dev", "convex:codegen": "convex codegen"}

#: Dependency sections that count as "has a convex dependency".
DEPENDENCY_SECTIONS = ("dependencies", "devDependencies")


def dir_label(rel: str) -> str:
    """A repo-relative directory as printed: ``convex/``; the root is ``./``."""
    return (rel.rstrip("/") + "/") if rel and rel != "." else "./"


def generated_rel(cfg: Config) -> str:
    """``<convexDir>/_generated`` (repo-relative POSIX)."""
    return (PurePosixPath(cfg.convex_dir_rel or ".") / "_generated").as_posix()


def find_package_json(cfg: Config) -> str:
    """Repo-relative path of the package.json that belongs to the Convex directory.

    Searches the Convex directory's parent, then each parent up to the repository root
    (lexically, by the configured path); returns the first that is a file, else
    ``"package.json"`` (the root one, missing). The configured schema path must already
    be normalised (no ``..`` inside the repository; see :func:`check_layout`).
    """
    convex_dir = PurePosixPath(cfg.convex_dir_rel or ".")
    d = convex_dir.parent if cfg.convex_dir_rel else PurePosixPath(".")
    while True:
        if ".." in d.parts:  # a path outside the root: stop at the root
            break
        cand = d / "package.json"
        if (cfg.repo_root / cand).is_file():
            return cand.as_posix()
        if d == PurePosixPath("."):
            break
        d = d.parent
    return "package.json"


def check_layout(cfg: Config) -> str:
    """Check that the schema, the Convex directory and the package.json lie inside the
    repository root (after resolving symlinks); return the package.json path.

    Raises :class:`ConfigError` ("… outside repo root") otherwise. Reads only.
    """
    from ..pipeline import check_layout as check_contract_layout

    check_contract_layout(cfg)  # schema, Convex directory, the two contract paths
    pkg = find_package_json(cfg)
    check_inside(cfg.repo_root, pkg, "package.json")
    return pkg


# ---------------------------------------------------------------------------------------
# package.json


@dataclass(slots=True)
class PackageJson:
    """What we know about one package.json.

    ``doc`` is the parsed object (key order kept) when ``exists`` and ``valid``;
    ``error`` explains why it is not valid; ``indent`` / ``newline`` / ``bom`` let a
    rewrite keep the file's formatting.
    """

    path: str
    exists: bool
    valid: bool = False
    doc: dict | None = None
    error: str | None = None
    indent: str = "  "
    newline: bool = True
    bom: bool = False

    @property
    def has_convex_dependency(self) -> bool:
        doc = self.doc or {}
        return any(isinstance(doc.get(s), dict) and "convex" in doc[s] for s in DEPENDENCY_SECTIONS)

    def script(self, name: str) -> str | None:
        scripts = (self.doc or {}).get("scripts")
        if isinstance(scripts, dict) and isinstance(scripts.get(name), str):
            return scripts[name]
        return None

    def facts(self) -> dict:
        """``{path, exists, valid, hasConvexDependency, hasConvexDevScript, hasConvexCodegenScript, scripts}``."""
        return {
            "path": self.path,
            "exists": self.exists,
            "valid": self.valid,
            "hasConvexDependency": self.has_convex_dependency,
            "hasConvexDevScript": self.script("convex:dev") is not None,
            "hasConvexCodegenScript": self.script("convex:codegen") is not None,
            "scripts": {name: self.script(name) for name in CONVEX_SCRIPTS},
            "error": self.error,
        }


_INDENT_RE = regex_cache.compile(r"^\{[ \t]*\r?\n([ \t]+)\S", re.S)


def read_package_json(root: Path, rel: str) -> PackageJson:
    """Read ``rel``; never raises for bad content (``valid`` False and ``error`` set:
    not UTF-8, invalid JSON with line and column, or not a JSON object)."""
    path = root / rel
    if not path.is_file():
        return PackageJson(rel, False)
    info = PackageJson(rel, True)
    try:
        data = path.read_bytes()
    except OSError as exc:
        info.error = f"cannot read ({exc.strerror})"
        return info
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        info.error = "not UTF-8 text"
        return info
    if text.startswith("\ufeff"):
        info.bom, text = True, text[1:]
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        info.error = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return info
    if not isinstance(doc, dict):
        info.error = "not a JSON object"
        return info
    m = _INDENT_RE.match(text)
    if m:
        info.indent = m.group(1)
    info.newline = text.endswith("\n")
    info.valid, info.doc = True, doc
    return info


# ---------------------------------------------------------------------------------------
# monorepo candidates (status without a configuration)

_SKIP_DIRS = {"node_modules", ".git", "dist", "build", ".next", ".turbo"}
_MAX_DOUBLESTAR_DEPTH = 4


def _workspace_globs(root: Path) -> list[str]:
    """Workspace package globs from pnpm-workspace.yaml (``packages``) and the root
    package.json (``workspaces`` as a list or ``{packages: [...]}``); negations dropped."""
    globs: list[str] = []
    pnpm = root / "pnpm-workspace.yaml"
    if pnpm.is_file():
        try:
            import yaml

            doc = yaml.safe_load(pnpm.read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - a broken workspace file only loses candidates
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("packages"), list):
            globs += [g for g in doc["packages"] if isinstance(g, str)]
    pkg = read_package_json(root, "package.json")
    ws = (pkg.doc or {}).get("workspaces")
    if isinstance(ws, dict):
        ws = ws.get("packages")
    if isinstance(ws, list):
        globs += [g for g in ws if isinstance(g, str)]
    out: list[str] = []
    for g in globs:
        g = g.strip().replace("\\", "/").strip("/")
        if g and not g.startswith("!") and g not in out:
            out.append(g.removeprefix("./"))
    return out


def _expand(root: Path, pattern: str) -> list[str]:
    """Directories (repo-relative) matching a workspace glob (``*``, ``?``, ``[…]``, ``**``)."""
    current = [PurePosixPath(".")]
    for seg in PurePosixPath(pattern).parts:
        nxt: list[PurePosixPath] = []
        for base in current:
            if seg == "**":
                for dirpath, dirnames, _ in os.walk(root / base):
                    rel = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
                    depth = len(rel.parts) - len(base.parts) if base != PurePosixPath(".") else len(rel.parts)
                    dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
                    if depth >= _MAX_DOUBLESTAR_DEPTH:
                        dirnames[:] = []
                    nxt.append(rel)
            elif any(c in seg for c in "*?["):
                try:
                    names = sorted(os.listdir(root / base))
                except OSError:
                    continue
                nxt += [base / n for n in names if fnmatch.fnmatchcase(n, seg) and n not in _SKIP_DIRS and (root / base / n).is_dir()]
            elif seg == "..":
                continue
            elif (root / base / seg).is_dir():
                nxt.append(base / seg)
        current = nxt
    return sorted({p.as_posix() for p in current if p != PurePosixPath(".")})


def _functions_dir(root: Path, package_dir: str) -> str:
    """The Convex directory of a package: ``functions`` in its convex.json, else ``convex``."""
    base = PurePosixPath(package_dir)
    try:
        doc = json.loads((root / base / "convex.json").read_text(encoding="utf-8"))
        fdir = doc.get("functions") if isinstance(doc, dict) else None
    except (OSError, ValueError):
        fdir = None
    if isinstance(fdir, str) and fdir.strip("/ ") and ".." not in fdir:
        return (base / fdir.strip("/ ")).as_posix()
    return (base / "convex").as_posix()


def _scan_for_convex_dirs(root: Path) -> list[str]:
    """Without workspace declarations: parents of ``convex/`` directories holding a
    ``schema.ts``, at most :data:`_MAX_DOUBLESTAR_DEPTH` levels down (skipping
    node_modules, build output and dot directories)."""
    found: list[str] = []
    for dirpath, dirnames, _ in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        if len(rel.parts) >= _MAX_DOUBLESTAR_DEPTH:
            dirnames[:] = []
        if rel.parts and "convex" in dirnames and (Path(dirpath) / "convex" / "schema.ts").is_file():
            found.append(rel.as_posix())
    return found


def candidate_convex_dirs(root: Path) -> list[dict]:
    """Convex directories found in the repository root and its workspace packages
    (pnpm-workspace.yaml, package.json ``workspaces``; without either, a shallow scan for
    ``*/convex/schema.ts``).

    Each: ``{convexDir, schemaPath, schemaExists, packageJson, workspace}`` where
    ``schemaPath`` is the value to put in ``db.source.path``. A directory counts when it
    exists and holds a ``schema.ts`` or any other file. Sorted, root first.
    """
    out: list[dict] = []
    packages = ["."]
    globs = _workspace_globs(root)
    for pattern in globs:
        packages += _expand(root, pattern)
    if not globs:
        packages += _scan_for_convex_dirs(root)
    seen: set[str] = set()
    for pkg_dir in packages:
        cdir = _functions_dir(root, pkg_dir)
        cdir = PurePosixPath(os.path.normpath(cdir)).as_posix()
        if cdir in seen or not (root / cdir).is_dir() or not inside(root, root / cdir):
            continue
        seen.add(cdir)
        schema = (PurePosixPath(cdir) / "schema.ts").as_posix()
        manifest = (PurePosixPath(pkg_dir) / "package.json").as_posix()
        out.append(
            {
                "convexDir": dir_label(cdir),
                "schemaPath": schema,
                "schemaExists": (root / schema).is_file(),
                "packageJson": manifest if (root / manifest).is_file() else None,
                "workspace": pkg_dir if pkg_dir != "." else None,
            }
        )
    return out



# ---------------------------------------------------------------------------------------
# status


def _count(root: Path, rel: str, key: str, docs: dict | None = None) -> tuple[bool, int | None, str | None]:
    """(exists, len(doc[key]) or None, problem) for a JSON contract; the document read is
    kept in ``docs[rel]`` when ``docs`` is given."""
    from ..pipeline import read_json_file

    path = root / rel
    if not path.is_file():
        return False, None, None
    doc = read_json_file(path)
    if docs is not None:
        docs[rel] = doc
    if not isinstance(doc, dict):
        return True, None, f"{rel} is not a valid JSON object"
    items = doc.get(key)
    if not isinstance(items, list):
        return True, None, f"{rel} has no '{key}' array"
    return True, len(items), None


def _surface_counts(doc) -> dict:
    """Counts of the function contract's callable surface: ``httpRoutes``, ``crons``,
    ``components`` and ``unresolvedCalls`` (``calls`` entries with ``resolved: false``);
    None for a part the contract does not have (written by an older version)."""
    doc = doc if isinstance(doc, dict) else {}

    def n(key: str):
        return len(doc[key]) if isinstance(doc.get(key), list) else None

    fns = doc.get("functions") if isinstance(doc.get("functions"), list) else []
    calls = [c for f in fns if isinstance(f, dict) and isinstance(f.get("calls"), list) for c in f["calls"]]
    has_calls = any(isinstance(f, dict) and "calls" in f for f in fns)
    unresolved = sum(1 for c in calls if isinstance(c, dict) and c.get("resolved") is False) if has_calls else None
    return {"httpRoutes": n("httpRoutes"), "crons": n("crons"), "components": n("components"), "unresolvedCalls": unresolved}


def status_report(root: Path) -> dict:
    """The ``ctl-convex status`` report: a troubleshooting view that never raises for bad input.

    Shape::

        {mode, source, configPath, configExists, schemaPath, convexDir, packageJsonPath,
         artifacts: {schemaSource: {kind, path, exists},   # the mode's source (ssotSource)
                     dbContract: {path, exists, tables},
                     functionContract: {path, exists, functions, httpRoutes, crons,
                                        components, unresolvedCalls},
                     packageJson: {path, exists, valid, hasConvexDependency, hasConvexDevScript,
                                   hasConvexCodegenScript, scripts, error},
                     generated: {path, exists}},
         candidates: [{convexDir, schemaPath, schemaExists, packageJson, workspace}],
                                       # without a configuration, when a Convex directory
                                       # other than the root convex/ exists (else [])
         errors: [str], warnings: [str]}

    ``mode``/``source``/``errors``/``warnings`` start from ``ctl-db-ssot status``
    (:func:`convex_ssot.status.status_data`). When the layout leaves the repository
    the outside paths are not probed (``exists`` is null) and the reason is an error.
    """
    from ..status import status_data  # the shared part of both status commands
    from ..config import DB_CONTRACT_REL, FUNCTIONS_CONTRACT_REL, load_config_lenient

    base = status_data(root)
    cfg = load_config_lenient(root)
    errors = list(base["errors"])
    warnings = list(base["warnings"])
    layout_ok = True
    try:
        pkg_rel = check_layout(cfg)
    except ConfigError as exc:
        layout_ok = False
        pkg_rel = find_package_json(cfg)
        errors.append(str(exc))
    gen_rel = generated_rel(cfg)

    def probe(rel: str, kind: str = "file") -> bool | None:
        if not layout_ok and not inside(root, root / rel):
            return None
        return (root / rel).is_dir() if kind == "dir" else (root / rel).is_file()

    db_exists, n_tables, db_problem = _count(root, DB_CONTRACT_REL, "tables")
    docs: dict = {}
    fc_exists, n_functions, fc_problem = _count(root, FUNCTIONS_CONTRACT_REL, "functions", docs)
    warnings += [p for p in (db_problem, fc_problem) if p]
    pkg = read_package_json(root, pkg_rel) if probe(pkg_rel) else PackageJson(pkg_rel, False)
    pkg_facts = pkg.facts()
    if probe(pkg_rel) is None:
        pkg_facts["exists"] = None
    convex = cfg.mode == "convex"
    if convex and not fc_exists:
        warnings.append(f"{FUNCTIONS_CONTRACT_REL} is missing: run `ctl-db-ssot sync-to-context`")
    if convex and layout_ok:
        if not pkg.exists:
            warnings.append(f"no package.json for {dir_label(cfg.convex_dir_rel)} (looked from its parent up to the repository root)")
        elif not pkg.valid:
            warnings.append(f"{pkg_rel}: {pkg.error}")
        if not probe(gen_rel, "dir"):
            warnings.append(f"{gen_rel} is missing: run `npx convex dev` or `npx convex codegen`")
    candidates: list[dict] = []
    if not cfg.config_exists:
        candidates = candidate_convex_dirs(root)
        if all(c["convexDir"] == "convex/" for c in candidates):
            candidates = []  # a single-package repository: nothing to choose from
        if cfg.mode != "convex" and candidates:
            listed = ", ".join(c["schemaPath"] for c in candidates)
            warnings.append(
                f"no {cfg.config_path}; candidate Convex schemas: {listed}. "
                "Create it with db.ssot = 'convex' and db.source.path set to one of them"
            )
    return {
        "mode": base["mode"],
        "source": base["source"],
        "configPath": base["configPath"],
        "configExists": cfg.config_exists,
        "schemaPath": cfg.schema_rel,
        "convexDir": dir_label(cfg.convex_dir_rel),
        "packageJsonPath": pkg_rel,
        "artifacts": {
            "schemaSource": (
                {"kind": "convex schema", "path": cfg.schema_rel, "exists": probe(cfg.schema_rel)}
                if convex
                else {k: base["ssotSource"][k] for k in ("kind", "path", "exists")}
            ),
            "dbContract": {"path": DB_CONTRACT_REL, "exists": db_exists, "tables": n_tables},
            "functionContract": {"path": FUNCTIONS_CONTRACT_REL, "exists": fc_exists, "functions": n_functions,
                                 **_surface_counts(docs.get(FUNCTIONS_CONTRACT_REL))},
            "packageJson": pkg_facts,
            "generated": {"path": gen_rel, "exists": probe(gen_rel, "dir")},
        },
        "candidates": candidates,
        "errors": errors,
        "warnings": warnings,
    }
