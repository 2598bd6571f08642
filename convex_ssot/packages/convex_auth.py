"""@convex-dev/auth (0.0.95, and 0.0.43–0.0.47): ``authTables`` (tables marked with
``origin``), ``convexAuth()`` (its functions, exactly as the package registers them) and
``getAuthUserId``. The version is the one the importing module sees (installed, else pinned by
the lockfile or ``package.json``: :func:`.versions.find_version`); a version neither model
was read from is modelled as 0.0.95 with CSX245."""

from __future__ import annotations

from .. import ir
from ..interp.packages import PackageModel
from ..interp.values import VBuiltin, VFunction, VObj, VUnknown, Value
from ..parse import ast
from .convex_server import VBuilder, VRegistration, VTable
from .convex_values import VVal
from .validator_ir import f, from_convex_json, id_, object_fields, opt, s
from .versions import assume

__all__ = ["AuthModel", "AUTH_PACKAGE"]

#: The package version whose behaviour is modelled (named in contracts and docs).
AUTH_PACKAGE = "@convex-dev/auth@0.0.95"


class AuthModel(PackageModel):
    """``@convex-dev/auth/server``."""

    builtin_prefixes = ("auth.",)
    # Another installed version's `authTables` (plain defineTable calls) and `convexAuth()`
    # (its functions differ between versions: 0.0.43's signIn has no `calledBy`) are read
    # from its JavaScript. Where the installed `convexAuth()` is not understood, this model
    # answers instead (:meth:`call_failed`, with CSX245 naming the version it was read from).
    # `auth.addHttpRoutes(http)` stays modelled (packages/surface/libraries.py, CSX503).
    reads_installed = True

    def handles(self, specifier: str) -> bool:
        return specifier == "@convex-dev/auth/server"

    def reads_export(self, specifier: str, name: str) -> bool:
        return name in ("authTables", "convexAuth")

    def covers(self, specifier: str, version: str | None) -> bool:
        return version is not None and (version == _LATEST or _variant(version) is not None)

    def exports(self, ev, mod, specifier: str):
        if specifier != "@convex-dev/auth/server":
            return None
        version = _seen_version(ev, mod)
        old = _variant(version) is not None
        assume(ev, mod, "@convex-dev/auth", version if old else _LATEST, specifier)  # CSX245 unless exact
        return {
            "authTables": VObj(dict(_auth_tables(version if old else _LATEST))),
            "getAuthUserId": VBuiltin("auth.getAuthUserId"),
            "getAuthSessionId": VBuiltin("auth.getAuthUserId"),
            "convexAuth": VBuiltin("auth.convexAuth"),
        }

    def call_failed(self, ev, mod, callee: Value, node: ast.Call, result: VUnknown) -> Value | None:
        """``convexAuth(...)`` read from another installed version whose result is not
        understood: the 0.0.95 model's functions, with CSX245 where the project imports it."""
        pkg = getattr(getattr(callee, "module", None), "package", None)
        if pkg != "@convex-dev/auth" or not isinstance(callee, VFunction) or getattr(callee.node, "name", None) != "convexAuth":
            return None
        assume(ev, mod, "@convex-dev/auth", _LATEST, "@convex-dev/auth/server")
        return _convex_auth_result(mod, None)

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        if name == "auth.getAuthUserId":
            return VUnknown("getAuthUserId() result")
        if name == "auth.convexAuth":
            return _convex_auth_result(mod, _variant(_seen_version(ev, mod)))
        return super().call(ev, mod, name, args, node)


_LATEST = AUTH_PACKAGE.rsplit("@", 1)[1]


def _data() -> dict:
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "models" / "convex-dev-auth.json").read_text(encoding="utf-8"))


def _variant(version: str | None) -> dict | None:
    """The recorded variant (``models/convex-dev-auth.json`` ``variants``) whose inclusive
    range holds ``version``, or None."""
    from .versions import version_tuple

    vt = version_tuple(version) if version else None
    for var in _data().get("variants", ()) if vt is not None else ():
        if version_tuple(var["range"][0]) <= vt <= version_tuple(var["range"][1]):
            return var
    return None


def _seen_version(ev, mod) -> str | None:
    """The @convex-dev/auth version ``mod`` sees (cached per directory)."""
    import os

    from .versions import find_version

    cache = ev.state.setdefault("auth_versions", {})
    key = os.path.dirname(mod.rel)
    if key not in cache:
        cache[key] = find_version(ev.repo_root, mod.rel, "@convex-dev/auth")[0]
    return cache[key]


def _auth_tables(version: str = _LATEST) -> list[tuple[str, VTable]]:
    """``authTables`` of @convex-dev/auth 0.0.95 (src/server/implementation/types.ts:36-132);
    for 0.0.43–0.0.47 (src/server/implementation.ts) ``authAccounts``' second index is
    ``accountIdAndProvider`` (``providerAccountId``, ``provider``) and ``authRefreshTokens``
    has neither ``firstUsedTime``, ``parentRefreshTokenId`` nor their index."""
    old = version != _LATEST

    def table(fields: dict[str, ir.Validator], *indexes: tuple[str, tuple[str, ...]]) -> VTable:
        doc = ir.Validator("object", fields=object_fields(fields))
        return VTable(doc, tuple(ir.Index("index", n, f) for n, f in indexes), origin=f"@convex-dev/auth@{version}")

    return [
        (
            "users",
            table(
                {
                    "name": opt(s()),
                    "image": opt(s()),
                    "email": opt(s()),
                    "emailVerificationTime": opt(f()),
                    "phone": opt(s()),
                    "phoneVerificationTime": opt(f()),
                    "isAnonymous": opt(ir.Validator("boolean")),
                },
                ("email", ("email",)),
                ("phone", ("phone",)),
            ),
        ),
        ("authSessions", table({"userId": id_("users"), "expirationTime": f()}, ("userId", ("userId",)))),
        (
            "authAccounts",
            table(
                {
                    "userId": id_("users"),
                    "provider": s(),
                    "providerAccountId": s(),
                    "secret": opt(s()),
                    "emailVerified": opt(s()),
                    "phoneVerified": opt(s()),
                },
                ("userIdAndProvider", ("userId", "provider")),
                ("accountIdAndProvider", ("providerAccountId", "provider")) if old else ("providerAndAccountId", ("provider", "providerAccountId")),
            ),
        ),
        (
            "authRefreshTokens",
            table({"sessionId": id_("authSessions"), "expirationTime": f()}, ("sessionId", ("sessionId",)))
            if old
            else table(
                {
                    "sessionId": id_("authSessions"),
                    "expirationTime": f(),
                    "firstUsedTime": opt(f()),
                    "parentRefreshTokenId": opt(id_("authRefreshTokens")),
                },
                ("sessionId", ("sessionId",)),
                ("sessionIdAndParentRefreshTokenId", ("sessionId", "parentRefreshTokenId")),
            ),
        ),
        (
            "authVerificationCodes",
            table(
                {
                    "accountId": id_("authAccounts"),
                    "provider": s(),
                    "code": s(),
                    "expirationTime": f(),
                    "verifier": opt(s()),
                    "emailVerified": opt(s()),
                    "phoneVerified": opt(s()),
                },
                ("accountId", ("accountId",)),
                ("code", ("code",)),
            ),
        ),
        (
            "authVerifiers",
            table({"sessionId": opt(id_("authSessions")), "signature": opt(s())}, ("signature", ("signature",))),
        ),
        (
            "authRateLimits",
            table(
                {"identifier": s(), "lastAttemptTime": f(), "attemptsLeft": f()},
                ("identifier", ("identifier",)),
            ),
        ),
    ]


def _convex_auth_result(mod, variant: dict | None) -> Value:
    """``convexAuth({providers})`` of @convex-dev/auth: ``{auth, signIn, signOut, store,
    isAuthenticated}`` (0.0.43–0.0.47: no ``isAuthenticated``); the functions exactly as the
    package registers them (packages/models/convex-dev-auth.json, printed by the conformance
    oracle; ``variant`` one of its ``variants``, None for 0.0.95)."""
    out: dict[str, Value] = {"auth": VUnknown("convexAuth().auth helper")}
    for name, fn in (variant or _data())["functions"].items():
        short = {("query", "public"): "query", ("mutation", "internal"): "internalMutation", ("action", "public"): "action",
                 ("mutation", "public"): "mutation", ("query", "internal"): "internalQuery", ("action", "internal"): "internalAction"}[(fn["kind"], fn["visibility"])]
        generic = short + "Generic" if not short.startswith("internal") else "internal" + short[8:] + "Generic"
        builder = VBuilder(fn["kind"], fn["visibility"], short, ("convexAuth", generic))
        reg = VRegistration(builder, None, mod, "convexAuth")
        reg.args = VVal(from_convex_json(fn["args"])) if fn["args"] is not None else None
        reg.returns = VVal(from_convex_json(fn["returns"])) if fn["returns"] is not None else None
        out[name] = reg
    return VObj(out)
