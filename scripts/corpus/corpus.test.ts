// Every corpus document (scripts/corpus/documents.json, fetched from npm into a cache) through
// spec:check --generic. A document plain openapi-typescript + tsc types cleanly must pass every stage,
// every operation smoke-tested; one it cannot type must still fail with a stage and a reason (never a
// crash). CORPUS=ci runs the ciSample only; CORPUS=id,id a chosen few.
import { describe, expect, it } from "vitest";
import { cachedDocument, checkCorpusEntry, corpusList, type CorpusResult } from "../corpus.ts";
import type { OpenApiDocument } from "../lib/files.ts";
import { objectAt } from "../lib/json.ts";
import { toOpenApi31 } from "../lib/normalize.ts";
import { diffSpecs } from "../lib/spec-diff.ts";
import { readUpstream } from "../lib/source.ts";
import { differences, referenceConversion } from "./openapi-format-reference.ts";

const list = await corpusList();
const wanted = process.env.CORPUS === "ci" ? list.ciSample : process.env.CORPUS?.split(",");
const entries = wanted ? list.documents.filter((entry) => wanted.includes(entry.id)) : list.documents;

const cases = entries.map((entry) => [entry.id, entry] as const);

/** Each document read and normalized once, for the tests below that look at it in memory. */
const readings = new Map<string, Promise<{ doc: OpenApiDocument; normalized: OpenApiDocument }>>();
function reading(entry: (typeof entries)[number]) {
  let found = readings.get(entry.id);
  if (!found) {
    found = (async () => {
      const { doc } = await readUpstream(await cachedDocument(entry, list));
      return { doc, normalized: await toOpenApi31(doc) };
    })();
    readings.set(entry.id, found);
  }
  return found;
}

const describeFailure = (result: CorpusResult) => {
  const stage = result.check.stages.find((s) => !s.ok);
  const operations = result.check.failures.slice(0, 10).map((f) => `\n  ${f.operation}: ${f.reason}`);
  return `${result.id} failed at ${stage?.name}: ${stage?.error}${operations.join("")}`;
};

describe("spec:check --generic on real vendors' documents", () => {
  it("selects documents that exist in the list", () => {
    expect(entries.length).toBe(wanted?.length ?? list.documents.length);
  });

  it.each(cases)("%s", async (_, entry) => {
    const result = await checkCorpusEntry(entry, list);
    const total = result.check.ms;
    console.log(
      `${entry.id} (${result.version}, ${(result.bytes / 1e6).toFixed(1)} MB): spec:check ${result.check.ok ? "passed" : "failed"} ` +
        `${result.check.passed}/${result.check.operations} operations (${result.check.refused.length} refused) in ${total} ms; baseline ${result.baseline.ok ? `${result.baseline.ms} ms` : `fails: ${result.baseline.error}`}`,
    );
    if (result.baseline.ok) {
      expect(result.check.ok, describeFailure(result)).toBe(true);
      expect(result.check.passed + result.check.refused.length).toBe(result.check.operations);
    } else if (!result.check.ok) {
      const failed = result.check.stages.find((stage) => !stage.ok);
      expect(failed?.error, `${entry.id}: a failing stage names its reason`).toMatch(/\S/);
    }
  });
});

describe("the pipeline's 3.0 -> 3.1 conversion on real documents", () => {
  it.each(cases)(
    "%s: 3.0 converted as openapi-format converts it (extensions aside), 3.1 as it is",
    async (_, entry) => {
      const { doc, normalized: ours } = await reading(entry);
      if (doc.openapi.startsWith("3.1")) {
        // A 3.1 document passes through, save the patterns and typeless nullables every compiler reads alike.
        expect(differences(ours, doc).filter((at) => at !== "/paths" && !/\/(pattern|nullable)$/.test(at))).toEqual([]);
        return;
      }
      // The reference's output through toOpenApi31 again: the patterns and nullables pass it gets too.
      const reference = await toOpenApi31(await referenceConversion(structuredClone(doc)));
      expect(differences(ours, reference)).toEqual([]);
    },
  );
});

describe("spec:diff on real documents", () => {
  it.each(cases)("%s: no change against itself, a patch against itself with its info reworded", async (_, entry) => {
    const { normalized } = await reading(entry);
    expect(diffSpecs(normalized, structuredClone(normalized)).changes).toEqual([]);
    const reworded = structuredClone(normalized);
    reworded.info = { ...objectAt(reworded, "info"), title: "Reworded", description: "Reworded." };
    const result = diffSpecs(normalized, reworded);
    expect([result.bump, result.changes.map((change) => change.rule)]).toEqual(["patch", ["document-changed"]]);
  });
});
