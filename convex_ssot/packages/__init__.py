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

The library models are declared in :data:`LIBRARY_MODELS` (what each may answer) and
imported only when a run needs them (:class:`~convex_ssot.interp.packages.LazyModel`): a
project whose modules import nothing but ``convex/*`` and ``_generated/*`` never imports
the models of zod, convex-helpers, better-auth, agent…
"""

from __future__ import annotations

from functools import partial

from ..interp.packages import LazyModel, PackageModel, PackageRegistry

__all__ = ["default_registry", "load_model", "LIBRARY_MODELS"]


def load_model(name: str) -> PackageModel:
    """A new library model of :data:`LIBRARY_MODELS` by class name (imports its module)."""
    if name == "HelpersModel":
        from .convex_helpers import HelpersModel as model
    elif name == "ZodModel":
        from .zod import ZodModel as model
    elif name == "ZodvexModel":
        from .zodvex import ZodvexModel as model
    elif name == "EntsModel":
        from .ents import EntsModel as model
    elif name == "HelpersServerModel":
        from .helpers_server import HelpersServerModel as model
    elif name == "AuthModel":
        from .convex_auth import AuthModel as model
    elif name == "RecordedModel":
        from .recorded import RecordedModel as model
    elif name == "ComponentsModel":
        from .components import ComponentsModel as model
    else:
        raise KeyError(name)
    return model()


#: ``(class, declaration)`` of each library model, in the order they are asked. The
#: declarations are the models' own (checked by tests/unit/test_package_registry.py).
LIBRARY_MODELS = (
    ("HelpersModel", dict(
        specifiers=("convex-helpers", "convex-helpers/validators", "convex-helpers/server", "convex-helpers/server/zod",
                    "convex-helpers/server/zod3", "convex-helpers/server/zod4", "convex-helpers/server/sessions",
                    "convex-helpers/server/customFunctions"),
        builtin_prefixes=("ch.", "zod."))),
    ("ZodModel", dict(specifiers=("zod", "zod/v4", "zod/v3", "zod/v4/core"), builtin_names=("z",), builtin_prefixes=("z.",))),
    ("ZodvexModel", dict(specifiers=("zodvex",), builtin_prefixes=("zodvex.",))),
    ("EntsModel", dict(specifiers=("convex-ents",), builtin_prefixes=("ents.",))),
    ("HelpersServerModel", dict(
        specifiers=("convex-helpers/server/migrations", "convex-helpers/server/retries", "convex-helpers/server/crud"))),
    ("AuthModel", dict(
        specifiers=("@convex-dev/auth/server",), builtin_prefixes=("auth.",), reads_installed=True, hooks=("call_failed",))),
    ("RecordedModel", dict(
        specifiers=("@convex-dev/agent", "@convex-dev/agent/validators", "@convex-dev/prosemirror-sync", "@djpanda/convex-tenants",
                    "@raideno/convex-stripe/server", "@useautumn/convex"),
        builtin_prefixes=("recorded:",), reads_installed=True, hooks=("new",))),
    ("ComponentsModel", dict(
        specifiers=("@convex-dev/migrations", "@convex-dev/workflow", "@convex-dev/better-auth", "@convex-dev/workos-authkit",
                    "@convex-dev/resend", "@convex-dev/workpool", "@convex-dev/polar", "@convex-dev/rag"),
        reads_installed=True, hooks=("new", "call_unknown", "call_failed"))),
)


def default_registry() -> PackageRegistry:
    """The package models of a run, in the order they are asked (the first that knows a
    specifier answers; ``new`` expressions are offered to recorded classes before component
    clients). The primitives are built at once (every project uses them); the library
    models of :data:`LIBRARY_MODELS` when first needed."""
    from .convex_server import ServerModel
    from .convex_values import ValuesModel
    from .generated import GeneratedModel
    from .surface.model import SurfaceModel
    from .versions import assume

    return PackageRegistry([
        SurfaceModel(),  # first: a few convex/server names, _generated/api, convex.config
        GeneratedModel(),
        ValuesModel(),
        ServerModel(),
        *(LazyModel(partial(load_model, name), **declared) for name, declared in LIBRARY_MODELS),
    ], on_assumed=assume)
