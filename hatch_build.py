"""Wheel build hook: ship the grammar's compiled LALR tables inside the wheel.

Compiling ``grammars/convex.lark`` takes about a second; with the tables in the package
(``convex_ssot/grammars/convex.lark-tables``) a fresh install's first run only loads them
(see ``convex_ssot.parse.parser.get_parser``). Lark checks the tables against the grammar,
the parser options and the Lark and Python versions, and recompiles on any mismatch, so a
wheel used with another Python version still works, just without the head start.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class GrammarTablesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads the checkout; its cache is built on first use
        sys.path.insert(0, self.root)
        try:
            from convex_ssot.parse.parser import PACKAGED_TABLES, build_tables
        finally:
            sys.path.pop(0)
        out = Path(tempfile.mkdtemp(prefix="convex-ssot-build-")) / PACKAGED_TABLES
        build_tables(out)
        build_data["force_include"][str(out)] = f"convex_ssot/grammars/{PACKAGED_TABLES}"
