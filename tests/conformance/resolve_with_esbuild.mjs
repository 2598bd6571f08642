// Asks esbuild which file each import of a layout resolves to, with the options Convex's
// CLI passes (convex src/bundler/debugBundle.ts innerEsbuild: bundle, format esm, platform
// browser or node, conditions ["convex", "module"], default mainFields/resolveExtensions).
//
// stdin: {"root": "/abs/dir", "entries": ["rel/a.ts", ...], "platform": "browser"|"node"}
// stdout: one JSON document {"imports": [{"importer", "specifier", "path", "external"}],
//                            "errors": [{"entry", "text"}]}
// Paths are relative to root (esbuild's metafile paths, symlinks resolved). One build per
// entry, so an entry that does not resolve fails alone.
import esbuild from "esbuild";

const input = JSON.parse(await new Promise((res) => {
  let data = "";
  process.stdin.on("data", (c) => (data += c));
  process.stdin.on("end", () => res(data));
}));

const imports = [];
const errors = [];
const seen = new Set();
for (const entry of input.entries) {
  try {
    const result = await esbuild.build({
      absWorkingDir: input.root,
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      outdir: "out",
      format: "esm",
      target: "esnext",
      platform: input.platform,
      conditions: ["convex", "module"],
      logLevel: "silent",
    });
    for (const [importer, info] of Object.entries(result.metafile.inputs)) {
      for (const imp of info.imports) {
        if (imp.original === undefined) continue;
        const key = `${importer}\0${imp.original}`;
        if (seen.has(key)) continue;
        seen.add(key);
        imports.push({ importer, specifier: imp.original, path: imp.path, external: !!imp.external });
      }
    }
  } catch (e) {
    errors.push({ entry, text: (e.errors || []).map((x) => x.text).join("; ") || String(e) });
  }
}
process.stdout.write(JSON.stringify({ imports, errors }));
