// `pnpm demo`: start Prism from the normalized spec and record one feedback through the built client,
// printing the round trip. No Parea key needed: the mock server validates against the same spec.
import { createPareaClient, PareaError } from "../dist/index.mjs";
import { startPrism } from "../support/prism.mts";

const demoKey = "demo-key";
const feedback = { trace_id: "demo-trace", score: 0.9, comment: "helpful answer", target: "perfect answer" };

const prism = await startPrism();
try {
  const client = createPareaClient({
    apiKey: demoKey,
    baseUrl: prism.url,
    fetch: async (request: Request) => {
      // Redact by value: whichever header the spec puts the key in.
      const headers = Object.fromEntries([...request.headers].map(([k, v]) => [k, v === demoKey ? "[redacted]" : v]));
      console.log(`→ ${request.method} ${request.url}`);
      console.log(`  headers ${JSON.stringify(headers)}`);
      console.log(`  body    ${await request.clone().text()}`);
      const response = await fetch(request);
      console.log(`← ${response.status} ${response.statusText}`);
      return response;
    },
  });
  const data = await client.recordFeedback(feedback);
  console.log(`recordFeedback resolved with ${JSON.stringify(data)}`);
  try {
    await client.recordFeedback({ score: 7 });
  } catch (error) {
    if (!(error instanceof PareaError)) throw error;
    console.log(`recordFeedback({ score: 7 }) threw ${error.name}: ${error.message}`);
  }
} finally {
  await prism.stop();
}
