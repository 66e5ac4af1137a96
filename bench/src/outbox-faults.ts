// The outbox against a flaky API and an outage (issue 24), side by side in one run:
// - drain: items/s of an outbox process emptying its queue against a loopback API that answers a random
//   5 % with 503, next to the same against one that never fails, alternating, same concurrency. Two
//   figures: items/s until 99 % were delivered (the throughput a steady inflow meets), and the whole
//   drain (which also waits out the last items' own backoff: an item failing three times in a row waits
//   0.5 + 1 + 2 s, and at 5 % about one in 8 000 does). Target: at least 0.8x the fault-free drain.
// - outage: every request answered 503 for 10 s: the requests the API sees, and whether after the first
//   failures they come one at a time, each a backoff step after the last (target: no more than one
//   probe per step).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { startLoopbackServer } from "./loopback.ts";

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, "outbox-child.mjs");

export interface FlakyDrain {
  items: number;
  concurrency: number;
  /** Per round, items/s: until 99 % delivered and for the whole drain, fault-free and with 5 % 503s. */
  clean: { t99: number[]; total: number[] };
  flaky: { t99: number[]; total: number[]; retried: number[] };
}

export async function measureFlakyDrain({
  items,
  rounds,
  concurrency,
}: {
  items: number;
  rounds: number;
  concurrency: number;
}): Promise<FlakyDrain> {
  const clean = await startLoopbackServer("ok");
  const flaky = await startLoopbackServer("flaky:0.05");
  const result: FlakyDrain = {
    items,
    concurrency,
    clean: { t99: [], total: [] },
    flaky: { t99: [], total: [], retried: [] },
  };
  const drain = async (url: string) => {
    const { stdout } = await run(process.execPath, [CHILD, "timed", url, String(concurrency), String(items)]);
    const { t99Ms, totalMs, retried } = JSON.parse(stdout) as { t99Ms: number; totalMs: number; retried: number };
    return { t99: (items * 0.99) / (t99Ms / 1000), total: items / (totalMs / 1000), retried };
  };
  try {
    for (let round = 0; round < rounds; round++)
      for (const which of round % 2 ? ["flaky", "clean"] : ["clean", "flaky"]) {
        const measured = await drain(which === "clean" ? clean.url : flaky.url);
        result[which as "clean" | "flaky"].t99.push(measured.t99);
        result[which as "clean" | "flaky"].total.push(measured.total);
        if (which === "flaky") result.flaky.retried.push(measured.retried);
      }
    return result;
  } finally {
    clean.child.kill();
    flaky.child.kill();
  }
}

export interface Outage {
  seconds: number;
  concurrency: number;
  /** When each request was sent (ms from the start). */
  attempts: number[];
  /** The requests after the first failures, and whether each came a backoff step (0.5 s x 2^k, less 25 % jitter) after the last. */
  probes: number[];
  onePerStep: boolean;
}

export async function measureOutage({
  concurrency,
  seconds,
}: {
  concurrency: number;
  seconds: number;
}): Promise<Outage> {
  const down = await startLoopbackServer("down");
  try {
    const { stdout } = await run(process.execPath, [
      CHILD,
      "outage",
      down.url,
      String(concurrency),
      "1000",
      String(seconds * 1000),
    ]);
    const { attempts } = JSON.parse(stdout) as { attempts: number[] };
    // The first burst: a request per worker, and each freed worker's next, until the failures in a row
    // make an outage (at least `concurrency` of them); what follows must be probes.
    const firstGap = attempts.findIndex((at, i) => i > 0 && at - attempts[i - 1]! >= 0.75 * 500 - 5);
    const probes = firstGap < 0 ? [] : attempts.slice(firstGap);
    let onePerStep = true;
    for (let k = 1; k < probes.length; k++)
      if (probes[k]! - probes[k - 1]! < 0.75 * 500 * 2 ** k - 5) onePerStep = false;
    return { seconds, concurrency, attempts, probes, onePerStep };
  } finally {
    down.child.kill();
  }
}

/** The BENCHMARKS.md lines for both measurements; `rates` formats a list of per-round figures. */
export function faultSection(drain: FlakyDrain, outage: Outage, rates: (values: number[]) => string): string[] {
  const ratio = (values: number[], base: number[]) => {
    const each = values.map((value, i) => value / base[i]!);
    const sorted = [...each].sort((a, b) => a - b);
    return `**${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}x** (${each.map((r) => r.toFixed(2)).join(", ")})`;
  };
  return [
    `Flaky API: ${drain.items.toLocaleString("en")} items recorded at once by a service process, concurrency ${drain.concurrency}, against a loopback API answering a random 5 % with 503, next to the same against one that never fails, rounds alternating; each ratio is a round's over the fault-free one in the same round. Until 99 % delivered is the throughput a steady inflow meets (target: at least 0.8x); the whole drain also waits out the last failed items' own backoff (one in ~8 000 fails three times in a row: 0.5 + 1 + 2 s), which no other item waits for.`,
    "",
    "| API | items/s until 99 % delivered | items/s, whole drain | retried |",
    "| --- | --- | --- | --- |",
    `| never fails | ${rates(drain.clean.t99)} | ${rates(drain.clean.total)} | 0 |`,
    `| 5 % 503 | ${rates(drain.flaky.t99)}: ${ratio(drain.flaky.t99, drain.clean.t99)} | ${rates(drain.flaky.total)}: ${ratio(drain.flaky.total, drain.clean.total)} | ${rates(drain.flaky.retried)} |`,
    "",
    `Outage: every request answered 503 for ${outage.seconds} s, concurrency ${outage.concurrency}: the API saw ${outage.attempts.length} requests; ${outage.attempts.length - outage.probes.length} in the first burst (each worker's, until ${outage.concurrency} failures in a row made it an outage), then ${outage.probes.length} probes, at ${outage.probes.map((at) => `${(at / 1000).toFixed(2)} s`).join(", ")}: ${outage.onePerStep ? "**one per backoff step**" : "**more than one per backoff step**"} (target: no more than one).`,
  ];
}
