"""The console scripts (``ctl-db-ssot``, ``ctl-convex``; ``pyproject.toml``) and
``python -m convex_ssot``: the interpreter is prepared for a command-line run before the
command-line modules (click, the configuration) are imported, then the command runs.

- Python's cyclic garbage collector is off while they are imported: an import creates
  classes, functions and tables that live as long as the process, and the collector,
  which walks the new objects each 700 allocations, found 465 objects to free after 23
  collections of the ``ctl-db-ssot`` imports (about 4 ms of a gen-350 edit run). The
  objects made so far are then moved out of its reach (:func:`gc.freeze`: they live as
  long as the process) and its state is restored for the command
  (:func:`convex_ssot.cli.common.run_command` decides what the command runs with).
- :func:`convex_ssot.regex_cache.prime_re`: the regular expressions the standard library
  and click compile at import are read from the start-up code cache into :mod:`re`'s
  own cache (about 7 ms of the same run).

docs/performance.md, "Session 7: s7-imports".
"""

from __future__ import annotations

import gc

__all__ = ["db_ssot", "convex"]


def _prepared(load):
    """Call ``load`` (which imports a command group's module and returns its ``main``)
    with the interpreter prepared as the module docstring says; return what it returns."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .. import regex_cache

        regex_cache.prime_re()
        return load()
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _db_ssot_main():
    from .db_ssot import main

    return main


def _convex_main():
    from .convex import main

    return main


def db_ssot() -> None:
    """``ctl-db-ssot`` (:func:`convex_ssot.cli.db_ssot.main`)."""
    _prepared(_db_ssot_main)()


def convex() -> None:
    """``ctl-convex`` (:func:`convex_ssot.cli.convex.main`)."""
    _prepared(_convex_main)()
