import { v } from "convex/values";
import { mutation } from "./_generated/server";
import { requireUser } from "./lib/permissions";

/** Short-lived URL the client POSTs a file to; the response has a storageId. */
export const generateUploadUrl = mutation({
  args: {},
  returns: v.string(),
  handler: async (ctx) => {
    await requireUser(ctx);
    return await ctx.storage.generateUploadUrl();
  },
});
