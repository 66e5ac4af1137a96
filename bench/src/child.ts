// A node process run as a user runs it, measured: its wall time, its stdout, and its own peak resident
// set, which a preload (report-rss.cjs) reports on exit: the kernel's figure for that process, the same
// on every platform, with no sampling to miss a peak.
import { spawn } from "node:child_process";
import { join } from "node:path";

const reportRss = join(import.meta.dirname, "report-rss.cjs");

export interface Measured {
  ms: number;
  rssMb: number;
  stdout: string;
}

export async function measureNode(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Measured> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--require", reportRss, ...args], options);
  let stdout = "";
  // Only the end of stderr is kept: the preload writes last, and a command may log a lot before it.
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const ms = performance.now() - started;
  const rss = /maxRSS=(\d+)\s*$/.exec(stderr);
  if (code !== 0 || !rss) throw new Error(`node ${args.join(" ")} failed (${code}): ${stderr.slice(-500)}`);
  return { ms, rssMb: Number(rss[1]) / 1024, stdout };
}
