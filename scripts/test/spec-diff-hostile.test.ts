// spec:diff (and spec:update and spec:watch, which read documents the same way) on hostile input: a
// schema nested 1 000 levels deep and a YAML alias to its own ancestor are one `error:` line and exit 1,
// never a stack trace; a document whose keys are merely reordered is no change at all.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildSpec } from "../build-spec.ts";
import { runCli, SpecPipelineError } from "../lib/errors.ts";
import { assertTree, MAX_DOCUMENT_DEPTH, type OpenApiDocument } from "../lib/files.ts";
import { diffSpecs } from "../lib/spec-diff.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spec-diff-hostile-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ["--import", "tsx", "spec-diff.ts", ...args],
      { cwd: join(import.meta.dirname, "..") },
      (error, stdout, stderr) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
    ),
  );

/** A document whose request body schema nests `levels` objects deep, ending in `leaf`. */
function nested(levels: number, leaf: object): OpenApiDocument {
  let schema: object = leaf;
  for (let i = 0; i < levels; i++) schema = { type: "object", properties: { a: schema } };
  const body = { content: { "application/json": { schema } } };
  return {
    openapi: "3.1.0",
    info: { title: "deep", version: "1" },
    paths: { "/x": { post: { requestBody: body, responses: { "200": { description: "ok" } } } } },
  };
}

/** The same document with the keys of every object in reverse order (arrays as they are). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reversedKeys(inner)]),
  );
}

describe("spec:diff on hostile documents", () => {
  it("a schema nested 1 000 levels deep (a 37 KB document): one error line, exit 1", async () => {
    const file = join(dir, "deep.json");
    await writeFile(file, JSON.stringify(nested(1_000, { type: "string" })));
    const { code, stdout, stderr } = await run("--raw", file, file);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(
      new RegExp(`^error: .*deep.json nests deeper than ${MAX_DOCUMENT_DEPTH} levels at #/paths/~1x/`),
    );
  });

  it("a 14-line YAML whose alias refers to its own ancestor: one error line naming where, exit 1", async () => {
    const file = join(dir, "alias.yaml");
    await writeFile(
      file,
      [
        "openapi: 3.1.0",
        "info:",
        "  title: t",
        '  version: "1"',
        "paths:",
        "  /x:",
        "    post:",
        "      requestBody:",
        "        content:",
        "          application/json:",
        "            schema: &s",
        "              type: object",
        "              properties:",
        "                a: *s",
      ].join("\n"),
    );
    const { code, stderr } = await run("--raw", file, file);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `error: ${file} refers to itself through a YAML alias at #/paths/~1x/post/requestBody/content/application~1json/schema/properties/a: a document must be a tree`,
    ]);
  });

  it("nesting within the limit still diffs: a change 120 objects down is found", () => {
    const before = nested(120, { type: "string" });
    const after = nested(120, { type: "integer" });
    expect(() => assertTree(before, "before")).not.toThrow();
    const result = diffSpecs(before, after);
    expect(result.bump).toBe("major");
    expect(result.changes[0]!.message).toMatch(/type changed from `string` to `integer`/);
  });

  it("shared subtrees (plain aliases) are fine, and are walked once", () => {
    const shared = { type: "string" };
    const doc = {
      openapi: "3.1.0",
      paths: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`/p${i}`, { a: shared, b: shared }])),
    };
    expect(() => assertTree(doc, "shared")).not.toThrow();
  });

  it("any other stack overflow is still one error line and exit 1, not a trace", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const before = process.exitCode;
    const recurse = (n: number): number => recurse(n + 1) + 1;
    runCli(() => Promise.resolve().then(() => void recurse(0)));
    await vi.waitFor(() => expect(errors).toHaveBeenCalled());
    expect(errors.mock.calls).toEqual([["error: the document is nested too deeply to process"]]);
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
    errors.mockRestore();
    expect(new SpecPipelineError("x").name).toBe("SpecPipelineError");
  });
});

describe("spec:diff: key order means nothing", () => {
  it("the full vendor document against itself with every object's keys reversed: no change", async () => {
    const full = await buildSpec(new URL("fixtures/parea-openapi-full.yml", import.meta.url).pathname);
    const reordered = reversedKeys(full) as OpenApiDocument;
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(full)[0]);
    const result = diffSpecs(full, reordered);
    expect(result.changes).toEqual([]);
    expect(result.bump).toBeNull();
  });

  it("from the command line too: info's keys reordered is not 'info changed'", async () => {
    const info = { title: "t", version: "1", description: "d" };
    const paths = { "/x": { get: { responses: { "200": { description: "ok" } } } } };
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    await writeFile(a, JSON.stringify({ openapi: "3.1.0", info, paths }));
    await writeFile(
      b,
      JSON.stringify({ paths, info: { description: "d", version: "1", title: "t" }, openapi: "3.1.0" }),
    );
    const { code, stdout } = await run("--raw", a, b);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/info changed/);
    expect(stdout).toMatch(/No changes/);
  });
});
