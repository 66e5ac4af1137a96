// pnpm spec:diff <old> <new>: classify and list the changes between two OpenAPI documents. Writes
// nothing. Both sides go through the same overlay + 3.1 normalization as a real update (normalize), unless
// --raw, so the comparison is of what the client would be generated from.
import { parseArgs } from "node:util";
import { normalize } from "./build-spec.ts";
import { runCli, SpecPipelineError } from "./lib/errors.ts";
import { toOpenApi31 } from "./lib/normalize.ts";
import { readUpstream } from "./lib/source.ts";
import { diffSpecs, renderSummary } from "./lib/spec-diff.ts";

/** A location as the client would see it: overlay applied and normalized (or just normalized if raw). */
export async function normalizedFrom(location: string, raw: boolean) {
  const { doc } = await readUpstream(location);
  return raw ? toOpenApi31(doc) : normalize(doc);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { raw: { type: "boolean", default: false } },
  });
  if (positionals.length !== 2)
    throw new SpecPipelineError("usage: pnpm spec:diff <old-file-or-url> <new-file-or-url> [--raw]");
  const [before, after] = await Promise.all(positionals.map((location) => normalizedFrom(location, values.raw)));
  console.log(renderSummary(diffSpecs(before!, after!)));
}

if (process.argv[1] === import.meta.filename) runCli(main);
