import { describe, expect, it } from "vitest";
import { defaultBaseUrl, pathPrefix } from "../src/generated/spec.ts";
import { PareaError } from "../src/errors.ts";
import { checkOptions, processEnv, resolveApiKey, resolveBaseUrl, resolveHeaders } from "../src/options.ts";

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
    expect(attempt).toThrow("No Parea API key: pass the apiKey option or set PAREA_API_KEY.");
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

describe("what each mistake says, and which option it names", () => {
  const failure = (attempt: () => unknown): PareaError => {
    try {
      attempt();
    } catch (error) {
      if (error instanceof PareaError) return error;
      throw error;
    }
    throw new Error("no error");
  };

  it.each<[string, unknown, string, string]>([
    ["options that are not an object", null, "options", "options must be an object, not null"],
    ["a string option given a number", { apiKey: 5 }, "apiKey", "apiKey must be a string, not number"],
    ["an object option given null", { signal: null }, "signal", "signal must be an object, not null"],
    ["an object option given text", { headers: "x: y" }, "headers", "headers must be an object, not string"],
    [
      "an object option given an array",
      { logger: [] },
      "logger",
      "logger must have debug, info, warn and error methods (console does)",
    ],
    [
      "a logger missing a method",
      { logger: { debug() {}, info() {} } },
      "logger",
      "logger must have debug, info, warn and error methods (console does)",
    ],
    [
      "a fractional byte count",
      { maxResponseBytes: 1.5 },
      "maxResponseBytes",
      "maxResponseBytes must be a whole number of bytes > 0, not 1.5",
    ],
  ])("%s", (_, options, option, message) => {
    const error = failure(() => checkOptions(options as object));
    expect(error).toMatchObject({ option, message });
  });

  it.each([
    ["\r", "a carriage return at character 3 of 5"],
    ["\u0001", "a control character at character 3 of 5"],
    ["é", "a non-ASCII character at character 3 of 5"],
  ])("an API key with %j says what and where, never the key", (bad, where) => {
    const explicit = failure(() => resolveApiKey(`ab${bad}cd`, {}));
    expect(explicit.option).toBe("apiKey");
    expect(explicit.message).toBe(
      `apiKey has ${where}: a credential is one line of printable ASCII (trim what was read from a file)`,
    );
    const fromEnv = failure(() => resolveApiKey(undefined, { PAREA_API_KEY: `ab${bad}cd` }));
    expect(fromEnv.option).toBe("PAREA_API_KEY");
  });

  it("a bad base URL names the option it came from", () => {
    expect(failure(() => resolveBaseUrl("ftp://x", {})).option).toBe("baseUrl");
    expect(failure(() => resolveBaseUrl(undefined, { PAREA_BASE_URL: "ftp://x" })).option).toBe("PAREA_BASE_URL");
    // An explicit option is what was wrong, whatever the environment says.
    expect(failure(() => resolveBaseUrl("ftp://x", { PAREA_BASE_URL: "https://ok.example" })).option).toBe("baseUrl");
  });

  it("a header no HTTP message can carry names the headers option", () => {
    expect(failure(() => resolveHeaders({ "bad name": "x" })).option).toBe("headers");
    expect(failure(() => resolveHeaders({ ok: "a\nb" })).option).toBe("headers");
  });
});

describe("resolveBaseUrl: which URLs", () => {
  it.each([
    ["http://127.0.0.10:8080", "http://127.0.0.10:8080"],
    ["http://localhost:1", "http://localhost:1"],
    ["http://[::1]:1", "http://[::1]:1"],
    ["https://api.example.com/base//", "https://api.example.com/base"],
  ])("%s is taken as %s", (raw, resolved) => {
    expect(resolveBaseUrl(raw, {})).toBe(resolved);
  });

  it.each([["http://notlocalhost:1"], ["http://localhost.evil.example:1"], ["http://127.0.0.1.evil.example"]])(
    "plain http to %s (not loopback) is refused",
    (raw) => {
      expect(() => resolveBaseUrl(raw, {})).toThrow(/uses http to a non-loopback host/);
    },
  );

  it.each([["xhttp://host.example"], ["httpsx://host.example"]])("%s is not an http(s) URL", (raw) => {
    expect(() => resolveBaseUrl(raw, {})).toThrow(/must be an absolute http\(s\) URL/);
  });
});

describe("processEnv", () => {
  it("is empty where there is no process (browsers, workers)", () => {
    const saved = globalThis.process;
    try {
      Object.defineProperty(globalThis, "process", { value: undefined, configurable: true, writable: true });
      expect(processEnv()).toEqual({});
    } finally {
      Object.defineProperty(globalThis, "process", { value: saved, configurable: true, writable: true });
    }
  });
});
