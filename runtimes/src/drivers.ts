// Running the scenario on one runtime and getting its results back: a script run by the runtime's
// binary (Node, Bun, Deno), the Worker bundle served by workerd from a plain capnp config, or the page
// bundle loaded in headless Chromium through playwright-core.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@parea-api/scripts/support/ports.ts";
import type { Bundle, Prepared } from "./prepare.ts";
import type { Runtime } from "./runtimes.ts";
import { startPage } from "./server.ts";

const run = promisify(execFile);

export interface StepResult {
  step: string;
  ok: boolean;
  detail?: Record<string, unknown>;
  error?: string;
}

async function asScript(runtime: Runtime, bin: string, prepared: Prepared, base: string): Promise<StepResult[]> {
  const spoolDir = await mkdtemp(join(prepared.work, `${runtime.id}-spool-`));
  const [command, ...args] = runtime.command!(bin, join(prepared.consumer, "run.mjs"), [base, spoolDir]);
  const { stdout } = await run(command!, args, { cwd: prepared.consumer, timeout: 90_000, maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as StepResult[];
}

async function asWorker(bin: string, bundle: Bundle, prepared: Prepared, base: string): Promise<StepResult[]> {
  const port = await freePort();
  const config = join(prepared.work, "workerd.capnp");
  // The Worker reaches the loopback API through a network service that allows local addresses. An
  // embed path is read relative to the config (workerd refuses absolute ones).
  await writeFile(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .scenario),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const scenario :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "${relative(dirname(config), bundle.file)}")],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
);
`,
  );
  const child = spawn(bin, ["serve", config], { cwd: prepared.work, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (let tries = 0; ; tries++) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/?base=${encodeURIComponent(base)}`);
        if (!response.ok) throw new Error(`the Worker answered ${response.status}: ${await response.text()}`);
        return (await response.json()) as StepResult[];
      } catch (error) {
        if (tries >= 100 || child.exitCode !== null) throw new Error(`${String(error)}; workerd said: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    child.kill();
  }
}

async function inBrowser(bin: string, bundle: Bundle, base: string): Promise<StepResult[]> {
  const { chromium } = await import("playwright-core");
  const page = await startPage(await readFile(bundle.file, "utf8"));
  const browser = await chromium.launch({ executablePath: bin, args: ["--no-sandbox"] });
  const errors: string[] = [];
  try {
    const tab = await browser.newPage();
    tab.on("pageerror", (error) => errors.push(String(error)));
    await tab.goto(`${page.url}/?base=${encodeURIComponent(base)}`);
    await tab.waitForFunction(() => "results" in window, undefined, { timeout: 30_000 });
    return await tab.evaluate(() => (window as unknown as { results: Promise<StepResult[]> }).results);
  } catch (error) {
    throw new Error(`${String(error)}; page errors: ${errors.join("; ")}`);
  } finally {
    await browser.close();
    await page.close();
  }
}

/** The scenario's results on one runtime, against `base` (the API's URL plus the runtime's prefix). */
export async function runScenario(
  runtime: Runtime,
  bin: string,
  prepared: Prepared,
  base: string,
): Promise<StepResult[]> {
  if (runtime.kind === "script") return asScript(runtime, bin, prepared, base);
  const bundle = prepared.bundles[runtime.kind];
  if ("error" in bundle) throw new Error(bundle.error);
  return runtime.kind === "worker" ? asWorker(bin, bundle, prepared, base) : inBrowser(bin, bundle, base);
}
