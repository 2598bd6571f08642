// Plain helpers shared by the function modules. Nothing here is a Convex
// function: it is imported by other modules, never called from a client.
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";

export const ROLE_RANK = { owner: 0, admin: 1, member: 2 } as const;
export type Role = keyof typeof ROLE_RANK;

/** The stored user for the caller's identity; throws when signed out. */
export async function requireUser(ctx: QueryCtx): Promise<Doc<"users">> {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) {
    throw new Error("Not authenticated");
  }
  const user = await ctx.db
    .query("users")
    .withIndex("by_tokenIdentifier", (q) =>
      q.eq("tokenIdentifier", identity.tokenIdentifier),
    )
    .unique();
  if (user === null) {
    throw new Error(`No user stored for ${identity.subject}; call users.store`);
  }
  return user;
}

/**
 * Throws unless the caller is a member of `channelId` with at least
 * `minRole`. Returns the user and the membership row.
 */
export async function requireMember(
  ctx: QueryCtx,
  channelId: Id<"channels">,
  minRole: Role = "member",
): Promise<{ user: Doc<"users">; membership: Doc<"memberships"> }> {
  const user = await requireUser(ctx);
  const membership = await ctx.db
    .query("memberships")
    .withIndex("by_channel_user", (q) =>
      q.eq("channelId", channelId).eq("userId", user._id),
    )
    .unique();
  if (membership === null || ROLE_RANK[membership.role] > ROLE_RANK[minRole]) {
    throw new Error(
      `User ${user._id} may not access channel ${channelId}${
        membership ? ` (role ${membership.role}, needs ${minRole})` : ""
      }`,
    );
  }
  return { user, membership };
}
