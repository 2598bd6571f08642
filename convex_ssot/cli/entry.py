"""The console scripts (``ctl-db-ssot``, ``ctl-convex``; ``pyproject.toml``) and
``python -m convex_ssot``: the process is prepared for one command before the
command-line modules (click, the configuration) are imported, then the command runs and
the process ends (:func:`convex_ssot.cli.common.run_command` with ``exit_process``).

- Python's cyclic garbage collector is off for the whole process. The command runs with it
  off anyway (``run_command``); before it, the imports create classes, functions and
  tables that live as long as the process, and the collector, which walks the newest
  objects every 700 allocations, ran 23 times over the ``ctl-db-ssot`` imports to find
  465 objects to free (about 4 ms of a gen-350 edit run); after it, turning the collector
  on again makes the next allocation walk every object the command made (about 9 ms)
  just before the process ends.
- :func:`convex_ssot.regex_cache.prime_re`: the regular expressions the standard library
  and click compile as they are imported come from the start-up code cache, put into
  :mod:`re`'s own cache before those imports (about 7 ms of the same run).

docs/performance.md, "Session 7: s7-imports".
"""

from __future__ import annotations

import gc

__all__ = ["db_ssot", "convex", "prepare"]


def prepare() -> None:
    """Prepare this process for one command (module docstring): the collector off for good,
    :mod:`re`'s cache primed. Also used by ``bench/import_time.py``."""
    gc.disable()
    from .. import regex_cache

    regex_cache.prime_re()


def db_ssot() -> None:
    """``ctl-db-ssot`` (:func:`convex_ssot.cli.db_ssot.main`) in a process of its own."""
    prepare()
    from .db_ssot import main

    main()


def convex() -> None:
    """``ctl-convex`` (:func:`convex_ssot.cli.convex.main`) in a process of its own."""
    prepare()
    from .convex import main

    main()
