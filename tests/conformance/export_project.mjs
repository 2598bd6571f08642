#!/usr/bin/env node
// Differential oracle for convex-ssot.
//
// Loads a Convex project's schema and function modules with the REAL `convex`
// npm package and prints, as one JSON document on stdout, what Convex itself
// reports: the schema export and, for every registered function, its kind,
// visibility and exported args/returns validators.
//
// Usage:
//   node tests/conformance/export_project.mjs <convexDir> [--project-root <dir>]
//
// See README.md in this folder for the output format and the rules implemented.
//
// Design notes:
// - Each module (and the schema) is bundled on its own with esbuild into a
//   temporary directory and then `import()`ed, so one broken module cannot
//   take the others down.
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

/** Upper bound on bundle attempts per module (each attempt may add stub exports). */
const MAX_BUNDLE_ATTEMPTS = 8;

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
const GENERATED_RE = /(?:^|\/)_generated\/(server|api|dataModel)(?:\.(?:[cm]?js|[cm]?ts|d\.ts))?$/;

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

// The stub runtime, bundled into every module that needs a stub. A stub is a
// function-backed Proxy: calling it, constructing it or reading any property
// yields another stub. A few properties are special-cased so that stubs behave
// in common coercions: `then` is undefined (so `await stub` does not hang),
// primitive conversion gives a string, and iteration yields nothing.
const STUB_RUNTIME_SOURCE = `
  export function makeStub(label) {
    const target = function () {};
    return new Proxy(target, {
      get(t, prop) {
        if (prop === "then") return undefined;
        if (prop === Symbol.toPrimitive) {
          return (hint) => (hint === "number" ? NaN : "[oracle stub " + label + "]");
        }
        if (prop === Symbol.iterator) return function* () {};
        if (prop === Symbol.asyncIterator) return async function* () {};
        if (typeof prop === "symbol") return undefined;
        return makeStub(label + "." + prop);
      },
      apply() {
        return makeStub(label + "()");
      },
      construct() {
        return makeStub("new " + label);
      },
    });
  }
`;

/** Source of the stub module for `specifier`, exporting `names` by name. */
function stubModuleSource(specifier, names) {
  const lines = [
    `import { makeStub } from "oracle-stub-runtime";`,
    `const root = makeStub(${JSON.stringify(specifier)});`,
    `export default root;`,
  ];
  [...names].sort().forEach((name, i) => {
    if (name === "default") return;
    lines.push(`const e${i} = root[${JSON.stringify(name)}];`);
    lines.push(`export { e${i} as ${JSON.stringify(name)} };`);
  });
  return lines.join("\n");
}

/** `@scope/pkg/sub/path` -> `@scope/pkg`, `pkg/sub` -> `pkg`. */
function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
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

/**
 * @param {object} ctx shared state: convexDir, projectRoot, stubbedPackages
 * @param {Map<string, Set<string>>} stubExports per stubbed specifier, the
 *   named exports esbuild asked for in earlier attempts
 */
function oraclePlugin(ctx, stubExports) {
  return {
    name: "convex-oracle",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.[INNER_RESOLVE]) return undefined;
        const spec = args.path;

        if (spec === "oracle-stub-runtime") return { path: spec, namespace: "oracle-stub-runtime" };

        const generated = GENERATED_RE.exec(spec);
        if (generated) return { path: generated[1], namespace: "oracle-generated" };

        // Convex's own bundler replaces `server-only` by an empty module
        // (src/bundler/serverOnly.ts); do the same.
        if (spec === "server-only") return { path: spec, namespace: "oracle-empty" };

        if (isBuiltin(spec)) return { path: spec, external: true };
        if (!isBareSpecifier(spec)) return undefined; // relative/absolute: esbuild's default

        // Bare specifier: try each base directory in turn.
        const importerIsPackage = args.importer.split(path.sep).includes("node_modules");
        const bases = [];
        // A package's own dependencies resolve from its location first.
        if (importerIsPackage) bases.push(args.resolveDir);
        if (ctx.projectRoot) bases.push(ctx.projectRoot);
        // Project code: its own directory, which also applies tsconfig `paths`
        // and any node_modules next to the convex dir.
        if (!importerIsPackage && args.resolveDir) bases.push(args.resolveDir);
        bases.push(ORACLE_DIR);

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
      build.onLoad({ filter: /.*/, namespace: "oracle-stub-runtime" }, () => ({
        contents: STUB_RUNTIME_SOURCE,
        loader: "js",
      }));
      build.onLoad({ filter: /.*/, namespace: "oracle-stub" }, (args) => ({
        contents: stubModuleSource(args.path, stubExports.get(args.path) ?? new Set()),
        loader: "js",
        resolveDir: ORACLE_DIR,
      }));
    },
  };
}

// esbuild reports a named import the stub lacks as an error (import {x}) or a
// warning (ns.x on `import * as ns`). Both name the stub, so we can add the
// export and bundle again.
const MISSING_STUB_EXPORT_RES = [
  /^No matching export in "oracle-stub:(.+)" for import "(.+)"$/,
  /^Import "(.+)" will always be undefined because there is no matching export in "oracle-stub:(.+)"$/,
];

/** Adds the stub exports named in esbuild messages; returns how many were new. */
function collectMissingStubExports(messages, stubExports) {
  let added = 0;
  for (const message of messages) {
    let specifier;
    let name;
    let m = MISSING_STUB_EXPORT_RES[0].exec(message.text);
    if (m) [, specifier, name] = m;
    else if ((m = MISSING_STUB_EXPORT_RES[1].exec(message.text))) [, name, specifier] = m;
    else continue;
    if (!stubExports.has(specifier)) stubExports.set(specifier, new Set());
    const names = stubExports.get(specifier);
    if (!names.has(name)) {
      names.add(name);
      added++;
    }
  }
  return added;
}

function formatBuildErrors(errors) {
  const shown = errors.slice(0, MAX_REPORTED_BUILD_ERRORS).map((e) => {
    const loc = e.location ? `${toPosix(e.location.file)}:${e.location.line}:${e.location.column}: ` : "";
    return `esbuild: ${loc}${e.text}`;
  });
  if (errors.length > shown.length) shown.push(`(${errors.length - shown.length} more esbuild errors)`);
  return shown.join("\n");
}

/**
 * Bundles `absEntry` into `outfile`. Retries while esbuild asks for stub
 * exports we have not provided yet. Throws an Error with a readable message on
 * any other build error.
 */
export async function bundleModule(ctx, absEntry, outfile) {
  const stubExports = new Map();
  for (let attempt = 1; ; attempt++) {
    let result;
    try {
      result = await esbuild.build({
        entryPoints: [absEntry],
        outfile,
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
        plugins: [oraclePlugin(ctx, stubExports)],
      });
    } catch (e) {
      const errors = e?.errors ?? [];
      if (errors.length === 0) throw e;
      const added = collectMissingStubExports([...errors, ...(e.warnings ?? [])], stubExports);
      if (added > 0 && attempt < MAX_BUNDLE_ATTEMPTS) continue;
      throw new Error(formatBuildErrors(errors));
    }
    // Namespace-import accesses are only warnings; rebuild so they get values.
    const added = collectMissingStubExports(result.warnings, stubExports);
    if (added > 0 && attempt < MAX_BUNDLE_ATTEMPTS) continue;
    return;
  }
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
  globalThis.fetch = async () => refuse();
  net.Socket.prototype.connect = refuse;
  dns.lookup = refuse;
  dns.promises.lookup = async () => refuse();

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

/** Bundles and imports one file; returns its module namespace. */
async function loadModule(ctx, absPath, outName) {
  const outfile = path.join(ctx.tmpDir, `${outName}.mjs`);
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
function analyzeModule(modulePath, namespace) {
  const functions = [];
  const errors = [];
  for (const exportName of Object.keys(namespace).sort()) {
    const value = namespace[exportName];
    if (value === null || (typeof value !== "object" && typeof value !== "function")) continue;

    const flags = ["isQuery", "isMutation", "isAction"].filter((p) => hasProperty(value, p));
    let kind;
    if (flags.length === 1) kind = { isQuery: "query", isMutation: "mutation", isAction: "action" }[flags[0]];
    else if (flags.length === 0 && hasProperty(value, "isHttp")) kind = "httpAction";
    else continue;

    const functionId = `${modulePath}:${exportName}`;
    if (kind === "httpAction") {
      functions.push({ functionId, kind, visibility: null, args: null, returns: null });
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
  const replacements = [
    [ctx.tmpDir, "<tmp>"],
    [pathToFileURL(ctx.tmpDir).href, "<tmp>"],
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
    plugins: [oraclePlugin({ ...ctx, stubbedPackages: new Set() }, new Map()), probe],
  });
  return version;
}

// ---------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------

function parseCommandLine() {
  const { values, positionals } = parseArgs({
    options: { "project-root": { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help || positionals.length !== 1) {
    process.stderr.write("usage: node export_project.mjs <convexDir> [--project-root <dir>]\n");
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
      process.stderr.write(`[oracle] ${candidate}/node_modules not found; using the oracle's packages only\n`);
    }
  }
  // Realpaths keep esbuild's paths and our sanitizer consistent.
  return { convexDir: fs.realpathSync(convexDir), projectRoot: projectRoot && fs.realpathSync(projectRoot) };
}

async function main() {
  const { convexDir, projectRoot } = parseCommandLine();
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
  };

  try {
    output.convexVersion = await resolveConvexVersion(ctx);

    // Schema: convex/schema.ts, else convex/schema.js (bundleSchema in
    // convex/src/bundler/index.ts looks only at these two, only at top level).
    const schemaFile = ["schema.ts", "schema.js"]
      .map((name) => path.join(convexDir, name))
      .find((p) => fs.existsSync(p));
    if (schemaFile) {
      try {
        const namespace = await loadModule(ctx, schemaFile, "schema");
        const schema = namespace.default;
        if (!schema || typeof schema.export !== "function") {
          throw new Error("the default export is not a schema (defineSchema(...))");
        }
        output.schema = JSON.parse(schema.export());
      } catch (e) {
        output.schemaError = sanitize(errorMessage(e));
      }
    }

    const { entries, errors } = listEntryPoints(convexDir);
    output.moduleErrors.push(...errors);

    // Two files that map to one module path (foo.ts and foo.js) collide in
    // Convex's bundle output; report the later ones instead of loading them.
    const seen = new Set();
    for (const [i, entry] of entries.entries()) {
      if (seen.has(entry.modulePath)) {
        output.moduleErrors.push({
          module: entry.modulePath,
          error: `${entry.relPath}: another file already provides module "${entry.modulePath}"`,
        });
        continue;
      }
      seen.add(entry.modulePath);
      try {
        const outName = `m${String(i).padStart(4, "0")}-${entry.modulePath.replace(/[^A-Za-z0-9_-]/g, "_")}`;
        const namespace = await loadModule(ctx, entry.absPath, outName);
        const { functions, errors: fnErrors } = analyzeModule(entry.modulePath, namespace);
        output.functions.push(...functions);
        output.moduleErrors.push(...fnErrors.map((e) => ({ ...e, error: sanitize(e.error) })));
      } catch (e) {
        output.moduleErrors.push({ module: entry.modulePath, error: sanitize(errorMessage(e)) });
      }
    }
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
