// resolveBaseUrl for a vendor unlike Parea: a spec that names no absolute server, and one whose server
// URL has a path of its own (`servers: [{url: /v2}]`). The generated facts are replaced for this file.
import { describe, expect, it, vi } from "vitest";
import { resolveBaseUrl } from "../src/options.ts";

vi.mock("../src/generated/spec.ts", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../src/generated/spec.ts")>()),
  defaultBaseUrl: "",
  serverPath: "/v2",
  pathPrefix: "",
}));

describe("resolveBaseUrl for a spec with no absolute server and a server path", () => {
  it("a base URL is required, and the message says why", () => {
    expect(() => resolveBaseUrl(undefined, {})).toThrow(
      "baseUrl must be an absolute http(s) URL (required: the spec names no absolute server)",
    );
  });

  it.each([
    ["https://api.example.com", "https://api.example.com/v2"],
    ["https://api.example.com/", "https://api.example.com/v2"],
    ["https://api.example.com/v2", "https://api.example.com/v2"],
    ["https://api.example.com/proxy/v2/", "https://api.example.com/proxy/v2"],
  ])("%s -> %s: the server's path joined once", (raw, resolved) => {
    expect(resolveBaseUrl(raw, {})).toBe(resolved);
  });
});
