// What each published package's tarball holds, packed exactly as a release would pack it.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { at, objectAt, stringAt, type JsonObject } from "../lib/json.ts";
import { repoRoot } from "../lib/paths.ts";
import { mustRun } from "../support/scratch-repo.ts";

const scratch = await mkdtemp(join(tmpdir(), "parea-pack-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function pack(packageDir: string): Promise<{ files: string[]; manifest: string }> {
  const out = join(scratch, packageDir.replace(/\W/g, "-"));
  await mustRun("pnpm", ["pack", "--pack-destination", out], join(repoRoot, packageDir));
  const [tarball] = await readdir(out);
  const files = (await mustRun("tar", ["-tzf", join(out, tarball!)], out))
    .trim()
    .split("\n")
    .map((f) => f.replace(/^package\//, ""));
  const manifest = await mustRun("tar", ["-xzOf", join(out, tarball!), "package/package.json"], out);
  return { files: files.sort(), manifest };
}

describe("the client's main entry", () => {
  it("does not carry the test double or the tools' table (./testing, ./operations)", async () => {
    const dist = join(repoRoot, "packages", "client", "dist");
    const seen = new Set<string>();
    const visit = async (file: string): Promise<string> => {
      if (seen.has(file)) return "";
      seen.add(file);
      const code = await readFile(join(dist, file), "utf8");
      // Static imports only: the operation table behind the raw verbs is a dynamic import().
      const imports = [...code.matchAll(/^import [^;]*? from "\.\/([^"]+)";$/gm)].map((m) => m[1]!);
      return code + (await Promise.all(imports.map(visit))).join("");
    };
    for (const entry of ["index.mjs", "index.node.mjs"]) {
      seen.clear();
      const shipped = await visit(entry);
      expect(shipped).toContain("createPareaClient");
      for (const marker of ["createFakeParea", "Not authenticated", "defaultReplies", "requestFields", "createOutbox"])
        expect(shipped, `${entry} carries ${marker}`).not.toContain(marker);
    }
  });
});

describe.each([
  [
    "packages/client",
    // tsup's ESM code splitting adds shared chunks and the lazily loaded operation table.
    /^(dist\/[\w.-]+\.(mjs|cjs|d\.mts|d\.ts)(\.map)?|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/,
    [
      ...["dist/index.mjs", "dist/index.cjs", "dist/index.d.mts", "dist/index.d.ts"],
      ...["dist/index.node.mjs", "dist/index.node.cjs", "dist/index.node.d.mts", "dist/index.node.d.ts"],
      ...["dist/outbox.mjs", "dist/outbox.cjs", "dist/outbox.node.mjs", "dist/outbox.node.cjs"],
    ],
  ],
  ["packages/cli", /^(dist\/bin\.mjs(\.map)?|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/, ["dist/bin.mjs"]],
  [
    "spec",
    /^(upstream\/openapi\.yaml|dist\/openapi\.json|operations\.lock\.json|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/,
    ["upstream/openapi.yaml", "dist/openapi.json", "operations.lock.json"],
  ],
])("%s tarball", (dir, allowed, required) => {
  it("holds only what consumers need", async () => {
    const { files } = await pack(dir);
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([...required, "package.json", "README.md", "LICENSE"]));
  });

  it("leaks no workspace: ranges", async () => {
    const { manifest } = await pack(dir);
    expect(manifest).not.toContain("workspace:");
    expect(at(JSON.parse(manifest), "private")).toBeUndefined();
  });

  it("publishes a package.json without dev-only fields, with the metadata npm and provenance read", async () => {
    const manifest = JSON.parse((await pack(dir)).manifest) as JsonObject;
    // .pnpmfile.cjs (beforePacking) strips them from the tarball only; the file on disk keeps them.
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.repository).toEqual({
      type: "git",
      url: expect.stringMatching(/^git\+https:\/\//) as unknown,
      directory: dir,
    });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(stringAt(manifest, "bugs", "url")).toMatch(/^https:\/\//);
    expect(manifest.keywords).toEqual(expect.arrayContaining(["parea", "openapi"]));
    const onDisk: unknown = JSON.parse(await readFile(join(repoRoot, dir, "package.json"), "utf8"));
    expect(Object.keys(objectAt(onDisk, "devDependencies") ?? {}).length).toBeGreaterThan(0);
  });
});
