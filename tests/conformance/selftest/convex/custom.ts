// convex-helpers custom builders: the wrapper's args are merged into the
// exported args; zod args are converted to Convex validators.
import { customCtx, customQuery } from "convex-helpers/server/customFunctions";
import { zCustomMutation } from "convex-helpers/server/zod4";
import { NoOp } from "convex-helpers/server/customFunctions";
import { v } from "convex/values";
import { z } from "zod/v4";
import { internalQuery, mutation } from "./_generated/server";

const sessionQuery = customQuery(internalQuery, {
  args: { sessionId: v.string() },
  input: async (ctx, { sessionId }) => ({ ctx: { sessionId }, args: {} }),
});

export const whoami = sessionQuery({
  args: { verbose: v.optional(v.boolean()) },
  handler: async () => null,
});

const loggedQuery = customQuery(internalQuery, customCtx(async () => ({})));
export const noArgs = loggedQuery({ handler: async () => null });

const zMutation = zCustomMutation(mutation, NoOp);
export const rename = zMutation({
  args: { name: z.string().min(1), tag: z.enum(["a", "b"]).optional() },
  returns: z.number(),
  handler: async () => 1,
});
