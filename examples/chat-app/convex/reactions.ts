import { v } from "convex/values";
import { mutation, query } from "./_generated/server";
import type { Doc } from "./_generated/dataModel";
import { requireMember } from "./lib/permissions";

// --- Not Convex functions: plain exports that must not show up as functions.

type QueryOptions<K extends string> = {
  keys: readonly K[];
  staleTimeMs: number;
};

function createQueryOptions<const K extends string>(options: {
  keys: readonly K[];
  staleTimeMs?: number;
}): QueryOptions<K> {
  return { keys: options.keys, staleTimeMs: options.staleTimeMs ?? 30_000 };
}

/** Client-side cache hints, imported by the web app. */
export const queryOptions = createQueryOptions({
  keys: ["reactions:forMessage"],
  staleTimeMs: 5_000,
});

/** Shared argument map (a plain object, not a registered function). */
export const reactionArgs = {
  messageId: v.id("messages"),
  emoji: v.string(),
};

const EMOJI = /^\p{Extended_Pictographic}(\u{FE0F})?$/u;

// --- Convex functions.

export const forMessage = query({
  args: { messageId: reactionArgs.messageId },
  returns: v.array(v.object({ emoji: v.string(), count: v.int64() })),
  handler: async (ctx, { messageId }) => {
    const rows: Doc<"reactions">[] = await ctx.db
      .query("reactions")
      .withIndex("by_message_emoji", (q) => q.eq("messageId", messageId))
      .collect();
    return rows.map(({ emoji, count }) => ({ emoji, count }));
  },
});

export const add = mutation({
  args: reactionArgs,
  returns: v.int64(),
  handler: async (ctx, { messageId, emoji }) => {
    if (!EMOJI.test(emoji)) {
      throw new Error(`Not a single emoji: ${emoji}`);
    }
    const message = await ctx.db.get("messages", messageId);
    if (message === null) {
      throw new Error("Message not found");
    }
    const { user } = await requireMember(ctx, message.channelId);
    const existing = await ctx.db
      .query("reactions")
      .withIndex("by_message_emoji", (q) =>
        q.eq("messageId", messageId).eq("emoji", emoji),
      )
      .unique();
    if (existing !== null) {
      const count = existing.count + 1n;
      await ctx.db.patch("reactions", existing._id, { count });
      return count;
    }
    await ctx.db.insert("reactions", {
      messageId,
      userId: user._id,
      emoji,
      count: 1n,
    });
    return 1n;
  },
});
