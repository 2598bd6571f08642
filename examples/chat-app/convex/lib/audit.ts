// Helper for writing the append-only auditLog table. Not a Convex function.
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";

export async function writeAudit(
  ctx: MutationCtx,
  action: string,
  actor: Id<"users"> | undefined,
  payload: Record<string, unknown>,
): Promise<Id<"auditLog">> {
  const text = JSON.stringify({ action, actor, payload });
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return await ctx.db.insert("auditLog", {
    version: 2n,
    action,
    actor,
    payload,
    digest,
    createdAt: Date.now(),
  });
}
