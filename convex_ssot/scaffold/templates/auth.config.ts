// Authentication providers for this Convex deployment.
//
// No providers are configured yet. Add one per identity provider, for example:
//   { domain: process.env.CLERK_JWT_ISSUER_DOMAIN!, applicationID: "convex" }
// See https://docs.convex.dev/auth for the provider you use.
import type { AuthConfig } from "convex/server";

export default {
  providers: [],
} satisfies AuthConfig;
