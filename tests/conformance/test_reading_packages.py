"""Reading the installed packages gives what the models give (issue 9 §2).

The oracle's own ``node_modules`` (tests/conformance/package.json: @convex-dev/migrations
0.3.6, workflow 0.4.8, workpool 0.4.9, resend 0.2.6, agent 0.2.12) holds exactly the
versions the component models (packages/models/components.json) and the recorded agent
model (packages/models/recorded/, printed by this oracle) were read from, so the models are
the oracle's answer. The same project is built twice: once as shipped (the models answer,
since they cover these versions) and once with the component and recorded models removed,
so every export comes from the packages' published JavaScript through the interpreter
(classes, constructors storing options, ``??`` and ``?.``, destructured parameters,
validators across files). Both must list the same functions with the same kind,
visibility, args and returns, and reading must report nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

SCHEMA = """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ notes: defineTable({ body: v.string() }) });
"""

COMPONENTS = """import { Workpool, vWorkIdValidator, vResultValidator, vOnComplete, vRetryBehavior, vLogLevel, vWorkId, vResult } from "@convex-dev/workpool";
import { vOnEmailEventArgs } from "@convex-dev/resend";
import { Migrations } from "@convex-dev/migrations";
import { WorkflowManager, vWorkflowId } from "@convex-dev/workflow";
import { components } from "./_generated/api";
import { internalMutation } from "./_generated/server";
import { v } from "convex/values";
export const migrations = new Migrations(components.migrations);
export const run = migrations.runner();
export const setMany = migrations.define({ table: "notes", migrateOne: async () => {} });
const workflow = new WorkflowManager(components.workflow);
export const wf = workflow.define({ args: { n: v.number() }, returns: v.string(), handler: async () => "x" });
export const pool = internalMutation({
  args: { a: vWorkIdValidator, b: vResultValidator, c: vOnComplete, d: vRetryBehavior, e: vLogLevel, f: vWorkId, g: vResult, w: vWorkflowId },
  handler: async () => null,
});
export const onEmail = internalMutation({ args: vOnEmailEventArgs, handler: async () => null });
const workpool = new Workpool(components.workpool, { maxParallelism: 1 });
export const onDone = workpool.defineOnComplete({ context: v.object({ n: v.number() }), handler: async () => {} });
"""

AGENT = """import { vMessage, vThreadDoc, vMessageDoc, vUsage, vStreamArgs, vContextOptions, vStorageOptions, definePlaygroundAPI } from "@convex-dev/agent";
import { vTextArgs, vFinishReason, vSafeObjectArgs, vRole } from "@convex-dev/agent/validators";
import { components } from "./_generated/api";
import { internalMutation } from "./_generated/server";
export const agentValidators = internalMutation({
  args: { a: vMessage, b: vThreadDoc, c: vMessageDoc, d: vUsage, e: vStreamArgs, f: vContextOptions, g: vStorageOptions, h: vTextArgs, i: vFinishReason, j: vSafeObjectArgs, k: vRole },
  handler: async () => null,
});
export const { isApiKeyValid, listUsers, listThreads, listMessages, listAgents, createThread, generateText, fetchPromptContext } = definePlaygroundAPI(components.agent, { agents: [] });
"""

EXPECTED = [
    "agent:agentValidators", "agent:createThread", "agent:fetchPromptContext", "agent:generateText", "agent:isApiKeyValid",
    "agent:listAgents", "agent:listMessages", "agent:listThreads", "agent:listUsers",
    "components:onDone", "components:onEmail", "components:pool", "components:run", "components:setMany", "components:wf",
]


def _build(root: Path, reading_only: bool, monkeypatch) -> tuple[dict, list]:
    from convex_ssot.emit.functions_contract import functions_contract
    from convex_ssot.interp.packages import PackageRegistry
    from convex_ssot.packages import default_registry
    from convex_ssot.resolve import project as project_mod

    if reading_only:
        def registry() -> PackageRegistry:
            full = default_registry()
            kept = [m for m in full.models if type(m).__name__ not in ("ComponentsModel", "RecordedModel")]
            assert len(kept) == len(full.models) - 2
            return PackageRegistry(kept, on_assumed=full.on_assumed)

        monkeypatch.setattr(project_mod, "default_registry", registry)
    project = project_mod.build_project(root, "convex/schema.ts")
    fc = functions_contract(project.convex_dir, project.functions, project.function_diagnostics, "1970-01-01T00:00:00Z")
    out = {f["functionId"]: (f["kind"], f["visibility"], (f.get("argsValidator") or {}).get("validator"), (f.get("returnsValidator") or {}).get("validator")) for f in fc["functions"]}
    return out, list(fc["diagnostics"]) + list(project.schema_diagnostics)


def test_reading_the_installed_packages_gives_the_models_functions(tmp_path, monkeypatch) -> None:
    modules = HERE / "node_modules"
    if not (modules / "@convex-dev" / "agent" / "package.json").is_file():
        pytest.fail("tests/conformance/node_modules is not installed: run `npm ci` in tests/conformance", pytrace=False)
    versions = {p: json.loads((modules / "@convex-dev" / p / "package.json").read_text())["version"] for p in ("migrations", "workflow", "workpool", "resend", "agent")}
    assert versions == {"migrations": "0.3.6", "workflow": "0.4.8", "workpool": "0.4.9", "resend": "0.2.6", "agent": "0.2.12"}
    root = tmp_path / "app"
    (root / "convex").mkdir(parents=True)
    os.symlink(modules, root / "node_modules")
    (root / "package.json").write_text((HERE / "package.json").read_text())
    (root / "convex" / "schema.ts").write_text(SCHEMA)
    (root / "convex" / "components.ts").write_text(COMPONENTS)
    (root / "convex" / "agent.ts").write_text(AGENT)

    modelled, model_diags = _build(root, False, monkeypatch)
    read, read_diags = _build(root, True, monkeypatch)
    assert sorted(modelled) == EXPECTED
    assert model_diags == []
    assert read_diags == []
    for fid in EXPECTED:
        assert read[fid] == modelled[fid], fid
    # the args are real validators, not v.any() stand-ins
    assert all(read[f][2] is not None and read[f][2]["type"] == "object" for f in EXPECTED)
