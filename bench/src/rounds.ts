// Side-by-side timing: every contender runs in every round, in a rotated order, and each is reported
// as a ratio to the baseline measured in the same round. Medians and spread are over rounds.

export interface Contender {
  name: string;
  call: () => Promise<unknown>;
}

export interface RoundsResult {
  /** Contender name -> per-round ratio to the baseline (the first contender). */
  ratios: Map<string, number[]>;
  /** Baseline microseconds per call, per round. */
  baselineMicros: number[];
}

async function perCallMicros(call: () => Promise<unknown>, calls: number, concurrency: number): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started++ < calls) await call();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ((performance.now() - t0) * 1000) / calls;
}

export async function runRounds(
  contenders: Contender[],
  {
    calls,
    concurrency,
    rounds,
    warmup,
    collectFirst,
  }: {
    calls: number;
    concurrency: number;
    rounds: number;
    warmup: number;
    /**
     * A full GC before each timed run (pnpm bench runs node with --expose-gc), so a contender pays for
     * its own garbage, not for what the one before it left: in process, where nothing else is timed,
     * that debt swung one ratio between 0.6x and 1.7x from run to run. Over loopback it stays off: the
     * one run with it on had node:http at 0.74x of bare fetch (0.45x in every run without).
     */
    collectFirst?: boolean;
  },
): Promise<RoundsResult> {
  for (const { call } of contenders) await perCallMicros(call, warmup, concurrency);
  const ratios = new Map(contenders.map(({ name }) => [name, [] as number[]]));
  const baselineMicros: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const times = new Map<string, number>();
    // Rotate the order so no contender always runs first (or right after a GC-heavy one).
    for (let i = 0; i < contenders.length; i++) {
      const { name, call } = contenders[(i + round) % contenders.length]!;
      if (collectFirst) (globalThis as { gc?: () => void }).gc?.();
      times.set(name, await perCallMicros(call, calls, concurrency));
    }
    const base = times.get(contenders[0]!.name)!;
    baselineMicros.push(base);
    for (const [name, micros] of times) ratios.get(name)!.push(micros / base);
  }
  return { ratios, baselineMicros };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "0.62x (0.55-0.71)": median and range over rounds. */
export function formatRatio(values: number[]): string {
  const f = (x: number) => x.toFixed(2);
  return `${f(median(values))}x (${f(Math.min(...values))}-${f(Math.max(...values))})`;
}
