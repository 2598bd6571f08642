// Probe (written for convex-ssot): every table @raideno/convex-stripe exports in `stripeTables`.
import { defineSchema } from "convex/server";
import { stripeTables } from "@raideno/convex-stripe/server";

export default defineSchema({ ...stripeTables });
