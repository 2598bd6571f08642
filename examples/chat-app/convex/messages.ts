import { v } from "convex/values";
import { paginationOptsValidator } from "convex/server";
import {
  internalMutation,
  internalQuery,
  mutation,
  query,
} from "./_generated/server";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";
import { requireMember } from "./lib/permissions";

const attachment = v.object({
  storageId: v.id("_storage"),
  kind: v.union(v.literal("image"), v.literal("file")),
  size: v.number(),
});

const MAX_BODY_LENGTH = 4000;

/** Newest-first page of a channel's messages. */
export const list = query({
  args: {
    channelId: v.id("channels"),
    paginationOpts: paginationOptsValidator,
  },
  handler: async (ctx, args) => {
    await requireMember(ctx, args.channelId);
    return await ctx.db
      .query("messages")
      .withIndex("by_channel", (q) => q.eq("channelId", args.channelId))
      .order("desc")
      .paginate(args.paginationOpts);
  },
});

/**
 * Post a new message, or edit one of your own when `messageId` is given.
 * Either way the embedding is (re)computed in the background.
 */
export const send = mutation({
  args: {
    channelId: v.id("channels"),
    body: v.string(),
    messageId: v.optional(v.id("messages")),
    attachments: v.optional(v.array(attachment)),
  },
  returns: v.id("messages"),
  handler: async (ctx, args): Promise<Id<"messages">> => {
    const { user, membership } = await requireMember(ctx, args.channelId);
    const body = args.body.trim();
    if (body.length === 0 || body.length > MAX_BODY_LENGTH) {
      throw new Error(`Message body must be 1..${MAX_BODY_LENGTH} characters`);
    }

    let messageId: Id<"messages">;
    if (args.messageId !== undefined) {
      const existing = await ctx.db.get("messages", args.messageId);
      if (existing === null || existing.authorId !== user._id) {
        throw new Error("You can only edit your own messages");
      }
      await ctx.db.patch("messages", existing._id, {
        body,
        edited: true,
        embedding: undefined,
      });
      messageId = existing._id;
    } else {
      messageId = await ctx.db.insert("messages", {
        channelId: args.channelId,
        authorId: user._id,
        body,
        attachments: args.attachments,
        metadata: { client: "web", mentions: body.match(/@[\w-]+/g) ?? [] },
      });
    }

    await ctx.db.patch("memberships", membership._id, { lastReadAt: Date.now() });
    await ctx.scheduler.runAfter(0, internal.ai.embed, { messageId });
    return messageId;
  },
});

/** Used by ai.embed (an action cannot read the database directly). */
export const getForEmbedding = internalQuery({
  args: { messageId: v.id("messages") },
  returns: v.union(v.null(), v.object({ body: v.string() })),
  handler: async (ctx, args) => {
    const message = await ctx.db.get("messages", args.messageId);
    return message === null ? null : { body: message.body };
  },
});

export const setEmbedding = internalMutation({
  args: {
    messageId: v.id("messages"),
    embedding: v.array(v.float64()),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    const { embedding } = args;
    // Legacy one-argument-id form; still supported by ctx.db.patch.
    await ctx.db.patch(args.messageId, { embedding });
    return null;
  },
});

/** Full-text search within one channel. */
export const search = query({
  args: { channelId: v.id("channels"), query: v.string() },
  handler: async (ctx, args) => {
    await requireMember(ctx, args.channelId);
    return await ctx.db
      .query("messages")
      .withSearchIndex("search_body", (q) =>
        q.search("body", args.query).eq("channelId", args.channelId),
      )
      .take(20);
  },
});
