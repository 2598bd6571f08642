"""Which rules run at which severity: configuration, ``--select`` / ``--ignore`` and
inline suppression.

* ``docs/project/db-ssot.json`` → ``"convex": {"rules": {"RULE": "error" | "warning" |
  "off"}, "alignments": [{"zod": "file#export", "convex": "target"}]}`` (JSON Schema:
  ``schemas/db-ssot.schema.json``). An unknown rule id there is a :class:`ConfigError`.
* ``--select`` / ``--ignore`` take rule ids or group names (``push``, ``guideline``,
  ``program``, ``alignment``; ``all``); an unknown name is a usage error (exit 2). Select
  chooses the rules that run (default: all), ignore removes some. A rule the configuration
  turns ``off`` runs only when ``--select`` names it by id (then at its default severity).
* ``// convex-ssot-ignore RULE[,RULE…] reason`` on the line before a finding suppresses it.
"""

from __future__ import annotations

import re
from dataclasses import field
from ..dataclass_cache import dataclass
from pathlib import Path

from ..config import CONFIG_REL
from ..errors import ConfigError
from .registry import GROUPS, RULES, Finding
from .. import regex_cache

__all__ = ["Settings", "Alignment", "load_settings", "parse_rule_list", "Suppressions"]


class UsageError(ValueError):
    """A bad ``--select`` / ``--ignore`` value (the CLI turns it into exit 2)."""


@dataclass(frozen=True, slots=True)
class Alignment:
    """One configured pair: the Zod schema ``zod_file#zod_export`` and the Convex target."""

    zod_file: str
    zod_export: str
    convex: str
    index: int  # position in the configuration (for messages)


@dataclass(slots=True)
class Settings:
    """``severity``: rule id → ``error`` | ``warning`` for every rule that runs."""

    severity: dict[str, str] = field(default_factory=dict)
    alignments: list[Alignment] = field(default_factory=list)


def _close(name: str) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, list(RULES) + list(GROUPS), n=3, cutoff=0.75)


def parse_rule_list(values: tuple[str, ...] | list[str] | None, option: str) -> tuple[set[str], set[str]]:
    """``(rule ids, ids named explicitly)`` of comma-separated ``values``; raises
    :class:`UsageError` naming ``option`` for an unknown id or group."""
    ids: set[str] = set()
    explicit: set[str] = set()
    for value in values or ():
        for name in (p.strip() for p in value.split(",")):
            if not name:
                continue
            if name == "all":
                ids.update(RULES)
            elif name in GROUPS:
                ids.update(r.id for r in RULES.values() if r.group == name)
            elif name in RULES:
                ids.add(name)
                explicit.add(name)
            else:
                close = _close(name)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise UsageError(f"{option}: unknown rule '{name}'{hint} (rule ids and groups: docs/rules.md, `ctl-convex check --list-rules`)")
    return ids, explicit


def load_settings(raw_config: dict | None, select=None, ignore=None) -> Settings:
    """The effective settings. Raises :class:`ConfigError` for a bad ``"convex"`` section
    (naming the key) and :class:`UsageError` for bad ``select`` / ``ignore`` values."""
    section = (raw_config or {}).get("convex")
    configured: dict[str, str] = {}
    alignments: list[Alignment] = []
    if section is not None:
        from ..validate import validate

        errors = [e for e in validate("config", raw_config) if e.startswith("$.convex")]
        if errors:
            raise ConfigError(f"{CONFIG_REL}: {errors[0]}; see docs/rules.md for the \"convex\" settings")
        for name, sev in (section.get("rules") or {}).items():
            if name not in RULES:
                close = _close(name)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ConfigError(f"{CONFIG_REL}: convex.rules names unknown rule '{name}'{hint}; the rules are listed in docs/rules.md")
            configured[name] = sev
        for i, pair in enumerate(section.get("alignments") or []):
            file, _, export = pair["zod"].partition("#")
            alignments.append(Alignment(file, export, pair["convex"], i))
    selected, explicit = parse_rule_list(select, "--select") if select else (set(RULES), set())
    ignored, _ = parse_rule_list(ignore, "--ignore")
    out = Settings(alignments=alignments)
    for rid in RULES:
        if rid not in selected or rid in ignored:
            continue
        sev = configured.get(rid, RULES[rid].severity)
        if sev == "off":
            if rid not in explicit:
                continue
            sev = RULES[rid].severity
        out.severity[rid] = sev
    return out


_IGNORE = regex_cache.compile(r"//\s*convex-ssot-ignore\s+([\w,\s-]*?[\w-])(?:\s+(.*))?$")


class Suppressions:
    """Inline ``// convex-ssot-ignore RULE reason`` comments, read per file on demand.
    ``unknown`` collects comments naming rules that do not exist: ``(file, line, name)``."""

    def __init__(self, repo_root: Path) -> None:
        self.repo_root = repo_root
        self._files: dict[str, dict[int, set[str]]] = {}
        self.unknown: list[tuple[str, int, str]] = []

    def _load(self, rel: str) -> dict[int, set[str]]:
        got = self._files.get(rel)
        if got is not None:
            return got
        got = {}
        try:
            text = (self.repo_root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        if "convex-ssot-ignore" in text:
            for n, line in enumerate(text.splitlines(), 1):
                m = _IGNORE.search(line)
                if m is None:
                    continue
                names = set()
                for name in re.split(r"[\s,]+", m.group(1)):
                    if name in RULES:
                        names.add(name)
                    elif name:
                        self.unknown.append((rel, n, name))
                got[n] = names
        self._files[rel] = got
        return got

    def suppressed(self, f: Finding) -> bool:
        """True when the line before ``f`` (or ``f``'s own line, for a trailing comment)
        has a comment naming ``f``'s rule."""
        lines = self._load(f.file)
        return f.rule in lines.get(f.line - 1, ()) or f.rule in lines.get(f.line, ())
