// A simulated file system for the spool (src/node/files.ts's FileSystem), for the crash-point and fault
// harness: it counts every operation and, at a chosen one, either "kills the process" (that operation
// and every later one has no effect; what was written before stays, as it does in the kernel when a
// process dies) or fails it with an errno (ENOSPC, EACCES, EIO) or a short write. `revive()` is the next
// process: descriptors closed and locks released, as the kernel does. Each process works through its own
// `view()`: a dead process's timers may still fire in the test, and its view refuses them (Crash).
import type { FileSystem } from "../../src/node/files.ts";

/** "short": a write takes half and says so; "torn": it takes half, then the rest fails ENOSPC (a disk filling up). */
export type FaultKind = "ENOSPC" | "EACCES" | "EIO" | "short" | "torn";

/** Thrown at and after the crash point: the process is gone, nothing it does reaches the disk. */
export class Crash extends Error {
  constructor() {
    super("simulated crash");
  }
}

export interface Plan {
  /** The operation (1-based, counted since the plan was set) that crashes or fails. */
  at: number;
  /** Counts only this operation ("unlink", "write", ...): the at-th of them. */
  op?: string;
  kind: "crash" | FaultKind;
  /** For errno faults: every later open and write fails too (a disk that stays full; deleting and truncating still work). */
  persist?: boolean;
}

const errno = (code: string, op: string, path: string) =>
  Object.assign(new Error(`${code}: simulated, ${op} '${path}'`), { code, syscall: op, path });

export class SimFs implements FileSystem {
  readonly files = new Map<string, Buffer>();
  private readonly dirs = new Set<string>();
  private readonly fds = new Map<number, string>();
  private readonly locks = new Set<string>();
  private nextFd = 100;
  /** Operations since the plan was set (or since creation). */
  ops = 0;
  dead = false;
  /** While set, every open and write fails ENOSPC (a full disk that may be freed later). */
  full = false;
  /** When set, every operation is listed here (for a failure's story). */
  trace: string[] | undefined;
  private plan: Plan | undefined;
  private failing = false;
  private failNextWrite = false;
  /** Operations the plan counts (all, or its `op`'s). */
  private planned = 0;

  /** Sets what happens at which operation from now on; counting restarts. */
  arm(plan: Plan | undefined): void {
    this.plan = plan;
    this.ops = 0;
    this.planned = 0;
    this.failing = false;
    this.failNextWrite = false;
  }

  /** Which process is current: a view of an earlier one is dead. */
  private generation = 0;

  /** The disk as the current process sees it; dead for good once that process has died or been replaced. */
  view(): FileSystem & { lock: SimFs["lock"]; alive(): boolean } {
    const generation = this.generation;
    const alive = () => !this.dead && generation === this.generation;
    const guard =
      <A extends unknown[], R>(run: (...args: A) => R) =>
      (...args: A): R => {
        if (!alive()) throw new Crash();
        return run(...args);
      };
    return {
      alive,
      lock: guard(this.lock),
      mkdirSync: guard((path: string) => this.mkdirSync(path)),
      readdirSync: guard((path: string) => this.readdirSync(path)),
      readFileSync: guard((path: string) => this.readFileSync(path)),
      openSync: guard((path: string) => this.openSync(path)),
      writeSync: guard((fd: number, data: string | Uint8Array, offset?: number) => this.writeSync(fd, data, offset)),
      fdatasyncSync: guard((fd: number) => this.fdatasyncSync(fd)),
      ftruncateSync: guard((fd: number, length: number) => this.ftruncateSync(fd, length)),
      closeSync: guard((fd: number) => this.closeSync(fd)),
      unlinkSync: guard((path: string) => this.unlinkSync(path)),
    };
  }

  /** A new process on the same disk: no descriptors, no locks, nothing planned. */
  revive(): void {
    this.generation++;
    this.dead = false;
    this.fds.clear();
    this.locks.clear();
    this.arm(undefined);
  }

  /** The lock (one holder per path), as the spool's Lock: released by revive() as the kernel would. */
  readonly lock = (path: string, refuse: (holder: string) => Error): (() => void) => {
    this.step("lock", path, false);
    if (this.locks.has(path)) throw refuse("pid simulated");
    this.locks.add(path);
    const generation = this.generation;
    return () => {
      if (!this.dead && generation === this.generation) this.locks.delete(path);
    };
  };

  /** Counts the operation; crashes or fails it as planned. */
  private step(op: string, path: string, writes: boolean): "short" | undefined {
    if (this.dead) throw new Crash();
    const n = ++this.ops;
    const counted = this.plan?.op === undefined || this.plan.op === op ? ++this.planned : 0;
    this.trace?.push(`${n} ${op} ${path}`);
    const plan = this.plan;
    if (this.failing && writes) throw errno(plan!.kind, op, path);
    if (this.full && writes) throw errno("ENOSPC", op, path);
    if (this.failNextWrite && op === "write") {
      this.failNextWrite = false;
      throw errno("ENOSPC", op, path);
    }
    if (!plan || counted !== plan.at) return undefined;
    if (plan.kind === "crash") {
      this.dead = true;
      throw new Crash();
    }
    if (plan.kind === "short" || plan.kind === "torn") {
      if (op !== "write") return undefined;
      this.failNextWrite = plan.kind === "torn";
      return "short";
    }
    if (plan.persist) this.failing = true;
    throw errno(plan.kind, op, path);
  }

  mkdirSync(path: string): undefined {
    this.step("mkdir", path, false);
    this.dirs.add(path);
    return undefined;
  }

  readdirSync(path: string): string[] {
    this.step("readdir", path, false);
    if (!this.dirs.has(path)) throw errno("ENOENT", "readdir", path);
    return [...this.files.keys()]
      .filter((file) => file.startsWith(`${path}/`))
      .map((file) => file.slice(path.length + 1));
  }

  readFileSync(path: string): string {
    this.step("read", path, false);
    const data = this.files.get(path);
    if (!data) throw errno("ENOENT", "open", path);
    return data.toString("utf8");
  }

  openSync(path: string): number {
    this.step("open", path, true);
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (!this.dirs.has(dir)) throw errno("ENOENT", "open", path);
    if (!this.files.has(path)) this.files.set(path, Buffer.alloc(0));
    const fd = this.nextFd++;
    this.fds.set(fd, path);
    return fd;
  }

  writeSync(fd: number, data: string | Uint8Array, offset = 0): number {
    const path = this.pathOf(fd);
    const short = this.step("write", path, true);
    const bytes = (typeof data === "string" ? Buffer.from(data) : Buffer.from(data)).subarray(offset);
    const taken = short ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
    this.files.set(path, Buffer.concat([this.files.get(path) ?? Buffer.alloc(0), taken]));
    return taken.length;
  }

  fdatasyncSync(fd: number): void {
    this.step("fdatasync", this.pathOf(fd), false);
  }

  ftruncateSync(fd: number, length: number): void {
    const path = this.pathOf(fd);
    this.step("ftruncate", path, false);
    this.files.set(path, this.files.get(path)!.subarray(0, length));
  }

  closeSync(fd: number): void {
    this.step("close", this.pathOf(fd), false);
    this.fds.delete(fd);
  }

  unlinkSync(path: string): void {
    this.step("unlink", path, false);
    if (!this.files.delete(path)) throw errno("ENOENT", "unlink", path);
  }

  /** Bytes of the files whose names match. */
  size(pattern: RegExp): number {
    let total = 0;
    for (const [path, data] of this.files) if (pattern.test(path)) total += data.length;
    return total;
  }

  private pathOf(fd: number): string {
    if (this.dead) throw new Crash();
    const path = this.fds.get(fd);
    if (path === undefined) throw errno("EBADF", "fd", String(fd));
    return path;
  }
}
