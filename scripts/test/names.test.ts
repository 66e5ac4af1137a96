// Operation names as a public API: the lock keeps released names whatever the document's prose says,
// new operations are named by one rule with every collision settled, and spec:diff sees renames.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildSpec } from "../build-spec.ts";
import { generate } from "../generate.ts";
import { loadConfig, operationNames, readLock, type PipelineConfig } from "../lib/config.ts";
import { toJsonText } from "../lib/files.ts";
import { assignNames, lockFor, operationKey, type NamingInput } from "../lib/names.ts";
import { diffSpecs } from "../lib/spec-diff.ts";
import { objectIn } from "./support/edit.ts";
import { loadGenerated } from "./support/generated.ts";
import { scratchDir } from "./support/scratch.ts";

const METHODS = ["get", "post", "put", "delete", "patch"];
const label = fc.oneof(
  fc.constantFrom("List Things", "list_things", "Get Thing", "get-thing", "delete", "!!!", "42", "", "Do It"),
  fc.string({ maxLength: 12 }),
);
const operation: fc.Arbitrary<NamingInput> = fc.record({
  method: fc.constantFrom(...METHODS),
  path: fc.constantFrom("/things", "/things/{id}", "/Things", "/a/b", "/", "/x-y"),
  summary: fc.option(label, { nil: undefined }),
  operationId: fc.option(label, { nil: undefined }),
});
/** Distinct method + path, as in a document. */
const operations = fc.uniqueArray(operation, { selector: (op) => operationKey(op.method, op.path), maxLength: 12 });

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

describe("assignNames", () => {
  it("gives every operation a distinct identifier (ignoring case), whatever the labels, in any order", () => {
    fc.assert(
      fc.property(operations, fc.boolean(), (ops, reverse) => {
        const names = assignNames(ops, {}, ["summary", "operationId"]);
        const values = [...names.values()];
        expect(values.every((name) => identifier.test(name))).toBe(true);
        expect(new Set(values.map((name) => name.toLowerCase())).size).toBe(ops.length);
        const again = assignNames(reverse ? [...ops].reverse() : ops, {}, ["summary", "operationId"]);
        expect([...again].sort()).toEqual([...names].sort());
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });

  it("keeps every locked name when summaries and operationIds change and operations come and go", () => {
    fc.assert(
      fc.property(operations, operations, (before, reworded) => {
        const lock = lockFor(assignNames(before, {}, ["summary"]));
        // The same operations with other prose, plus others.
        const after = [
          ...before.map((op, i) => ({ ...op, summary: reworded[i]?.summary, operationId: reworded[i]?.operationId })),
          ...reworded.filter(
            (op) => !before.some((b) => operationKey(b.method, b.path) === operationKey(op.method, op.path)),
          ),
        ];
        const names = assignNames(after, lock, ["summary", "operationId"]);
        for (const [name, key] of Object.entries(lock)) expect(names.get(key)).toBe(name);
        expect(new Set([...names.values()].map((name) => name.toLowerCase())).size).toBe(after.length);
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });

  it("follows the rule: preferred sources, then method + path, then the method appended, then a number", () => {
    const op = (path: string, summary?: string, operationId?: string) => ({
      method: "get",
      path,
      summary,
      operationId,
    });
    const names = assignNames(
      [op("/a", "List"), op("/b", "List", "listB"), op("/c", "List"), op("/d", "!!!"), op("/e", "Delete")],
      { getC: "GET /zzz" },
      ["summary", "operationId"],
    );
    expect(Object.fromEntries([...names].map(([key, name]) => [key.slice(4), name]))).toEqual({
      "/a": "list",
      "/b": "listB",
      "/c": "listGet", // "list" taken, and its method + path name "getC" is locked for another operation
      "/d": "getD",
      "/e": "deleteOperation",
    });
  });

  it("refuses a hand-edited lock that cannot be generated, naming the lock", () => {
    const path = "spec/operations.lock.json";
    expect(() => assignNames([], { "not-a-name": "GET /a" }, [], path)).toThrow(/operations.lock.json: "not-a-name"/);
    expect(() => assignNames([], { delete: "GET /a" }, [], path)).toThrow(/"delete" \(for GET \/a\) is not a name/);
    expect(() => assignNames([], { a: "GET /a", A: "GET /b" }, [], path)).toThrow(/differ only in case/);
    expect(() => assignNames([], { a: "GET /a", b: "GET /a" }, [], path)).toThrow(/GET \/a has two names/);
  });
});

const seed = await buildSpec();
const FEEDBACK = "/api/parea/v1/feedback";
const reworded = structuredClone(seed);
objectIn(reworded, "paths", FEEDBACK, "post").summary = "Record feedback for a trace";

describe("the lock in the pipeline", () => {
  const scratch = () => scratchDir("names-");
  async function configWithLock(lock: Record<string, string>): Promise<PipelineConfig> {
    const config = await loadConfig();
    const path = join(await scratch(), "operations.lock.json");
    await writeFile(path, toJsonText(lock));
    return { ...config, naming: { ...config.naming, lock: path } };
  }

  it("records every operation of the vendor's document", async () => {
    const config = await loadConfig();
    const lock = await readLock(config);
    expect(lockFor(await operationNames(seed, config))).toEqual(lock);
  });

  it("a lock written for a path with a space in it reads back (what lockFor writes, readLock takes)", async () => {
    const doc = structuredClone(seed);
    doc.paths["/api/parea/v1/feedback bulk"] = structuredClone(doc.paths[FEEDBACK]);
    objectIn(doc, "paths", "/api/parea/v1/feedback bulk", "post").summary = "Record feedback in bulk";
    const config = await loadConfig();
    const written = lockFor(await operationNames(doc, { ...config, naming: { ...config.naming, lock: undefined } }));
    expect(Object.values(written)).toContain("POST /api/parea/v1/feedback bulk");
    const withLock = await configWithLock(written);
    expect(await readLock(withLock)).toEqual(written);
    await expect(readLock(await configWithLock({ x: "POST feedback" }))).rejects.toThrow(/must map to "METHOD \/path"/);
  });

  it("a reworded summary regenerates with no renamed operation, and spec:diff calls it a patch", async () => {
    const config = await loadConfig();
    const out = await scratch();
    const spec = join(out, "openapi.json");
    await writeFile(spec, toJsonText(reworded));
    await generate(spec, join(out, "generated"), config);
    const { operations } = await loadGenerated(join(out, "generated"));
    expect(Object.keys(operations)).toEqual(["recordFeedback"]);
    const names = { before: await operationNames(seed, config), after: await operationNames(reworded, config) };
    const diff = diffSpecs(seed, reworded, new Map(), names);
    expect(diff.bump).toBe("patch");
  });

  it("a rename in the lock is major, naming both names", async () => {
    const config = await loadConfig();
    const renamed = await configWithLock({ submitFeedback: `POST ${FEEDBACK}` });
    const names = { before: await operationNames(seed, config), after: await operationNames(seed, renamed) };
    const diff = diffSpecs(seed, seed, new Map(), names);
    expect(diff.bump).toBe("major");
    expect(diff.changes.map((change) => [change.rule, change.message])).toEqual([
      ["operation-renamed", `POST ${FEEDBACK} is renamed from recordFeedback to submitFeedback`],
    ]);
  });

  it("a helper whose operation is gone, or whose name is not locked, fails codegen naming the configuration", async () => {
    const config = await loadConfig();
    const gone = structuredClone(seed);
    const { [FEEDBACK]: _, ...others } = gone.paths;
    gone.paths = others;
    gone.paths["/api/parea/v1/other"] = {
      get: { summary: "Other", security: [{ APIKeyHeader: [] }], responses: { "200": { description: "ok" } } },
    };
    const out = await scratch();
    const spec = join(out, "openapi.json");
    await writeFile(spec, toJsonText(gone));
    await expect(generate(spec, join(out, "g"), config)).rejects.toThrow(
      /vendor\.yaml: helper "recordFeedback" calls POST \/api\/parea\/v1\/feedback, which the document no longer has/,
    );
    await expect(generate(spec, join(out, "g"), { ...config, helpers: ["other"] })).rejects.toThrow(
      /helper "other" is not a name in the operation names lock/,
    );
  });
});

describe("the client's settings from the configuration", () => {
  it("Parea's names, variables and user agent come from spec/vendor.yaml; --generic has neutral ones", async () => {
    const config = await loadConfig();
    expect(config.client).toEqual({
      name: "Parea",
      env: { apiKey: "PAREA_API_KEY", baseUrl: "PAREA_BASE_URL", logLevel: "PAREA_LOG" },
      userAgent: "@parea-api/client",
    });
    const { GENERIC_CONFIG } = await import("../lib/config.ts");
    expect(GENERIC_CONFIG.client.env.apiKey).toBe("API_KEY");
    const out = await scratchDir("names-");
    const spec = join(out, "openapi.json");
    await writeFile(spec, toJsonText(seed));
    await generate(spec, join(out, "g"), {
      ...GENERIC_CONFIG,
      client: { ...GENERIC_CONFIG.client, env: { ...GENERIC_CONFIG.client.env, apiKey: "ACME_TOKEN" } },
    });
    const { apiKeyVariable } = (await import(join(out, "g", "vendor.ts"))) as { apiKeyVariable: string };
    expect(apiKeyVariable).toBe("ACME_TOKEN");
  });

  it("refuses a setting that cannot be an environment variable or a header, naming the file", async () => {
    const dir = await scratchDir("names-");
    const path = join(dir, "vendor.yaml");
    await writeFile(path, "client:\n  env:\n    apiKey: 'not a variable'\n");
    await expect(loadConfig(path)).rejects.toThrow(/vendor\.yaml: client\.env\.apiKey is not valid: "not a variable"/);
    await writeFile(path, "client:\n  userAgent: 'two words'\n");
    await expect(loadConfig(path)).rejects.toThrow(/client\.userAgent is not valid/);
  });

  // Each was read as if absent (a typo'd indent silently gave the generic client) before settings were checked as mappings.
  it.each([
    ["- overlay: x.yaml\n", /vendor\.yaml: must be a mapping/],
    ["client: Parea\n", /vendor\.yaml: client must be a mapping/],
    ["client:\n  env: PAREA_API_KEY\n", /client\.env must be a mapping/],
    ["naming: [summary]\n", /naming must be a mapping/],
    ["naming:\n  prefer: summary\n", /naming\.prefer must be a list of strings/],
    ["naming:\n  lock: 7\n", /naming\.lock must be a file path/],
    ["retrySafeExtension: retry\n", /retrySafeExtension must be an x- extension name/],
    ["helpers: [1]\n", /helpers must be a list of strings/],
    ["colour: blue\n", /unknown setting "colour"/],
  ])("refuses %j naming the file and the setting", async (text, message) => {
    const path = join(await scratchDir("names-"), "vendor.yaml");
    await writeFile(path, text);
    await expect(loadConfig(path)).rejects.toThrow(message);
  });
});
