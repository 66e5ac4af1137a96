// pnpm spec:check: the whole pipeline in a scratch directory, every operation called by the generated
// client against the generated fake over loopback, the credential where each kind of security scheme
// puts it; a report per stage; nothing written into the repository.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { checkDocument, type CheckReport } from "../lib/check/pipeline.ts";
import { objectIn } from "./support/edit.ts";
import { GENERIC_CONFIG } from "../lib/config.ts";
import { toJsonText, type OpenApiDocument } from "../lib/files.ts";
import { generatedDir, repoRoot, specFiles } from "../lib/paths.ts";
import { scratchDir } from "./support/scratch.ts";

const exec = promisify(execFile);

/** A small API: a secured GET with a path parameter and a POST with a body, under `scheme`. */
function api(scheme: Record<string, unknown> | undefined): OpenApiDocument {
  const thing = { type: "object", required: ["name"], properties: { name: { type: "string", pattern: "^[a-z]{3}$" } } };
  return {
    openapi: "3.0.3",
    info: { title: "things", version: "1" },
    servers: [{ url: "https://api.example.com/v1" }],
    ...(scheme && { security: [{ auth: [] }], components: { securitySchemes: { auth: scheme } } }),
    paths: {
      "/things/{id}": {
        get: {
          operationId: "getThing",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
          responses: { "200": { description: "ok", content: { "application/json": { schema: thing } } } },
        },
      },
      "/things": {
        post: {
          operationId: "createThing",
          requestBody: { required: true, content: { "application/json": { schema: thing } } },
          responses: { "201": { description: "made", content: { "application/json": { schema: thing } } } },
        },
      },
    },
  };
}

async function treeHash(): Promise<string> {
  const hash = createHash("sha256");
  const { stdout } = await exec("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: repoRoot });
  hash.update(stdout);
  for (const entry of (await readdir(generatedDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()))
    hash.update(await readFile(join(entry.parentPath, entry.name)));
  return hash.digest("hex");
}

describe("spec:check", () => {
  it("calls every operation with the credential where each kind of scheme puts it, and writes nothing", async () => {
    const before = await treeHash();
    const schemes: [string, Record<string, unknown> | undefined][] = [
      ["apiKey in a header", { type: "apiKey", in: "header", name: "X-Key" }],
      ["apiKey in the query", { type: "apiKey", in: "query", name: "key" }],
      ["apiKey in a cookie", { type: "apiKey", in: "cookie", name: "session" }],
      ["http bearer", { type: "http", scheme: "bearer" }],
      ["http basic", { type: "http", scheme: "basic" }],
      ["oauth2", { type: "oauth2", flows: { clientCredentials: { tokenUrl: "https://x/token", scopes: {} } } }],
      ["openIdConnect", { type: "openIdConnect", openIdConnectUrl: "https://x/.well-known/openid-configuration" }],
      ["no security", undefined],
    ];
    const reports = await Promise.all(schemes.map(([, scheme]) => checkDocument(api(scheme), GENERIC_CONFIG)));
    for (const [i, report] of reports.entries()) {
      const failed = report.stages.find((stage) => !stage.ok);
      expect(report.ok, `${schemes[i]![0]}: ${failed?.name} ${failed?.error} ${JSON.stringify(report.failures)}`).toBe(
        true,
      );
      expect([report.operations, report.passed]).toEqual([2, 2]);
      expect(report.stages.map((stage) => stage.name)).toEqual([
        "read",
        "normalize",
        "lint",
        "codegen",
        "typecheck",
        "build",
        "smoke",
      ]);
    }
    expect(await treeHash()).toBe(before);
  });

  it("sends what each operation's security requires: schemes together, alternatives, none, optional", async () => {
    const doc = api(undefined);
    const ok = { "200": { description: "ok" } };
    doc.components = {
      securitySchemes: {
        key: { type: "apiKey", in: "header", name: "X-Key" },
        q: { type: "apiKey", in: "query", name: "sig" },
        c: { type: "apiKey", in: "cookie", name: "session" },
        basic: { type: "http", scheme: "basic" },
        bearer: { type: "http", scheme: "bearer" },
        oauth: { type: "oauth2", flows: { clientCredentials: { tokenUrl: "https://x/token", scopes: { read: "" } } } },
        mtls: { type: "mutualTLS" },
        unused: { type: "apiKey", in: "header", name: "X-Unused" },
      },
    };
    doc.openapi = "3.1.0";
    objectIn(doc, "paths", "/things/{id}", "get").security = [{ key: [], q: [] }];
    objectIn(doc, "paths", "/things", "post").security = [{ basic: [] }, { bearer: [] }];
    doc.paths["/public"] = { get: { operationId: "open", security: [], responses: ok } };
    doc.paths["/maybe"] = { get: { operationId: "maybe", security: [{}, { oauth: ["read"] }], responses: ok } };
    doc.paths["/cert"] = { get: { operationId: "cert", security: [{ mtls: [] }], responses: ok } };
    doc.paths["/cookie"] = { get: { operationId: "cookie", security: [{ c: [], bearer: [] }], responses: ok } };
    const report = await checkDocument(doc, GENERIC_CONFIG);
    const failed = report.stages.find((stage) => !stage.ok);
    expect(report.ok, `${failed?.name} ${failed?.error} ${JSON.stringify(report.failures)}`).toBe(true);
    expect([report.operations, report.passed]).toEqual([6, 6]);
  });

  it("stops at the stage that fails, with its reason; later stages do not run", async () => {
    const broken = api(undefined);
    objectIn(broken, "paths", "/things", "post", "requestBody", "content", "application/json").schema = {
      $ref: "#/components/schemas/Nope",
    };
    const report = await checkDocument(broken, GENERIC_CONFIG);
    expect(report.ok).toBe(false);
    expect(report.stages.map((stage) => [stage.name, stage.ok])).toEqual([
      ["read", true],
      ["normalize", true],
      ["lint", false],
    ]);
    expect(report.stages[2]!.error).toMatch(/no-unresolved-refs at #\/paths\/~1things\/post/);
  });

  it("an operation whose body no value satisfies is refused by the client, typed, and nothing is sent", async () => {
    const doc = api(undefined);
    // Required, but not allowed: FastAPI never writes this, Jira's document does.
    objectIn(doc, "paths", "/things", "post", "requestBody", "content", "application/json").schema = {
      type: "object",
      additionalProperties: false,
      properties: { members: { type: "array" } },
      required: ["securitySchemeLevelMembers"],
    };
    const report = await checkDocument(doc, GENERIC_CONFIG);
    expect(report.ok).toBe(true);
    expect(report.passed).toBe(1);
    expect(report.refused).toEqual([
      {
        operation: "POST /things (createThing)",
        reason: expect.stringMatching(/not sent: body breaks the API spec/) as unknown,
      },
    ]);
  });

  it("the command line: --json prints the report as one object, exit 0 only when everything passed", async () => {
    const cli = (args: string[]) =>
      exec(process.execPath, ["--import", "tsx", join(repoRoot, "scripts", "spec-check.ts"), ...args], {
        cwd: join(repoRoot, "scripts"),
      }).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: "" }),
        (error: unknown) => error as { code: number; stdout: string; stderr: string },
      );
    const ok = await cli([specFiles.upstream, "--json"]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as CheckReport;
    expect(report).toMatchObject({ ok: true, operations: 1, passed: 1 });
    for (const stage of report.stages)
      expect(stage).toEqual({
        name: expect.any(String) as unknown,
        ok: true,
        ms: expect.any(Number) as unknown,
        ...(stage.notes && { notes: stage.notes }),
      });

    const dir = await scratchDir("spec-check-cli-");
    const broken = api(undefined);
    broken.servers = [{ url: "https://{region}.example.com" }]; // a variable the server does not define
    await writeFile(join(dir, "broken.json"), toJsonText(broken));
    const failed = await cli([join(dir, "broken.json"), "--generic", "--json"]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({
      ok: false,
      stages: expect.arrayContaining([expect.objectContaining({ name: "lint", ok: false })]) as unknown,
    });

    const usage = await cli(["--nope"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error: unknown option --nope$/m);
    expect(usage.stderr).toContain("usage: pnpm spec:check <file-or-url>");
    expect(usage.stderr).not.toMatch(/^\s+at /m);
  });
});
