// Authentication per operation (middleware/auth.ts) over any document's security, given as an AuthSpec:
// which alternative is sent, where each kind of credential goes, what the `auth` option accepts, and the
// client's secrets growing with every credential it is given or supplied.
import { describe, expect, it } from "vitest";
import type { Middleware } from "openapi-fetch";
import { PareaError } from "../src/errors.ts";
import { apiKeyScheme } from "../src/generated/spec.ts";
import { LightRequest } from "../src/light/request.ts";
import {
  authMiddleware,
  chooseAlternative,
  credentialRequired,
  place,
  resolveCredentials,
  type AuthSpec,
} from "../src/middleware/auth.ts";
import { REMEMBERED_TOKENS, scrub, Secrets } from "../src/redact.ts";
import { createPareaClient } from "./support/client-under-test.ts";
import { startFaultServer } from "./support/fault-server.mts";

const SPEC: AuthSpec = {
  schemes: {
    key: { kind: "token", in: "header", name: "X-Key", prefix: "" },
    sig: { kind: "token", in: "query", name: "sig", prefix: "" },
    session: { kind: "token", in: "cookie", name: "session", prefix: "" },
    basic: { kind: "basic", in: "header", name: "Authorization", prefix: "Basic " },
    bearer: { kind: "token", in: "header", name: "Authorization", prefix: "Bearer " },
    mtls: { kind: "tls", in: "header", name: "", prefix: "" },
  },
  apiKeyScheme: "key",
  defaultSecurity: [["key"]],
  operationSecurity: {
    "GET /public": [],
    "GET /both": [["key", "sig"]],
    "POST /either": [["basic"], ["bearer"]],
    "GET /maybe": [[], ["bearer"]],
    "GET /cert": [["mtls"]],
    "GET /cookie": [["session"]],
  },
};

const optionErrorOf = (attempt: () => unknown) => {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(PareaError);
    expect((error as PareaError).option).toBe("auth");
    return (error as Error).message;
  }
  return expect.unreachable("should throw");
};

/** The request the middleware lets through for `method path` with these credentials. */
async function sent(auth: Record<string, unknown>, method: string, path: string, apiKey?: string) {
  const secrets = new Secrets(apiKey);
  const middleware = authMiddleware(resolveCredentials(apiKey, auth, secrets, SPEC), secrets, SPEC);
  const request = new Request(`https://api.test${path}?a=1`, { method, headers: { cookie: "theme=dark" } });
  const onRequest = middleware.onRequest as NonNullable<Middleware["onRequest"]>;
  const out = (await onRequest({ request, schemaPath: path } as never)) as Request;
  return { out, secrets, header: (name: string) => out.headers.get(name), query: new URL(out.url).searchParams };
}

describe("chooseAlternative", () => {
  const has =
    (...names: string[]) =>
    (scheme: string) =>
      names.includes(scheme);
  it.each<[string, string[][], string[], string[] | undefined]>([
    ["the first alternative filled", [["a"], ["b"]], ["a", "b"], ["a"]],
    ["a later one when the first is not", [["a"], ["b"]], ["b"], ["b"]],
    ["all schemes of one alternative, or none", [["a", "b"], ["c"]], ["a", "c"], ["c"]],
    ["credentials over anonymous, wherever anonymous is listed", [[], ["a"]], ["a"], ["a"]],
    ["anonymous when nothing else is filled", [["a"], []], [], []],
    ["nothing when nothing fits", [["a", "b"]], ["a"], undefined],
  ])("%s", (_, required, given, expected) => {
    expect(chooseAlternative(required, has(...given))).toEqual(expected);
  });
});

describe("place", () => {
  const scheme = (at: "header" | "query" | "cookie", name: string, prefix = "") =>
    ({ kind: "token", in: at, name, prefix }) as const;

  it("a header, after the scheme's prefix", () => {
    const request = place(new Request("https://x.test/a"), scheme("header", "Authorization", "Bearer "), "t0k");
    expect(request.headers.get("authorization")).toBe("Bearer t0k");
  });

  it("a cookie, beside the cookies already there, its value encoded", () => {
    const request = place(
      new Request("https://x.test/a", { headers: { cookie: "a=1" } }),
      scheme("cookie", "sid"),
      "v;1",
    );
    expect(request.headers.get("cookie")).toBe("a=1; sid=v%3B1");
  });

  it.each([
    ["the platform Request", (url: string) => new Request(url, { method: "POST", body: '{"a":1}' })],
    [
      "the node transport's LightRequest",
      (url: string) => new LightRequest(url, { method: "POST", body: '{"a":1}' }) as unknown as Request,
    ],
  ])("a query parameter, the rest of the URL and the body kept (%s)", async (_, make) => {
    const request = place(make("https://x.test/a?b=2"), scheme("query", "key"), "k&1");
    expect(request.url).toBe("https://x.test/a?b=2&key=k%261");
    expect(request.method).toBe("POST");
    // The same kind of object: the node transport sends a LightRequest's string body as it is.
    expect(request.constructor).toBe(make("https://x.test/").constructor);
    expect(await request.text()).toBe('{"a":1}');
  });
});

describe("resolveCredentials: the auth option", () => {
  const resolve = (auth: Record<string, unknown>, apiKey?: string) =>
    resolveCredentials(apiKey, auth, new Secrets(), SPEC);

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "a scheme the spec does not have, naming those it has",
      { nope: "x" },
      /no security scheme "nope" \(key, sig, session, basic, bearer, mtls\)/,
    ],
    ["Object.prototype's names are not schemes", { toString: "x" }, /no security scheme "toString"/],
    ["an empty token", { bearer: "" }, /auth\.bearer must be a non-empty string or a function/],
    ["a token of another type", { bearer: 42 }, /auth\.bearer must be a non-empty string or a function/],
    ["a token no header can carry", { bearer: "a b" }, /auth\.bearer has a space at character 2 of 3/],
    [
      "basic as a string",
      { basic: "dXNlcjpwYXNz" },
      /auth\.basic must be \{ username, password \}, the username without a colon/,
    ],
    [
      "basic with a colon in the username",
      { basic: { username: "a:b", password: "c" } },
      /auth\.basic must be \{ username, password \}/,
    ],
    ["mutual TLS as anything but true", { mtls: "cert.pem" }, /auth\.mtls must be true/],
    ["basic with a username that is not a string", { basic: { username: 7, password: "p" } }, /auth\.basic must be/],
    ["basic with a password that is not a string", { basic: { username: "u", password: 7 } }, /auth\.basic must be/],
  ])("refuses %s, naming the option", (_, auth, message) => {
    expect(optionErrorOf(() => resolve(auth))).toMatch(message);
  });

  it("the API key fills its scheme unless auth gives that scheme", () => {
    expect(resolve({}, "k1").get("key")).toBe("k1");
    expect(resolve({ key: "k2" }, "k1").get("key")).toBe("k2");
  });

  it("a scheme given as undefined is left out, and no API key fills nothing", () => {
    expect(resolve({ bearer: undefined }).has("bearer")).toBe(false);
    expect(resolve({}).has("key")).toBe(false);
  });

  it("a spec with no schemes says so", () => {
    const none = { ...SPEC, schemes: {} };
    expect(optionErrorOf(() => resolveCredentials(undefined, { key: "k" } as never, new Secrets(), none))).toMatch(
      /no security scheme "key" \(none\)/,
    );
  });

  it("only strings become secrets: a supplier and mutual TLS's true are not", () => {
    const secrets = new Secrets();
    resolveCredentials(undefined, { bearer: () => "t", mtls: true, key: "fixed" } as never, secrets, SPEC);
    expect(secrets.values).toEqual(["fixed"]);
  });

  it("basic is RFC 7617: base64 of the UTF-8 of username:password; password and encoding become secrets", () => {
    const secrets = new Secrets();
    const credentials = resolveCredentials(
      undefined,
      { basic: { username: "zoë", password: "pässword" } } as never,
      secrets,
      SPEC,
    );
    const encoded = Buffer.from("zoë:pässword", "utf8").toString("base64");
    expect(credentials.get("basic")).toBe(encoded);
    expect(scrub(`sent ${encoded} for pässword`, secrets)).toBe("sent [redacted] for [redacted]");
  });
});

describe("authMiddleware: each operation gets what its requirement names", () => {
  const all = { key: "K", sig: "S", session: "C", bearer: "B", basic: { username: "u", password: "p" }, mtls: true };

  it("the default requirement, from the apiKey option", async () => {
    expect((await sent({}, "GET", "/other", "K")).header("x-key")).toBe("K");
  });

  it("two schemes together: a header and a query parameter", async () => {
    const { header, query } = await sent(all, "GET", "/both");
    expect([header("x-key"), query.get("sig"), query.get("a")]).toEqual(["K", "S", "1"]);
  });

  it("the first alternative the client can fill: basic, else bearer", async () => {
    expect((await sent(all, "POST", "/either")).header("authorization")).toBe(`Basic ${btoa("u:p")}`);
    expect((await sent({ bearer: "B" }, "POST", "/either")).header("authorization")).toBe("Bearer B");
  });

  it("optional security: the token when there is one, else nothing", async () => {
    expect((await sent({ bearer: "B" }, "GET", "/maybe")).header("authorization")).toBe("Bearer B");
    expect((await sent({}, "GET", "/maybe")).header("authorization")).toBeNull();
  });

  it("no security: nothing, whatever the client holds", async () => {
    const { out, query } = await sent(all, "GET", "/public");
    expect([out.headers.get("x-key"), out.headers.get("authorization"), query.get("sig")]).toEqual([null, null, null]);
  });

  it("a cookie beside the caller's own; mutual TLS sends nothing in the request", async () => {
    expect((await sent(all, "GET", "/cookie")).header("cookie")).toBe("theme=dark; session=C");
    expect([...(await sent(all, "GET", "/cert")).out.headers.keys()]).toEqual(["cookie"]);
  });

  it("a requirement the client cannot fill is a PareaError naming what is needed, before anything is sent", async () => {
    const error = await sent({ key: "K" }, "GET", "/both").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaError);
    expect((error as PareaError).option).toBe("auth");
    expect((error as Error).message).toBe("GET /both needs credentials for key + sig: pass them in the auth option");
    const either = await sent({}, "POST", "/either").catch((e: unknown) => (e as Error).message);
    expect(either).toMatch(/needs credentials for basic or bearer/);
  });

  it("a supplier is awaited; its token is a secret before the request leaves", async () => {
    const { header, secrets } = await sent({ bearer: () => Promise.resolve("fresh-token") }, "POST", "/either");
    expect(header("authorization")).toBe("Bearer fresh-token");
    expect(scrub("fresh-token", secrets)).toBe("[redacted]");
  });

  it(`supplied tokens are remembered as such: the last ${REMEMBERED_TOKENS}, the oldest forgotten first`, async () => {
    let n = 0;
    const secrets = new Secrets();
    const credentials = resolveCredentials(undefined, { bearer: () => `token-${n++}-x` } as never, secrets, SPEC);
    const onRequest = authMiddleware(credentials, secrets, SPEC).onRequest as NonNullable<Middleware["onRequest"]>;
    for (let i = 0; i <= REMEMBERED_TOKENS; i++)
      await onRequest({
        request: new Request("https://api.test/either", { method: "POST" }),
        schemaPath: "/either",
      } as never);
    expect(scrub("token-0-x token-1-x", secrets)).toBe("token-0-x [redacted]");
  });

  it.each([
    ["nothing", () => undefined, /must return a non-empty string, not undefined/],
    ["a number", () => Promise.resolve(7), /must return a non-empty string, not number/],
    ["a line break", () => "tok\n", /auth\.bearer has a line break at character 4/],
    ["by throwing", () => Promise.reject(new Error("IdP down")), /auth\.bearer: the token supplier failed: IdP down/],
  ])("a supplier that answers %s: a PareaError naming auth", async (_, supplier, message) => {
    const error = await sent({ bearer: supplier }, "POST", "/either").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PareaError);
    expect((error as PareaError).option).toBe("auth");
    expect((error as Error).message).toMatch(message);
  });

  it("a credential is required at creation only when most operations need one", () => {
    expect(credentialRequired(SPEC)).toBe(true);
    expect(credentialRequired({ ...SPEC, defaultSecurity: [] })).toBe(false);
    expect(credentialRequired({ ...SPEC, defaultSecurity: [[], ["key"]] })).toBe(false);
  });
});

describe("Secrets", () => {
  it("replaces the longest first, so no part of a longer secret survives a shorter one", () => {
    const secrets = new Secrets("abc", "abcdef");
    expect(scrub("abcdef abc", secrets)).toBe("[redacted] [redacted]");
  });

  it(`remembers the last ${REMEMBERED_TOKENS} supplied tokens and every fixed secret`, () => {
    const secrets = new Secrets("fixed-key");
    for (let i = 0; i <= REMEMBERED_TOKENS; i++) secrets.add(`token-${i}-x`, true);
    expect(scrub("token-0-x", secrets)).toBe("token-0-x");
    expect(scrub(`token-1-x token-${REMEMBERED_TOKENS}-x fixed-key`, secrets)).toBe("[redacted] [redacted] [redacted]");
    secrets.add("token-1-x", true); // known already: not counted twice
    expect(secrets.values).toHaveLength(REMEMBERED_TOKENS + 1);
  });
});

describe("the client with the auth option (the vendor's spec)", () => {
  it("needs no apiKey when auth gives the credential; a supplier is called once per call, not per attempt", async () => {
    const server = await startFaultServer([
      { status: 503, headers: { "retry-after-ms": "1" } },
      { status: 200, body: {} },
    ]);
    let calls = 0;
    const supplier = () => `token-${++calls}`;
    try {
      const client = createPareaClient({ baseUrl: server.url, auth: { [apiKeyScheme!]: supplier }, maxRetries: 1 });
      await client.GET("/api/parea/v1/health" as never);
      expect(server.requests).toHaveLength(2);
      expect(calls).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("refuses a scheme the spec does not have when the client is created", () => {
    expect(() => createPareaClient({ apiKey: "k", auth: { nope: "x" } as never })).toThrow(/no security scheme "nope"/);
  });
});
