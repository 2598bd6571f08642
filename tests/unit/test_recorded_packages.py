"""Packages recorded by running them (convex_ssot/packages/recorded.py).

The conformance fixture ``recorded_packages`` checks @raideno/convex-stripe, @useautumn/convex
and @convex-dev/agent against the real packages. @convex-dev/prosemirror-sync 0.1.28 cannot be
installed next to convex 1.48 (its peer range is ``convex <1.35.0``), so its functions are
checked here against JSON written from its source (src/client/index.ts:219-300).
@djpanda/convex-tenants 0.5.0 needs React, Radix UI and @djpanda/convex-authz, which the
oracle does not install: its ``makeTenantsAPI`` is checked here against its source
(src/client/makeTenantsAPI.ts).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convex_ssot.packages import recorded as recorded_packages

ROOT = Path(__file__).resolve().parents[2]

SCHEMA = 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n'


def _s():
    return {"type": "string"}


def _n():
    return {"type": "number"}


def _f(t, optional=False):
    return {"fieldType": t, "optional": optional}


def _obj(**fields):
    return {"type": "object", "value": fields}


# ProsemirrorSync.syncApi() of @convex-dev/prosemirror-sync 0.1.28 (src/client/index.ts:219-300;
# `id` is v.string(), vClientId is v.union(v.string(), v.number()) in src/component/schema.ts:4).
PROSEMIRROR = {
    "getSnapshot": ("query", _obj(id=_f(_s()), version=_f(_n(), True)),
                    {"type": "union", "value": [_obj(content=_f({"type": "null"})), _obj(content=_f(_s()), version=_f(_n()))]}),
    "submitSnapshot": ("mutation", _obj(id=_f(_s()), version=_f(_n()), content=_f(_s())), {"type": "null"}),
    "latestVersion": ("query", _obj(id=_f(_s())), {"type": "union", "value": [{"type": "null"}, _n()]}),
    "getSteps": ("query", _obj(id=_f(_s()), version=_f(_n())), None),
    "submitSteps": ("mutation", _obj(id=_f(_s()), version=_f(_n()), clientId=_f({"type": "union", "value": [_s(), _n()]}),
                                     steps=_f({"type": "array", "value": _s()})), None),
}


def test_prosemirror_sync_api_destructured(convex_project):
    b = convex_project({
        "convex/schema.ts": SCHEMA,
        "convex/prosemirror.ts": (
            'import { components } from "./_generated/api";\n'
            'import { ProsemirrorSync } from "@convex-dev/prosemirror-sync";\n'
            "export const prosemirrorSync = new ProsemirrorSync(components.prosemirrorSync);\n"
            "const syncApi = prosemirrorSync.syncApi({ checkRead(ctx, id) {}, async onSnapshot(ctx, id, snapshot, version) {} });\n"
            "export const { getSnapshot, submitSnapshot, latestVersion, getSteps, submitSteps } = syncApi;\n"
            "export default syncApi;\n"
        ),
    })
    # the instance and the default export (an object of functions) are not functions themselves
    assert b.function_ids() == sorted(f"prosemirror:{n}" for n in PROSEMIRROR)
    for name, (kind, args, returns) in PROSEMIRROR.items():
        f = b.function(f"prosemirror:{name}")
        assert (f["kind"], f["visibility"]) == (kind, "public")
        assert f["argsValidator"]["validator"] == args
        assert (f["returnsValidator"] or {}).get("validator") == returns
        assert f["constructorChain"] == ["prosemirrorSync.syncApi", kind + "Generic"]
    assert _without_version_notes(b.diagnostics) == []


def test_stripe_tables_carry_their_origin(convex_project):
    b = convex_project({
        "convex/schema.ts": (
            'import { defineSchema, defineTable } from "convex/server";\n'
            'import { v } from "convex/values";\n'
            'import { stripeTables } from "@raideno/convex-stripe/server";\n'
            "export default defineSchema({ ...stripeTables, notes: defineTable({ text: v.string() }) });\n"
        ),
    })
    names = b.table_names()
    assert len(names) == 22 and "notes" in names
    assert b.table("stripeCustomers")["origin"] == "@raideno/convex-stripe@0.1.13"
    assert b.table("notes")["origin"] is None
    # dist/server.js: stripeCustomers has customerId, entityId, stripe, lastSyncedAt and two indexes
    assert list(b.table("stripeCustomers")["documentType"]["value"]) == ["customerId", "entityId", "stripe", "lastSyncedAt"]
    assert [(i["name"], i["fields"]) for i in b.table("stripeCustomers")["indexes"]] == [
        ("byCustomerId", ["customerId"]), ("byEntityId", ["entityId"])]
    assert [c for c in b.codes() if c != "CSX245"] == []  # CSX245: no version pinned here


def test_class_and_factory_misuse_is_not_a_function(convex_project):
    """Calling a recorded class without ``new`` (a TypeError in JavaScript) or ``new`` on a
    factory registers nothing; neither is read as the package's functions."""
    b = convex_project({
        "convex/schema.ts": SCHEMA,
        "convex/m.ts": (
            'import { Autumn } from "@useautumn/convex";\n'
            'import { internalConvexStripe } from "@raideno/convex-stripe/server";\n'
            "export const { track } = Autumn({}).api();\n"
            "export const { store } = new internalConvexStripe({});\n"
            "export const { sync } = internalConvexStripe({});\n"
        ),
    })
    assert b.function_ids() == ["m:sync"]


def test_exports_of_unrecorded_entry_points():
    assert recorded_packages.exports("@convex-dev/agent/react") is None
    assert recorded_packages.exports("@convex-dev/not-a-package") is None
    assert recorded_packages.exports("./local") is None
    agent = recorded_packages.exports("@convex-dev/agent")
    assert "createTool" not in agent  # helpers that register nothing stay unmodelled
    v = agent["vStreamArgs"]
    # src/validators.ts:440-445 (agent 0.2.12)
    cursor = _obj(streamId=_f(_s()), cursor=_f(_n()))
    from convex_ssot.emit.validators import convex_json

    assert v.v.optional
    assert convex_json(v.v) == {"type": "union", "value": [
        _obj(kind=_f({"type": "literal", "value": "list"}), startOrder=_f(_n(), True)),
        _obj(kind=_f({"type": "literal", "value": "deltas"}), cursors=_f({"type": "array", "value": cursor})),
    ]}


def _models():
    return sorted(recorded_packages.MODELS_DIR.glob("*.json"))


@pytest.mark.parametrize("path", _models(), ids=lambda p: p.stem)
def test_model_names_its_version_and_pins(path):
    """Every model records one version that was verified, under the file name the loader
    derives from the package name; a package the conformance oracle installs is pinned at
    the recorded version (so the fixture checks what is recorded)."""
    m = json.loads(path.read_text(encoding="utf-8"))
    assert path.stem == m["package"].lstrip("@").replace("/", "-")
    assert m["version"] in m["verifiedVersions"]
    assert all(spec == m["package"] or spec.startswith(m["package"] + "/") for spec in m["exports"])
    pinned = json.loads((ROOT / "tests" / "conformance" / "package.json").read_text(encoding="utf-8"))["dependencies"]
    if m["package"] in pinned:
        assert pinned[m["package"]] == m["version"]


def test_new_of_a_project_class_reads_its_module(convex_project):
    """``new C()`` of a class from the project's own code is followed (convex_ssot/interp/
    classes.py): its module is read, and a statement there the grammar cannot place is
    reported as usual, while the rest of the project is unaffected."""
    b = convex_project({
        "convex/schema.ts": SCHEMA,
        "convex/m.ts": (
            'import { query } from "./_generated/server";\n'
            'import { Thing } from "../lib/thing";\n'
            "export const thing = new Thing();\n"
            "export const q = query({ args: {}, handler: async () => null });\n"
        ),
        "lib/thing.ts": "export const = ;\n",
    })
    assert b.function_ids() == ["m:q"]
    assert [(d["code"], d["file"]) for d in b.diagnostics] == [("CSX100", "lib/thing.ts")]


def test_tenants_api_destructured(convex_project):
    """@djpanda/convex-tenants 0.5.0 src/client/makeTenantsAPI.ts: the returned object's
    registrations (queryGeneric/mutationGeneric/actionGeneric with literal validators);
    ``generateLogoUploadUrl`` is spread in only with the ``generateUploadUrl`` option, so it
    is reported (CSX243), not listed."""
    b = convex_project({
        "convex/schema.ts": SCHEMA,
        "convex/tenants.ts": (
            'import { makeTenantsAPI, Tenants } from "@djpanda/convex-tenants";\n'
            'import { components } from "./_generated/api";\n'
            "export const tenants = new Tenants(components.tenants, { authz: {} });\n"
            "export const { createOrganization, getOrganization, syncRoles, syncRole, generateLogoUploadUrl } =\n"
            "  makeTenantsAPI(components.tenants, { authz: {}, auth: async (ctx) => null });\n"
        ),
    })
    got = {fid: (f["kind"], f["visibility"], f["argsValidator"]["validator"], f["returnsValidator"]["validator"])
           for fid in b.function_ids() for f in [b.function(fid)]}
    boolean = {"type": "boolean"}
    settings = _obj(allowPublicSignup=_f(boolean, True), requireInvitationToJoin=_f(boolean, True))
    assert got == {
        # makeTenantsAPI.ts:376-427
        "tenants:createOrganization": ("mutation", "public", _obj(
            name=_f(_s()), slug=_f(_s(), True), logo=_f(_s(), True), metadata=_f({"type": "any"}, True),
            settings=_f(settings, True)), _s()),
        # :351-360 (returns v.any())
        "tenants:getOrganization": ("query", "public", _obj(organizationId=_f(_s())), {"type": "any"}),
        # :1706-1715 and :1725-1731 (actionGeneric)
        "tenants:syncRoles": ("action", "public", _obj(), _obj(rolesProcessed=_f(_n()), usersProcessed=_f(_n()))),
        "tenants:syncRole": ("action", "public", _obj(role=_f(_s())), _obj(usersProcessed=_f(_n()))),
    }
    assert [(d["code"], d["message"].split(" ")[0]) for d in _without_version_notes(b.diagnostics)] == [("CSX243", "tenants:generateLogoUploadUrl")]


def test_tenants_model_lists_every_registration():
    """The recorded object has the 54 unconditional registrations of makeTenantsAPI.ts
    (every ``name: queryGeneric|mutationGeneric|actionGeneric(`` entry of the returned
    object) and the conditional one as unlisted."""
    m = json.loads((recorded_packages.MODELS_DIR / "djpanda-convex-tenants.json").read_text(encoding="utf-8"))
    entries = m["exports"]["@djpanda/convex-tenants"]["makeTenantsAPI"]["call"]["object"]
    listed = [k for k, x in entries.items() if "function" in x]
    assert len(listed) == 54 and "listOrganizations" in listed and "getAuditLog" in listed
    assert [k for k, x in entries.items() if "unlisted" in x] == ["generateLogoUploadUrl"]
    kinds = {x["function"]["kind"] for x in entries.values() if "function" in x}
    assert kinds == {"query", "mutation", "action"}


def _without_version_notes(diags: list[dict]) -> list[dict]:
    """The diagnostics but CSX245 (these fixtures pin no version of the recorded package;
    tests/unit/test_installed_packages.py covers CSX245)."""
    return [d for d in diags if d["code"] != "CSX245"]
