// Durable local files on Node, Bun and Deno: whole writes, one-line descriptions of what the file
// system refused, and a pid lock. The outbox's spool and the parea CLI's import (checkpoint, rejects)
// both use them; the CLI imports them from the Node build of @parea-api/client/outbox.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { resolve } from "node:path";

/**
 * writeSync may write part of it (a disk filling up): write the rest, or throw. The string goes as it
 * is first (no Buffer per call: the spool writes one per item); only a short write copies it.
 */
export function writeAll(fd: number, text: string): void {
  const written = writeSync(fd, text);
  const length = Buffer.byteLength(text);
  if (written === length) return;
  const bytes = Buffer.from(text);
  for (let done = written; done < length;) done += writeSync(fd, bytes, done);
}

const WORDS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EIO: "input/output error",
};

/** "no space left on the device (ENOSPC)": what a file-system error means, without a stack. */
export function fsProblem(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code && WORDS[code] ? `${WORDS[code]} (${code})` : (code ?? message);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Locks this process holds: a file naming our own pid is ours only if it is in here (containers restart as pid 1). */
const held = new Set<string>();

/**
 * Takes `path` (created holding this process's pid) or throws `refuse(pid)` naming the live process
 * that holds it. A lock whose holder is gone (killed, crashed) is taken over. Returns the release.
 */
export function acquireLock(path: string, refuse: (pid: number) => Error): () => void {
  path = resolve(path);
  if (held.has(path)) throw refuse(process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeAll(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(path);
      let released = false;
      return () => {
        if (released) return; // a second call must not remove the next holder's lock
        released = true;
        held.delete(path);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) throw error;
      let pid = NaN;
      try {
        pid = Number(readFileSync(path, "utf8").trim());
      } catch {
        continue; // released between our attempts
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw refuse(pid);
      try {
        unlinkSync(path);
      } catch {
        // another process took it over first; the next attempt sees its pid
      }
    }
  }
}
