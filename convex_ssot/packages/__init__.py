"""Package knowledge: one module per package (or primitive), each a
:class:`~convex_ssot.interp.packages.PackageModel` the interpreter core looks specifiers up
in. The core (:mod:`convex_ssot.interp`) imports nothing from here; the resolution stage
(:mod:`convex_ssot.resolve.project`) builds the registry of a run with
:func:`default_registry`.

Primitives, modelled by hand because they are what Convex code is built from:
:mod:`.convex_values`, :mod:`.convex_server`, :mod:`.generated` (``_generated/server``),
:mod:`.zod` (zod → Convex conversion). Library models: :mod:`.convex_helpers`,
:mod:`.helpers_server`, :mod:`.zodvex`, :mod:`.ents`, :mod:`.convex_auth`,
:mod:`.recorded` (recorded by running the package), :mod:`.components` (component clients),
:mod:`.surface` (HTTP router, cron jobs, app and components, function references).
"""

from __future__ import annotations

from ..interp.packages import PackageRegistry

__all__ = ["default_registry"]


def default_registry() -> PackageRegistry:
    """The package models of a run, in the order they are asked (the first that knows a
    specifier answers; ``new`` expressions are offered to recorded classes before component
    clients)."""
    from .components import ComponentsModel
    from .convex_auth import AuthModel
    from .convex_helpers import HelpersModel
    from .convex_server import ServerModel
    from .convex_values import ValuesModel
    from .ents import EntsModel
    from .generated import GeneratedModel
    from .helpers_server import HelpersServerModel
    from .recorded import RecordedModel
    from .surface.model import SurfaceModel
    from .zod import ZodModel
    from .versions import assume
    from .zodvex import ZodvexModel

    return PackageRegistry([
        SurfaceModel(),  # first: a few convex/server names, _generated/api, convex.config
        GeneratedModel(),
        ValuesModel(),
        ServerModel(),
        HelpersModel(),
        ZodModel(),
        ZodvexModel(),
        EntsModel(),
        HelpersServerModel(),
        AuthModel(),
        RecordedModel(),
        ComponentsModel(),
    ], on_assumed=assume)
