// spec:diff on GitHub's document (13 MB, 1 200 operations) against the time and memory it takes only to
// parse the two files, side by side in one run: each round runs `pnpm spec:diff --generic` as a
// maintainer does (tsx and all) and a node process that reads and JSON.parses both files, in a rotated
// order. Peak memory is each process's own maximum resident set (child.ts).
import { join } from "node:path";
import { documentOf, historyPairs } from "@parea-api/scripts/history.ts";
import { measureNode } from "./child.ts";
import { median } from "./rounds.ts";

const repoRoot = join(import.meta.dirname, "..", "..");

export interface SpecDiffResult {
  pair: string;
  bump: string;
  diffMs: number[];
  parseMs: number[];
  diffRssMb: number[];
  parseRssMb: number[];
}

export async function measureSpecDiff(pairId: string, rounds: number): Promise<SpecDiffResult> {
  const pair = (await historyPairs()).pairs.find((candidate) => candidate.id === pairId)!;
  const [before, after] = [await documentOf(pair.series, pair.before), await documentOf(pair.series, pair.after)];
  const diff = () =>
    measureNode(["--import", "tsx", join(repoRoot, "scripts", "spec-diff.ts"), "--generic", "--json", before, after], {
      cwd: repoRoot,
    });
  const parse = () =>
    measureNode(
      [
        "-e",
        `const fs = require("fs"); globalThis.kept = [${JSON.stringify(before)}, ${JSON.stringify(after)}].map((f) => JSON.parse(fs.readFileSync(f, "utf8")));`,
      ],
      { cwd: repoRoot },
    );
  const result: SpecDiffResult = { pair: pairId, bump: "", diffMs: [], parseMs: [], diffRssMb: [], parseRssMb: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [diff, parse] : [parse, diff];
    for (const run of order) {
      const { ms, rssMb, stdout } = await run();
      if (run === diff) {
        result.bump = (JSON.parse(stdout) as { bump: string }).bump;
        result.diffMs.push(ms);
        result.diffRssMb.push(rssMb);
      } else {
        result.parseMs.push(ms);
        result.parseRssMb.push(rssMb);
      }
    }
  }
  return result;
}

export function specDiffSection(r: SpecDiffResult): string[] {
  const ratios = r.diffMs.map((ms, i) => ms / r.parseMs[i]!);
  const memory = r.diffRssMb.map((mb, i) => mb / r.parseRssMb[i]!);
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
  return [
    `## spec:diff on GitHub's document (${r.pair}), against parsing both files`,
    "",
    "`pnpm spec:diff --generic --json` (tsx start-up, read, 3.0 -> 3.1 normalization, names, the diff, the",
    "report) and a node process that only reads and parses both files, alternating in each round. Target",
    "(issue 26): at most 3x the time and 3x the memory.",
    "",
    "| | spec:diff | parse both | ratio (median, range) |",
    "| --- | --- | --- | --- |",
    `| wall time | ${(median(r.diffMs) / 1000).toFixed(2)} s | ${(median(r.parseMs) / 1000).toFixed(2)} s | **${median(ratios).toFixed(2)}x** (${range(ratios)}) |`,
    `| peak RSS | ${median(r.diffRssMb).toFixed(0)} MB | ${median(r.parseRssMb).toFixed(0)} MB | **${median(memory).toFixed(2)}x** (${range(memory)}) |`,
    "",
    `Verdict: ${r.bump} (its breaking changes: scripts/history/expected/api.github.com/).`,
    "",
  ];
}
