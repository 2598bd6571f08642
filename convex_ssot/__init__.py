"""convex-ssot: exact, machine-readable contracts of a Convex project's schema and functions.

Public API (no CLI involved)::

    from convex_ssot import load_config, derive, sync
    cfg = load_config(Path("."))
    result = sync(cfg)          # writes docs/context/db/schema.json and docs/context/convex/functions.json

Layers, data flowing one way: ``parse`` (lexer + Lark grammar → syntax tree) →
``resolve`` (syntax tree → :mod:`convex_ssot.ir`) → ``emit`` (IR → contract dicts) →
``validate`` / ``pipeline`` (JSON Schema, atomic writes) → ``cli``.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "load_config", "derive", "sync"]


def __getattr__(name):  # lazy: keep `import convex_ssot` cheap
    if name == "load_config":
        from .config import load_config

        return load_config
    if name in ("derive", "sync"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
