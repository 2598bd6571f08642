"""Record what a third-party package gives a Convex project, by running it: the tables it
exports, the functions its factories register and the validators it exports. Writes
``convex_ssot/packages/models/<model>.json``, which :mod:`convex_ssot.packages.recorded`
loads.

Each model has a probe project of our own under ``package_models/<probe>/convex`` that calls
the package's factories; ``export_project.mjs`` (the conformance oracle) loads it with the
real package installed under ``--project-root`` and prints the schema and every registered
function. The *shape* of a package's exports (which export is a table map, a factory, a class
and which of its methods register functions) is written below, with the package file each
rule comes from; the validators, tables and functions are taken from the oracle's output.

    python tests/conformance/build_package_models.py raideno-convex-stripe --project-root DIR [--also DIR ...]

``--also`` runs the same probe against other installs (other versions) and fails unless they
give identical facts; their versions are recorded as ``verifiedVersions``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE.parents[1] / "convex_ssot" / "packages" / "models" / "recorded"


def fn(function_id: str) -> dict:
    """An export (or object entry) that is a function registered by the package; filled in
    from the oracle's entry ``function_id`` of the probe project."""
    return {"function": function_id}


#: model name -> what the package exports. Keys of ``exports``: module specifiers. Shapes:
#: ``{"tables": "*"}`` every table of the probe's schema; ``{"validator": name}``;
#: ``{"function": id}``; ``{"object": {...}}``; ``{"call": shape}`` a function whose result has
#: that shape whatever its arguments; ``{"new": shape}`` a class whose instances have it;
#: ``{"opaque": reason}`` a value that is neither (helpers, clients); ``{"unlisted": reason}`` a
#: value that may be a registered function depending on the factory's arguments (CSX243 where
#: it is exported).
MODELS_SPEC: dict[str, dict] = {
    "raideno-convex-stripe": {
        "package": "@raideno/convex-stripe",
        "probe": "convex-stripe",
        "exports": {
            "@raideno/convex-stripe/server": {
                # dist/server.js `const stripeTables = {...}` (21 tables with their indexes)
                "stripeTables": {"tables": "*", "source": "dist/server.js: stripeTables"},
                # dist/server.js `internalConvexStripe(configuration_)` returns
                # {stripe, store, sync, setup}; only the last three are registered functions.
                "internalConvexStripe": {
                    "source": "dist/server.js: internalConvexStripe",
                    "call": {"object": {
                        "stripe": {"opaque": "internalConvexStripe().stripe helper object"},
                        "store": fn("stripe:store"),
                        "sync": fn("stripe:sync"),
                        "setup": fn("stripe:setup"),
                    }},
                },
            },
        },
    },
    "useautumn-convex": {
        "package": "@useautumn/convex",
        "probe": "autumn",
        "exports": {
            "@useautumn/convex": {
                # src/client/index.ts `class Autumn`, method `api()` (15 public actions)
                "Autumn": {
                    "source": "src/client/index.ts: Autumn.api()",
                    "new": {"object": {
                        "api": {"call": {"object": {name: fn(f"autumn:{name}") for name in (
                            "track", "check", "attach", "checkout", "createCustomer", "listProducts", "usage",
                            "query", "cancel", "setupPayment", "billingPortal", "createReferralCode",
                            "redeemReferralCode", "createEntity", "getEntity")}}},
                    }},
                },
            },
        },
    },
    "convex-dev-prosemirror-sync": {
        "package": "@convex-dev/prosemirror-sync",
        "probe": "prosemirror-sync",
        "exports": {
            "@convex-dev/prosemirror-sync": {
                # src/client/index.ts `class ProsemirrorSync`, method `syncApi(opts)`
                "ProsemirrorSync": {
                    "source": "src/client/index.ts: ProsemirrorSync.syncApi()",
                    "new": {"object": {
                        "syncApi": {"call": {"object": {name: fn(f"prosemirror:{name}") for name in (
                            "getSnapshot", "submitSnapshot", "latestVersion", "getSteps", "submitSteps")}}},
                    }},
                },
            },
        },
    },
    "convex-dev-agent": {
        "package": "@convex-dev/agent",
        "probe": "agent",
        "validators": {"@convex-dev/agent": "agent:validators", "@convex-dev/agent/validators": "agent:validatorsSubpath"},
        "exports": {
            "@convex-dev/agent": {
                # src/client/index.ts `class Agent`: the methods that return a registered function
                "Agent": {
                    "source": "src/client/index.ts: Agent.asTextAction/asObjectAction/asSaveMessagesMutation/createThreadMutation",
                    "new": {"object": {
                        name: {"call": fn(f"agent:{name}")}
                        for name in ("asTextAction", "asObjectAction", "asSaveMessagesMutation", "createThreadMutation")
                    }},
                },
                # src/client/definePlaygroundAPI.ts `definePlaygroundAPI(component, {agents})`
                "definePlaygroundAPI": {
                    "source": "src/client/definePlaygroundAPI.ts: definePlaygroundAPI",
                    "call": {"object": {name: fn(f"agent:{name}") for name in (
                        "isApiKeyValid", "listAgents", "listUsers", "listThreads", "listMessages", "createThread",
                        "generateText", "fetchPromptContext")}},
                },
            },
        },
    },
    "djpanda-convex-tenants": {
        "package": "@djpanda/convex-tenants",
        "probe": "convex-tenants",
        "exports": {
            "@djpanda/convex-tenants": {
                # src/client/makeTenantsAPI.ts `makeTenantsAPI(component, options)` returns an
                # object literal of queryGeneric/mutationGeneric/actionGeneric registrations whose
                # args and returns are literal validators; `generateLogoUploadUrl` is spread in
                # only when `options.generateUploadUrl` is given (CSX243 when it is exported).
                "makeTenantsAPI": {
                    "source": "src/client/makeTenantsAPI.ts: makeTenantsAPI",
                    "call": {"object": {
                        **{name: fn(f"tenants:{name}") for name in (
                "listOrganizations", "getOrganization", "getOrganizationBySlug", "createOrganization", "updateOrganization", "transferOwnership",
                "deleteOrganization", "listMembers", "countMembers", "getMember", "getCurrentMember", "getCurrentUserEmail",
                "checkMemberPermission", "addMember", "removeMember", "bulkAddMembers", "bulkRemoveMembers", "updateMemberRole",
                "leaveOrganization", "suspendMember", "unsuspendMember", "listTeams", "listTeamsAsTree", "countTeams",
                "getTeam", "listTeamMembers", "isTeamMember", "createTeam", "updateTeam", "deleteTeam",
                "addTeamMember", "updateTeamMemberRole", "removeTeamMember", "listInvitations", "countInvitations", "getInvitation",
                "getPendingInvitations", "inviteMember", "bulkInviteMembers", "acceptInvitation", "resendInvitation", "cancelInvitation",
                "declineInvitation", "checkPermission", "checkAnyPermission", "getUserPermissions", "getUserRoles", "hasRole",
                "grantPermission", "denyPermission", "recomputeUser", "getAuditLog", "syncRoles", "syncRole",
            )},
                        "generateLogoUploadUrl": {"unlisted": "makeTenantsAPI().generateLogoUploadUrl, registered only when the `generateUploadUrl` option is given"},
                    }},
                },
            },
        },
    },
}


def run_probe(probe: str, project_root: Path) -> dict:
    """The oracle's output for the probe project, loaded with the packages under
    ``project_root``; raises SystemExit when Convex could not load everything."""
    out = subprocess.run(
        ["node", str(HERE / "export_project.mjs"), str(HERE / "package_models" / probe / "convex"), "--project-root", str(project_root)],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(out.stdout)
    if data["schemaError"] or data["moduleErrors"] or data["stubbedPackages"]:
        raise SystemExit(f"{probe}: the probe did not load cleanly: {data['schemaError']} {data['moduleErrors']} {data['stubbedPackages']}")
    return data


def installed_version(package: str, project_root: Path) -> str:
    """The version of ``package`` installed for ``project_root`` (its node_modules, or an
    ancestor's, as Node would find it)."""
    for d in [project_root, *project_root.parents]:
        pj = d / "node_modules" / package / "package.json"
        if pj.is_file():
            return json.loads(pj.read_text(encoding="utf-8"))["version"]
    raise SystemExit(f"{package} is not installed under {project_root}")


def build(name: str, data: dict) -> dict:
    """The model ``name`` from the probe's oracle output (see MODELS_SPEC for the shapes)."""
    spec = MODELS_SPEC[name]
    functions = {f["functionId"]: f for f in data["functions"]}
    used: set[str] = set()

    def fill(shape):
        if "function" in shape:
            f = functions[shape["function"]]
            used.add(shape["function"])
            return {"function": {k: f[k] for k in ("kind", "visibility", "args", "returns")}}
        if "object" in shape:
            return {"object": {k: fill(x) for k, x in shape["object"].items()}}
        for key in ("call", "new"):
            if key in shape:
                out = {key: fill(shape[key])}
                if "source" in shape:
                    out["source"] = shape["source"]
                return out
        return dict(shape)

    model: dict = {"package": spec["package"], "exports": {}}
    for specifier, exports in spec["exports"].items():
        model["exports"][specifier] = {k: fill(x) for k, x in exports.items()}
    for specifier, fid in spec.get("validators", {}).items():
        used.add(fid)
        entries = model["exports"].setdefault(specifier, {})
        for vname in functions[fid]["args"]["value"]:
            entries.setdefault(vname, {"validator": vname})
        model.setdefault("validators", {}).update(functions[fid]["args"]["value"])
    tables = data["schema"]["tables"] if data["schema"] else []
    if tables:
        model["tables"] = {}
        for t in tables:
            if any(t[k] for k in ("stagedDbIndexes", "searchIndexes", "stagedSearchIndexes", "vectorIndexes", "stagedVectorIndexes")):
                raise SystemExit(f"{t['tableName']}: only database indexes are recorded")
            model["tables"][t["tableName"]] = {
                "documentType": t["documentType"],
                "indexes": [{"name": i["indexDescriptor"], "fields": i["fields"]} for i in t["indexes"]],
            }
    missing = set(functions) - used
    if missing:
        raise SystemExit(f"{name}: the probe registers functions the model does not place: {sorted(missing)}")
    return model


def write(path: Path, model: dict) -> None:
    """One top-level entry per line group, validators compact (the files are generated)."""
    lines = ["{"]
    items = list(model.items())
    for i, (k, val) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(val, dict) and k in ("exports", "tables", "validators"):
            lines.append(f" {json.dumps(k)}: {{")
            sub = list(val.items())
            for j, (sk, sv) in enumerate(sub):
                lines.append(f"  {json.dumps(sk)}: {json.dumps(sv, ensure_ascii=False)}" + ("," if j < len(sub) - 1 else ""))
            lines.append(" }" + comma)
        else:
            lines.append(f" {json.dumps(k)}: {json.dumps(val, ensure_ascii=False)}{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(MODELS_SPEC))
    ap.add_argument("--project-root", type=Path, required=True, help="a directory whose node_modules has the package")
    ap.add_argument("--also", type=Path, action="append", default=[], help="another install that must give the same facts")
    a = ap.parse_args(argv)
    spec = MODELS_SPEC[a.model]
    data = run_probe(spec["probe"], a.project_root)
    version = installed_version(spec["package"], a.project_root)
    model = build(a.model, data)
    verified = [version]
    for other in a.also:
        other_model = build(a.model, run_probe(spec["probe"], other))
        if other_model != model:
            raise SystemExit(f"{a.model}: {other} ({installed_version(spec['package'], other)}) gives different facts")
        verified.append(installed_version(spec["package"], other))
    head = {
        "package": spec["package"],
        "version": version,
        "verifiedVersions": sorted(set(verified), key=lambda s: [int(x) if x.isdigit() else x for x in s.split(".")]),
        "source": f"tests/conformance/package_models/{spec['probe']} run by export_project.mjs with the package installed (convex {data['convexVersion']} for the probe); generated by tests/conformance/build_package_models.py",
    }
    model = {**head, **{k: v for k, v in model.items() if k != "package"}}
    out = MODELS / f"{a.model}.json"
    write(out, model)
    print(f"wrote {out.relative_to(HERE.parents[1])} ({out.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
