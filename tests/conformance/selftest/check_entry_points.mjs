// Differential check of the oracle's entry-point rule against Convex's own
// `entryPoints()` (convex/src/bundler/index.ts, shipped in the npm package).
//
// Usage: node tests/conformance/selftest/check_entry_points.mjs
//
// Builds a throwaway convex dir full of edge cases under os.tmpdir(), asks both
// implementations which files are function modules, and exits non-zero if the
// answers differ. Convex's bundler source is bundled with the oracle's own
// esbuild setup; the CLI-only packages it imports (chalk, @sentry/node, ...)
// are not installed and become stubs, which is fine for this code path.

import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { bundleModule, listEntryPoints } from "../export_project.mjs";

const ORACLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CONVEX_BUNDLER_SRC = path.join(ORACLE_DIR, "node_modules/convex/src/bundler/index.ts");

const WITH_EXPORT = "export const a = 1;\n";

// path -> contents; every path is relative to the convex dir.
const TREE = {
  "plain.ts": WITH_EXPORT,
  "script.js": "const a = 1;\n", // JS needs no import/export
  "module.mjs": "",
  "common.cjs": "module.exports = {};\n",
  "typed.mts": "const a = 1;\n", // the import/export test is .ts/.tsx only
  "typed.cts": "const a = 1;\n",
  "view.tsx": WITH_EXPORT,
  "view2.jsx": WITH_EXPORT,
  "upper.TS": WITH_EXPORT, // extension match is case-sensitive
  "readme.md": "# not code\n",
  "data.json": "{}\n",
  "empty.ts": "const a = 1;\n",
  "comment_only.ts": "/*\nimportant: this line starts with 'import'\n*/\n",
  "indented.ts": "    export const a = 1;\n",
  "types.d.ts": "export type A = 1;\n",
  "auth.config.ts": "export default {};\n",
  "convex.config.ts": "export default {};\n",
  "thing.test.ts": WITH_EXPORT,
  ".hidden.ts": WITH_EXPORT,
  "#emacs.ts": WITH_EXPORT,
  "has space.ts": WITH_EXPORT,
  "schema.ts": WITH_EXPORT,
  "schema.tsx": WITH_EXPORT,
  "schema.mjs": WITH_EXPORT,
  "_generated/api.ts": WITH_EXPORT,
  "_generated/server.js": WITH_EXPORT,
  "dir/_generated/server.ts": WITH_EXPORT,
  "dir/schema.js": WITH_EXPORT,
  "dir/inner.ts": WITH_EXPORT,
  "dir.with.dots/inner.ts": WITH_EXPORT,
  "dir with space/inner.ts": WITH_EXPORT,
  ".dotdir/inner.ts": WITH_EXPORT,
  "component/convex.config.ts": "export default {};\n",
  "component/fn.ts": WITH_EXPORT,
  "component/deeper/fn.ts": WITH_EXPORT,
  "jscomponent/convex.config.js": "export default {};\n",
  "jscomponent/fn.ts": WITH_EXPORT,
  "a/b/c/deep.ts": WITH_EXPORT,
};

async function convexEntryPoints(tmpDir, convexDir) {
  const outfile = path.join(tmpDir, "convex-bundler.mjs");
  const ctx = { convexDir: path.dirname(CONVEX_BUNDLER_SRC), projectRoot: null, stubbedPackages: new Set() };
  await bundleModule(ctx, CONVEX_BUNDLER_SRC, outfile);
  // Bundled CommonJS code calls esbuild's `__require` shim, which needs a
  // global `require` for Node builtins (export_project.mjs sets one up too).
  globalThis.require ??= createRequire(import.meta.url);
  const bundler = await import(pathToFileURL(outfile).href);
  const convexCtx = {
    fs: bundler.nodeFs,
    crash: async ({ printedMessage }) => {
      throw new Error(`convex crashed: ${printedMessage}`);
    },
  };
  const absPaths = await bundler.entryPoints(convexCtx, convexDir);
  return absPaths.map((p) => path.relative(convexDir, p).split(path.sep).join("/")).sort();
}

async function main() {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "convex-oracle-entrypoints-"));
  try {
    const convexDir = path.join(tmpDir, "convex");
    for (const [rel, contents] of Object.entries(TREE)) {
      const abs = path.join(convexDir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, contents);
    }
    fs.symlinkSync(path.join(convexDir, "plain.ts"), path.join(convexDir, "link.ts"));

    const theirs = await convexEntryPoints(tmpDir, convexDir);
    const ours = listEntryPoints(convexDir).entries.map((e) => e.relPath).sort();

    const onlyTheirs = theirs.filter((p) => !ours.includes(p));
    const onlyOurs = ours.filter((p) => !theirs.includes(p));
    console.log(JSON.stringify({ entryPoints: ours, onlyConvex: onlyTheirs, onlyOracle: onlyOurs }, null, 2));

    // `_deps/` makes Convex abort; the oracle reports a module error instead.
    fs.mkdirSync(path.join(convexDir, "_deps"));
    fs.writeFileSync(path.join(convexDir, "_deps/x.ts"), WITH_EXPORT);
    const convexDeps = await convexEntryPoints(tmpDir, convexDir).then(
      () => "no crash",
      (e) => e.message,
    );
    const oracleDeps = listEntryPoints(convexDir).errors.map((e) => e.error);
    console.log(JSON.stringify({ depsConvex: convexDeps, depsOracle: oracleDeps }, null, 2));

    const ok = onlyTheirs.length === 0 && onlyOurs.length === 0 && convexDeps !== "no crash" && oracleDeps.length === 1;
    console.log(ok ? "entry points: OK" : "entry points: MISMATCH");
    process.exitCode = ok ? 0 : 1;
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

await main();
