"""The HTTP router: ``httpRouter()``, ``http.route(spec)``, ``getRoutes()`` order, ``lookup``.

Follows ``HttpRouter`` of convex 1.48 ``src/server/router.ts`` rule by rule:

* ``route(spec)`` throws when ``spec.handler`` or ``spec.method`` is missing, when the
  method is not one of ``GET POST PUT DELETE OPTIONS PATCH`` (``ROUTABLE_HTTP_METHODS``),
  when ``spec`` holds both ``path`` and ``pathPrefix`` or neither, when ``path`` does not
  start with ``/`` or is ``/.files`` or under ``/.files/``, when ``pathPrefix`` does not
  start and end with ``/`` or starts with ``/.files/``, and when the same path (or prefix)
  is routed twice for one method. Each throw becomes an error diagnostic (CSX500) with
  Convex's own message; the route is not added (Convex would refuse to deploy).
* ``getRoutes()`` lists exact routes sorted by path, then method, then prefix routes sorted
  by method, then prefix (JavaScript's default sort: UTF-16 code units).
* ``lookup(path, method)`` routes HEAD as GET, prefers an exact route, else the longest
  matching prefix.

A route whose spec the evaluator cannot resolve is reported (CSX501) and left out.
"""

from __future__ import annotations

from dataclasses import field
from ...dataclass_cache import dataclass

from ...interp.values import VBool, VCallable, VNull, VObj, VStr, VUndefined, VUnknown, Value
from .values import SurfaceValue

__all__ = ["VRouter", "RouteEntry", "ROUTABLE_HTTP_METHODS", "member", "route", "spec_entry", "add_route", "throw", "get_routes", "lookup", "js_sorted"]

#: router.ts ``ROUTABLE_HTTP_METHODS``.
ROUTABLE_HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")


@dataclass(slots=True)
class RouteEntry:
    """A route as ``HttpRouter.route`` stored it: the handler value and where it came from."""

    method: str
    path: str | None
    path_prefix: str | None
    handler: Value
    module: object
    offset: int
    registered_by: str | None = None
    handler_package: str | None = None


@dataclass(slots=True, eq=False)
class VRouter(SurfaceValue):
    """``httpRouter()``: ``exact`` maps path → method → entry, ``prefix`` method → prefix →
    entry (``exactRoutes``/``prefixRoutes`` of router.ts); ``module`` where it was created."""

    module: object
    offset: int
    exact: dict[str, dict[str, RouteEntry]] = field(default_factory=dict)
    prefix: dict[str, dict[str, RouteEntry]] = field(default_factory=dict)

    def member(self, ev, mod, prop: str, node=None) -> Value:
        return member(self, prop)


def member(router: VRouter, prop: str) -> Value:
    """Properties of an ``HttpRouter``: ``route`` (modelled), ``isRouter``."""
    if prop == "route":
        return VCallable("http.route", lambda ev, mod, args, node: route(ev, mod, router, args, node))
    if prop == "isRouter":
        return VBool(True)
    return VUnknown(f"HttpRouter.{prop} is not modelled")


def _falsy(val: Value) -> bool:
    return isinstance(val, (VUndefined, VNull)) or (isinstance(val, VStr) and val.value == "") or (isinstance(val, VBool) and not val.value)


def route(ev, mod, router: VRouter, args: list, node) -> Value:
    """``http.route(spec)`` called in ``mod`` at ``node``: validates and records the route."""
    entry = spec_entry(ev, mod, args, node)
    if entry is not None:
        error = add_route(router, entry)
        if error:
            throw(mod, node.span[0], error)
    return VUndefined()


def spec_entry(ev, mod, args: list, node) -> RouteEntry | None:
    """The route ``spec`` (``args[0]``) describes, checked as ``route`` checks it before it
    looks at the router; None (with a diagnostic) when Convex would throw or the spec is
    not resolved."""
    off = node.span[0]
    spec = ev.eval(mod, args[0]) if args else VUndefined()
    if not isinstance(spec, VObj) or spec.spread_unknown:
        reason = spec.reason if isinstance(spec, VUnknown) else ("a spread the tool does not resolve" if isinstance(spec, VObj) else "not an object")
        mod.diag(off, "CSX501", f"http.route(...) not resolved ({reason}); the route is missing from httpRoutes")
        return None
    e = spec.entries
    handler = e.get("handler", VUndefined())
    method = e.get("method", VUndefined())
    if _falsy(handler):
        return _throw_none(mod, off, "route requires handler")
    if _falsy(method):
        return _throw_none(mod, off, "route requires method")
    path = e.get("path")
    prefix = e.get("pathPrefix")
    for what, val in (("method", method), ("path", path), ("pathPrefix", prefix)):
        if isinstance(val, VUnknown):
            mod.diag(off, "CSX501", f"http.route(...): `{what}` not resolved ({val.reason}); the route is missing from httpRoutes")
            return None
    if not isinstance(method, VStr) or method.value not in ROUTABLE_HTTP_METHODS:
        shown = method.value if isinstance(method, VStr) else "value"
        return _throw_none(mod, off, f"'{shown}' is not an allowed HTTP method (like GET, POST, PUT etc.)")
    entry = RouteEntry(method.value, None, None, handler, mod, off)
    if path is not None:
        if prefix is not None:
            return _throw_none(mod, off, "Invalid httpRouter route: cannot contain both 'path' and 'pathPrefix'")
        if not isinstance(path, VStr):
            return _throw_none(mod, off, "spec.path.startsWith is not a function (path must be a string)")
        entry.path = path.value
    elif prefix is not None:
        if not isinstance(prefix, VStr):
            return _throw_none(mod, off, "spec.pathPrefix.startsWith is not a function (pathPrefix must be a string)")
        entry.path_prefix = prefix.value
    else:
        return _throw_none(mod, off, "Invalid httpRouter route entry: must contain either field 'path' or 'pathPrefix'")
    return entry


def add_route(router: VRouter, entry: RouteEntry) -> str | None:
    """Add ``entry`` to ``router`` as ``HttpRouter.route`` does; returns Convex's error
    message instead of adding it when Convex would throw."""
    method = entry.method
    if entry.path is not None:
        p = entry.path
        if not p.startswith("/"):
            return f"path '{p}' does not start with a /"
        if p.startswith("/.files/") or p == "/.files":
            return f"path '{p}' is reserved"
        methods = router.exact.setdefault(p, {})
        if method in methods:
            return f"Path '{p}' for method {method} already in use"
        methods[method] = entry
        return None
    p = entry.path_prefix or ""
    if not p.startswith("/"):
        return f"pathPrefix '{p}' does not start with a /"
    if not p.endswith("/"):
        return f"pathPrefix {p} must end with a /"
    if p.startswith("/.files/"):
        return f"pathPrefix '{p}' is reserved"
    prefixes = router.prefix.setdefault(method, {})
    if p in prefixes:
        return f"{method} pathPrefix {p} is already defined"
    prefixes[p] = entry
    return None


def _throw_none(mod, off: int, message: str) -> None:
    throw(mod, off, message)
    return None


def throw(mod, off: int, message: str) -> Value:
    """Report what Convex throws (CSX500) at ``off``; ``undefined``."""
    mod.diag(off, "CSX500", f"Convex rejects this route: {message} (convex src/server/router.ts); the route is not listed", "error")
    return VUndefined()


def _utf16(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def js_sorted(items) -> list[str]:
    """``[...items].sort()``: JavaScript's default order compares UTF-16 code units."""
    return sorted(items, key=_utf16)


def get_routes(router: VRouter) -> list[RouteEntry]:
    """The routes in ``HttpRouter.getRoutes()`` order."""
    out: list[RouteEntry] = []
    for path in js_sorted(router.exact):
        methods = router.exact[path]
        out.extend(methods[m] for m in js_sorted(methods))
    for method in js_sorted(router.prefix):
        prefixes = router.prefix[method]
        out.extend(prefixes[p] for p in js_sorted(prefixes))
    return out


def lookup(router: VRouter, path: str, method: str) -> tuple[RouteEntry, str, str] | None:
    """``HttpRouter.lookup(path, method)``: ``(entry, method, routed path)`` or None; HEAD is
    routed as GET, an exact route wins, else the longest matching prefix (``"<prefix>*"``)."""
    if method == "HEAD":
        method = "GET"
    exact = router.exact.get(path, {}).get(method)
    if exact is not None:
        return exact, method, path
    prefixes = router.prefix.get(method, {})
    # A stable sort by decreasing length keeps insertion order among equal lengths (V8's
    # Array.prototype.sort is stable), as router.ts relies on.
    for p in sorted(prefixes, key=lambda s: -len(s.encode("utf-16-le", "surrogatepass")) // 2):
        if path.startswith(p):
            return prefixes[p], method, p + "*"
    return None
