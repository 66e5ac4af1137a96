// A real npm registry (Verdaccio) on 127.0.0.1 with temporary storage, no uplinks and anonymous
// publish, started as a child process and stopped by its pid.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort } from "../../support/ports.ts";

export interface RunningRegistry {
  url: string;
  /** .npmrc lines that send only the @parea-api scope here (with the token npm publish insists on). */
  npmrc: string;
  stop(): Promise<void>;
}

export async function startVerdaccio(timeoutMs = 30_000): Promise<RunningRegistry> {
  const home = await mkdtemp(join(tmpdir(), "parea-verdaccio-"));
  const config = join(home, "config.yaml");
  await writeFile(
    config,
    [
      `storage: ${join(home, "storage")}`,
      "uplinks: {}",
      "packages:",
      '  "**":',
      "    access: $all",
      "    publish: $anonymous",
      "log: { type: stdout, format: pretty, level: warn }",
    ].join("\n"),
  );
  const port = await freePort();
  const pkg = createRequire(import.meta.url).resolve("verdaccio/package.json");
  const child = spawn(
    process.execPath,
    [join(dirname(pkg), "bin", "verdaccio"), "--config", config, "--listen", `127.0.0.1:${port}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGTERM");
    await exited;
    await rm(home, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Verdaccio exited (${child.exitCode}):\n${output}`);
    }
    if (
      await fetch(`${url}-/ping`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Verdaccio did not answer within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, npmrc: `@parea-api:registry=${url}\n//127.0.0.1:${port}/:_authToken=release-test\n`, stop };
}
