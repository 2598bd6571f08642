import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";

export const health = httpAction(async () => new Response("ok"));

const http = httpRouter();

http.route({
  path: "/health",
  method: "GET",
  handler: health,
});

export default http;
