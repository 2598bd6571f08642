"""Wheel build hook: ship the grammar's compiled LALR tables inside the wheel.

Lark compiles ``grammars/convex.lark`` here, once, into the compact form the run-time
parser loads in a few milliseconds without importing Lark (``convex_ssot/grammars/
convex.lark-tables``, :mod:`convex_ssot.parse.tables`). The tables carry a header (grammar
text, form version, Python version and implementation); a wheel used with another Python
compiles them on first use into the user cache instead. An editable install reads the
checkout, which has no tables: its first run compiles them into the user cache
(docs/architecture.md, "Parser tables: where they come from").
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
            return  # an editable install reads the checkout; its tables are cached on first use
        sys.path.insert(0, self.root)
        try:
            from convex_ssot.parse.tables import PACKAGED_TABLES, build_tables
        finally:
            sys.path.pop(0)
        out = Path(tempfile.mkdtemp(prefix="convex-ssot-build-")) / PACKAGED_TABLES
        build_tables(out)
        build_data["force_include"][str(out)] = f"convex_ssot/grammars/{PACKAGED_TABLES}"
