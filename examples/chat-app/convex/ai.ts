"use node";
// Runs in the Node.js runtime; only actions live here.
import { v } from "convex/values";
import { action, internalAction } from "./_generated/server";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";

const EMBEDDING_MODEL = "text-embedding-3-small";
const EMBEDDING_DIMENSIONS = 1536;

type EmbeddingResponse = {
  data: Array<{ embedding: number[]; index: number }>;
};

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new Error("Set OPENAI_API_KEY in the Convex dashboard");
  }
  const response = await fetch(url, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${apiKey}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`POST ${url} failed: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as T;
}

async function embedText(text: string): Promise<number[]> {
  const json = await postJson<EmbeddingResponse>(
    "https://api.openai.com/v1/embeddings",
    { model: EMBEDDING_MODEL, input: text, dimensions: EMBEDDING_DIMENSIONS },
  );
  return json.data[0]!.embedding;
}

/** Scheduled by messages.send. */
export const embed = internalAction({
  args: { messageId: v.id("messages") },
  returns: v.null(),
  handler: async (ctx, { messageId }): Promise<null> => {
    const message = await ctx.runQuery(internal.messages.getForEmbedding, {
      messageId,
    });
    if (message === null) {
      return null; // deleted before we got here
    }
    const embedding = await embedText(message.body);
    await ctx.runMutation(internal.messages.setEmbedding, {
      messageId,
      embedding,
    });
    return null;
  },
});

/** Messages in a channel that are semantically close to `text`. */
export const similar = action({
  args: {
    channelId: v.id("channels"),
    text: v.string(),
    limit: v.optional(v.number()),
  },
  returns: v.array(v.object({ _id: v.id("messages"), _score: v.number() })),
  handler: async (
    ctx,
    args,
  ): Promise<Array<{ _id: Id<"messages">; _score: number }>> => {
    const vector = await embedText(args.text);
    return await ctx.vectorSearch("messages", "by_embedding", {
      vector,
      limit: Math.min(args.limit ?? 10, 256),
      filter: (q) => q.eq("channelId", args.channelId),
    });
  },
});
