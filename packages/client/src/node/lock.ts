// A lock the kernel releases when its holder dies, for the outbox's spool and the CLI's checkpoint.
// Node has no flock, so the holder listens on a unix socket beside the lock path: while it lives a
// connect succeeds; once it is gone (killed, crashed, in another container or pid namespace) the kernel
// refuses the connect. Pids say nothing across pid namespaces and are reused, so the pid is kept only as
// information (`<path>`, JSON) for the refusal message. Taking the lock: bind a socket of one's own
// (an atomic create), then look at every other socket of the lock; if any answers, step back (and refuse
// if it is the recorded holder, else retry: two contenders racing both step back rather than both hold).
// Safe between processes on one machine (containers sharing a volume included); not across machines
// (NFS): a socket file there does not reach a process on another host. On Windows, where libuv listens
// on named pipes, the lock is a pipe named after the path: the first instance is exclusive, and it
// goes with its process (not tested here: no Windows machine).
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { createHash } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import { createServer, type Server } from "node:net";
import { Worker } from "node:worker_threads";

/** Who holds a lock, for messages: "pid 12" (this machine and pid namespace look alike) or "pid 1 on host". */
export type Holder = string;

/** Locks this process holds (a second outbox on the same directory in one process is refused too). */
const held = new Set<string>();

/** sun_path: 108 bytes on Linux, 104 on macOS. Longer socket paths are reached through /proc/self/fd. */
const MAX_SOCKET_PATH = 100;
const ATTEMPTS = 4;

/**
 * Takes the lock at `path` or throws `refuse(holder)`. File-system errors (EACCES...) are thrown as they
 * are, for the caller to word. Returns the release (idempotent).
 */
export function acquireLock(path: string, refuse: (holder: Holder) => Error): () => void {
  path = resolve(path);
  if (held.has(path)) throw refuse(describe({ pid: process.pid, host: hostname() }));
  if (process.platform === "win32") return windowsLock(path, refuse);
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  // A failed bind names its errno only on the next tick: ask first, so EACCES or EROFS is said as such.
  accessSync(dir, constants.W_OK | constants.X_OK);
  for (let attempt = 1; ; attempt++) {
    const name = `${prefix}${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 10)}.sock`;
    const dirFd = Buffer.byteLength(join(dir, name)) + 8 > MAX_SOCKET_PATH ? openSync(dir, "r") : undefined;
    let own: { close(): void };
    let others: string[];
    let states: ReturnType<typeof probe>;
    try {
      own = listen(dir, name, dirFd);
      others = readdirSync(dir).filter((file) => file.startsWith(prefix) && file.endsWith(".sock") && file !== name);
      states = probe(others.map((file) => socketPath(dir, file, dirFd)));
    } finally {
      if (dirFd !== undefined) closeSync(dirFd);
    }
    const live = others.filter((_, i) => states[i] === "alive");
    for (const [i, file] of others.entries()) if (states[i] === "dead") removeQuietly(join(dir, file));
    if (live.length === 0)
      return hold(path, name, () => {
        if (readInfo(path)?.socket === name) removeQuietly(path);
        own.close();
      });
    own.close();
    const info = readInfo(path);
    // The recorded holder answers: it holds. Otherwise the live ones are contenders in flight: again.
    if (attempt >= ATTEMPTS || (info?.socket !== undefined && live.includes(info.socket))) throw refuse(describe(info));
    sleepSync(10 + Math.random() * 40 * attempt);
  }
}

function windowsLock(path: string, refuse: (holder: Holder) => Error): () => void {
  const pipe = `\\\\.\\pipe\\parea-lock-${createHash("sha256").update(path.toLowerCase()).digest("hex").slice(0, 40)}`;
  const server = createServer((socket) => socket.destroy());
  server.on("error", () => {});
  server.listen(pipe);
  if (!server.listening) throw refuse(describe(readInfo(path)));
  server.unref();
  return hold(path, undefined, () => server.close());
}

/**
 * Records this process as the holder (information only: a full disk must not stop the lock, which the
 * socket or pipe holds) and returns the release: idempotent, since a second call must not remove the
 * next holder's files.
 */
function hold(path: string, socket: string | undefined, close: () => void): () => void {
  try {
    writeFileSync(path, `${JSON.stringify({ pid: process.pid, host: hostname(), socket })}\n`, { mode: 0o600 });
  } catch {
    // information only
  }
  held.add(path);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.delete(path);
    close();
  };
}

interface Info {
  pid: number;
  host: string;
  socket?: string;
}

function describe(info: Info | undefined): Holder {
  if (!info) return "pid unknown";
  return info.host === hostname() ? `pid ${info.pid}` : `pid ${info.pid} on ${info.host}`;
}

function readInfo(path: string): Info | undefined {
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as Info;
    return typeof info.pid === "number" && typeof info.host === "string" ? info : undefined;
  } catch {
    return undefined; // none, being written, or an older version's bare pid
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The path a socket is bound or reached by (through an open directory when the real path is too long). */
function socketPath(dir: string, file: string, dirFd: number | undefined): string {
  return dirFd === undefined ? join(dir, file) : `/proc/self/fd/${dirFd}/${file}`;
}

/** Binds and listens synchronously (Node binds inside listen()); the server never keeps the process alive. */
function listen(dir: string, file: string, dirFd: number | undefined): { close(): void } {
  const server: Server = createServer((socket) => socket.destroy());
  let failure: unknown;
  server.on("error", (error) => (failure ??= error));
  server.listen(socketPath(dir, file, dirFd));
  if (!server.listening) {
    server.close(() => {});
    // listen() reports a failed bind on the next tick; the directory was writable, so say what failed.
    throw new Error(`cannot create the lock's socket in ${dir}`, { cause: failure });
  }
  server.unref();
  return {
    close() {
      removeQuietly(join(dir, file));
      server.close();
    },
  };
}

/** 1 alive, 2 dead (refused), 3 gone (no such file). A connect that neither answers nor fails counts as alive. */
const PROBE = `
const { workerData } = require("node:worker_threads");
const { connect } = require("node:net");
const { shared, paths } = workerData;
let left = paths.length;
const done = (i, state) => {
  Atomics.store(shared, i + 1, state);
  if (--left === 0) { Atomics.store(shared, 0, 1); Atomics.notify(shared, 0); }
};
paths.forEach((path, i) => {
  const socket = connect(path);
  const timer = setTimeout(() => (socket.destroy(), done(i, 1)), 2000);
  socket.on("connect", () => (clearTimeout(timer), socket.destroy(), done(i, 1)));
  socket.on("error", (error) => (clearTimeout(timer), done(i, error.code === "ECONNREFUSED" ? 2 : error.code === "ENOENT" ? 3 : 1)));
});`;
const STATES = [undefined, "alive", "dead", "gone"] as const;

/**
 * Whether each socket has a live listener, synchronously (the lock is taken inside createOutbox, which
 * returns at once): a worker connects while this thread waits on shared memory. Costs a worker start
 * (~45 ms), only when other sockets are there: after a crash, or while the lock is contended.
 */
function probe(paths: string[]): ("alive" | "dead" | "gone")[] {
  if (paths.length === 0) return [];
  const shared = new Int32Array(new SharedArrayBuffer(4 * (paths.length + 1)));
  const worker = new Worker(PROBE, { eval: true, workerData: { shared, paths } });
  worker.unref();
  Atomics.wait(shared, 0, 0, 5_000);
  void worker.terminate();
  // Not answered in time: alive, the cautious reading.
  return paths.map((_, i) => STATES[Atomics.load(shared, i + 1)] ?? "alive");
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
