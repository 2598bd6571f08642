// Probe (written for convex-ssot): functions @convex-dev/agent registers through its
// factories, and every validator it exports (as the args of `validators`).
import { components } from "./_generated/api";
import { Agent, definePlaygroundAPI } from "@convex-dev/agent";
import * as agentPackage from "@convex-dev/agent";
import * as agentValidators from "@convex-dev/agent/validators";
import { queryGeneric } from "convex/server";

const agent = new Agent(components.agent, { name: "probe", languageModel: {} as any, instructions: "" });

export const asTextAction = agent.asTextAction({});
export const asObjectAction = agent.asObjectAction({} as any);
export const asSaveMessagesMutation = agent.asSaveMessagesMutation();
export const createThreadMutation = agent.createThreadMutation();

export const {
  isApiKeyValid,
  listAgents,
  listUsers,
  listThreads,
  listMessages,
  createThread,
  generateText,
  fetchPromptContext,
} = definePlaygroundAPI(components.agent, { agents: [agent] });

function validatorsOf(namespace: Record<string, unknown>) {
  const out: Record<string, any> = {};
  for (const [name, value] of Object.entries(namespace)) {
    if (value && typeof value === "object" && (value as any).isConvexValidator) out[name] = value;
  }
  return out;
}
export const validators = queryGeneric({ args: validatorsOf(agentPackage), handler: async () => null });
export const validatorsSubpath = queryGeneric({ args: validatorsOf(agentValidators), handler: async () => null });
