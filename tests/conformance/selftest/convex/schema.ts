// Self-test schema: two tables, every index kind (array and object forms,
// staged variants), v.nullable, a bigint literal and v.record.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  messages: defineTable({
    author: v.id("users"),
    body: v.string(),
    channel: v.string(),
    editedAt: v.nullable(v.number()),
    version: v.literal(1n),
    reactions: v.record(v.string(), v.number()),
    embedding: v.optional(v.array(v.float64())),
  })
    .index("by_author", ["author"])
    .index("by_channel_author", { fields: ["channel", "author"] })
    .index("by_body_staged", { fields: ["body"], staged: true })
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel"] })
    .searchIndex("search_body_staged", { searchField: "body", staged: true })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 8, filterFields: ["channel"] })
    .vectorIndex("by_embedding_staged", { vectorField: "embedding", dimensions: 8, staged: true }),
  users: defineTable({
    name: v.string(),
    role: v.union(v.literal("admin"), v.literal("member")),
    bio: v.optional(v.nullable(v.string())),
  }).index("by_name", ["name"]),
});
