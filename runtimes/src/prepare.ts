// What every runtime's run starts from, made once (the global setup): the packed tarballs (what users
// install, not the workspace sources) installed into a fresh consumer project with the scenario
// files; the Worker and page bundles built from that project by esbuild, with the list of files each
// took in (to assert which entry the bundler resolved); and each runtime installed or found in the cache.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { ensureRuntime, RUNTIMES } from "./runtimes.ts";

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "..", "..");
const fixtures = join(import.meta.dirname, "..", "fixtures");

export interface Bundle {
  file: string;
  /** The package files esbuild took in (paths under node_modules). */
  inputs: string[];
}

export interface Prepared {
  work: string;
  consumer: string;
  /** The installed CLI's bin file. */
  cliBin: string;
  /** Runtime id -> its binary and version, or why it could not be had. */
  runtimes: Record<string, { bin: string; version: string } | { error: string }>;
  /** The Worker and page bundles, or why esbuild could not build one (that runtime's steps then fail). */
  bundles: { worker: Bundle | { error: string }; browser: Bundle | { error: string } };
}

async function pack(dir: string, destination: string): Promise<string> {
  const before = new Set(await readdir(destination));
  await run("pnpm", ["pack", "--pack-destination", destination], { cwd: join(repoRoot, dir) });
  const tarball = (await readdir(destination)).find((name) => name.endsWith(".tgz") && !before.has(name));
  if (!tarball) throw new Error(`pnpm pack in ${dir} wrote no tarball`);
  return tarball;
}

async function bundle(
  consumer: string,
  entry: string,
  outfile: string,
  conditions: string[],
): Promise<Bundle | { error: string }> {
  const result = await build({
    entryPoints: [join(consumer, entry)],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions,
    outfile,
    metafile: true,
    logLevel: "silent",
  }).catch((error: unknown) => error as Error);
  if (result instanceof Error) return { error: `esbuild could not bundle ${entry}: ${result.message}` };
  const inputs = Object.keys(result.metafile.inputs).filter((input) => input.includes("node_modules"));
  return { file: outfile, inputs };
}

export async function prepare(): Promise<Prepared> {
  const work = await mkdtemp(join(tmpdir(), "parea-runtimes-"));
  const consumer = join(work, "consumer");
  await mkdir(consumer);
  const [client, cli] = [await pack("packages/client", work), await pack("packages/cli", work)];
  const dependency = { "@parea-api/client": `file:../${client}`, "@parea-api/cli": `file:../${cli}` };
  await writeFile(
    join(consumer, "package.json"),
    JSON.stringify({
      name: "runtime-consumer",
      private: true,
      type: "module",
      dependencies: dependency,
      // The CLI's tarball names the client by version: the packed one, not the registry's.
      overrides: { "@parea-api/client": "$@parea-api/client" },
    }),
  );
  for (const file of ["scenario.mjs", "steps.mjs", "run.mjs", "worker.mjs", "browser.mjs"])
    await copyFile(join(fixtures, file), join(consumer, file));
  const installing = run("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock"], {
    cwd: consumer,
    maxBuffer: 1 << 26,
  });
  const runtimes: Prepared["runtimes"] = {};
  const installingRuntimes = Promise.all(
    RUNTIMES.map(async (runtime) => {
      runtimes[runtime.id] = await ensureRuntime(runtime).catch((error: unknown) => ({
        error: (error as Error).message,
      }));
    }),
  );
  await installing;
  const bundles = {
    // What wrangler resolves for a Worker: the workerd and worker conditions, then the browser's.
    worker: await bundle(consumer, "worker.mjs", join(work, "worker.bundle.mjs"), ["workerd", "worker", "browser"]),
    browser: await bundle(consumer, "browser.mjs", join(work, "browser.bundle.mjs"), ["browser"]),
  };
  await installingRuntimes;
  return {
    work,
    consumer,
    cliBin: join(consumer, "node_modules", "@parea-api", "cli", "dist", "bin.mjs"),
    runtimes,
    bundles,
  };
}
