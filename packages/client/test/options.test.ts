import { describe, expect, it } from "vitest";
import { defaultBaseUrl, pathPrefix } from "../src/generated/spec.ts";
import { PareaError } from "../src/errors.ts";
import { checkOptions, resolveApiKey, resolveBaseUrl } from "../src/options.ts";

describe("resolveApiKey", () => {
  it("prefers the explicit option over the environment", () => {
    expect(resolveApiKey("explicit", { PAREA_API_KEY: "from-env" })).toBe("explicit");
  });

  it("falls back to PAREA_API_KEY", () => {
    expect(resolveApiKey(undefined, { PAREA_API_KEY: "from-env" })).toBe("from-env");
  });

  it.each([
    ["absent", undefined, {}],
    ["empty option and env", "", { PAREA_API_KEY: "" }],
  ])("throws a PareaError naming apiKey and PAREA_API_KEY when the key is %s", (_, explicit, env) => {
    const attempt = () => resolveApiKey(explicit, env);
    expect(attempt).toThrow(PareaError);
    expect(attempt).toThrow(/apiKey.*PAREA_API_KEY/);
  });
});

describe("resolveBaseUrl", () => {
  it("defaults to the spec's server", () => {
    expect(resolveBaseUrl(undefined, {})).toBe(defaultBaseUrl);
  });

  it("reads PAREA_BASE_URL when no option is given", () => {
    expect(resolveBaseUrl(undefined, { PAREA_BASE_URL: "http://127.0.0.1:9" })).toBe("http://127.0.0.1:9");
  });

  it.each([
    ["http://127.0.0.1:9", "http://127.0.0.1:9"],
    ["http://127.0.0.1:9/", "http://127.0.0.1:9"],
    [`http://127.0.0.1:9${pathPrefix}`, "http://127.0.0.1:9"],
    [`http://127.0.0.1:9${pathPrefix}/`, "http://127.0.0.1:9"],
    ["https://proxy.internal/parea", "https://proxy.internal/parea"],
    [`https://proxy.internal/parea${pathPrefix}`, "https://proxy.internal/parea"],
  ])("%s -> %s (the spec's path prefix is never doubled)", (input, expected) => {
    expect(resolveBaseUrl(input, {})).toBe(expected);
  });

  it.each([
    ["not a URL", "api.parea.ai", /absolute http\(s\) URL/],
    ["another scheme", "ftp://example.test", /absolute http\(s\) URL/],
    ["a query", "https://example.test/?key=1", /query, fragment or credentials/],
    ["credentials", "https://user:pw@example.test", /query, fragment or credentials/],
  ])("rejects %s with a PareaError", (_, input, message) => {
    expect(() => resolveBaseUrl(input, {})).toThrow(PareaError);
    expect(() => resolveBaseUrl(input, {})).toThrow(message);
  });
});

describe("checkOptions", () => {
  it.each([
    [{ maxRetries: -1 }, /maxRetries must be an integer >= 0, not -1/],
    [{ maxRetries: 1.5 }, /maxRetries must be an integer >= 0, not 1.5/],
    [{ timeoutMs: 0 }, /timeoutMs must be > 0 and < 2\^31 ms, not 0/],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, /timeoutMs must be > 0 and < 2\^31 ms, not Infinity/],
    [{ timeoutMs: 2 ** 31 }, /timeoutMs must be > 0 and < 2\^31 ms/],
  ])("rejects %o with a PareaError", (options, message) => {
    expect(() => checkOptions(options)).toThrow(PareaError);
    expect(() => checkOptions(options)).toThrow(message);
  });

  it("accepts the defaults' range", () => {
    expect(() => checkOptions({ maxRetries: 0, timeoutMs: 1 })).not.toThrow();
    expect(() => checkOptions({})).not.toThrow();
  });
});
