"""Routes that libraries register on the project's router.

Modelled (each from the package's own source, at the version named):

* @convex-dev/auth 0.0.95 ``auth.addHttpRoutes(http)`` (``src/server/implementation/index.ts``,
  ``addHttpRoutes``): ``GET /.well-known/openid-configuration`` and ``GET
  /.well-known/jwks.json`` always; when a configured provider is of type ``oauth`` or
  ``oidc`` (``hasOAuth``), also ``GET /api/auth/signin/*`` and ``GET``/``POST
  /api/auth/callback/*``. A provider's type is read from where it is imported:
  ``@auth/core/providers/<id>`` is OAuth/OIDC except the e-mail and credential providers
  (:data:`AUTH_CORE_NON_OAUTH`); ``@convex-dev/auth/providers/*`` are credentials, e-mail
  and phone providers. When a provider's type cannot be told, the OAuth routes are left
  out and CSX503 says so.

* Component clients' ``registerRoutes`` (each package's ``src/client/index.ts``):
  @convex-dev/better-auth (read: 0.8.4, 0.9.7, 0.9.11) ``authComponent.registerRoutes(http,
  createAuth, {cors?})``: ``GET /.well-known/openid-configuration`` unless ``lookup``
  already routes it, then ``GET`` and ``POST /api/auth/*`` (better-auth's default
  ``basePath``), through convex-helpers' ``corsRouter`` when ``cors`` is set;
  @convex-dev/polar (read: 0.6.4) ``polar.registerRoutes(http, {path = "/polar/events"})``:
  ``POST <path>``; @convex-dev/workos-authkit (read: 0.1.6, 0.2.7)
  ``authKit.registerRoutes(http)``: ``POST /workos/webhook`` and ``POST /workos/action``.
* convex-helpers 0.1.124 ``corsRouter(http, config).route(spec)`` (``server/cors.ts``):
  the route as ``http.route`` adds it, then an ``OPTIONS`` route on the same path or
  prefix (set without the duplicate check).

A library registrar whose installed version differs from the modelled one gets CSX503
naming the modelled version. Calls of other code that receives the router are reported
by :func:`.model.call` (CSX502).
"""

from __future__ import annotations

from ...dataclass_cache import dataclass

from ...parse import ast
from ..versions import find_version
from ...interp.values import VBool, VCallable, VObj, VStr, VUndefined, VUnknown, Value
from .routes import RouteEntry, VRouter, add_route, lookup, spec_entry, throw
from .values import SurfaceValue

__all__ = ["register", "cors_router", "AUTH_VERSION", "AUTH_CORE_NON_OAUTH", "CLIENT_REGISTRARS"]

#: package → (versions whose source was read, ``registerRoutes`` model).
CLIENT_REGISTRARS: dict[str, tuple[tuple[str, ...], str]] = {
    "@convex-dev/better-auth": (("0.8.4", "0.9.7", "0.9.11"), "better-auth"),
    "@convex-dev/polar": (("0.6.4",), "polar"),
    "@convex-dev/workos-authkit": (("0.1.6", "0.2.7"), "workos-authkit"),
}
CORS_PACKAGE = "convex-helpers"

AUTH_PACKAGE = "@convex-dev/auth"
AUTH_VERSION = "0.0.95"
#: @auth/core providers whose ``type`` is ``email``, ``credentials`` or ``webauthn``.
AUTH_CORE_NON_OAUTH = frozenset(
    "email resend sendgrid nodemailer postmark forwardemail mailgun passkey webauthn credentials".split()
)


def register(ev, mod, router: VRouter, node: ast.Call) -> bool:
    """Apply a modelled library registrar called at ``node``; False when it is not one."""
    callee = node.callee
    if isinstance(callee, ast.Member) and callee.prop == "addHttpRoutes":
        found = _origin_call(ev, mod, callee.obj, 0)
        if found is not None and _is_convex_auth(found):
            _auth_routes(ev, mod, router, node, found)
            return True
    if isinstance(callee, ast.Member) and callee.prop == "registerRoutes":
        found = _origin_call(ev, mod, callee.obj, 0)
        imp = _root_import(*found) if found is not None else None
        pkg = _package(imp[0]) if imp is not None else None
        if pkg in CLIENT_REGISTRARS and node.args and isinstance(node.args[0], ast.Ident):
            _client_routes(ev, mod, router, node, pkg)
            return True
    return False


def _package(spec: str) -> str:
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]


def _version_note(ev, mod, off: int, pkg: str, read: tuple[str, ...], what: str) -> None:
    version, how = find_version(getattr(ev, "repo_root", None), mod.rel, pkg)
    if version not in read:
        shown = version if version is not None else how
        mod.diag(off, "CSX503", f"{what}: the routes are those {pkg} registers in the versions read ({', '.join(read)}; here: {shown})", "info")


def _add(mod, router: VRouter, entry: RouteEntry) -> None:
    error = add_route(router, entry)
    if error:
        mod.diag(entry.offset, "CSX500", f"Convex rejects a route {entry.registered_by} registers: {error} (convex src/server/router.ts)", "error")


def _options(ev, mod, node: ast.Call, i: int) -> dict[str, Value]:
    val = ev.eval(mod, node.args[i]) if len(node.args) > i else VUndefined()
    return val.entries if isinstance(val, VObj) else ({} if isinstance(val, VUndefined) else {"?": val})


def _client_routes(ev, mod, router: VRouter, node: ast.Call, pkg: str) -> None:
    off = node.span[0]
    read, model = CLIENT_REGISTRARS[pkg]
    text = f"{mod.raw(node.callee.span)}(...)"
    by = f"{pkg} {text}"
    _version_note(ev, mod, off, pkg, read, text)

    def entry(method, path=None, prefix=None) -> RouteEntry:
        return RouteEntry(method, path, prefix, VUnknown("library handler"), mod, off, by, pkg)

    if model == "workos-authkit":
        _add(mod, router, entry("POST", "/workos/webhook"))
        _add(mod, router, entry("POST", "/workos/action"))
    elif model == "polar":
        opts = _options(ev, mod, node, 1)
        path = opts.get("path", VUndefined())
        if isinstance(path, VUndefined):
            path = VStr("/polar/events")
        if not isinstance(path, VStr):
            mod.diag(off, "CSX501", f"{text}: the `path` option is not resolved; its route is missing from httpRoutes")
            return
        _add(mod, router, entry("POST", path.value))
    else:  # better-auth
        if lookup(router, "/.well-known/openid-configuration", "GET") is None:
            _add(mod, router, entry("GET", "/.well-known/openid-configuration"))
        opts = _options(ev, mod, node, 2)
        cors = opts.get("cors", VUndefined())
        if "?" in opts or isinstance(cors, VUnknown):
            mod.diag(off, "CSX501", f"{text}: the `cors` option is not resolved; the OPTIONS route it may add is not listed")
        for method in ("GET", "POST"):
            _add(mod, router, entry(method, None, "/api/auth/"))
        if isinstance(cors, (VObj, VBool)) and (not isinstance(cors, VBool) or cors.value):
            router.prefix.setdefault("OPTIONS", {})["/api/auth/"] = RouteEntry("OPTIONS", None, "/api/auth/", VUnknown("library handler"), mod, off, by, CORS_PACKAGE)


@dataclass(slots=True, eq=False)
class VCorsRouter(SurfaceValue):
    """``corsRouter(http, config)`` of convex-helpers: ``route`` and ``http``."""

    router: VRouter

    def member(self, ev, mod, prop: str, node=None) -> Value:
        if prop == "http":
            return self.router
        if prop == "route":
            return VCallable("corsRouter.route", lambda ev, mod, args, node: _cors_route(ev, mod, self.router, args, node))
        return VUnknown(f"corsRouter().{prop} is not modelled")


def cors_router(ev, mod, args: list, node) -> Value:
    """``corsRouter(http, config?)`` (convex-helpers ``server/cors.ts``)."""
    router = ev.eval(mod, args[0]) if args else VUndefined()
    if not isinstance(router, VRouter):
        return VUnknown("corsRouter() of a router the tool does not resolve")
    return VCorsRouter(router)


def _cors_route(ev, mod, router: VRouter, args: list, node) -> Value:
    entry = spec_entry(ev, mod, args, node)
    if entry is None:
        return VUndefined()
    entry.handler = VUnknown("corsRouter handler")
    entry.handler_package = CORS_PACKAGE
    entry.registered_by = "convex-helpers corsRouter().route"
    error = add_route(router, entry)
    if error:
        throw(mod, node.span[0], error)
        return VUndefined()
    options = RouteEntry("OPTIONS", entry.path, entry.path_prefix, VUnknown("corsRouter handler"), mod, entry.offset, entry.registered_by, CORS_PACKAGE)
    if entry.path is not None:
        router.exact.setdefault(entry.path, {})["OPTIONS"] = options
    else:
        router.prefix.setdefault("OPTIONS", {})[entry.path_prefix] = options
    return VUndefined()


def _import_of(mod, name: str) -> tuple[str, str] | None:
    return mod.imports.get(name)


def _origin_call(ev, mod, node: ast.Node, depth: int):
    """``(module, call)``: the call expression a name was initialised with, following
    ``const``/destructuring declarations and imports of project modules."""
    if depth > 8:
        return None
    if isinstance(node, (ast.Call, ast.New)):
        return mod, node
    if not isinstance(node, ast.Ident):
        return None
    d = mod.decls.get(node.name)
    if d is not None and d.init is not None:
        return _origin_call(ev, mod, d.init, depth + 1)
    pd = mod.pattern_decls.get(node.name)
    if pd is not None and pd[0].init is not None:
        return _origin_call(ev, mod, pd[0].init, depth + 1)
    imp = _import_of(mod, node.name)
    if imp is None or imp[1] in ("*", "default") or not imp[0].startswith("."):
        return None
    spec, name = imp
    target = mod
    for _ in range(5):  # re-exports
        target = ev.load(target, spec)
        if target is None:
            return None
        local = target.exports.get(name)
        if local is not None:
            return _origin_call(ev, target, ast.Ident(node.span, local), depth + 1)
        if name not in target.reexports:
            return None
        spec, name = target.reexports[name]
    return None


def _root_import(mod, node: ast.Node) -> tuple[str, str] | None:
    while isinstance(node, (ast.Call, ast.Member, ast.New)):
        node = node.callee if isinstance(node, ast.Call) else (node.obj if isinstance(node, ast.Member) else node.target)
    return _import_of(mod, node.name) if isinstance(node, ast.Ident) else None


def _is_convex_auth(found) -> bool:
    mod, call = found
    imp = _root_import(mod, call)
    return imp is not None and imp[0] == "@convex-dev/auth/server" and imp[1] == "convexAuth"


def _provider_kind(ev, mod, node: ast.Node, depth: int = 0) -> str | None:
    """``oauth``, ``other`` or None (not known) for one element of ``providers``."""
    imp = _root_import(mod, node)
    if imp is not None:
        spec = imp[0]
        if spec.startswith("@auth/core/providers/"):
            return "other" if spec.rsplit("/", 1)[1] in AUTH_CORE_NON_OAUTH else "oauth"
        if spec.startswith("@convex-dev/auth/providers/"):
            return "other"
    if depth < 4:
        base = node
        while isinstance(base, (ast.Call, ast.Member)):
            base = base.callee if isinstance(base, ast.Call) else base.obj
        found = _origin_call(ev, mod, base, 0) if isinstance(base, ast.Ident) else None
        if found is not None and found[1] is not node:
            return _provider_kind(ev, found[0], found[1], depth + 1)
    return None


def _auth_routes(ev, mod, router: VRouter, node: ast.Call, found) -> None:
    off = node.span[0]
    by = f"{AUTH_PACKAGE}@{AUTH_VERSION} auth.addHttpRoutes"
    version, how = find_version(getattr(ev, "repo_root", None), mod.rel, AUTH_PACKAGE)
    if version != AUTH_VERSION:
        shown = version if version is not None else how
        mod.diag(off, "CSX503", f"auth.addHttpRoutes(http): the routes are those of {AUTH_PACKAGE} {AUTH_VERSION} (the modelled version; here: {shown})", "info")
    cmod, call = found
    has_oauth: bool | None = False
    cfg = call.args[0] if call.args else None
    providers = None
    if isinstance(cfg, ast.Obj):
        for m in cfg.members:
            if isinstance(m, ast.Prop) and m.key == "providers":
                providers = m.value
    if isinstance(providers, ast.Arr):
        for item in providers.items:
            kind = _provider_kind(ev, cmod, item) if item is not None and not isinstance(item, ast.Spread) else None
            if kind == "oauth":
                has_oauth = True
                break
            if kind is None:
                has_oauth = None
    else:
        has_oauth = None
    specs = [("GET", "/.well-known/openid-configuration", None), ("GET", "/.well-known/jwks.json", None)]
    if has_oauth is None:
        mod.diag(off, "CSX503", "auth.addHttpRoutes(http): whether an OAuth provider is configured could not be read from convexAuth({ providers }); the OAuth routes (GET /api/auth/signin/*, GET and POST /api/auth/callback/*) are not listed")
    elif has_oauth:
        specs += [("GET", None, "/api/auth/signin/"), ("GET", None, "/api/auth/callback/"), ("POST", None, "/api/auth/callback/")]
    for method, path, prefix in specs:
        entry = RouteEntry(method, path, prefix, VUnknown("library handler"), mod, off, by, AUTH_PACKAGE)
        error = add_route(router, entry)
        if error:
            mod.diag(off, "CSX500", f"Convex rejects a route {by} registers: {error} (convex src/server/router.ts)", "error")
