// spec:check against plain openapi-typescript, side by side on the same documents in one run: the
// codegen stage against openapi-typescript alone, and the whole spec:check against openapi-typescript
// + tsc on its output (what a user gets without this pipeline). Corpus documents come from the cache
// (fetched from npm on first use).
import { join } from "node:path";
import { cachedDocument, corpusList, measureDocument, type CorpusResult } from "@parea-api/scripts/corpus.ts";

const repoRoot = join(import.meta.dirname, "..", "..");

export interface SpecCheckRow {
  document: string;
  operations: number;
  plainCodegenMs: number;
  codegenStageMs: number;
  plainWithTscMs: number;
  specCheckMs: number;
}

const row = (document: string, result: CorpusResult): SpecCheckRow => ({
  document,
  operations: result.check.operations,
  plainCodegenMs: result.baseline.codegenMs,
  codegenStageMs: result.check.stages.find((stage) => stage.name === "codegen")?.ms ?? NaN,
  plainWithTscMs: result.baseline.ms,
  specCheckMs: result.check.ms,
});

export async function measureSpecCheck(corpusIds: string[]): Promise<SpecCheckRow[]> {
  const rows = [
    row("Parea seed", await measureDocument(join(repoRoot, "spec", "upstream", "openapi.yaml"), "seed")),
    row(
      "Parea full spec",
      await measureDocument(join(repoRoot, "scripts", "test", "fixtures", "parea-openapi-full.yml"), "full"),
    ),
  ];
  const list = await corpusList();
  for (const id of corpusIds) {
    const entry = list.documents.find((candidate) => candidate.id === id)!;
    rows.push(row(id, await measureDocument(await cachedDocument(entry, list), id)));
  }
  return rows;
}
