// The database schema: the single source of truth (SSOT) for the data model.
//
// After changing it, refresh the context contracts and check them:
//   ctl-db-ssot sync-to-context --repo-root .
//   ctl-convex verify --strict --repo-root .
// `npx convex dev` pushes it to your deployment and regenerates _generated/.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({
    // From ctx.auth.getUserIdentity(): stable per user and identity provider.
    tokenIdentifier: v.string(),
    email: v.optional(v.string()),
    name: v.optional(v.string()),
  }).index("by_tokenIdentifier", ["tokenIdentifier"]),
});
