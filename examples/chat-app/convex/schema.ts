// Schema for the example chat app.
//
// This file is the single source of truth (SSOT) for the database shape; see
// docs/project/db-ssot.json. Run `npx convex dev` to push it to a deployment.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// Shared fields, spread into more than one table below.
const timestamps = {
  createdAt: v.number(),
  updatedAt: v.optional(v.number()),
};

/* Roles, most privileged first: "owner", "admin", "member". */
const membershipRole = v.union(
  v.literal("owner"),
  v.literal("admin"),
  v.literal("member"),
);

export default defineSchema(
  {
    users: defineTable({
      // `tokenIdentifier` comes from ctx.auth.getUserIdentity().
      tokenIdentifier: v.string(),
      name: v.string(),
      email: v.optional(v.string()),
      avatarStorageId: v.optional(v.id("_storage")), // uploaded via files.generateUploadUrl
    })
      .index("by_tokenIdentifier", ["tokenIdentifier"])
      .index("by_email", { fields: ["email"] }),

    // Note: "channels" is not `rooms`, {sic}; it keeps [a, b] => ({ c }) here, ok?
    channels: defineTable({
      name: v.string(),
      description: v.optional(v.string()),
      visibility: v.union(v.literal("public"), v.literal("private")),
      createdBy: v.id("users"),
      ...timestamps,
    }).index("by_name", ["name"]),

    messages: defineTable({
      channelId: v.id("channels"),
      authorId: v.id("users"),
      body: v.string(),
      edited: v.optional(v.boolean()),
      /* Files attached to the message, e.g. { kind: "image" }. */
      attachments: v.optional(
        v.array(
          v.object({
            storageId: v.id("_storage"),
            kind: v.union(v.literal("image"), v.literal("file")),
            size: v.number(),
          }),
        ),
      ),
      embedding: v.optional(v.array(v.float64())),
      metadata: v.optional(v.record(v.string(), v.any())),
    })
      .index("by_channel", ["channelId"])
      .index("by_author_channel", ["authorId", "channelId"])
      .searchIndex("search_body", {
        searchField: "body",
        filterFields: ["channelId"],
      })
      .vectorIndex("by_embedding", {
        vectorField: "embedding",
        dimensions: 1536, // text-embedding-3-small
        filterFields: ["channelId"],
      }),

    memberships: defineTable({
      channelId: v.id("channels"),
      userId: v.id("users"),
      role: membershipRole,
      lastReadAt: v.nullable(v.number()),
    })
      .index("by_channel_user", ["channelId", "userId"])
      // Backfilling; not queryable until `staged` is removed.
      .index("by_user", { fields: ["userId"], staged: true }),

    reactions: defineTable({
      messageId: v.id("messages"),
      userId: v.id("users"),
      emoji: v.string(),
      count: v.int64(),
    }).index("by_message_emoji", ["messageId", "emoji"]),

    // Append-only log; "version" is bumped (1n -> 2n) when `payload` changes shape.
    auditLog: defineTable({
      version: v.literal(2n),
      action: v.string(),
      actor: v.optional(v.id("users")),
      payload: v.any(),
      digest: v.bytes(),
      "createdAt": v.number(),
    }).index("by_actor", ["actor"]),
  },
  { schemaValidation: true },
);
