import { createPareaClient } from "/work/main/packages/client/src/index.node.ts";
import createClient from "openapi-fetch";
const stub = async () => new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
const parea = createPareaClient({ apiKey: "k", baseUrl: "http://127.0.0.1:1", logLevel: "off", fetch: stub });
const of = createClient({ baseUrl: "http://127.0.0.1:1", fetch: stub }); of.use({ onRequest({ request }) { request.headers.set("x-api-key", "k"); } });
const body = { trace_id: "t", score: 0.5 };
for (const [name, f] of [["of", () => of.POST("/api/parea/v1/feedback", { body })], ["rf", () => parea.recordFeedback(body)], ["of", () => of.POST("/api/parea/v1/feedback", { body })], ["rf", () => parea.recordFeedback(body)]] as const) {
  for (let i = 0; i < 20000; i++) await f();
  const n = 100000; const t = performance.now();
  for (let i = 0; i < n; i++) await f();
  console.log(name, ((performance.now() - t) * 1000 / n).toFixed(2), "us/call");
}
