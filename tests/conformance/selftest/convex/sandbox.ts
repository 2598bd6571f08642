// Top-level side effects the oracle must contain: console output (must not
// reach stdout), a network call (refused; the rejection is only logged) and a
// timer that would keep the process alive.
import { query } from "./_generated/server";

console.log("this line goes to stderr, not into the JSON on stdout");
void fetch("https://example.com/").then(() => console.log("network was reachable?!"));
setInterval(() => {}, 60_000);

export const stillReported = query({ args: {}, handler: async () => null });
