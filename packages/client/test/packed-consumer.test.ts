// The tarball a release would publish, installed into a fresh project outside the workspace.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const run = promisify(execFile);
const packageDir = join(import.meta.dirname, "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const baseUrl = inject("prismUrl");
let consumer: string;

/**
 * The oldest TypeScript the published types support (the README's "Supported runtimes"), and the
 * release before it, which fails inside openapi-fetch's own declarations: if that ever passes, the
 * floor can come down.
 */
const TYPESCRIPT_FLOOR = "5.4.5";
const TYPESCRIPT_BELOW_FLOOR = "5.3.3";

beforeAll(async () => {
  consumer = await mkdtemp(join(tmpdir(), "parea-consumer-"));
  await run("pnpm", ["pack", "--pack-destination", consumer], { cwd: packageDir });
  const tarball = (await readdir(consumer)).find((name) => name.endsWith(".tgz"))!;
  await cp(join(import.meta.dirname, "fixtures", "consumer"), consumer, { recursive: true });
  await writeFile(
    join(consumer, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { "@parea-api/client": `file:./${tarball}` },
      devDependencies: {
        "typescript-floor": `npm:typescript@${TYPESCRIPT_FLOOR}`,
        "typescript-below-floor": `npm:typescript@${TYPESCRIPT_BELOW_FLOOR}`,
      },
    }),
  );
  await run("pnpm", ["install", "--prefer-offline", "--ignore-workspace", "--config.confirmModulesPurge=false"], {
    cwd: consumer,
  });
});

afterAll(async () => {
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

describe("the packed @parea-api/client in a new project", () => {
  it("type-checks correct calls and rejects wrong ones under module nodenext", async () => {
    // Every wrong call carries @ts-expect-error: tsc fails if any of them compiles.
    const result: { stdout?: string; code?: number } = await run(process.execPath, [tsc, "-p", consumer]).catch(
      (error: unknown) => error as { stdout?: string; code?: number },
    );
    expect(result.stdout ?? "").toBe("");
    expect(result.code ?? 0).toBe(0);
  });

  it(`type-checks under the oldest supported TypeScript (${TYPESCRIPT_FLOOR}), skipLibCheck off`, async () => {
    const floor = join(consumer, "node_modules", "typescript-floor", "bin", "tsc");
    const result: { stdout?: string; code?: number } = await run(process.execPath, [floor, "-p", consumer]).catch(
      (error: unknown) => error as { stdout?: string; code?: number },
    );
    expect(result.stdout ?? "").toBe("");
    expect(result.code ?? 0).toBe(0);
  });

  it(`fails under the release before it (${TYPESCRIPT_BELOW_FLOOR}), in openapi-fetch's own declarations`, async () => {
    const below = join(consumer, "node_modules", "typescript-below-floor", "bin", "tsc");
    const result: { stdout?: string; code?: number } = await run(process.execPath, [below, "-p", consumer]).catch(
      (error: unknown) => error as { stdout?: string; code?: number },
    );
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/node_modules\/openapi-fetch\/dist\/index\.d\.[cm]?ts/);
  });

  it("records feedback from ESM with the x-api-key header and the right JSON", async () => {
    const { stdout } = await run(process.execPath, ["record.mjs", baseUrl], { cwd: consumer });
    const { sent, data } = JSON.parse(stdout) as { sent: unknown; data: unknown };
    expect(sent).toMatchObject({
      method: "POST",
      url: `${baseUrl}/api/parea/v1/feedback`,
      headers: { "x-api-key": "consumer-key", "content-type": "application/json" },
      body: { trace_id: "trace-from-consumer", score: 0.25, comment: "packed" },
    });
    expect(data).toBeNull();
  });

  it("delivers through the outbox from ESM, with a spool (the node condition's build)", async () => {
    const { stdout } = await run(process.execPath, ["outbox.mjs", baseUrl], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ delivered: 3, rejected: 0, dropped: 0, pending: 0 });
  });

  it("the CommonJS outbox recognises a client from the ESM build", async () => {
    const { stdout } = await run(process.execPath, ["outbox.cjs", baseUrl], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ invalid: true, delivered: 1, rejected: 0, dropped: 0, pending: 0 });
  });

  it("works from CommonJS and its errors keep their classes", async () => {
    const { stdout } = await run(process.execPath, ["record.cjs", baseUrl], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({
      thrown: "PareaInvalidRequestError",
      isInvalidRequest: true,
      isBase: true,
      issues: [{ path: "$.score", message: "must be <= 1" }],
    });
  });
});
