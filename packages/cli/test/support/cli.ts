// Runs the built `parea` bin as a user would, against servers on 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const bin = join(import.meta.dirname, "..", "..", "dist", "bin.mjs");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {},
) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PAREA_API_KEY: "cli-key",
    NO_COLOR: "1",
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)),
    cwd: options.cwd,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(options.input ?? "");
  const done = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export const cli = (args: string[], options?: Parameters<typeof startCli>[1]) => startCli(args, options).done;
