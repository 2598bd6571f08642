"""Classes the interpreter reads (convex_ssot/interp/classes.py): a constructor storing
options a later method reads, fields, inheritance through ``super``, static methods,
``this`` in closures; and what stays unknown (never guessed)."""

from __future__ import annotations

SCHEMA = """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ notes: defineTable({ body: v.string() }) });
"""

LIB = """import { v } from "convex/values";
import { queryGeneric, internalMutationGeneric } from "convex/server";

export class Base {
  options;
  constructor(component, options) {
    this.component = component;
    this.options = options;
  }
  kind() {
    return v.string();
  }
}

export class Client extends Base {
  extra = v.number();
  constructor(component, options) {
    super(component, options);
    this.name = "client";
  }
  api() {
    const make = () => queryGeneric({ args: { id: this.kind(), n: this.extra }, returns: v.null(), handler: async () => null });
    return {
      getX: make(),
      setX: internalMutationGeneric({ args: this.options.args, handler: async () => null }),
    };
  }
  static make(c) {
    return new Client(c, { args: { z: v.boolean() } });
  }
  get label() {
    return v.string();
  }
}
"""

USE = """import { v } from "convex/values";
import { Client } from "./lib";
const c = new Client("comp", { args: { flag: v.boolean() } });
export const { getX, setX } = c.api();
export const other = Client.make("x").api().setX;
"""


def _fields(fn: dict) -> list[tuple[str, str, str]]:
    return [(f["name"], f["type"], f["rawValidator"]) for f in fn["argsValidator"]["fields"]]


def test_constructor_options_read_by_a_later_method(convex_project) -> None:
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/lib.ts": LIB, "convex/use.ts": USE})
    assert b.function_ids() == ["use:getX", "use:other", "use:setX"]
    get_x = b.function("use:getX")
    assert (get_x["kind"], get_x["visibility"]) == ("query", "public")
    # a base-class method through `this`, a field initialised before the constructor body
    assert _fields(get_x) == [("id", "string", "this.kind()"), ("n", "float64", "this.extra")]
    assert get_x["returnsValidator"]["type"] == "null"
    # options passed by the caller (another module): raw text is the caller's own
    assert _fields(b.function("use:setX")) == [("flag", "boolean", "v.boolean()")]
    assert b.function("use:setX")["visibility"] == "internal"
    # a static factory method
    assert _fields(b.function("use:other")) == [("z", "boolean", "v.boolean()")]
    assert b.diagnostics == []


def test_a_getter_is_unknown_not_guessed(convex_project) -> None:
    use = USE + 'import { queryGeneric } from "convex/server";\nexport const viaGetter = queryGeneric({ args: { l: c.label }, handler: async () => null });\n'
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/lib.ts": LIB, "convex/use.ts": use})
    f = b.function("use:viaGetter")
    assert f["argsValidator"]["fields"][0]["type"] == "any"
    assert any(d["code"] == "CSX200" and "label" in d["message"] for d in b.diagnostics), b.diagnostics


def test_constructor_outside_the_subset_makes_the_instance_unknown(convex_project) -> None:
    # a call with effects the tool cannot follow (an unknown property value alone is fine)
    lib = LIB.replace('    this.name = "client";', '    this.name = somethingUnknown();\n    register(this);')
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/lib.ts": lib, "convex/use.ts": USE})
    assert "use:getX" not in b.function_ids()
    assert any("constructor of `Client` not evaluated" in d["message"] for d in b.diagnostics), b.diagnostics


def test_derived_constructor_without_super_is_unknown(convex_project) -> None:
    lib = LIB.replace("    super(component, options);\n", "")
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/lib.ts": lib, "convex/use.ts": USE})
    assert "use:getX" not in b.function_ids()


DEFAULTS = """import { mutationGeneric } from "convex/server";
import { v } from "convex/values";
function connect(config) {
  return makeClient(config);
}
export class Store {
  constructor(component, options = {}) {
    this.component = component;
    this.config = { bucket: options?.bucket ?? process.env.BUCKET, retries: options.retries ?? 3 };
    this.client = connect(this.config);
  }
  api() {
    return { sync: mutationGeneric({ args: { key: v.string(), tries: v.literal(this.config.retries) }, handler: async () => null }) };
  }
}
"""


def test_constructor_with_a_default_parameter_and_unread_state(convex_project) -> None:
    """Session 4 cause C1 (@convex-dev/r2's `constructor(component, options = {})`): the
    default applies, `options.retries` of `{}` is undefined, state the tool cannot read
    (`process.env`, an unknown call) stays unknown without spoiling the instance; and
    `new Store(...).api()` is `(new Store(...)).api()` (ECMA-262 §13.3)."""
    use = 'import { Store } from "./lib";\nexport const { sync } = new Store("c").api();\nexport const other = new Store("c", { retries: 5 }).api().sync;\n'
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/lib.ts": DEFAULTS, "convex/use.ts": use})
    assert b.function_ids() == ["use:other", "use:sync"]
    assert _fields(b.function("use:sync")) == [("key", "string", "v.string()"), ("tries", "literal<3>", "v.literal(this.config.retries)")]
    assert _fields(b.function("use:other"))[1][1] == "literal<5>"
    assert b.diagnostics == []


def test_unknown_value_destructured_from_new_is_named(convex_project) -> None:
    use = 'import { Client } from "unknown-pkg";\nexport const { a, b } = new Client("x");\n'
    b = convex_project({"convex/schema.ts": SCHEMA, "convex/use.ts": use})
    msgs = [d["message"] for d in b.functions["diagnostics"] if d["code"] == "CSX250"]
    for fid in ("use:a", "use:b"):
        assert any(m.startswith(fid + " ") and "destructured from a `new` expression" in m for m in msgs), msgs
