"use node";
// Imports a package that is not installed anywhere: it is replaced by a deep
// proxy stub and listed in stubbedPackages; the action is still reported.
import { ChannelType, Client, makeThing } from "@oracle-selftest/not-installed";
import * as extras from "@oracle-selftest/not-installed/extras";
import { internalAction } from "./_generated/server";
import { v } from "convex/values";

const client = new Client({ apiKey: "x" });
const thing = makeThing().configure(extras.option);
export const notStubValue = client.method;

// Re-exporting an import while also using it as a value: esbuild treats an
// unknown import of an ES module in a .ts file as a type and drops it, which
// left `ChannelType` undefined at run time. Stubs are CommonJS to avoid that.
export { ChannelType };
const guildText = ChannelType.GuildText;

export const send = internalAction({
  args: { to: v.string() },
  handler: async () => {
    await client.send(thing, guildText);
  },
});
