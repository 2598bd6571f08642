"""The lazy package registry (convex_ssot.packages.LIBRARY_MODELS): each declaration says
exactly what its model answers for (specifiers, builtin names, hooks), so loading a model
only when one of them is asked changes no answer; and a project that imports none of a
library's specifiers never imports its model."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from convex_ssot.interp.core import Evaluator
from convex_ssot.interp.packages import GLOBAL_HOOKS, LazyModel, PackageModel
from convex_ssot.packages import LIBRARY_MODELS, default_registry, load_model
from convex_ssot.resolve.modules import load_module

MODELS_DIR = Path(load_model.__code__.co_filename).parent / "models"

#: Specifiers no library model answers for (and near misses of those they do).
OTHERS = (
    "convex/values", "convex/server", "./_generated/server", "../_generated/api", "./convex.config", "react", "lodash",
    "zod/v5", "zod/mini", "convex-helpers/react", "convex-helpers/server/rowLevelSecurity", "convex-helpers/server/zod5",
    "@convex-dev/auth", "@convex-dev/auth/react", "@convex-dev/auth/providers/Password", "@convex-dev/agent/react",
    "@convex-dev/workflow/validators", "@convex-dev/migrations/x", "@convex-dev/rate-limiter", "convex-ents/x",
    "zodvex/core", "@raideno/convex-stripe", "@useautumn/convex/react", "@djpanda/convex-tenants/x", "convex-helpers/",
)


def _declared() -> dict[str, LazyModel]:
    return {name: LazyModel(None, **declared) for name, declared in LIBRARY_MODELS}


def _corpus() -> set[str]:
    out = set(OTHERS)
    for lazy in _declared().values():
        out |= lazy.specifiers
    for f in (MODELS_DIR / "recorded").glob("*.json"):
        out |= set(json.loads(f.read_text(encoding="utf-8"))["exports"])
    out |= set(json.loads((MODELS_DIR / "components.json").read_text(encoding="utf-8"))["packages"])
    return out


def test_each_declaration_is_its_models_own():
    for name, lazy in _declared().items():
        cls = type(load_model(name))
        assert lazy.builtin_names == cls.builtin_names, name
        assert lazy.builtin_prefixes == cls.builtin_prefixes, name
        assert lazy.reads_installed == cls.reads_installed, name
        assert lazy.hooks == {h for h in GLOBAL_HOOKS if getattr(cls, h) is not getattr(PackageModel, h)}, name


def test_each_model_answers_for_exactly_the_specifiers_it_declares(tmp_path):
    mod = load_module("convex/probe.ts", "export const x = 1;\n")
    ev = Evaluator(lambda m, spec: None, default_registry(), tmp_path)
    corpus = _corpus()
    for name, lazy in _declared().items():
        model = load_model(name)
        answers = {s for s in corpus if model.handles(s) or model.modelled_version(s) is not None or model.export(ev, mod, s, "x") is not None}
        assert answers == set(lazy.specifiers), name
        assert all(lazy.may_know(s) == (s in answers) for s in corpus), name


def test_the_recorded_and_component_model_files_are_declared():
    declared = _declared()
    recorded = set()
    for f in (MODELS_DIR / "recorded").glob("*.json"):
        recorded |= set(json.loads(f.read_text(encoding="utf-8"))["exports"])
    assert recorded == declared["RecordedModel"].specifiers
    components = set(json.loads((MODELS_DIR / "components.json").read_text(encoding="utf-8"))["packages"])
    assert components == declared["ComponentsModel"].specifiers


def test_a_model_is_loaded_by_its_specifier_builtin_or_hook(tmp_path):
    reg = default_registry()
    loaded = lambda: {type(m).__name__ for m in reg.loaded()}  # noqa: E731
    primitives = {"SurfaceModel", "GeneratedModel", "ValuesModel", "ServerModel"}
    assert loaded() == primitives
    mod = load_module("convex/probe.ts", "export const x = 1;\n")
    ev = Evaluator(lambda m, spec: None, reg, tmp_path)
    assert reg.export(ev, mod, "react", "x") is None and reg.reader_for("lodash") is None
    assert loaded() == primitives
    assert reg.export(ev, mod, "zodvex", "zx") is not None
    assert loaded() == primitives | {"ZodvexModel"}
    assert type(reg.owner("ents.defineEnt")).__name__ == "EntsModel"
    assert reg.intercept(ev, mod, None, None) is None  # only the surface model intercepts
    assert "ComponentsModel" not in loaded()
    assert reg.call_failed(ev, mod, None, None, None) is None
    assert {"AuthModel", "ComponentsModel"} <= loaded() and "RecordedModel" not in loaded()
    assert [type(m).__name__ for m in reg.models] == ["SurfaceModel", "GeneratedModel", "ValuesModel", "ServerModel", *(n for n, _ in LIBRARY_MODELS)]


_BUILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from convex_ssot.resolve.project import build_project
    p = build_project(Path(sys.argv[1]), "convex/schema.ts")
    print(json.dumps({"functions": [f.function_id for f in p.functions],
                      "models": sorted(m for m in sys.modules if m.startswith("convex_ssot.packages."))}))
    """
)


@pytest.mark.parametrize("extra, expected", [("", set()), ('import { zid } from "zodvex";\nexport const noteId = zid("notes");\n', {"zodvex", "convex_helpers"})])  # zodvex builds on convex-helpers
def test_a_project_imports_only_the_models_its_modules_use(tmp_path, extra, expected):
    convex = tmp_path / "convex"
    convex.mkdir()
    (convex / "schema.ts").write_text(
        'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
        'export default defineSchema({ notes: defineTable({ body: v.string() }) });\n'
    )
    (convex / "notes.ts").write_text(
        extra + 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
        'export const list = query({ args: { n: v.number() }, handler: async (ctx) => await ctx.db.query("notes").collect() });\n'
    )
    out = subprocess.run([sys.executable, "-c", _BUILD, str(tmp_path)], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["functions"] == ["notes:list"]
    libraries = {"convex_helpers", "zodvex", "ents", "helpers_server", "convex_auth", "recorded", "components"}
    assert {m.removeprefix("convex_ssot.packages.") for m in got["models"]} & libraries == expected
