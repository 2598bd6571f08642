import { query } from "../_generated/server";
export const shouldNotAppear = query({ args: {}, handler: async () => null });
