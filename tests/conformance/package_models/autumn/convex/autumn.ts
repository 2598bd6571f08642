// Probe (written for convex-ssot): the functions `new Autumn(component, opts).api()` returns.
import { components } from "./_generated/api";
import { Autumn } from "@useautumn/convex";

export const autumn = new Autumn(components.autumn, {
  secretKey: "am_sk_probe",
  identify: async () => null,
});

export const {
  track,
  check,
  attach,
  checkout,
  createCustomer,
  listProducts,
  usage,
  query,
  cancel,
  setupPayment,
  billingPortal,
  createReferralCode,
  redeemReferralCode,
  createEntity,
  getEntity,
} = autumn.api();
