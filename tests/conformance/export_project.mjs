#!/usr/bin/env node
// Differential oracle for convex-ssot.
//
// Loads a Convex project's schema and function modules with the REAL `convex`
// npm package and prints, as one JSON document on stdout, what Convex itself
// reports: the schema export and, for every registered function, its kind,
// visibility and exported args/returns validators.
//
// Usage:
//   node tests/conformance/export_project.mjs <convexDir> [--project-root <dir>] [--per-module]
//
// See README.md in this folder for the output format and the rules implemented.
//
// Design notes:
// - Modules are bundled with esbuild into a temporary directory and then
//   `import()`ed one by one, so a module that throws at import time does not
//   take the others down. By default all modules go through one esbuild run
//   with code splitting (as `npx convex deploy` does); if that build fails, or
//   with --per-module, every module is bundled on its own instead, so a build
//   error also stays local to its module. The schema is always bundled alone.
// - `_generated/{server,api,dataModel}` are replaced by virtual modules that do
//   at runtime what Convex's codegen templates do, so the project does not need
//   to have run `npx convex dev`.
// - Packages that cannot be resolved are replaced by stub modules whose exports
//   are "deep" proxies, so evaluation goes on as far as possible.
// - While project code runs, stdout is redirected to stderr (stdout carries only
//   our JSON) and network access is refused.

import { Console } from "node:console";
import dns from "node:dns";
import fs from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import * as esbuild from "esbuild";

const ORACLE_DIR = path.dirname(fileURLToPath(import.meta.url));

// Kept before the sandbox replaces process.exit for project code.
const realProcessExit = process.exit.bind(process);

/** How long one module may take to evaluate before we give up on it. */
const IMPORT_TIMEOUT_MS = 30_000;

/** How many esbuild errors to keep in one error message. */
const MAX_REPORTED_BUILD_ERRORS = 5;

// ---------------------------------------------------------------------------
// Entry points: which files are function modules.
// ---------------------------------------------------------------------------

// Mirrors ENTRY_POINT_EXTENSIONS in convex/src/bundler/index.ts. The real check
// is `relPath.endsWith(ext)`, i.e. it is case-sensitive: `foo.TS` is not an
// entry point.
const ENTRY_POINT_EXTENSIONS = [".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx"];

/**
 * Re-implementation of `entryPoints()` from convex/src/bundler/index.ts
 * (convex 1.48.0), checked line by line against that source. Differences from
 * the simplified rule list one usually sees:
 *
 * - `_generated/` is only skipped at the TOP level of the convex dir
 *   (`relPath.startsWith("_generated/")`); `foo/_generated/x.ts` IS bundled.
 * - Only the file's base name is checked for a leading dot. Files inside a
 *   dot-directory (`.cache/x.ts`) ARE bundled: walkDir does not skip them.
 * - Base names starting with `#` (emacs temp files) are skipped too.
 * - `schema.ts` / `schema.js` are skipped at any depth, but `schema.tsx`,
 *   `schema.mjs` etc. are NOT skipped (they become ordinary function modules).
 * - A subdirectory is a nested component (and skipped with everything under
 *   it) only if it holds `convex.config.ts`; `convex.config.js` does not count.
 *   The convex dir itself is never skipped this way.
 * - The "must contain import/export" filter applies only to `.ts` and `.tsx`
 *   (not `.mts`/`.cts`/JS) and is the regex `/^\s{0,100}(import|export)/m`:
 *   any line beginning with those letters passes, even inside a comment.
 * - A file under `_deps/` makes Convex abort the whole push; we report it in
 *   moduleErrors instead.
 * - Symlinks are neither files nor directories for `Dirent`, so they are
 *   never entry points.
 *
 * @returns {{entries: {absPath: string, relPath: string, modulePath: string}[],
 *            errors: {module: string, error: string}[]}}
 */
export function listEntryPoints(convexDir) {
  const entries = [];
  const errors = [];
  const tsEntries = [];

  const isNestedComponent = (dirPath) => fs.existsSync(path.join(dirPath, "convex.config.ts"));

  const walk = (dirPath) => {
    const dirents = fs.readdirSync(dirPath, { withFileTypes: true });
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of dirents) {
      const absPath = path.join(dirPath, dirent.name);
      if (dirent.isDirectory()) {
        if (!isNestedComponent(absPath)) walk(absPath);
        continue;
      }
      if (!dirent.isFile()) continue;

      const relPath = toPosix(path.relative(convexDir, absPath));
      const base = dirent.name;
      if (relPath.startsWith("_deps/")) {
        errors.push({
          module: stripExtension(relPath),
          error: `${relPath} is within the "_deps" directory, which Convex reserves; Convex refuses to deploy this project`,
        });
        continue;
      }
      if (!ENTRY_POINT_EXTENSIONS.some((ext) => relPath.endsWith(ext))) continue;
      if (relPath.startsWith("_generated/")) continue;
      if (base.startsWith(".")) continue;
      if (base.startsWith("#")) continue;
      if (base === "schema.ts" || base === "schema.js") continue;
      if ((base.match(/\./g) || []).length > 1) continue;
      if (relPath.includes(" ")) continue;

      const entry = { absPath, relPath, modulePath: stripExtension(relPath) };
      entries.push(entry);
      if (absPath.endsWith(".ts") || absPath.endsWith(".tsx")) tsEntries.push(entry);
    }
  };
  walk(convexDir);

  // TypeScript files need at least one line starting with import/export.
  const emptyTs = new Set(
    tsEntries.filter((e) => !/^\s{0,100}(import|export)/m.test(fs.readFileSync(e.absPath, "utf8"))),
  );
  return { entries: entries.filter((e) => !emptyTs.has(e)), errors };
}

function toPosix(p) {
  return p.split(path.sep).join("/");
}

/** `dir/foo.ts` -> `dir/foo`. Base names have at most one dot at this point. */
function stripExtension(relPath) {
  const ext = path.posix.extname(relPath);
  return ext ? relPath.slice(0, -ext.length) : relPath;
}

// ---------------------------------------------------------------------------
// Virtual modules.
// ---------------------------------------------------------------------------

// Matches `./_generated/server`, `../_generated/api.js`, `@/convex/_generated/dataModel`...
// Only imports from project code are redirected: component packages in
// node_modules ship their own, real `_generated` files.
const GENERATED_RE = /(?:^|\/)_generated\/(server|api|dataModel)(?:\.[cm]?[jt]s)?$/;

// What Convex's codegen templates (src/cli/codegen_templates/server.ts, api.ts,
// component_server.ts, component_api.ts, dataModel.ts) produce at runtime.
// `convex/server` is imported as a namespace so that a project pinned to an
// older convex that lacks e.g. componentsGeneric still bundles.
const GENERATED_SOURCES = {
  // server.ts template: the seven builders plus `env`. The component_server.ts
  // template (apps with components, older codegen) also exports `components`.
  // The real template does not export `httpRouter`; user code imports that
  // from "convex/server" directly.
  server: `
    import * as convexServer from "convex/server";
    export const query = convexServer.queryGeneric;
    export const internalQuery = convexServer.internalQueryGeneric;
    export const mutation = convexServer.mutationGeneric;
    export const internalMutation = convexServer.internalMutationGeneric;
    export const action = convexServer.actionGeneric;
    export const internalAction = convexServer.internalActionGeneric;
    export const httpAction = convexServer.httpActionGeneric;
    export const env = globalThis.process.env;
    export const components = convexServer.componentsGeneric ? convexServer.componentsGeneric() : undefined;
  `,
  api: `
    import * as convexServer from "convex/server";
    export const api = convexServer.anyApi;
    export const internal = convexServer.anyApi;
    export const components = convexServer.componentsGeneric ? convexServer.componentsGeneric() : undefined;
  `,
  // dataModel only holds types.
  dataModel: `export {};`,
};

// Source of the stub module that replaces an unresolvable package. It is a
// CommonJS module on purpose: esbuild checks named imports of ES modules at
// build time (and in .ts files silently drops imports it cannot find, assuming
// they are types), but leaves named imports of CommonJS modules to run time.
//
// A stub is a function-backed Proxy: calling it, constructing it or reading any
// property yields another stub. Special cases:
// - `then` is undefined, so `await stub` does not hang;
// - `__esModule` is undefined, so `import x from "pkg"` gets the root stub;
// - primitive conversion gives a string, iteration yields nothing;
// - its prototype is a proxy too: esbuild's `__toESM` helper builds the import
//   namespace with `Object.create(Object.getPrototypeOf(module.exports))`, so
//   `import { Anything } from "pkg"` is found through that prototype;
// - `in` is not trapped, so `"isQuery" in stub` is false and a stub is never
//   taken for a registered function;
// - STUB_MARKER lets the oracle recognise a stub (e.g. as a schema).
const STUB_MARKER = "convex-oracle.stub";
function stubModuleSource(specifier) {
  return `
    const marker = Symbol.for(${JSON.stringify(STUB_MARKER)});
    function makeStub(label) {
      const proto = new Proxy(Object.create(null), {
        get: (t, prop) => (typeof prop === "symbol" || prop === "then" ? undefined : makeStub(label + "." + prop)),
      });
      return new Proxy(function () {}, {
        get(t, prop) {
          if (prop === marker) return label;
          if (prop === "then" || prop === "__esModule") return undefined;
          if (prop === Symbol.toPrimitive) {
            return (hint) => (hint === "number" ? NaN : "[oracle stub " + label + "]");
          }
          if (prop === Symbol.iterator) return function* () {};
          if (prop === Symbol.asyncIterator) return async function* () {};
          if (typeof prop === "symbol") return undefined;
          return makeStub(label + "." + prop);
        },
        getPrototypeOf: () => proto,
        apply: () => makeStub(label + "()"),
        construct: () => makeStub("new " + label),
      });
    }
    module.exports = makeStub(${JSON.stringify(specifier)});
  `;
}

/** The label of a stub created by stubModuleSource, or null. */
function stubLabel(value) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return null;
  try {
    return value[Symbol.for(STUB_MARKER)] ?? null;
  } catch {
    return null;
  }
}

/** `@scope/pkg/sub/path` -> `@scope/pkg`, `pkg/sub` -> `pkg`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function isInNodeModules(file) {
  return file.split(/[\\/]/).includes("node_modules");
}

function isBareSpecifier(specifier) {
  return !(
    specifier.startsWith(".") ||
    specifier.startsWith("/") ||
    path.isAbsolute(specifier) ||
    /^[a-z][a-z0-9+.-]*:/i.test(specifier) // URLs such as file:, data:, https:
  );
}

// ---------------------------------------------------------------------------
// esbuild plugin: resolution order, virtual modules and stubs.
// ---------------------------------------------------------------------------

const INNER_RESOLVE = "convexOracleInnerResolve";

/** @param {object} ctx shared state: convexDir, projectRoot, stubbedPackages */
function oraclePlugin(ctx) {
  return {
    name: "convex-oracle",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.[INNER_RESOLVE]) return undefined;
        const spec = args.path;

        const generated = GENERATED_RE.exec(spec);
        if (generated && !isInNodeModules(args.importer)) {
          return { path: generated[1], namespace: "oracle-generated" };
        }

        // Convex's own bundler replaces `server-only` by an empty module
        // (src/bundler/serverOnly.ts); do the same.
        if (spec === "server-only") return { path: spec, namespace: "oracle-empty" };

        if (isBuiltin(spec)) return { path: spec, external: true };
        if (!isBareSpecifier(spec)) return undefined; // relative/absolute: esbuild's default

        // Bare specifier. Try, in order: Node's usual lookup from the importing
        // file (node_modules up the tree, tsconfig `paths`; for code inside a
        // package this finds the package's own dependencies), then the
        // project root given on the command line, then the oracle's own
        // node_modules. Whatever is still missing becomes a stub.
        const bases = [args.resolveDir, ctx.projectRoot, ORACLE_DIR].filter(Boolean);
        for (const resolveDir of bases) {
          const result = await build.resolve(spec, {
            kind: args.kind,
            resolveDir,
            importer: args.importer,
            pluginData: { [INNER_RESOLVE]: true },
          });
          if (result.errors.length === 0) {
            return {
              path: result.path,
              namespace: result.namespace,
              external: result.external,
              sideEffects: result.sideEffects,
              suffix: result.suffix,
            };
          }
        }

        ctx.stubbedPackages.add(packageName(spec));
        return { path: spec, namespace: "oracle-stub" };
      });

      build.onLoad({ filter: /.*/, namespace: "oracle-generated" }, (args) => ({
        contents: GENERATED_SOURCES[args.path],
        loader: "js",
        resolveDir: ctx.convexDir,
      }));
      build.onLoad({ filter: /.*/, namespace: "oracle-empty" }, () => ({
        contents: "",
        loader: "js",
      }));
      build.onLoad({ filter: /.*/, namespace: "oracle-stub" }, (args) => ({
        contents: stubModuleSource(args.path),
        loader: "js",
      }));
    },
  };
}

function formatBuildErrors(errors) {
  const shown = errors.slice(0, MAX_REPORTED_BUILD_ERRORS).map((e) => {
    const loc = e.location ? `${toPosix(e.location.file)}:${e.location.line}:${e.location.column}: ` : "";
    return `esbuild: ${loc}${e.text}`;
  });
  if (errors.length > shown.length) shown.push(`(${errors.length - shown.length} more esbuild errors)`);
  return shown.join("\n");
}

/** esbuild options shared by every build. */
function buildOptions(ctx) {
  return {
    bundle: true,
    write: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Same as Convex's bundler (src/bundler/debugBundle.ts).
    conditions: ["convex", "module"],
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    // Paths in esbuild messages become relative to the convex dir.
    absWorkingDir: ctx.convexDir,
    logLevel: "silent",
    plugins: [oraclePlugin(ctx)],
  };
}

/** Runs esbuild; turns a build failure into an Error with a readable message. */
async function runEsbuild(options) {
  try {
    return await esbuild.build(options);
  } catch (e) {
    if (e?.errors?.length) throw new Error(formatBuildErrors(e.errors));
    throw e;
  }
}

/** Bundles one entry point into `outfile` (a self-contained ES module). */
export async function bundleModule(ctx, absEntry, outfile) {
  await runEsbuild({ ...buildOptions(ctx), entryPoints: [absEntry], outfile });
}

/**
 * Bundles all entries in ONE esbuild run with code splitting, as Convex's own
 * bundler does: code shared by several modules lands in shared chunks and is
 * evaluated once. Much faster than one build per entry on large projects.
 * Returns modulePath -> output file; throws if any entry fails to build.
 */
async function bundleAllModules(ctx, entries) {
  const outdir = path.join(ctx.tmpDir, "modules");
  await runEsbuild({
    ...buildOptions(ctx),
    entryPoints: entries.map((e) => ({ in: e.absPath, out: e.modulePath })),
    outdir,
    splitting: true,
    chunkNames: "_oracle_chunks/[hash]",
    outExtension: { ".js": ".mjs" },
  });
  return new Map(entries.map((e) => [e.modulePath, path.join(outdir, `${e.modulePath}.mjs`)]));
}

// ---------------------------------------------------------------------------
// Running project code.
// ---------------------------------------------------------------------------

/**
 * Makes the process safe for running project code: stdout is reserved for our
 * JSON, network access is refused, stray async errors are logged instead of
 * killing the process, and `process.exit` from a module becomes an error.
 * Returns a function that writes to the real stdout.
 */
function installSandbox() {
  const realStdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

  const refuse = () => {
    throw new Error("network access is disabled in the Convex conformance oracle");
  };
  // Best effort: fetch, every TCP/TLS/HTTP client (they all end in
  // net.Socket#connect) and DNS. Project code that needs the network at import
  // time then fails like a module with a missing env var would.
  globalThis.fetch = async () => refuse();
  net.Socket.prototype.connect = refuse;
  for (const name of ["lookup", "lookupService", "resolve", "resolve4", "resolve6", "resolveAny", "resolveTxt"]) {
    dns[name] = refuse;
    dns.promises[name] = async () => refuse();
  }

  process.on("unhandledRejection", (reason) => {
    process.stderr.write(`[oracle] unhandled rejection from project code: ${errorMessage(reason)}\n`);
  });
  process.on("uncaughtException", (err) => {
    process.stderr.write(`[oracle] uncaught exception from project code: ${errorMessage(err)}\n`);
  });
  process.exit = (code) => {
    throw new Error(`project code called process.exit(${code ?? ""})`);
  };

  // esbuild's ESM output calls `require` for builtins used from bundled
  // CommonJS code; its helper looks for a global `require`.
  globalThis.require = createRequire(import.meta.url);

  return realStdoutWrite;
}

function errorMessage(err) {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return "<unprintable error>";
  }
}

async function importWithTimeout(file) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`module evaluation did not finish within ${IMPORT_TIMEOUT_MS / 1000}s`)),
      IMPORT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([import(pathToFileURL(file).href), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bundles one file on its own and imports it; returns its module namespace. */
async function loadModule(ctx, absPath, outName) {
  const outfile = path.join(ctx.tmpDir, "single", `${outName}.mjs`);
  await bundleModule(ctx, absPath, outfile);
  return await importWithTimeout(outfile);
}

/** `"prop" in value`, the test Convex's analyzer uses (v8 `Object::Has`). */
function hasProperty(value, prop) {
  try {
    return prop in value;
  } catch {
    return false;
  }
}

/** Calls `fn.exportArgs()` / `fn.exportReturns()` and parses the JSON. */
function exportValidator(fn, method) {
  const exporter = fn[method];
  if (exporter === undefined) return null;
  if (typeof exporter !== "function") throw new Error(`${method} is not a function or undefined`);
  const json = exporter.call(fn);
  if (typeof json !== "string") throw new Error(`${method}() did not return a string`);
  return JSON.parse(json);
}

/**
 * Inspects one module namespace the way Convex's analyzer does
 * (crates/isolate/src/environment/analyze.rs `udf_analyze`): an export is a
 * function if exactly one of isQuery/isMutation/isAction is present; its
 * visibility comes from isPublic/isInternal, and it is skipped if both are
 * present. httpAction exports (isHttp) are not functions for the analyzer;
 * we report them with kind "httpAction" and visibility null.
 */
function analyzeModule(modulePath, namespace, httpActions = new Map()) {
  const functions = [];
  const errors = [];
  for (const exportName of Object.keys(namespace).sort()) {
    let value;
    try {
      value = namespace[exportName];
    } catch (e) {
      // An export still in its temporal dead zone (import cycles).
      errors.push({ module: modulePath, error: `${modulePath}:${exportName}: ${errorMessage(e)}` });
      continue;
    }
    if (value === null || (typeof value !== "object" && typeof value !== "function")) continue;

    const flags = ["isQuery", "isMutation", "isAction"].filter((p) => hasProperty(value, p));
    let kind;
    if (flags.length === 1) kind = { isQuery: "query", isMutation: "mutation", isAction: "action" }[flags[0]];
    else if (flags.length === 0 && hasProperty(value, "isHttp")) kind = "httpAction";
    else continue;

    const functionId = `${modulePath}:${exportName}`;
    if (kind === "httpAction") {
      functions.push({ functionId, kind, visibility: null, args: null, returns: null });
      httpActions.set(value, functionId);
      continue;
    }

    const isPublic = hasProperty(value, "isPublic");
    const isInternal = hasProperty(value, "isInternal");
    if (isPublic && isInternal) continue;
    const visibility = isPublic ? "public" : isInternal ? "internal" : null;

    try {
      const args = exportValidator(value, "exportArgs");
      const returns = exportValidator(value, "exportReturns");
      functions.push({ functionId, kind, visibility, args, returns });
    } catch (e) {
      errors.push({ module: modulePath, error: `${functionId}: ${errorMessage(e)}` });
    }
  }
  return { functions, errors };
}

/** Replaces machine-specific paths in error messages so output is stable. */
function makeSanitizer(ctx) {
  // File URLs first: they contain the plain paths.
  const replacements = [
    [pathToFileURL(ctx.tmpDir).href, "<tmp>"],
    [pathToFileURL(ctx.convexDir).href, "<convexDir>"],
    [pathToFileURL(ORACLE_DIR).href, "<oracle>"],
    [ctx.tmpDir, "<tmp>"],
    [ctx.convexDir, "<convexDir>"],
    [ORACLE_DIR, "<oracle>"],
  ];
  return (message) => replacements.reduce((m, [from, to]) => m.split(from).join(to), message);
}

/** Version of the `convex` package that project code resolves to. */
async function resolveConvexVersion(ctx) {
  let version = null;
  const probe = {
    name: "convex-version-probe",
    setup(build) {
      build.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
        const pkg = JSON.parse(await fs.promises.readFile(args.path, "utf8"));
        if (pkg.name === "convex") version = pkg.version;
        return { contents: "{}", loader: "json" };
      });
    },
  };
  await esbuild.build({
    stdin: { contents: `import "convex/package.json";`, resolveDir: ctx.convexDir, loader: "js" },
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    logLevel: "silent",
    absWorkingDir: ctx.convexDir,
    plugins: [oraclePlugin({ ...ctx, stubbedPackages: new Set() }), probe],
  });
  return version;
}

// ---------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------

function parseCommandLine() {
  const { values, positionals } = parseArgs({
    options: {
      "project-root": { type: "string" },
      "per-module": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help || positionals.length !== 1) {
    process.stderr.write("usage: node export_project.mjs <convexDir> [--project-root <dir>] [--per-module]\n");
    process.exit(values.help ? 0 : 2);
  }
  const convexDir = path.resolve(positionals[0]);
  if (!fs.statSync(convexDir, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`not a directory: ${convexDir}\n`);
    process.exit(2);
  }
  let projectRoot = null;
  if (values["project-root"]) {
    const candidate = path.resolve(values["project-root"]);
    if (fs.statSync(path.join(candidate, "node_modules"), { throwIfNoEntry: false })?.isDirectory()) {
      projectRoot = candidate;
    } else {
      process.stderr.write(`[oracle] ignoring --project-root: ${candidate}/node_modules not found\n`);
    }
  }
  // Realpaths keep esbuild's paths and our sanitizer consistent.
  return {
    convexDir: fs.realpathSync(convexDir),
    projectRoot: projectRoot && fs.realpathSync(projectRoot),
    perModule: Boolean(values["per-module"]),
  };
}

/** Loads the schema; returns [schemaJson, errorMessage]. */
async function exportSchema(ctx) {
  // bundleSchema (convex/src/bundler/index.ts) uses convex/schema.ts, else
  // convex/schema.js; only those two names, only at the top level.
  const schemaFile = ["schema.ts", "schema.js"]
    .map((name) => path.join(ctx.convexDir, name))
    .find((p) => fs.existsSync(p));
  if (!schemaFile) return [null, null];
  try {
    const schema = (await loadModule(ctx, schemaFile, "schema")).default;
    const label = stubLabel(schema);
    if (label) throw new Error(`the default export is a stub (${label}) from a package that could not be resolved`);
    if (!schema || typeof schema.export !== "function") {
      throw new Error("the default export is not a schema (defineSchema(...))");
    }
    return [JSON.parse(schema.export()), null];
  } catch (e) {
    return [null, errorMessage(e)];
  }
}

/**
 * Loads every function module and analyzes its exports. Tries one shared
 * build first; if that fails (one module does not build), falls back to one
 * build per module so that the failure stays local to that module.
 * Returns {functions, errors}.
 */
async function exportFunctions(ctx, entries, { perModule }) {
  const functions = [];
  const errors = [];
  const httpActions = new Map();
  const surface = {};

  let sharedOutputs = null;
  if (!perModule && entries.length > 0) {
    try {
      sharedOutputs = await bundleAllModules(ctx, entries);
    } catch (e) {
      process.stderr.write(`[oracle] shared build failed, bundling modules one by one:\n${errorMessage(e)}\n`);
    }
  }

  for (const [i, entry] of entries.entries()) {
    try {
      const namespace = sharedOutputs
        ? await importWithTimeout(sharedOutputs.get(entry.modulePath))
        : await loadModule(ctx, entry.absPath, `m${String(i).padStart(4, "0")}`);
      const result = analyzeModule(entry.modulePath, namespace, httpActions);
      if (entry.modulePath === "http" || entry.modulePath === "crons") surface[entry.modulePath] = namespace;
      functions.push(...result.functions);
      errors.push(...result.errors);
    } catch (e) {
      errors.push({ module: entry.modulePath, error: errorMessage(e) });
    }
  }
  return { functions, errors, httpActions, surface };
}

// ---------------------------------------------------------------------------
// The callable surface: HTTP routes, cron jobs, components.
// ---------------------------------------------------------------------------

/** Request paths to probe `lookup` with, derived from the routes (fixtures only). */
function lookupProbes(routes) {
  const paths = new Set(["/", "/nope"]);
  for (const r of routes) {
    const p = r.path ?? r.pathPrefix;
    for (const q of [p, p + "x", p + "x/y", p + "/", p.slice(0, -1)]) if (q.startsWith("/")) paths.add(q);
  }
  return [...paths].sort();
}

/**
 * Fills output.httpRoutes (HttpRouter.getRoutes() of the default export of the `http`
 * module; a handler that is an exported httpAction of any module is named by its
 * functionId), output.httpLookups (what lookup() returns for probe paths and every method)
 * and output.crons (Crons.export() of the default export of the `crons` module, in key
 * order). Identity of handlers holds in the shared build (one copy of every module).
 */
function exportSurface(output, surface, httpActions) {
  const router = surface.http?.default;
  if (router && router.isRouter) {
    try {
      output.httpRoutes = router.getRoutes().map(([p, method, handler]) => {
        const exact = router.exactRoutes.get(p)?.get(method) === handler;
        const route = exact ? { method, path: p } : { method, pathPrefix: p.slice(0, -1) };
        const fid = httpActions.get(handler);
        route.handler = fid ? { functionId: fid } : { inline: true };
        return route;
      });
      if (output.httpRoutes.length <= 60) {
        output.httpLookups = [];
        for (const path of lookupProbes(output.httpRoutes)) {
          for (const method of ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD"]) {
            const found = router.lookup(path, method);
            output.httpLookups.push({ path, method, result: found ? [found[1], found[2]] : null });
          }
        }
      }
    } catch (e) {
      output.surfaceErrors.push(`http: ${errorMessage(e)}`);
    }
  } else if (surface.http) {
    output.surfaceErrors.push("http: the default export is not an HttpRouter");
  }
  const crons = surface.crons?.default;
  if (crons && crons.isCrons) {
    try {
      output.crons = Object.entries(JSON.parse(crons.export())).map(([identifier, job]) => ({ identifier, ...job }));
    } catch (e) {
      output.surfaceErrors.push(`crons: ${errorMessage(e)}`);
    }
  } else if (surface.crons) {
    output.surfaceErrors.push("crons: the default export is not a Crons object");
  }
}

/**
 * Loads convex.config.ts and lists app.use(...) calls: [{name, definition, defaultName,
 * httpPrefix}]. Outside a Convex deployment a definition import has no
 * componentDefinitionPath, so each import matching /convex.config/ is replaced by the
 * object the deployment gives `use` (src/server/components/index.ts
 * ImportedComponentDefinition): its path and, as defaultName, the `_name` of the real
 * definition (`defineComponent(name)`).
 */
async function exportComponents(ctx, errors) {
  const configFile = path.join(ctx.convexDir, "convex.config.ts");
  // Nested component definitions (a component's own convex.config using others) get the
  // same treatment, so every `use` sees what a deployment gives it.
  if (!fs.existsSync(configFile)) return null;
  const plugin = {
    name: "convex-oracle-components",
    setup(build) {
      build.onResolve({ filter: /.*convex.config.*/ }, (args) => {
        // The virtual module's own import of the real definition resolves as usual.
        if (args.kind === "entry-point" || args.pluginData?.oracleComponentInner || args.pluginData?.[INNER_RESOLVE]) return undefined;
        return { path: args.path, namespace: "oracle-component", pluginData: { resolveDir: args.resolveDir } };
      });
      build.onLoad({ filter: /.*/, namespace: "oracle-component" }, (args) => ({
        contents: `import def from ${JSON.stringify(args.path)};
          export default { componentDefinitionPath: ${JSON.stringify(args.path)}, defaultName: def?._name ?? undefined };`,
        pluginData: { oracleComponentInner: true },
        loader: "js",
        resolveDir: args.pluginData.resolveDir,
      }));
    },
  };
  try {
    const outfile = path.join(ctx.tmpDir, "single", "convex_config.mjs");
    const base = buildOptions(ctx);
    await runEsbuild({ ...base, plugins: [plugin, ...base.plugins], entryPoints: [configFile], outfile });
    const app = (await importWithTimeout(outfile)).default;
    return app._childComponents.map(([name, def, _env, httpPrefix]) => ({
      name,
      definition: def.componentDefinitionPath,
      defaultName: def.defaultName ?? null,
      httpPrefix: httpPrefix ?? null,
    }));
  } catch (e) {
    errors.push(`convex.config.ts: ${errorMessage(e)}`);
    return null;
  }
}

async function main() {
  const { convexDir, projectRoot, perModule } = parseCommandLine();
  const writeStdout = installSandbox();

  const tmpDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "convex-oracle-")));
  const ctx = { convexDir, projectRoot, tmpDir, stubbedPackages: new Set() };
  const sanitize = makeSanitizer(ctx);

  const output = {
    convexVersion: null,
    schema: null,
    schemaError: null,
    functions: [],
    moduleErrors: [],
    stubbedPackages: [],
    httpRoutes: null,
    httpLookups: null,
    crons: null,
    components: null,
    surfaceErrors: [],
  };

  try {
    output.convexVersion = await resolveConvexVersion(ctx);

    const [schema, schemaError] = await exportSchema(ctx);
    output.schema = schema;
    output.schemaError = schemaError === null ? null : sanitize(schemaError);

    const { entries: allEntries, errors: entryErrors } = listEntryPoints(convexDir);
    output.moduleErrors.push(...entryErrors);

    // Two files that map to one module path (foo.ts and foo.js) collide in
    // Convex's bundle output; report the later ones instead of loading them.
    const entries = [];
    for (const entry of allEntries) {
      if (entries.some((e) => e.modulePath === entry.modulePath)) {
        output.moduleErrors.push({
          module: entry.modulePath,
          error: `${entry.relPath}: another file already provides module "${entry.modulePath}"`,
        });
      } else {
        entries.push(entry);
      }
    }

    const { functions, errors, httpActions, surface } = await exportFunctions(ctx, entries, { perModule });
    output.functions = functions;
    exportSurface(output, surface, httpActions);
    output.components = await exportComponents(ctx, output.surfaceErrors);
    output.surfaceErrors = output.surfaceErrors.map(sanitize);
    output.moduleErrors.push(...errors.map((e) => ({ ...e, error: sanitize(e.error) })));
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  const byKey = (key) => (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0);
  output.functions.sort(byKey("functionId"));
  output.moduleErrors.sort((a, b) => byKey("module")(a, b) || byKey("error")(a, b));
  output.stubbedPackages = [...ctx.stubbedPackages].sort();

  // Modules may leave timers or handles open; exit once stdout is flushed.
  writeStdout(JSON.stringify(output, null, 2) + "\n", () => realProcessExit(0));
}

// Run only as a script; selftest/check_entry_points.mjs imports the helpers.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`[oracle] fatal: ${e?.stack ?? e}\n`);
    realProcessExit(1);
  });
}
