// Probe (written for convex-ssot): the functions `new ProsemirrorSync(component).syncApi(opts)` returns.
import { components } from "./_generated/api";
import { ProsemirrorSync } from "@convex-dev/prosemirror-sync";

const sync = new ProsemirrorSync(components.prosemirrorSync);

export const { getSnapshot, submitSnapshot, latestVersion, getSteps, submitSteps } = sync.syncApi({});
