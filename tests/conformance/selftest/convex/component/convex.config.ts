// A nested component definition: Convex skips this whole directory.
import { defineComponent } from "convex/server";
export default defineComponent("selftestComponent");
