"""What the contract needs to know of component client values without the component
models: :class:`VFactoryUnknown` (a call that may have registered functions the contract
cannot list) and :func:`unlisted`. Kept apart from :mod:`.components` so that reading a
project (:mod:`convex_ssot.resolve.project`) imports the component models only when a
module uses one (:data:`convex_ssot.packages.LIBRARY_MODELS`)."""

from __future__ import annotations

from ..dataclass_cache import dataclass
from ..interp.values import Value, VUnknown

__all__ = ["VFactoryUnknown", "Unlisted", "unlisted"]


@dataclass(slots=True)
class VFactoryUnknown(VUnknown):
    """The result of calling a method of an unmodelled client: possibly a Convex
    function the tool cannot list (reported as CSX243 where it is exported)."""

    package: str = ""
    what: str = ""
    #: ``"method"`` (a client's method: always reported) or ``"function"`` (a package
    #: function: reported only for destructured exports, ``export const {a, b} = f()``,
    #: the shape of an API object; a single value such as agent's ``createTool()`` is not).
    via: str = "method"


class Unlisted:
    """Mixin of the component values (:mod:`.components`) that may stand for functions
    the contract cannot list."""

    __slots__ = ()

    def unlisted(self) -> VFactoryUnknown | None:
        """What this value says about functions the contract cannot list (None: nothing)."""
        return None


def unlisted(val: Value) -> VFactoryUnknown | None:
    """What an exported value says about functions the contract cannot list: a
    :class:`VFactoryUnknown` for an unmodelled factory's result, for the result of a
    component's client API factory (``export const api = f(components.x, …)``), and for a
    property of it (``export const {create, list} = f(components.x, …)``, whatever the
    package's scope); None for anything else (``new X(components.x)`` itself is a client)."""
    if isinstance(val, VFactoryUnknown):
        return val
    if isinstance(val, Unlisted):
        return val.unlisted()
    return None
