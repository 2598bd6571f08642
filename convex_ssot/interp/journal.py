"""The evaluation journal: a run-wide log of what evaluation read and reported.

Incremental evaluation (docs/architecture.md, "Incremental evaluation") caches what
evaluating one function module produced, keyed by what that evaluation read. A value
memoised on a module (:meth:`~.core.Evaluator.lookup`) reports its diagnostics and reads
its imports only the first time it is computed, so what one module's evaluation "did"
would depend on which module was evaluated first. The journal removes that dependence:
every event is appended to :data:`CURRENT` (when a journal is active), a memoised value
keeps the slice of events written while it was computed (``Module.slices``), and every
later use of the memo appends that slice again. The events of one module's evaluation are
then those of evaluating it alone, whatever ran before.

Events are tuples whose first item names the kind:

* ``("d", rel, diagnostic)`` — a diagnostic recorded on the module at repo-relative ``rel``;
* ``("m", key)`` — the module file at ``key`` (normalised absolute path) was asked for;
* ``("e", importer, specifier, platform, resolution)`` — ``specifier`` imported by the file
  ``importer`` resolved to ``resolution`` (:class:`~convex_ssot.resolve.paths.Resolution`
  or None);
* ``("p", path, exists)`` — evaluation looked whether the file ``path`` exists.

This module imports nothing of the project (everything else may import it).
"""

from __future__ import annotations

__all__ = ["Journal", "CURRENT", "start", "stop", "record"]


class Journal:
    """The events of a run, in order (``events``: a list of tuples, see the module doc)."""

    __slots__ = ("events",)

    def __init__(self) -> None:
        self.events: list[tuple] = []


#: The active journal, or None (events are then not recorded: ``ctl-convex check`` and
#: other readers that evaluate outside :func:`convex_ssot.resolve.project.build_project`).
CURRENT: Journal | None = None


def start() -> Journal:
    """Make a new journal the active one and return it."""
    global CURRENT
    CURRENT = Journal()
    return CURRENT


def stop() -> None:
    """Stop recording."""
    global CURRENT
    CURRENT = None


def record(event: tuple) -> None:
    """Append ``event`` to the active journal, if any."""
    j = CURRENT
    if j is not None:
        j.events.append(event)
