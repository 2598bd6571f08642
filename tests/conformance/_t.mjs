import * as w from '@prisma/prisma-schema-wasm';
import fs from 'node:fs';
const s = fs.readFileSync(process.argv[2], 'utf8');
const params = JSON.stringify({prismaSchema: [["schema.prisma", s]], noColor: true});
try { const d = JSON.parse(w.get_dmmf(params));
console.log(JSON.stringify(d.datamodel, null, 1));
} catch (e) { console.log("ERR", String(e.message).slice(0,3000)) }
