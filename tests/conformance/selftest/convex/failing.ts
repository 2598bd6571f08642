// Throws at import time, as a module reading a missing env var would. The
// oracle must report it in moduleErrors and carry on with the others.
import { query } from "./_generated/server";

const apiKey = process.env.ORACLE_SELFTEST_NEVER_SET;
if (!apiKey) {
  throw new Error("Missing environment variable ORACLE_SELFTEST_NEVER_SET");
}

export const unreachable = query({ args: {}, handler: async () => apiKey });
