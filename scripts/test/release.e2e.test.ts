// Releasing for real: changesets version + publish from a scratch copy of the repository into a local
// Verdaccio, then new consumer projects install the published packages from it and call the API
// (Prism serving the spec from the *published* @parea-api/spec).
import { cp, readFile, writeFile, appendFile, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrism, type RunningPrism } from "../../packages/client/support/prism.mts";
import { at } from "../lib/json.ts";
import { createScratchRepo, mustRun } from "../support/scratch-repo.ts";
import { startVerdaccio, type RunningRegistry } from "./support/verdaccio.ts";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const fixtures = join(import.meta.dirname, "fixtures", "consumers");
let registry: RunningRegistry | undefined;
let prism: RunningPrism | undefined;
const cleanups: (() => Promise<void>)[] = [];
let repo: string;

async function changeset(name: string, bumps: Record<string, "minor" | "patch">, summary: string) {
  const header = Object.entries(bumps)
    .map(([pkg, bump]) => `"${pkg}": ${bump}`)
    .join("\n");
  await writeFile(join(repo, ".changeset", `${name}.md`), `---\n${header}\n---\n\n${summary}\n`);
}

async function published(name: string): Promise<string> {
  const response = await fetch(`${registry!.url}${name.replace("/", "%2f")}`);
  return ((await response.json()) as { "dist-tags": { latest: string } })["dist-tags"].latest;
}

/** A new project outside the repository that installs from the registry like a service would. */
async function consumer(packageJson: object, tsconfig?: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "parea-consumer-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, ...packageJson }));
  await writeFile(join(dir, ".npmrc"), registry!.npmrc);
  if (tsconfig) await writeFile(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  await cp(fixtures, dir, { recursive: true });
  await mustRun(
    "npm",
    ["install", "--no-audit", "--no-fund", "@parea-api/client@latest", "@parea-api/spec@latest"],
    dir,
  );
  return dir;
}

const compilerOptions = {
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  types: [],
  strict: true,
  outDir: "out",
  skipLibCheck: false,
};

beforeAll(async () => {
  registry = await startVerdaccio();
  const scratch = await createScratchRepo();
  cleanups.push(scratch.remove);
  repo = scratch.dir;
  await appendFile(join(repo, ".npmrc"), registry.npmrc);
  await changeset("first-release", { "@parea-api/spec": "minor", "@parea-api/client": "minor" }, "First release.");
  await mustRun("pnpm", ["version-packages"], repo);
  await mustRun("pnpm", ["release"], repo);
}, 300_000);

afterAll(async () => {
  await prism?.stop();
  await registry?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("release to a local registry", () => {
  it("publishes both packages at the version the changeset asked for, with a changelog", async () => {
    expect(await published("@parea-api/client")).toBe("0.2.0");
    expect(await published("@parea-api/spec")).toBe("0.2.0");
    expect(await readFile(join(repo, "packages/client/CHANGELOG.md"), "utf8")).toMatch(
      /## 0\.2\.0[\s\S]*First release\./,
    );
  });

  let esm: string;
  it("TypeScript, module nodenext: type-checks (wrong calls rejected) and records feedback", async () => {
    esm = await consumer(
      { type: "module" },
      { compilerOptions: { ...compilerOptions, module: "nodenext", moduleResolution: "nodenext" }, include: ["*.ts"] },
    );
    prism = await startPrism(join(esm, "node_modules/@parea-api/spec/dist/openapi.json"));
    await mustRun(process.execPath, [tsc, "-p", "."], esm);
    const out = await mustRun(process.execPath, ["out/record.js", prism.url], esm);
    expect(JSON.parse(out)).toEqual({ data: null, invalidIsTyped: true });
  });

  it("TypeScript, moduleResolution bundler: type-checks and records feedback", async () => {
    const dir = await consumer(
      { type: "module" },
      { compilerOptions: { ...compilerOptions, module: "preserve", moduleResolution: "bundler" }, include: ["*.ts"] },
    );
    await mustRun(process.execPath, [tsc, "-p", "."], dir);
    const out = await mustRun(process.execPath, ["out/record.js", prism!.url], dir);
    expect(JSON.parse(out)).toEqual({ data: null, invalidIsTyped: true });
  });

  it("plain CommonJS: require() works and records feedback", async () => {
    const dir = await consumer({});
    const out = await mustRun(process.execPath, ["record.cjs", prism!.url], dir);
    expect(JSON.parse(out)).toEqual({ data: null, invalidIsTyped: true });
  });

  it("the CLI installs from the registry, runs as `parea` and records feedback", async () => {
    expect(await published("@parea-api/cli")).toBe("0.2.0");
    const dir = await mkdtemp(join(tmpdir(), "parea-cli-user-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, "package.json"), JSON.stringify({ name: "cli-user", private: true }));
    await writeFile(join(dir, ".npmrc"), registry!.npmrc);
    await mustRun("npm", ["install", "--no-audit", "--no-fund", "@parea-api/cli@latest"], dir);
    const installed: unknown = JSON.parse(
      await readFile(join(dir, "node_modules/@parea-api/cli/package.json"), "utf8"),
    );
    expect(at(installed, "dependencies", "@parea-api/client")).toBe("0.2.0");
    const out = await mustRun(
      join(dir, "node_modules", ".bin", "parea"),
      ["--api-key", "k", "feedback", "record", "--trace-id", "t", "--score", "0.5", "--base-url", prism!.url],
      dir,
    );
    expect(JSON.parse(out)).toBeNull();
  });

  it("a minor changeset releases the next version and a consumer upgrades to it", async () => {
    await changeset("second-release", { "@parea-api/client": "minor" }, "Second release.");
    await mustRun("pnpm", ["version-packages"], repo);
    await mustRun("pnpm", ["release"], repo);
    expect(await published("@parea-api/client")).toBe("0.3.0");
    await mustRun("npm", ["install", "--no-audit", "--no-fund", "@parea-api/client@latest"], esm);
    const installed: unknown = JSON.parse(
      await readFile(join(esm, "node_modules/@parea-api/client/package.json"), "utf8"),
    );
    expect(at(installed, "version")).toBe("0.3.0");
    await mustRun(process.execPath, [tsc, "-p", "."], esm);
    expect(JSON.parse(await mustRun(process.execPath, ["out/record.js", prism!.url], esm))).toEqual({
      data: null,
      invalidIsTyped: true,
    });
  });
});
