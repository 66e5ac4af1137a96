// Files from published npm packages, for the suites that run the pipeline on real vendors' documents
// (the corpus: scripts/corpus/, the history: scripts/history/). Each package version is fetched once
// with `npm pack` (the registry is the only network these suites use) into a cache outside the
// repository, and the files asked for are extracted beside it; nothing is committed.
import { execFile } from "node:child_process";
import { access, mkdir, rename } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** PAREA_CORPUS_CACHE, else ~/.cache/parea-api-corpus (CI workflows cache this directory). */
export const cacheDir = () => process.env.PAREA_CORPUS_CACHE ?? join(homedir(), ".cache", "parea-api-corpus");

/** The path of `file` inside `pkg@version`, fetching and extracting it on first use. */
export async function cachedPackageFile(pkg: string, version: string, file: string): Promise<string> {
  const root = join(cacheDir(), `${pkg.replace("/", "+")}@${version}`);
  const path = join(root, "package", file);
  if (await exists(path)) return path;
  await mkdir(root, { recursive: true });
  const tarball = join(root, "package.tgz");
  if (!(await exists(tarball))) {
    const { stdout } = await run("npm", ["pack", `${pkg}@${version}`, "--pack-destination", root, "--silent"], {
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(join(root, stdout.trim().split("\n").at(-1)!), tarball);
  }
  await run("tar", ["-xzf", tarball, "-C", root, `package/${file}`]);
  return path;
}
