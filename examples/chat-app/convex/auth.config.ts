// Add OIDC / custom JWT providers here, e.g.
// { domain: process.env.CLERK_JWT_ISSUER_DOMAIN!, applicationID: "convex" }
export default {
  providers: [],
};
