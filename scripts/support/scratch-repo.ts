// Test support shared by scripts' end-to-end tests and bench/ (as @parea-api/scripts/support/...): a
// throwaway copy of this repository (its tracked and new files), installed from the local pnpm store,
// for tests that run the maintainers' real commands without touching the repo.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../lib/paths.ts";

const exec = promisify(execFile);
export const testEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0", NO_COLOR: "1" };

export interface CommandResult {
  code: number;
  out: string;
}

/** Run a command; never throws, so tests can assert on failures too. */
export async function run(command: string, args: string[], cwd: string): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env: testEnv, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const { code, stdout = "", stderr = "" } = error as { code: number; stdout?: string; stderr?: string };
    return { code: typeof code === "number" ? code : 1, out: stdout + stderr };
  }
}

/** Like run, but a failure throws with the command's output. */
export async function mustRun(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${result.code} in ${cwd}:\n${result.out}`);
  return result.out;
}

export async function createScratchRepo(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "parea-repo-"));
  const files = (await mustRun("git", ["ls-files", "-co", "--exclude-standard", "-z"], repoRoot))
    .split("\0")
    .filter(Boolean);
  await mustRun("tar", ["-cf", join(dir, "repo.tar"), ...files], repoRoot);
  await mustRun("tar", ["-xf", "repo.tar"], dir);
  await rm(join(dir, "repo.tar"));
  // A git repository of its own: changesets tags releases.
  await mustRun("git", ["init", "-q", "-b", "main"], dir);
  await mustRun("git", ["add", "-A"], dir);
  await mustRun("git", ["-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-qm", "scratch"], dir);
  await mustRun("pnpm", ["install", "--prefer-offline", "--frozen-lockfile"], dir);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
