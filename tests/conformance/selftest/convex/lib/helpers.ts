// Nested module with a default export: reported as "lib/helpers:default".
import { query } from "../_generated/server.js";
import { v } from "convex/values";

export default query({
  args: { ids: v.array(v.id("users")) },
  returns: v.null(),
  handler: async () => null,
});
