import { v } from "convex/values";
import type { WithoutSystemFields } from "convex/server";
import { query, mutation as m } from "./_generated/server";
import type { Doc, Id } from "./_generated/dataModel";
import { requireUser } from "./lib/permissions";
import { writeAudit } from "./lib/audit";

// An alias of an alias of `mutation`; `create` below is still a public mutation.
const createMutation = m;

const visibilityValidator = v.union(v.literal("public"), v.literal("private"));

const CHANNEL_NAME = /^[a-z0-9][a-z0-9-]{0,79}$/;
// Quotes, a backtick and "/*" inside a regex literal: not a string, template or comment.
const FORBIDDEN_IN_DESCRIPTION = /[<>"'`]|\/\*/;

/** Public channels plus the private ones the caller belongs to. */
export const list = query({
  args: {},
  returns: v.array(
    v.object({
      _id: v.id("channels"),
      name: v.string(),
      description: v.optional(v.string()),
      visibility: visibilityValidator,
      isMember: v.boolean(),
    }),
  ),
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    const user = identity
      ? await ctx.db
          .query("users")
          .withIndex("by_tokenIdentifier", (q) =>
            q.eq("tokenIdentifier", identity.tokenIdentifier),
          )
          .unique()
      : null;

    const channels = await ctx.db.query("channels").withIndex("by_name").take(200);
    const result = [];
    for (const channel of channels) {
      const membership = user
        ? await ctx.db
            .query("memberships")
            .withIndex("by_channel_user", (q) =>
              q.eq("channelId", channel._id).eq("userId", user._id),
            )
            .unique()
        : null;
      if (channel.visibility === "private" && membership === null) {
        continue;
      }
      result.push({
        _id: channel._id,
        name: channel.name,
        description: channel.description,
        visibility: channel.visibility,
        isMember: membership !== null,
      });
    }
    return result;
  },
});

export const create = createMutation({
  args: {
    name: v.string(),
    description: v.optional(v.string()),
    visibility: visibilityValidator,
  },
  returns: v.id("channels"),
  handler: async (ctx, args): Promise<Id<"channels">> => {
    const user = await requireUser(ctx);
    const name = args.name.trim().toLowerCase();
    if (!CHANNEL_NAME.test(name)) {
      throw new Error(
        `Invalid channel name ${JSON.stringify(name)}${
          name.length > 80 ? ` (${name.length} > ${80} chars)` : ""
        }`,
      );
    }
    if (args.description?.match(FORBIDDEN_IN_DESCRIPTION)) {
      throw new Error("Description may not contain markup or quotes");
    }
    const taken = await ctx.db
      .query("channels")
      .withIndex("by_name", (q) => q.eq("name", name))
      .first();
    if (taken !== null) {
      throw new Error(`Channel #${name} already exists`);
    }

    const channel = {
      name,
      description: args.description,
      visibility: args.visibility,
      createdBy: user._id,
      createdAt: Date.now(),
    } satisfies WithoutSystemFields<Doc<"channels">>;
    const channelId = await ctx.db.insert("channels", channel);
    await ctx.db.insert("memberships", {
      channelId,
      userId: user._id,
      role: "owner",
      lastReadAt: null,
    });
    await writeAudit(ctx, "channel.create", user._id, { channelId, name });
    return channelId;
  },
});
