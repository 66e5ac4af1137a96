// Starts Prism, a spec-validating mock server, on 127.0.0.1 from the normalized spec. Shared by the
// contract tests and `pnpm demo`, so both exercise the same server the same way.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

export const normalizedSpecPath = require.resolve("@parea-api/spec/openapi.json");

export interface RunningPrism {
  /** Server root, e.g. http://127.0.0.1:41234 */
  url: string;
  stop(): Promise<void>;
}

/**
 * Prism loads a large module graph before it listens: ~3 s on an idle machine, but CI runs every
 * package's tests at once on two cores, and a start that timed out there failed the whole client suite
 * (its global setup) with no test run. So the wait is generous, and a Prism that exited is started once more.
 */
export async function startPrism(specPath = normalizedSpecPath, timeoutMs = 120_000): Promise<RunningPrism> {
  try {
    return await startPrismOnce(specPath, timeoutMs);
  } catch (error) {
    if (!(error instanceof PrismExited)) throw error;
    return startPrismOnce(specPath, timeoutMs);
  }
}

class PrismExited extends Error {}

async function startPrismOnce(specPath: string, timeoutMs: number): Promise<RunningPrism> {
  const cliPackage = require.resolve("@stoplight/prism-cli/package.json");
  const bin = (require(cliPackage) as { bin: Record<string, string> }).bin.prism!;
  const child = spawn(
    process.execPath,
    [join(dirname(cliPackage), bin), "mock", specPath, "-h", "127.0.0.1", "-p", "0"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    function fail(why: string, exited = false) {
      clearTimeout(timer);
      const message = `Prism ${why}. Its output:\n${output}`;
      reject(exited ? new PrismExited(message) : new Error(message));
    }
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Prism is listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => fail(`exited with code ${code}`, true));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, stop };
}
