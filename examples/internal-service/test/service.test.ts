// The service against Prism (the spec's mock server), through the built client, as a service would
// import it.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createPareaClient } from "@parea-api/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The monorepo's Prism launcher; a service outside this repository would start its own mock.
import { startPrism, type RunningPrism } from "../../../packages/client/support/prism.mts";
import { createFeedbackService } from "../src/service.ts";

let prism: RunningPrism;
const servers: Server[] = [];

async function serve(baseUrl: string, maxRetries = 2): Promise<string> {
  const server = createFeedbackService(
    createPareaClient({ apiKey: "example-key", baseUrl, maxRetries, logLevel: "off" }),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const thumbs = (url: string, body: unknown) =>
  fetch(`${url}/thumbs`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });

beforeAll(async () => {
  prism = await startPrism();
});
afterAll(async () => {
  for (const server of servers) server.close();
  await prism?.stop();
});

describe("internal feedback service", () => {
  it("records a thumbs-up as Parea feedback (204)", async () => {
    const response = await thumbs(await serve(prism.url), { traceId: "trace-9", liked: true, comment: "great" });
    expect(response.status).toBe(204);
  });

  it("rejects its own bad input before calling Parea (400)", async () => {
    const url = await serve(prism.url);
    expect((await thumbs(url, "not json")).status).toBe(400);
    expect((await thumbs(url, { traceId: 1, liked: true })).status).toBe(400);
  });

  it("answers 502 with the client's typed error when Parea is unreachable", async () => {
    const response = await thumbs(await serve("http://127.0.0.1:1", 0), { traceId: "t", liked: false });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: "PareaConnectionError" });
  });

  it("only serves POST /thumbs", async () => {
    expect((await fetch(`${await serve(prism.url)}/other`)).status).toBe(404);
  });
});
