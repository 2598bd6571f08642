// Conformance oracle for the repo-prisma mode: Prisma's own schema engine
// (@prisma/prisma-schema-wasm, offline) on a batch of schemas.
// stdin: JSON [{"files": [[path, text], ...]}, ...]
// stdout: JSON [{"ok": true, "datamodel": <DMMF datamodel>} | {"ok": false, "error": <message>}, ...]
// PRISMA_SCHEMA_WASM (optional): path of another build of the engine's JS entry, for
// measuring schemas written for another Prisma major version (docs/accuracy.md).
const wasm = process.env.PRISMA_SCHEMA_WASM
  ? await import(process.env.PRISMA_SCHEMA_WASM)
  : await import('@prisma/prisma-schema-wasm');

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = cases.map(({ files }) => {
  const params = JSON.stringify({ prismaSchema: files, noColor: true });
  try {
    wasm.validate(params);
    return { ok: true, datamodel: JSON.parse(wasm.get_dmmf(params)).datamodel };
  } catch (e) {
    let message = String(e && e.message ? e.message : e);
    try { message = JSON.parse(message).message; } catch { /* plain text */ }
    return { ok: false, error: message };
  }
});
process.stdout.write(JSON.stringify(out));
