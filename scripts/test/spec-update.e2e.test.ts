// pnpm spec:update end to end, on a scratch copy of this repository (its tracked and new files,
// installed from the local pnpm store), so the real repository is never touched.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../lib/paths.ts";
import { minimalValue } from "../lib/replies.ts";
import { listOperations } from "../lib/spec-facts.ts";
import type { OpenApiDocument } from "../lib/files.ts";
import { arrayAt, at, type JsonObject } from "../lib/json.ts";
import type { NamesLock } from "../lib/names.ts";
import { arrayIn, objectIn, stringIn } from "./support/edit.ts";
import { createScratchRepo, mustRun, run, testEnv } from "../support/scratch-repo.ts";

const fullSpec = join(import.meta.dirname, "fixtures", "parea-openapi-full.yml");
let scratch: string;
let removeScratch: (() => Promise<void>) | undefined;

const sh = (command: string, args: string[]) => mustRun(command, args, scratch);

/** Run spec:update in the scratch repo; returns exit code, output and duration. */
async function specUpdate(input: string): Promise<{ code: number; out: string; ms: number }> {
  const started = performance.now();
  const result = await run("pnpm", ["spec:update", input], scratch);
  return { ...result, ms: performance.now() - started };
}

/** Hash of every file a failed update must leave alone. */
async function trackedState(): Promise<string> {
  const hash = createHash("sha256");
  for (const file of ["spec/upstream/openapi.yaml", "spec/upstream/source.json", "spec/operations.lock.json"])
    hash.update(await readFile(join(scratch, file)));
  hash.update((await readdir(join(scratch, ".changeset"))).sort().join(","));
  return hash.digest("hex");
}

/** Hash of every file git would see (tracked or new, not ignored): a no-op must not move it. */
async function treeState(): Promise<string> {
  const hash = createHash("sha256");
  const files = (await sh("git", ["ls-files", "-co", "--exclude-standard", "-z"])).split("\0").filter(Boolean).sort();
  for (const file of files) hash.update(file).update(await readFile(join(scratch, file)));
  return hash.digest("hex");
}

async function changesets(): Promise<string[]> {
  const names = (await readdir(join(scratch, ".changeset"))).filter((name) => name.startsWith("spec-update-")).sort();
  return Promise.all(names.map((name) => readFile(join(scratch, ".changeset", name), "utf8")));
}

async function clearChangesets(): Promise<void> {
  for (const name of await readdir(join(scratch, ".changeset"))) {
    if (name.startsWith("spec-update-")) await rm(join(scratch, ".changeset", name));
  }
}

const seedText = await readFile(join(repoRoot, "spec", "upstream", "openapi.yaml"), "utf8");
const seedDoc = parse(seedText) as JsonObject;
const feedbackSchema = (doc: JsonObject) => objectIn(doc, "components", "schemas", "FeedbackRequestSchema");

beforeAll(async () => {
  ({ dir: scratch, remove: removeScratch } = await createScratchRepo());
}, 180_000);

afterAll(async () => {
  await removeScratch?.();
});

describe("pnpm spec:update", () => {
  it("refuses an unreadable or invalid document, naming it, and changes nothing", async () => {
    const before = await trackedState();
    const missing = await specUpdate("does-not-exist.yaml");
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/error: cannot read spec .*does-not-exist\.yaml/);
    await writeFile(join(scratch, "broken.yaml"), "openapi: 3.1.0\ninfo: [unclosed\n");
    const broken = await specUpdate("broken.yaml");
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/broken\.yaml/);
    await writeFile(join(scratch, "swagger.json"), JSON.stringify({ swagger: "2.0", paths: {} }));
    const swagger = await specUpdate("swagger.json");
    expect(swagger.code).toBe(1);
    expect(swagger.out).toMatch(/swagger\.json is neither an OpenAPI document nor a page with one/);
    expect(await trackedState()).toBe(before);
  });

  it.each<[string, string[], RegExp]>([
    ["spec:update", ["spec:update", "--nope", "x.yaml"], /^error: unknown option --nope$/m],
    ["spec:update", ["spec:update"], /^error: expected 1 document, got 0$/m],
    ["spec:update", ["spec:update", "x.yaml", "--timeout-ms", "soon"], /^error: --timeout-ms must be a whole number/m],
    ["spec:diff", ["spec:diff", "a.yaml", "b.yaml", "--verbose"], /^error: unknown option --verbose$/m],
    ["spec:diff", ["spec:diff", "a.yaml"], /^error: expected 2 documents, got 1$/m],
  ])(
    "%s: a command-line mistake gets one line and the usage, exit 2, no stack trace (%j)",
    async (name, args, line) => {
      const before = await treeState();
      const result = await run("pnpm", args, scratch);
      expect(result.code).toBe(2);
      expect(result.out).toMatch(line);
      expect(result.out).toContain(`usage: pnpm ${name} <`);
      expect(result.out).not.toMatch(/TypeError|ERR_PARSE_ARGS|^\s+at /m);
      expect(await treeState()).toBe(before);
    },
  );

  it("a URL that accepts the connection and never answers: fails within --timeout-ms, naming URL and limit", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const silent = createServer(() => undefined).on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/openapi.yaml`;
    try {
      const before = await treeState();
      const started = performance.now();
      const result = await run("pnpm", ["spec:update", url, "--timeout-ms", "500"], scratch);
      expect(result.code).toBe(1);
      expect(result.out).toContain(
        `error: cannot fetch ${url}: no complete answer within 500 ms (--timeout-ms to change)`,
      );
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(sockets.size).toBeGreaterThan(0);
      expect(await treeState()).toBe(before);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("the document already in spec/upstream, from anywhere: writes nothing at all", async () => {
    const elsewhere = join(scratch, "node_modules", ".cache-copy");
    await mkdir(elsewhere, { recursive: true });
    await writeFile(join(elsewhere, "same.yaml"), seedText);
    const before = await treeState();
    const result = await specUpdate(join(elsewhere, "same.yaml"));
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain("nothing to do");
    expect(await treeState()).toBe(before);
    expect(await changesets()).toEqual([]);
  });

  it.each<[string, string, (doc: JsonObject) => void, string]>([
    [
      "fails naming the overlay action whose target is gone, and changes nothing",
      "no-name.yaml",
      (doc) => delete objectIn(feedbackSchema(doc), "properties").name,
      '"mark the deprecated name field as deprecated"',
    ],
  ])("%s", async (_, file, change, message) => {
    const before = await trackedState();
    const doc = structuredClone(seedDoc);
    change(doc);
    await writeFile(join(scratch, file), stringify(doc));
    const result = await specUpdate(file);
    expect(result.code).toBe(1);
    expect(result.out).toContain(message);
    expect(await trackedState()).toBe(before);
  });

  it("the client no longer depends on the vendor's ValidationError schema: renaming it is an update like any other", async () => {
    const doc = structuredClone(seedDoc);
    const schemas = objectIn(doc, "components", "schemas");
    schemas.ValidationProblem = schemas.ValidationError;
    delete schemas.ValidationError;
    objectIn(schemas, "HTTPValidationError", "properties", "detail", "items").$ref =
      "#/components/schemas/ValidationProblem";
    await writeFile(join(scratch, "validation-renamed.yaml"), stringify(doc));
    const result = await specUpdate("validation-renamed.yaml");
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain("Release: major"); // a component schema's exported type name is gone
    expect((await specUpdate(join(repoRoot, "spec", "upstream", "openapi.yaml"))).code).toBe(0);
    await clearChangesets();
  });

  it("puts every file back when the build fails after writing (a CLI source broken in the scratch repo)", async () => {
    // A syntax error in a module the CLI's bundle imports: only `pnpm build`, after the writes, sees it.
    const source = join(scratch, "packages/cli/src/fields.ts");
    const original = await readFile(source, "utf8");
    await writeFile(source, `${original}\nexport const = ;\n`);
    try {
      const before = await trackedState();
      const doc = structuredClone(seedDoc);
      objectIn(feedbackSchema(doc), "properties").note = { type: "string" };
      await writeFile(join(scratch, "note.yaml"), stringify(doc));
      const result = await specUpdate("note.yaml");
      expect(result.code).toBe(1);
      expect(result.out).toContain("the client does not build against the new document, so nothing was changed");
      expect(await trackedState()).toBe(before);
    } finally {
      await writeFile(source, original);
    }
  });

  it("a reworded summary: no operation renamed, a patch", async () => {
    const doc = structuredClone(seedDoc);
    objectIn(doc, "paths", "/api/parea/v1/feedback", "post").summary = "Record feedback for a trace";
    await writeFile(join(scratch, "reworded.yaml"), stringify(doc));
    const result = await specUpdate("reworded.yaml");
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain("Release: patch");
    const index = await readFile(join(scratch, "packages/client/src/generated/operations/index.ts"), "utf8");
    expect(index).toContain("export const operations = { recordFeedback } as const;");
    const helpers = await readFile(join(scratch, "packages/client/src/generated/helpers.ts"), "utf8");
    expect(helpers).toContain('"Record feedback for a trace": "POST /api/parea/v1/feedback"');
    await clearChangesets();
  });

  it("a newly required field: upstream replaced verbatim, code regenerated, a major changeset", async () => {
    const doc = structuredClone(seedDoc);
    arrayIn(feedbackSchema(doc), "required").push("trace_id");
    const text = stringify(doc);
    await writeFile(join(scratch, "required.yaml"), text);
    const result = await specUpdate("required.yaml");
    expect(result.code, result.out).toBe(0);
    const message = "`POST /api/parea/v1/feedback`: request field `trace_id` is now required (breaking)";
    expect(result.out).toContain(message);
    expect(await readFile(join(scratch, "spec/upstream/openapi.yaml"), "utf8")).toBe(text);
    const generated = await readFile(join(scratch, "packages/client/src/generated/openapi.ts"), "utf8");
    expect(generated).toMatch(/trace_id: string \| null;/); // no longer optional
    const [changeset] = await changesets();
    expect(changeset).toMatch(/^---\n"@parea-api\/spec": major\n"@parea-api\/client": major\n---\n/);
    // pnpm test runs prettier --check over .changeset/, so the written file must already pass it.
    await sh("pnpm", ["exec", "prettier", "--check", ".changeset"]);
    expect(changeset).toContain(message);
    await clearChangesets();
  });

  it("the vendor's full spec: succeeds with no code change, every operation is typed, and back is breaking", async () => {
    const forward = await specUpdate(fullSpec);
    expect(forward.code, forward.out).toBe(0);
    console.log(`spec:update to the full spec (normalize, lint, generate, diff, build): ${Math.round(forward.ms)} ms`);
    const [changeset] = await changesets();
    expect(changeset).toMatch(/"@parea-api\/client": minor/);
    // A local file is recorded by name only: its path is one machine's layout.
    const record = JSON.parse(await readFile(join(scratch, "spec/upstream/source.json"), "utf8")) as { source: string };
    expect(record.source).toBe("parea-openapi-full.yml");
    expect(changeset).toContain("(from parea-openapi-full.yml)");
    expect(changeset).toContain("`POST /api/parea/v1/experiment`: operation added");

    // Every operation of the new spec through the typed verbs, plus one the spec does not have.
    const normalized = JSON.parse(await readFile(join(scratch, "spec/dist/openapi.json"), "utf8")) as OpenApiDocument;
    const calls = Object.entries(normalized.paths).flatMap(([path, item]) =>
      Object.keys(objectIn(item))
        .filter((method) => ["get", "post", "put", "delete", "patch"].includes(method))
        .map((method) => `  void client.${method.toUpperCase()}(${JSON.stringify(path)}, {} as never);`),
    );
    expect(calls.length).toBe(20);
    await writeFile(
      join(scratch, "packages/client/test/all-operations.ts"),
      [
        'import type { PareaClient } from "../src/index.ts";',
        "declare const client: PareaClient;",
        ...calls,
        "// @ts-expect-error not in the spec",
        '  void client.GET("/api/parea/v1/not-an-endpoint", {} as never);',
        "// Parameters and response types are the spec's, not unknown:",
        "export async function stats() {",
        '  const stats = "/api/parea/v1/experiment/{experiment_uuid}/stats" as const;',
        '  const { data } = await client.GET(stats, { params: { path: { experiment_uuid: "e" } } });',
        "  const typed: typeof data extends { parent_trace_stats: unknown } | undefined ? true : false = true;",
        "  void typed;",
        "  // @ts-expect-error the path parameter is required",
        "  await client.GET(stats, {});",
        "}",
      ].join("\n"),
    );
    await sh("pnpm", ["--filter", "@parea-api/client", "typecheck"]);

    // The test double serves every new operation with no hand edit: a valid request gets the
    // operation's default (spec-valid) reply and no violation.
    // Every new operation is recorded in the names lock; the released name is kept.
    const lock = JSON.parse(await readFile(join(scratch, "spec/operations.lock.json"), "utf8")) as NamesLock;
    expect(Object.keys(lock)).toHaveLength(20);
    expect(lock.recordFeedback).toBe("POST /api/parea/v1/feedback");
    const requests = listOperations(normalized, "full", { lock }).map((op) => {
      const operation = objectIn(normalized, "paths", op.path, op.method.toLowerCase());
      const schema = at(operation, "requestBody", "content", "application/json", "schema");
      const query = (arrayAt(operation, "parameters") ?? [])
        .filter((p) => at(p, "in") === "query" && at(p, "required") === true)
        .map((p) => `${stringIn(p, "name")}=x`)
        .join("&");
      return {
        name: op.name,
        method: op.method,
        url: `https://anywhere.example${op.path.replace(/\{[^}]+\}/g, "x")}${query ? `?${query}` : ""}`,
        body: schema === undefined ? undefined : JSON.stringify(minimalValue(normalized, schema)),
      };
    });
    await writeFile(join(scratch, "packages/client/test/fake-requests.json"), JSON.stringify(requests));
    await writeFile(
      join(scratch, "packages/client/test/fake-all.mts"),
      [
        'import { readFileSync } from "node:fs";',
        'import { createFakeParea } from "../src/testing.ts";',
        'import { defaultReplies } from "../src/generated/operations/replies.ts";',
        "const fake = createFakeParea();",
        'const requests = JSON.parse(readFileSync(new URL("./fake-requests.json", import.meta.url), "utf8"));',
        "const results = [];",
        "for (const { name, method, url, body } of requests) {",
        '  const headers = { "x-api-key": "k", ...(body && { "content-type": "application/json" }) };',
        "  const response = await fake.fetch(url, { method, headers, body });",
        "  results.push({ name, status: response.status, expected: defaultReplies[name].status, calls: fake.calls(name).length });",
        "}",
        "console.log(JSON.stringify({ results, violations: fake.violations() }));",
      ].join("\n"),
    );
    const fakeRun = JSON.parse(
      await sh("pnpm", ["--filter", "@parea-api/client", "exec", "tsx", "test/fake-all.mts"]).then((out) =>
        out.slice(out.indexOf("{")),
      ),
    ) as { violations: unknown[]; results: { name: string; expected: number }[] };
    expect(fakeRun.violations).toEqual([]);
    expect(fakeRun.results).toHaveLength(20);
    for (const result of fakeRun.results)
      expect(result, result.name).toMatchObject({ status: result.expected, calls: 1 });
    await clearChangesets();

    const back = await specUpdate(join(repoRoot, "spec", "upstream", "openapi.yaml"));
    expect(back.code, back.out).toBe(0);
    expect(back.out).toContain("Release: major");
    expect(back.out).toContain("`GET /api/parea/v1/`: operation removed (breaking)");
    const [undo] = await changesets();
    expect(undo).toMatch(/"@parea-api\/client": major/);
    expect(await readFile(join(scratch, "spec/upstream/openapi.yaml"), "utf8")).toBe(seedText);
    expect(await readFile(join(scratch, "spec/operations.lock.json"), "utf8")).toBe(
      await readFile(join(repoRoot, "spec/operations.lock.json"), "utf8"),
    );
  });

  it("spec:diff prints the same classification and writes nothing", async () => {
    const before = await trackedState();
    const seed = join(repoRoot, "spec", "upstream", "openapi.yaml");
    const stdout = await sh("pnpm", ["spec:diff", seed, fullSpec]);
    expect(stdout).toContain("Release: minor");
    expect(stdout).toContain("`PUT /api/parea/v1/trace_log`: operation added");
    expect(await trackedState()).toBe(before);
  });
});

describe("pnpm spec:update with documents from a hostile or careless vendor", () => {
  it("a Latin-1 document: stored byte for byte, its sha256 of those bytes, and it builds", async () => {
    const bytes = Buffer.from(seedText.replace("title: FastAPI", "title: Caf\u00e9 API"), "latin1");
    expect(bytes.includes(0xe9)).toBe(true);
    await writeFile(join(scratch, "latin1.yaml"), bytes);
    const result = await specUpdate("latin1.yaml");
    expect(result.code, result.out).toBe(0);
    expect((await readFile(join(scratch, "spec/upstream/openapi.yaml"))).equals(bytes)).toBe(true);
    const record = JSON.parse(await readFile(join(scratch, "spec/upstream/source.json"), "utf8")) as { sha256: string };
    expect(record.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const normalized = await readFile(join(scratch, "spec/dist/openapi.json"), "utf8");
    expect(normalized).toContain("Café API");
    await clearChangesets();
  });

  it("names that are not legal code (a summary 'Delete', schemas named constructor and __proto__) build", async () => {
    const doc = parse(
      seedText.replace(
        "schemas:\n",
        "schemas:\n    __proto__:\n      type: object\n      properties:\n        n:\n          type: integer\n      title: Proto\n    constructor:\n      type: string\n      title: Ctor\n",
      ),
    ) as JsonObject;
    const properties = objectIn(feedbackSchema(doc), "properties");
    properties.proto = { $ref: "#/components/schemas/__proto__" };
    properties.ctor = { $ref: "#/components/schemas/constructor" };
    objectIn(doc, "paths")["/api/parea/v1/feedback/{id}"] = {
      delete: {
        summary: "Delete",
        operationId: "delete_feedback",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "ok", content: { "application/json": { schema: {} } } } },
      },
    };
    await writeFile(join(scratch, "names.yaml"), stringify(doc));
    const result = await specUpdate("names.yaml");
    expect(result.code, result.out).toBe(0);
    const index = await readFile(join(scratch, "packages/client/src/generated/operations/index.ts"), "utf8");
    expect(index).toContain("deleteOperation");
    // Back to the seed for the tests that follow.
    expect((await specUpdate(join(repoRoot, "spec", "upstream", "openapi.yaml"))).code).toBe(0);
    await clearChangesets();
  });
});

describe("pnpm spec:watch (what the daily workflow runs)", () => {
  const docsPage = join(import.meta.dirname, "fixtures", "record-feedback-docs-page.md");
  let server: import("node:http").Server;
  let base: string;
  const pages = new Map<string, string>();
  let outputs: string;
  let runnerTemp: string;

  beforeAll(async () => {
    const page = await readFile(docsPage, "utf8");
    pages.set("/same.md", page);
    // The same page with one optional request field added: a minor change.
    pages.set(
      "/changed.md",
      page.replace(/^(\s+)score:\n/m, "$1tags:\n$1  type: array\n$1  items:\n$1    type: string\n$1score:\n"),
    );
    pages.set("/page.html", "<!doctype html><title>Parea docs</title><p>Moved.</p>");
    server = createServer((request, response) => {
      if (request.url === "/silent") return; // accepts, never answers
      const body = pages.get(request.url ?? "");
      response.writeHead(body ? 200 : 404, { "content-type": "text/plain" }).end(body ?? "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    runnerTemp = await mkdtemp(join(tmpdir(), "parea-runner-temp-"));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
    return rm(runnerTemp, { recursive: true, force: true });
  });

  async function watch(args: string[]) {
    outputs = join(runnerTemp, `output-${Math.random()}`);
    await writeFile(outputs, "");
    const env = { ...testEnv, GITHUB_OUTPUT: outputs, RUNNER_TEMP: runnerTemp };
    const result = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile("pnpm", ["spec:watch", ...args], { cwd: scratch, env }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      ),
    );
    const lines = (await readFile(outputs, "utf8")).split("\n").filter(Boolean);
    return {
      ...result,
      outputs: Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      ),
    };
  }

  it("unchanged document, from the url in source.json: changed=false and the tree untouched", async () => {
    const record = join(scratch, "spec/upstream/source.json");
    const original = await readFile(record, "utf8");
    expect(at(JSON.parse(original), "url")).toBe("https://docs.parea.ai/api-reference/tracing/record-feedback.md");
    await writeFile(record, original.replace(/"url": "[^"]+"/, `"url": "${base}/same.md"`));
    await sh("git", ["-c", "user.name=t", "-c", "user.email=t@l", "commit", "-qam", "watch the local page"]);
    const before = await treeState();
    const result = await watch([]);
    expect(result.code, result.out).toBe(0);
    expect(result.outputs).toEqual({ changed: "false" });
    expect(await treeState()).toBe(before);
  });

  it.each<[string, () => string[], RegExp]>([
    [
      "an unreachable URL",
      () => ["--url", "http://127.0.0.1:1/openapi.yaml"],
      /^error: cannot fetch http:\/\/127\.0\.0\.1:1\/openapi\.yaml/m,
    ],
    [
      "a URL that never answers",
      () => ["--url", `${base}/silent`, "--timeout-ms", "300"],
      /no complete answer within 300 ms/,
    ],
    [
      "a page that is not OpenAPI",
      () => ["--url", `${base}/page.html`],
      /page\.html is neither an OpenAPI document nor a page with one/,
    ],
    ["a wrong flag", () => ["--urll", base], /^error: unknown option --urll$/m],
  ])("%s: non-zero exit, a clear message, nothing written", async (_, args, message) => {
    const before = await treeState();
    const result = await watch(args());
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(message);
    expect(result.outputs).toEqual({});
    expect(await treeState()).toBe(before);
  });

  it("changed document: spec:update's work, then changed/release/title/body-file for the pull request", async () => {
    const result = await watch(["--url", `${base}/changed.md`]);
    expect(result.code, result.out).toBe(0);
    expect(result.outputs).toMatchObject({
      changed: "true",
      release: "minor",
      title: "Update the vendor's OpenAPI document (minor release)",
    });
    const bodyFile = result.outputs["body-file"]!;
    expect(bodyFile.startsWith(runnerTemp)).toBe(true); // outside the work tree
    const body = await readFile(bodyFile, "utf8");
    expect(body).toContain(`The vendor's OpenAPI document at ${base}/changed.md changed.`);
    expect(body).toContain("**Release: minor.** Why: the API only grew");
    expect(body).toContain("- `POST /api/parea/v1/feedback`: request field `tags` added");
    expect(body).toContain("## How to review");
    // The packages named come from spec/vendor.yaml, the ones the changeset releases.
    expect(body).toContain("every package it names (`@parea-api/spec`, `@parea-api/client`)");
    // The preflight's report, every stage with its time, every operation smoke-tested.
    expect(body).toContain("## Preflight (`pnpm spec:check`)");
    expect(body).toMatch(/ok {3}smoke +\d+ ms/);
    expect(body).toContain("passed: 1 of 1 operations smoke-tested");
    const [changeset] = await changesets();
    expect(changeset).toMatch(/"@parea-api\/client": minor/);
    expect(await readFile(join(scratch, "spec/upstream/openapi.yaml"), "utf8")).toContain("tags:");
    const generated = await readFile(join(scratch, "packages/client/src/generated/openapi.ts"), "utf8");
    expect(generated).toMatch(/tags\?: string\[\]/);
  });
});

describe("what a release packs", () => {
  it("only what the build wrote: a chunk left in dist/ by an older build is not published", async () => {
    await sh("pnpm", ["build"]);
    const stale = join(scratch, "packages/client/dist/chunk-STALE1234.mjs");
    await writeFile(stale, "export const old = 1;\n");
    await sh("pnpm", ["build"]); // turbo replays its cache over dist/: it must not keep the stale file
    const out = await mkdtemp(join(tmpdir(), "parea-stale-pack-"));
    await sh("pnpm", ["--dir", "packages/client", "pack", "--pack-destination", out]);
    const [tarball] = await readdir(out);
    const files = await sh("tar", ["-tzf", join(out, tarball!)]);
    expect(files).toContain("package/dist/index.mjs");
    expect(files).not.toContain("chunk-STALE1234");
    await rm(out, { recursive: true, force: true });
  });
});
