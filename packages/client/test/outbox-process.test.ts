// The outbox across processes (test/support/outbox-child.mts): SIGKILL while recording into a spool
// loses nothing that was accepted, an outbox never keeps a process alive that is done (nor after a
// flush that timed out), the spool's lock across pid namespaces (as containers sharing a volume), a
// real full disk and a directory the process may not write. The last three need root's unshare,
// mount and setpriv: where those are missing they are skipped, with the reason in the test's name.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { createPareaClient } from "../src/index.node.ts";
import { createOutbox } from "../src/outbox-entry.node.ts";
import { startFaultServer, type Fault, type FaultServer } from "./support/fault-server.mts";

const CHILD = join(import.meta.dirname, "support", "outbox-child.mts");
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(script: (n: number) => Fault): Promise<FaultServer> {
  const started = await startFaultServer(script);
  cleanups.push(() => started.close());
  return started;
}

interface Child {
  lines: string[];
  /** Resolves with the exit code (or signal) and when the process ended (performance.now()). */
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  /** Resolves when a line matching the test has been printed (with how many lines so far). */
  waitFor(test: (line: string, count: number) => boolean): Promise<void>;
  kill(): void;
}

function child(...args: string[]): Child {
  return childVia([], ...args);
}

/** The child run through a wrapper command (unshare: another pid namespace; setpriv: another user). */
function childVia(via: string[], ...args: string[]): Child {
  const command = [...via, process.execPath, "--import", "tsx", CHILD, ...args];
  const proc = spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => proc.kill("SIGKILL"));
  const lines: string[] = [];
  const watchers: { test: (line: string, count: number) => boolean; resolve: () => void }[] = [];
  let stderr = "";
  proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: proc.stdout }).on("line", (line) => {
    lines.push(line);
    for (const watcher of [...watchers])
      if (watcher.test(line, lines.length)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
  });
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    proc.on("exit", (code, signal) => {
      if (code) console.error(stderr);
      resolve({ code, signal, at: performance.now() });
    }),
  );
  return {
    lines,
    exited,
    waitFor: (test) =>
      new Promise<void>((resolve, reject) => {
        watchers.push({ test, resolve });
        void exited.then(() => reject(new Error(`child exited first; stderr: ${stderr}`)));
      }),
    kill: () => proc.kill("SIGKILL"),
  };
}

const delivered = (s: FaultServer) =>
  s.requests.filter((r) => r.status === 200).map((r) => (JSON.parse(r.body) as { trace_id: string }).trace_id);

describe("outbox: crashes", () => {
  it("SIGKILL at random points while recording 5 000 items into a spool: every accepted item delivered, duplicates only among those in flight", async () => {
    // Slow enough that deliveries are in flight when the kill lands.
    const s = await server(() => ({ status: 200, body: {}, delayMs: 2 }));
    const dir = mkdtempSync(join(tmpdir(), "parea-outbox-kill-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const accepted = new Set<string>();
    const points: number[] = [];
    const KILLS = 4;
    const leftOver: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      const left = 5_000 - accepted.size;
      const killAfter = 100 + Math.floor(Math.random() * Math.min(1_000, left - 200));
      points.push(killAfter);
      const proc = child("record", dir, s.url, `r${round}`, String(left));
      await proc.waitFor((line) => line.startsWith("started"));
      leftOver.push(Number(proc.lines[0]!.split(" ")[1]));
      let seen = 0;
      await proc.waitFor((line) => line.startsWith("accepted") && ++seen >= killAfter);
      proc.kill();
      expect((await proc.exited).signal).toBe("SIGKILL");
      for (const line of proc.lines) if (line.startsWith("accepted ")) accepted.add(line.slice(9));
    }
    // The restarted service: a new outbox on the same directory, recording the rest.
    const outbox = createOutbox(createPareaClient({ apiKey: "sk-test", baseUrl: s.url }), {
      spoolDir: dir,
      maxQueued: 100_000,
    });
    leftOver.push(outbox.stats().queued);
    // The kills did land while items were waiting: each restart found some to deliver.
    expect(
      leftOver.slice(1).every((n) => n > 0),
      `left over at each start: ${leftOver.join(", ")}`,
    ).toBe(true);
    for (let i = 0; accepted.size < 5_000; i++) {
      outbox.recordFeedback({ trace_id: `final-${i}`, score: 1 });
      accepted.add(`final-${i}`);
    }
    expect(await outbox.shutdown({ timeoutMs: 60_000 })).toMatchObject({ pending: 0, rejected: 0, dropped: 0 });

    const got = delivered(s);
    const missing = [...accepted].filter((id) => !got.includes(id));
    expect(missing, `kill points ${points.join(", ")}`).toEqual([]);
    const counts = new Map<string, number>();
    for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    // At most `concurrency` (4) deliveries were in flight at each kill.
    expect(duplicates, `kill points ${points.join(", ")}`).toBeLessThanOrEqual(4 * KILLS);
  }, 180_000);
});

describe("outbox: process lifetime", () => {
  it("a process whose work is done exits by itself (spool, Parea up): nothing undelivered", async () => {
    const s = await server(() => ({ status: 200, body: {} }));
    const dir = mkdtempSync(join(tmpdir(), "parea-outbox-idle-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const proc = child("idle", dir, s.url, "20");
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(new Set(delivered(s)).size).toBe(20);
  }, 30_000);

  it("retry timers do not keep it alive either (in memory, Parea down)", async () => {
    const s = await server(() => ({ status: 503 }));
    const started = performance.now();
    const proc = child("idle", "-", s.url, "20");
    expect((await proc.exited).code).toBe(0);
    expect(proc.lines).toEqual(["recorded"]);
    // tsx's start-up included; a timer kept alive would hold it for the 30 s backoff.
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it("after shutdown() it exits at once, even with deliveries stuck in flight", async () => {
    const s = await server(() => ({ status: 200, body: {}, delayMs: 60_000 }));
    const proc = child("shutdown", s.url, "10");
    await proc.waitFor((line) => line.startsWith("{"));
    const printed = performance.now();
    // In memory: the ten undelivered went to onDrop ("shutdown"); nothing is left pending.
    expect(JSON.parse(proc.lines[0]!)).toEqual({ delivered: 0, rejected: 0, dropped: 10, pending: 0 });
    const { code, at } = await proc.exited;
    expect(code).toBe(0);
    // Well before the 60 s the stuck deliveries would take.
    expect(at - printed).toBeLessThan(30_000);
  }, 30_000);
});

describe("outbox: process lifetime after a flush that timed out", () => {
  it("the retry wait (Retry-After: 50) does not hold the process once flush({ timeoutMs }) has returned", async () => {
    const s = await server(() => ({ status: 503, headers: { "retry-after": "50" } }));
    const proc = child("flush", s.url, "1000");
    await proc.waitFor((line) => line.startsWith("{"));
    const printed = performance.now();
    expect(JSON.parse(proc.lines[0]!)).toMatchObject({ delivered: 0, pending: 1 });
    const { code, at } = await proc.exited;
    expect(code).toBe(0);
    // Well before the 50 s the server asked for.
    expect(at - printed).toBeLessThan(30_000);
  }, 60_000);
});

const works = (command: string[]) => spawnSync(command[0]!, command.slice(1), { stdio: "ignore" }).status === 0;
const NAMESPACE = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"];
const canUnshare = works([...NAMESPACE, "true"]);
const canMount = process.getuid?.() === 0 && works(["mount", "--version"]);
const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
const canDropPrivileges = process.getuid?.() === 0 && works([...NOBODY, "true"]);

function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("outbox: the spool's lock and disk, as containers and operators meet them", () => {
  it.skipIf(!canUnshare)(
    `two processes in separate pid namespaces (both pid 1) on one directory: the second is refused while the first lives, and takes over once it is killed${canUnshare ? "" : " [skipped: needs unshare --pid as root]"}`,
    async () => {
      const dir = scratch("parea-outbox-ns-");
      const first = childVia(NAMESPACE, "hold", dir);
      await first.waitFor((line) => line === "held");
      const second = childVia(NAMESPACE, "open", dir);
      await second.exited;
      expect(JSON.parse(second.lines[0]!)).toMatchObject({ name: "PareaError", option: "spoolDir" });
      expect((JSON.parse(second.lines[0]!) as Error).message).toMatch(/in use by another outbox \(pid 1\)/);
      first.kill();
      await first.exited;
      const third = childVia(NAMESPACE, "open", dir);
      await third.exited;
      expect(third.lines).toEqual(["held"]);
      expect(readdirSync(dir)).toEqual([]);
    },
    60_000,
  );

  it.skipIf(!canMount)(
    `a full disk (tmpfs of 512 KiB): 20 000 calls accepted into memory, no pile of files${canMount ? "" : " [skipped: needs mount as root]"}`,
    async () => {
      const mountPoint = scratch("parea-outbox-full-");
      const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mountPoint]);
      expect(mounted.status, String(mounted.stderr)).toBe(0);
      cleanups.push(() => spawnSync("umount", [mountPoint]));
      const dir = join(mountPoint, "spool");
      mkdirSync(dir);
      const filler = spawnSync("dd", ["if=/dev/zero", `of=${join(mountPoint, "filler")}`, "bs=4k"]);
      expect(String(filler.stderr)).toMatch(/No space left/);
      const proc = child("fill", dir, "20000");
      await proc.waitFor((line) => line.startsWith("{"));
      expect(JSON.parse(proc.lines[0]!)).toMatchObject({ queued: 20_000, dropped: 0 });
      await proc.exited; // before the file system is unmounted
      // The lock's socket, and at most one segment that could not be written.
      expect(readdirSync(dir).length).toBeLessThanOrEqual(3);
    },
    60_000,
  );

  it.skipIf(!canDropPrivileges)(
    `an existing spool directory the process may not write: a PareaError naming spoolDir${canDropPrivileges ? "" : " [skipped: needs setpriv as root]"}`,
    async () => {
      const dir = scratch("parea-outbox-ro-"); // root's, mode 0700: nobody may not even look in
      const proc = childVia(NOBODY, "open", dir);
      await proc.exited;
      const outcome = JSON.parse(proc.lines[0]!) as Error;
      expect(outcome).toMatchObject({ name: "PareaError", option: "spoolDir" });
      expect(outcome.message).toMatch(/permission denied \(EACCES\)/);
    },
    60_000,
  );
});
