// pnpm test:history: spec:diff on consecutive published documents (scripts/history/pairs.json), each
// verdict held to its reviewed expectation in scripts/history/expected/ (a file snapshot: `-u` rewrites
// it, and the diff is what a reviewer reads). HISTORY=ci runs the ciSample; HISTORY=id,id chosen pairs.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffPair, documentOf, expectation, historyDir, historyPairs } from "../history.ts";
import { GENERIC_CONFIG } from "../lib/config.ts";
import { diffLocations } from "../spec-diff.ts";

const { pairs, ciSample } = await historyPairs();
const wanted = process.env.HISTORY === "ci" ? ciSample : process.env.HISTORY?.split(",");
const selected = wanted ? pairs.filter((pair) => wanted.includes(pair.id)) : pairs;

describe("spec:diff on published history", () => {
  it("selects pairs that exist, at least 20 in all, from GitHub and two other vendors", () => {
    expect(selected.length).toBe(wanted?.length ?? pairs.length);
    expect(pairs.length).toBeGreaterThanOrEqual(20);
    expect(new Set(pairs.map((pair) => pair.series.id)).size).toBeGreaterThanOrEqual(3);
  });

  it.each(selected.map((pair) => [pair.id, pair] as const))("%s", async (_, pair) => {
    const { result, ms, bytes } = await diffPair(pair);
    const expected = expectation(result);
    console.log(
      `${pair.id} (${(bytes / 1e6).toFixed(1)} MB): ${result.bump ?? "no release"}, ${expected.breaking.length} breaking of ${result.changes.length} changes, ${ms} ms`,
    );
    await expect(`${JSON.stringify(expected, null, 1)}\n`).toMatchFileSnapshot(
      join(historyDir, "expected", pair.series.id, `${pair.before}..${pair.after}.json`),
    );
  });

  const latest = [...new Map(selected.map((pair) => [pair.series.id, pair])).values()];
  it.each(latest.map((pair) => [`${pair.series.id} ${pair.after}`, pair] as const))(
    "%s with only its info changed: a patch, never more",
    async (_, pair) => {
      const path = await documentOf(pair.series, pair.after);
      const doc = JSON.parse(await readFile(path, "utf8")) as {
        info: { title: string; version: string; description?: string };
      };
      const scratch = await mkdtemp(join(tmpdir(), "history-info-"));
      try {
        const edited = join(scratch, "edited.json");
        doc.info = { ...doc.info, version: "99.0.0", title: `${doc.info.title} (renamed)`, description: "Reworded." };
        await writeFile(edited, JSON.stringify(doc));
        const result = await diffLocations(path, edited, { config: GENERIC_CONFIG });
        expect(result.bump).toBe("patch");
        expect(new Set(result.changes.map((change) => change.rule))).toEqual(new Set(["document-changed"]));
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  );
});
