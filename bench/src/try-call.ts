import { fork } from "node:child_process";
import { join } from "node:path";
import { measureOutboxPerCall } from "./outbox.ts";
const child = fork(join(import.meta.dirname, "loopback-server.ts"), [], { execArgv: ["--import", "tsx"] });
const port = await new Promise<number>((r) => child.once("message", (m) => r(m as number)));
const r = await measureOutboxPerCall(`http://127.0.0.1:${port}`, { calls: 5000, rounds: 7 });
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log("awaited", med(r.awaitedMicros).toFixed(1), "memory µs", (med(r.memoryRatio) * med(r.awaitedMicros)).toFixed(2), "spool µs", (med(r.spoolRatio) * med(r.awaitedMicros)).toFixed(2), "spool ratios", r.spoolRatio.map((x) => (1 / x).toFixed(0)).join(" "));
child.kill();
