"""Helpers of the ``ctl-convex check`` tests: write a throw-away project, run the check."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from convex_ssot.checks.run import CheckReport, run_check
from convex_ssot.checks.settings import load_settings
from convex_ssot.config import load_config

SCHEMA = """
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  users: defineTable({ name: v.string(), email: v.optional(v.string()) }).index("by_email", ["email"]),
  messages: defineTable({ body: v.string(), authorId: v.id("users"), channel: v.string() })
    .index("by_authorId", ["authorId"])
    .index("by_channel_and_authorId", ["channel", "authorId"])
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel"] }),
});
"""

HEADER = 'import { query, mutation, action, internalMutation } from "./_generated/server";\nimport { v } from "convex/values";\n'


def write(root: Path, files: dict[str, str], config: dict | None = None) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if config is not None:
        p = root / "docs/project/db-ssot.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(config), encoding="utf-8")
    return root


def check(root: Path, files: dict[str, str], config: dict | None = None, select=None, ignore=None) -> CheckReport:
    """Write ``files`` (``convex/schema.ts`` defaults to :data:`SCHEMA`) under ``root`` and
    run the whole check (no cache)."""
    files = {"convex/schema.ts": SCHEMA, **files}
    write(root, files, config)
    cfg = load_config(root)
    return run_check(cfg, use_cache=False, settings=load_settings(cfg.raw, select, ignore))


def rules_of(report: CheckReport, rule: str) -> list[tuple[str, int, int]]:
    return [(f.file, f.line, f.column) for f in report.findings if f.rule == rule]
