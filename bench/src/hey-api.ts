// A peer: the client @hey-api/openapi-ts generates from our own normalized spec, generated fresh
// into bench/.generated (git-ignored) so it always matches the spec being measured.
import { join } from "node:path";
import { createClient as generate } from "@hey-api/openapi-ts";

export interface HeyApi {
  client(baseUrl: string, fetchImpl?: typeof fetch): { recordFeedback(body: unknown): Promise<unknown> };
}

export async function loadHeyApi(specPath: string): Promise<HeyApi> {
  const output = join(import.meta.dirname, "..", ".generated", "hey-api");
  await generate({
    input: specPath,
    output,
    plugins: ["@hey-api/client-fetch", "@hey-api/sdk"],
    logs: { level: "silent" },
  });
  // Generated just now, so not typed here: the few parts used are described instead.
  const { createClient, createConfig } = (await import(join(output, "client", "index.ts"))) as {
    createClient: (config: unknown) => unknown;
    createConfig: (options: object) => unknown;
  };
  const sdk = (await import(join(output, "sdk.gen.ts"))) as Record<string, unknown>;
  const operation = Object.values(sdk).find((value) => typeof value === "function") as (options: object) => Promise<{
    data: unknown;
  }>;
  return {
    client(baseUrl, fetchImpl) {
      const client = createClient(
        createConfig({ baseUrl, auth: () => "bench-key", ...(fetchImpl && { fetch: fetchImpl }) }),
      );
      return { recordFeedback: async (body) => (await operation({ client, body })).data };
    },
  };
}
