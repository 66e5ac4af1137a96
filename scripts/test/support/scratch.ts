// Temporary directories for a test file, removed when its tests end: a `pnpm test` run leaves nothing
// behind in the system's temp directory (it used to leave ~40 per run, thousands on a CI runner's disk).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A new empty directory under the system's temp directory, named `<prefix>XXXXXX`. */
export async function scratchDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
