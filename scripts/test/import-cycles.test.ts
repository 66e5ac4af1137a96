// No import circles in packages/, scripts/ or bench/, type-only imports included (madge reads the
// TypeScript sources). A circle hides which module owns a decision and breaks partial imports.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import madge from "madge";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../lib/paths.ts";
import { scratchDir } from "./support/scratch.ts";

const cycles = async (dir: string) =>
  (
    await madge(dir, {
      fileExtensions: ["ts", "mts"],
      excludeRegExp: [/node_modules/, /generated/, /fixtures/, /\.d\.ts$/, /dist/],
      detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
    })
  ).circular();

describe("import graph", () => {
  it.each(["packages/client/src", "packages/cli/src", "scripts", "bench/src", "examples/internal-service/src"])(
    "%s has no import circles",
    async (dir) => {
      expect(await cycles(join(repoRoot, dir))).toEqual([]);
    },
  );

  it("the check sees a circle made of type-only imports", async () => {
    const dir = await scratchDir("parea-cycles-");
    await writeFile(join(dir, "a.ts"), 'import type { B } from "./b.js";\nexport type A = { b?: B };\n');
    await writeFile(join(dir, "b.ts"), 'import type { A } from "./a.js";\nexport type B = { a?: A };\n');
    expect(await cycles(dir)).toEqual([["a.ts", "b.ts"]]);
  });
});
