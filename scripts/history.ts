// The diff engine on real published history (scripts/history/pairs.json): each series' consecutive
// versions, fetched from npm into the corpus cache, compared as `pnpm spec:diff --generic` compares
// them. For each pair the reviewed expectation is committed (scripts/history/expected/): the release and
// every breaking change (rule, where, message), with a count per rule of the rest; any engine change that
// moves a verdict shows up as a diff to review (pnpm test:history -u rewrites them).
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { GENERIC_CONFIG } from "./lib/config.ts";
import { cachedPackageFile } from "./lib/npm-cache.ts";
import { repoRoot } from "./lib/paths.ts";
import type { SpecDiff } from "./lib/spec-diff.ts";
import { diffLocations } from "./spec-diff.ts";

interface Series {
  id: string;
  package: string;
  file: string;
  versions: string[];
}
interface HistoryList {
  series: Series[];
  ciSample: string[];
}

export interface HistoryPair {
  /** "api.github.com 22.0.0..23.0.0" */
  id: string;
  series: Series;
  before: string;
  after: string;
}

export const historyDir = join(repoRoot, "scripts", "history");

export async function historyPairs(): Promise<{ pairs: HistoryPair[]; ciSample: string[] }> {
  const list = JSON.parse(await readFile(join(historyDir, "pairs.json"), "utf8")) as HistoryList;
  const pairs = list.series.flatMap((series) =>
    series.versions.slice(1).map((after, i) => {
      const before = series.versions[i]!;
      return { id: `${series.id} ${before}..${after}`, series, before, after };
    }),
  );
  return { pairs, ciSample: list.ciSample };
}

export const documentOf = (series: Series, version: string) => cachedPackageFile(series.package, version, series.file);

/** What is committed for a pair: the release, each breaking change, and how many of each rule the rest are. */
export function expectation(result: SpecDiff) {
  const counts: Record<string, number> = {};
  for (const change of result.changes) counts[change.rule] = (counts[change.rule] ?? 0) + 1;
  return {
    bump: result.bump,
    counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))),
    breaking: result.changes
      .filter((change) => change.bump === "major")
      .map(({ rule, location, message, names }) => ({ rule, location, message, ...(names && { names }) }))
      .sort(
        (a, b) =>
          a.rule.localeCompare(b.rule) || a.location.localeCompare(b.location) || a.message.localeCompare(b.message),
      ),
  };
}

export interface PairResult {
  result: SpecDiff;
  ms: number;
  bytes: number;
}

/** One pair through spec:diff's own path, timed. */
export async function diffPair(pair: HistoryPair): Promise<PairResult> {
  const [before, after] = [await documentOf(pair.series, pair.before), await documentOf(pair.series, pair.after)];
  const bytes = (await stat(before)).size + (await stat(after)).size;
  const started = performance.now();
  const result = await diffLocations(before, after, { config: GENERIC_CONFIG });
  return { result, ms: Math.round(performance.now() - started), bytes };
}
