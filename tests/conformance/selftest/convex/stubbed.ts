"use node";
// Imports a package that is not installed anywhere: it is replaced by a deep
// proxy stub and listed in stubbedPackages; the action is still reported.
import { Client, makeThing } from "@oracle-selftest/not-installed";
import * as extras from "@oracle-selftest/not-installed/extras";
import { internalAction } from "./_generated/server";
import { v } from "convex/values";

const client = new Client({ apiKey: "x" });
const thing = makeThing().configure(extras.option);
export const notStubValue = client.method;

export const send = internalAction({
  args: { to: v.string() },
  handler: async () => {
    await client.send(thing);
  },
});
