"""Fake installed packages written for the CommonJS tests (tests/unit/test_commonjs_packages.py
and tests/conformance/test_reading_commonjs.py): one package, ``fake-cjs``, in the shapes
hand-written CommonJS, TypeScript's ``--module commonjs``, esbuild's ``--format=cjs`` and
Babel emit, and a minified ES module (statements one after another on one line), each exporting the same validators, table map and component client class, and
the project modules that use them. Written for this project; no package's code is copied."""

from __future__ import annotations

import json
import textwrap


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


HAND_WRITTEN = {
    "index.js": """
        const { v } = require("convex/values");
        const server = require("convex/server");
        const vStatus = v.union(v.literal("open"), v.literal("closed"));
        exports.vStatus = vStatus;
        exports.vThing = v.object({ name: v.string(), status: vStatus });
        module.exports.fakeTables = {
          things: server.defineTable({ name: v.string() }).index("by_name", ["name"]),
        };
        class Client {
          constructor(component, options) {
            this.component = component;
            this.options = options || {};
          }
          api() {
            return {
              getThing: server.queryGeneric({ args: { id: v.string(), extra: this.options.extra }, handler: async () => null }),
            };
          }
        }
        exports.Client = Client;
    """,
}

TSC = {
    "index.js": """
        "use strict";
        var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
            if (k2 === undefined) k2 = k;
            Object.defineProperty(o, k2, { enumerable: true, get: function() { return m[k]; } });
        }) : (function(o, m, k, k2) {
            if (k2 === undefined) k2 = k;
            o[k2] = m[k];
        }));
        var __exportStar = (this && this.__exportStar) || function(m, exports) {
            for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
        };
        Object.defineProperty(exports, "__esModule", { value: true });
        exports.Client = exports.fakeTables = exports.vThing = void 0;
        const server_1 = require("convex/server");
        const values_1 = require("convex/values");
        __exportStar(require("./validators"), exports);
        var validators_1 = require("./validators");
        Object.defineProperty(exports, "vStatusAlias", { enumerable: true, get: function () { return validators_1.vStatus; } });
        exports.vThing = values_1.v.object({ name: values_1.v.string(), status: validators_1.vStatus });
        exports.fakeTables = {
            things: (0, server_1.defineTable)({ name: values_1.v.string() }).index("by_name", ["name"]),
        };
        class Client {
            constructor(component, options) {
                this.component = component;
                this.options = options !== null && options !== void 0 ? options : {};
            }
            api() {
                return {
                    getThing: (0, server_1.queryGeneric)({ args: { id: values_1.v.string(), extra: this.options.extra }, handler: async () => null }),
                };
            }
        }
        exports.Client = Client;
    """,
    "validators.js": """
        "use strict";
        Object.defineProperty(exports, "__esModule", { value: true });
        exports.vStatus = void 0;
        const values_1 = require("convex/values");
        exports.vStatus = (0, values_1.v.union)((0, values_1.v.literal)("open"), values_1.v.literal("closed"));
    """,
}

#: The helpers esbuild puts at the top of a CommonJS output file (written out as esbuild 0.2x
#: prints them; the names are esbuild's runtime helpers).
ESBUILD_HELPERS = """
        var __defProp = Object.defineProperty;
        var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
        var __getOwnPropNames = Object.getOwnPropertyNames;
        var __hasOwnProp = Object.prototype.hasOwnProperty;
        var __export = (target, all) => {
          for (var name in all)
            __defProp(target, name, { get: all[name], enumerable: true });
        };
        var __copyProps = (to, from, except, desc) => {
          if (from && typeof from === "object" || typeof from === "function") {
            for (let key of __getOwnPropNames(from))
              if (!__hasOwnProp.call(to, key) && key !== except)
                __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
          }
          return to;
        };
""".strip("\n") + "\n"

ESBUILD = {
    "index.js": """
        "use strict";
""" + ESBUILD_HELPERS + """        var __reExport = (target, mod, secondTarget) => (__copyProps(target, mod, "default"), secondTarget && __copyProps(secondTarget, mod, "default"));
        var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);
        var src_exports = {};
        __export(src_exports, {
          Client: () => Client,
          default: () => src_default,
          fakeTables: () => fakeTables,
          vThing: () => vThing
        });
        module.exports = __toCommonJS(src_exports);
        var import_server = require("convex/server");
        var import_values = require("convex/values");
        __reExport(src_exports, require("./validators.js"), module.exports);
        var import_validators = require("./validators.js");
        const vThing = import_values.v.object({ name: import_values.v.string(), status: import_validators.vStatus });
        const fakeTables = {
          things: (0, import_server.defineTable)({ name: import_values.v.string() }).index("by_name", ["name"])
        };
        class Client {
          constructor(component, options) {
            this.component = component;
            this.options = options ?? {};
          }
          api() {
            return {
              getThing: (0, import_server.queryGeneric)({ args: { id: import_values.v.string(), extra: this.options.extra }, handler: async () => null })
            };
          }
        }
        var src_default = vThing;
        // Annotate the CommonJS export names for ESM import in node:
        0 && (module.exports = {
          Client,
          fakeTables,
          vThing,
          ...require("./validators.js")
        });
    """,
    "validators.js": """
        "use strict";
""" + ESBUILD_HELPERS + """        var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);
        var validators_exports = {};
        __export(validators_exports, {
          vStatus: () => vStatus
        });
        module.exports = __toCommonJS(validators_exports);
        var import_values = require("convex/values");
        const vStatus = import_values.v.union(import_values.v.literal("open"), import_values.v.literal("closed"));
    """,
}

BABEL = {
    "index.js": """
        "use strict";

        Object.defineProperty(exports, "__esModule", {
          value: true
        });
        var _exportNames = {
          vThing: true
        };
        exports.vThing = exports.fakeTables = exports.Client = void 0;
        var _values = require("convex/values");
        var _server = require("convex/server");
        var _validators = require("./validators");
        Object.keys(_validators).forEach(function (key) {
          if (key === "default" || key === "__esModule") return;
          if (key in exports && exports[key] === _validators[key]) return;
          Object.defineProperty(exports, key, {
            enumerable: true,
            get: function () {
              return _validators[key];
            }
          });
        });
        const vThing = exports.vThing = _values.v.object({
          name: _values.v.string(),
          status: _validators.vStatus
        });
        const fakeTables = exports.fakeTables = {
          things: (0, _server.defineTable)({ name: _values.v.string() }).index("by_name", ["name"])
        };
        class Client {
          constructor(component, options) {
            this.component = component;
            this.options = options ?? {};
          }
          api() {
            return {
              getThing: (0, _server.queryGeneric)({ args: { id: _values.v.string(), extra: this.options.extra }, handler: async () => null })
            };
          }
        }
        exports.Client = Client;
    """,
    "validators.js": """
        "use strict";

        Object.defineProperty(exports, "__esModule", {
          value: true
        });
        exports.vStatus = void 0;
        var _values = require("convex/values");
        const vStatus = exports.vStatus = _values.v.union(_values.v.literal("open"), _values.v.literal("closed"));
    """,
}

# An ES module minified onto one line per file (as bundlers' minifiers write it), with a
# helper function before the exports: statements follow `;` and `}` on the same line.
MINIFIED_ESM = {
    "index.js": (
        'import{v as e}from"convex/values";import{defineTable as t,queryGeneric as n}from"convex/server";'
        'import{vStatus as r}from"./validators.js";function u(a){let b=0;for(const c of a){b=b+c.length}return b}'
        "const s=e.object({name:e.string(),status:r});const o={things:t({name:e.string()}).index(\"by_name\",[\"name\"])};"
        "class i{constructor(a,b){this.component=a;this.options=b??{}}api(){return{getThing:n({args:{id:e.string(),"
        "extra:this.options.extra},handler:async()=>null})}}}export{i as Client,o as fakeTables,s as vThing,r as vStatus,u as size};\n"
    ),
    "validators.js": 'import{v as e}from"convex/values";export const vStatus=e.union(e.literal("open"),e.literal("closed"));\n',
}

STYLES = {"hand-written": HAND_WRITTEN, "tsc": TSC, "esbuild": ESBUILD, "babel": BABEL, "minified-esm": MINIFIED_ESM}

SCHEMA = """import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { vThing, vStatus, fakeTables } from "fake-cjs";
export default defineSchema({
  ...fakeTables,
  notes: defineTable({ thing: vThing, status: vStatus }),
});
"""

ITEMS = """import { Client } from "fake-cjs";
import { v } from "convex/values";
import { components } from "./_generated/api";
const client = new Client(components.items, { extra: v.number() });
export const { getThing } = client.api();
"""


def package_files(files: dict[str, str], main: str = "./dist/index.js") -> dict[str, str]:
    """``node_modules/fake-cjs/...`` files of one style (relative to the project root)."""
    out = {"node_modules/fake-cjs/package.json": json.dumps({"name": "fake-cjs", "version": "2.0.0", "main": main})}
    for name, text in files.items():
        out[f"node_modules/fake-cjs/dist/{name}"] = src(text)
    return out
