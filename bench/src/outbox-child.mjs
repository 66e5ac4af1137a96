// A service process for the outbox benchmarks (bench/src/outbox.ts), on the built package as a
// service installs it. Plain JavaScript so that its start-up costs what the CLI's does (no tsx).
//   drain <baseUrl> <concurrency> <items> <spoolDir|->   record <items>, then flush; exits when done
//   memory <baseUrl> <items> <spoolDir|->                 RSS of the idle process, then after <items> queued
//   timed <baseUrl> <concurrency> <items>                  record <items>; print when 99 % and all were delivered
//   outage <baseUrl> <concurrency> <items> <ms>            record <items> against a down API; print each request's time
import { createPareaClient } from "@parea-api/client";
import { createOutbox } from "@parea-api/client/outbox";

const [mode, baseUrl, ...args] = process.argv.slice(2);
const parea = createPareaClient({ apiKey: "bench-key", baseUrl, logLevel: "off" });
const body = (i) => ({ trace_id: `trace-${i}`, score: (i % 100) / 100, comment: "bulk" });

if (mode === "drain") {
  const [concurrency, items, spoolDir] = args.map((arg, i) => (i < 2 ? Number(arg) : arg));
  const outbox = createOutbox(parea, {
    concurrency,
    maxQueued: items,
    ...(spoolDir === "-" ? {} : { spoolDir }),
  });
  for (let i = 1; i <= items; i++) outbox.recordFeedback(body(i));
  const result = await outbox.shutdown({ timeoutMs: 600_000 });
  if (result.delivered !== items) throw new Error(`delivered ${result.delivered} of ${items}`);
} else if (mode === "timed") {
  const [concurrency, items] = args.map(Number);
  const outbox = createOutbox(parea, { concurrency, maxQueued: items });
  const started = performance.now();
  let t99Ms;
  const watch = setInterval(() => {
    if (t99Ms === undefined && outbox.stats().delivered >= items * 0.99) t99Ms = performance.now() - started;
  }, 5);
  for (let i = 1; i <= items; i++) outbox.recordFeedback(body(i));
  const result = await outbox.shutdown({ timeoutMs: 600_000 });
  const totalMs = performance.now() - started;
  clearInterval(watch);
  if (result.delivered !== items) throw new Error(`delivered ${result.delivered} of ${items}`);
  console.log(JSON.stringify({ t99Ms: t99Ms ?? totalMs, totalMs, retried: outbox.stats().retried }));
} else if (mode === "outage") {
  const [concurrency, items, ms] = args.map(Number);
  const attempts = [];
  const started = performance.now();
  const counted = createPareaClient({
    apiKey: "bench-key",
    baseUrl,
    logLevel: "off",
    onAttempt: () => attempts.push(Math.round(performance.now() - started)),
  });
  const outbox = createOutbox(counted, { concurrency, maxQueued: items });
  for (let i = 1; i <= items; i++) outbox.recordFeedback(body(i));
  await new Promise((resolve) => setTimeout(resolve, ms));
  console.log(JSON.stringify({ attempts }));
  await outbox.shutdown({ timeoutMs: 10 });
} else if (mode === "memory") {
  const [items, spoolDir] = [Number(args[0]), args[1]];
  const outbox = createOutbox(parea, { maxQueued: items, ...(spoolDir === "-" ? {} : { spoolDir }) });
  const rss = () => {
    globalThis.gc();
    return process.memoryUsage().rss;
  };
  const idle = rss();
  for (let i = 1; i <= items; i++) outbox.recordFeedback(body(i));
  const queued = rss();
  const { queued: count } = outbox.stats();
  console.log(JSON.stringify({ idleMb: idle / 2 ** 20, deltaMb: (queued - idle) / 2 ** 20, queued: count }));
  await outbox.shutdown({ timeoutMs: 10 });
}
