"""Finding the package data: the Lark grammar, the JSON Schemas and the init templates.

In a wheel, ``grammars/`` and ``schemas/`` are installed inside the package
(``convex_ssot/grammars``, ``convex_ssot/schemas``; see ``[tool.hatch.build.targets.wheel.force-include]``
in pyproject.toml). In a checkout or an editable install they sit at the repository's top
level, one directory above the package. This module is the only code that knows that.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["data_dir", "grammar_path", "schema_path", "template_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """Directory of the package data ``name`` (``"grammars"`` or ``"schemas"``).

    Raises FileNotFoundError when neither the installed nor the checkout location exists.
    """
    installed = _PACKAGE_DIR / name  # a wheel installed as files (pip's normal case)
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    from importlib import resources  # other loaders (zip imports): costs ~10 ms of imports

    packaged = resources.files("convex_ssot") / name
    if packaged.is_dir():
        return Path(str(packaged))
    raise FileNotFoundError(f"convex-ssot package data '{name}' not found (broken installation?)")


def grammar_path(name: str = "convex.lark") -> Path:
    """Path of a grammar file in ``grammars/``."""
    return data_dir("grammars") / name


def schema_path(name: str) -> Path:
    """Path of a JSON Schema in ``schemas/`` (e.g. ``functions.schema.json``)."""
    return data_dir("schemas") / name


def template_dir() -> Path:
    """Directory of the ``ctl-convex init`` templates (package data inside ``convex_ssot``)."""
    return _PACKAGE_DIR / "scaffold" / "templates"
