// Probe (written for convex-ssot): the functions `internalConvexStripe(config)` returns.
import { internalConvexStripe } from "@raideno/convex-stripe/server";

export const { stripe, store, sync, setup } = internalConvexStripe({
  stripe: { secret_key: "sk_test_probe", webhook_secret: "whsec_probe" },
});
