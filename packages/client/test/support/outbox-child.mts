// A service process for the outbox's crash and lifetime tests (outbox-process.test.ts): it records
// items into an outbox and reports each accepted one on stdout (a pipe: written synchronously on
// Linux, so a line printed is a line the parent sees even if SIGKILL follows).
//   record <spoolDir> <baseUrl> <prefix> <count>   accept <count> items, then idle until killed
//   idle <spoolDir|-> <baseUrl> <count>             accept <count> items, then simply return
//   shutdown <baseUrl> <count>                      accept, then shutdown({ timeoutMs: 200 }) and return
//   flush <baseUrl> <timeoutMs>                      accept one, print flush({ timeoutMs })'s result, return
//   hold <spoolDir>                                  take the spool and print "held", then idle until killed
//   open <spoolDir>                                  print "held", or the PareaError's option and message
//   fill <spoolDir> <count>                          Parea down; accept <count> items, print what it cost
import { createPareaClient } from "../../src/index.node.ts";
import { createOutbox } from "../../src/outbox-entry.node.ts";

const [mode, ...args] = process.argv.slice(2);
const client = (baseUrl: string) => createPareaClient({ apiKey: "sk-child", baseUrl, timeoutMs: 5_000 });
const say = (line: string) => process.stdout.write(`${line}\n`);

if (mode === "record") {
  const [spoolDir, baseUrl, prefix, count] = args as [string, string, string, string];
  const outbox = createOutbox(client(baseUrl), { spoolDir, concurrency: 4, maxQueued: 100_000 });
  say(`started ${outbox.stats().queued}`);
  for (let i = 0; i < Number(count); i++) {
    outbox.recordFeedback({ trace_id: `${prefix}-${i}`, score: 1 });
    say(`accepted ${prefix}-${i}`);
    if (i % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  say("done");
  setInterval(() => {}, 1_000);
} else if (mode === "idle") {
  const [spoolDir, baseUrl, count] = args as [string, string, string];
  const outbox = createOutbox(client(baseUrl), spoolDir === "-" ? {} : { spoolDir });
  for (let i = 0; i < Number(count); i++) outbox.recordFeedback({ trace_id: `idle-${i}`, score: 1 });
  say("recorded");
} else if (mode === "flush") {
  const [baseUrl, timeoutMs] = args as [string, string];
  const outbox = createOutbox(client(baseUrl));
  outbox.recordFeedback({ trace_id: "flush-0", score: 1 });
  say(JSON.stringify(await outbox.flush({ timeoutMs: Number(timeoutMs) })));
} else if (mode === "hold") {
  createOutbox(client("http://127.0.0.1:9"), { spoolDir: args[0]! });
  say("held");
  setInterval(() => {}, 1_000);
} else if (mode === "open") {
  try {
    await createOutbox(client("http://127.0.0.1:9"), { spoolDir: args[0]! }).shutdown({ timeoutMs: 10 });
    say("held");
  } catch (error) {
    const { name, option, message } = error as { name: string; option?: string; message: string };
    say(JSON.stringify({ name, option, message }));
  }
} else if (mode === "fill") {
  const [spoolDir, count] = args as [string, string];
  const outbox = createOutbox(client("http://127.0.0.1:9"), { spoolDir, maxQueued: 1_000_000 });
  const started = performance.now();
  for (let i = 0; i < Number(count); i++)
    outbox.recordFeedback({ trace_id: `fill-${i}`, score: 1, comment: "x".repeat(200) });
  say(JSON.stringify({ ms: performance.now() - started, ...outbox.stats() }));
  process.exit(0);
} else if (mode === "shutdown") {
  const [baseUrl, count] = args as [string, string];
  const outbox = createOutbox(client(baseUrl));
  for (let i = 0; i < Number(count); i++) outbox.recordFeedback({ trace_id: `shut-${i}`, score: 1 });
  say(JSON.stringify(await outbox.shutdown({ timeoutMs: 200 })));
}
