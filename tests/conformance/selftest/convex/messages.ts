// The function kinds the oracle must report, plus an export that is not a
// registered function.
import { v } from "convex/values";
import { action, httpAction, internalMutation, query } from "./_generated/server";

export const list = query({
  args: { channel: v.string(), limit: v.optional(v.number()) },
  returns: v.array(v.object({ body: v.string(), editedAt: v.nullable(v.string()) })),
  handler: async (ctx, args) => {
    return [];
  },
});

export const insert = internalMutation({
  args: v.object({ body: v.string(), version: v.literal(1n) }),
  handler: async (ctx, args) => {},
});

export const ping = action(async () => "pong");

export const webhook = httpAction(async () => new Response("ok"));

function somethingElse(options: object) {
  return { options, isRouter: false };
}
export const x = somethingElse({});
export const limit = 10;
