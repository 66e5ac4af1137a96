// pnpm test:runtimes: the same packed tarballs on every runtime the README names. Each runs the
// contract scenario (fixtures/scenario.mjs) against the loopback API; a failure names the runtime
// and the step. Where the runtime has a file system, the parea CLI imports 1 000 rows, and an
// import interrupted mid-way is resumed.
import { execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { STEPS } from "../fixtures/steps.mjs";
import { runScenario, type StepResult } from "../src/drivers.ts";
import type { Bundle } from "../src/prepare.ts";
import { RUNTIMES, type Runtime } from "../src/runtimes.ts";
import { startApi, type Api } from "../src/server.ts";

const run = promisify(execFile);
const prepared = inject("prepared");
let api: Api;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const ENTRIES = {
  node: { client: "index.node.mjs", outbox: "outbox.node.mjs", testing: "testing.node.mjs" },
  default: { client: "index.mjs", outbox: "outbox.mjs", testing: "testing.mjs" },
};

/** The runtime resolved the build it should: asked of the runtime itself, or of the bundler that built for it. */
function checkEntry(runtime: Runtime, detail: StepResult["detail"]): void {
  const expected = ENTRIES[runtime.entry];
  if (runtime.kind === "script") {
    for (const [subpath, file] of Object.entries(expected))
      expect(String(detail?.[subpath]), `${runtime.label} resolved ${subpath}`).toMatch(
        new RegExp(`/@parea-api/client/dist/${file.replace(".", "\\.")}$`),
      );
    return;
  }
  const { inputs } = prepared.bundles[runtime.kind] as Bundle;
  const ours = inputs.filter((input) => input.includes("@parea-api/client/dist/"));
  for (const file of Object.values(expected))
    expect(ours, `${runtime.label}'s bundle takes in dist/${file}`).toContainEqual(
      expect.stringMatching(`/dist/${file}$`),
    );
  expect(
    ours.filter((input) => input.includes(".node.")),
    `${runtime.label}'s bundle takes no node build`,
  ).toEqual([]);
}

function rows(file: string, prefix: string, count: number) {
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ trace_id: `${prefix}-${i}`, score: 1 }));
  return writeFile(file, `${lines.join("\n")}\n`);
}

describe.each(RUNTIMES)("$label", (runtime) => {
  let results: StepResult[] = [];
  let failure: string | undefined;
  const installed = () => prepared.runtimes[runtime.id]!;
  const bin = () => ("bin" in installed() ? (installed() as { bin: string }).bin : "");

  beforeAll(async () => {
    const got = installed();
    if ("error" in got) return void (failure = got.error);
    try {
      results = await runScenario(runtime, got.bin, prepared, `${api.url}/${runtime.id}`);
    } catch (error) {
      failure = `${runtime.label}: the scenario did not run: ${(error as Error).message}`;
    }
  }, 180_000);

  it.each(STEPS)("%s", (step: string) => {
    expect(failure, failure).toBeUndefined();
    const result = results.find((r) => r.step === step);
    expect(result, `${runtime.label}: step "${step}" was not reported`).toBeDefined();
    expect(result!.ok, `${runtime.label}: step "${step}" failed: ${result!.error}`).toBe(true);
    if (step === "entry") checkEntry(runtime, result!.detail);
  });

  if (runtime.kind !== "script") return;
  const cli = (args: string[]) => runtime.command!(bin(), prepared.cliBin, args);
  const env = { ...process.env, PAREA_API_KEY: "runtime-key" };

  it("parea feedback import: 1 000 rows", async () => {
    expect(failure, failure).toBeUndefined();
    const file = join(prepared.work, `${runtime.id}-rows.jsonl`);
    await rows(file, `${runtime.id}-import`, 1_000);
    const [command, ...args] = cli(["feedback", "import", file, "--base-url", `${api.url}/${runtime.id}/cli`]);
    const { stderr } = await run(command!, args, { cwd: prepared.work, env, timeout: 120_000 }).catch(
      (error: unknown) => {
        const { stderr, message } = error as { stderr?: string; message: string };
        throw new Error(`${runtime.label}: parea feedback import failed: ${stderr ?? message}`);
      },
    );
    const sent = new Set(api.bodies(`${runtime.id}/cli`).map((body) => (body as { trace_id: string }).trace_id));
    expect(sent.size, `${runtime.label}: rows delivered (stderr: ${stderr})`).toBe(1_000);
  });

  it("an interrupted import, resumed", async () => {
    expect(failure, failure).toBeUndefined();
    const file = join(prepared.work, `${runtime.id}-resume.jsonl`);
    await rows(file, `${runtime.id}-resume`, 1_000);
    const key = `${runtime.id}/slow`;
    const [command, ...args] = cli([
      "feedback",
      "import",
      file,
      "--base-url",
      `${api.url}/${key}`,
      "--concurrency",
      "4",
    ]);
    const child = spawn(command!, args, { cwd: prepared.work, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 600 && api.bodies(key).length < 200; i++) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    const code = await exited;
    expect(code, `${runtime.label}: an interrupted import exits 130 (stderr: ${stderr})`).toBe(130);
    const before = api.bodies(key).length;
    expect(before, `${runtime.label}: interrupted before the end`).toBeLessThan(1_000);
    await run(command!, [...args, "--resume"], { cwd: prepared.work, env, timeout: 120_000 }).catch(
      (error: unknown) => {
        const { stderr, message } = error as { stderr?: string; message: string };
        throw new Error(`${runtime.label}: parea feedback import --resume failed: ${stderr ?? message}`);
      },
    );
    const ids = api.bodies(key).map((body) => (body as { trace_id: string }).trace_id);
    expect(new Set(ids).size, `${runtime.label}: every row delivered after --resume`).toBe(1_000);
    // Only rows in flight at the interrupt may go twice.
    expect(ids.length - 1_000, `${runtime.label}: rows sent twice`).toBeLessThanOrEqual(4);
  });
});
