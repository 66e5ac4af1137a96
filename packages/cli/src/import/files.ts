// The import's own files (checkpoint, rejects, lock): whole writes, one-line descriptions of what the
// file system refused, and a lock so two imports never share a checkpoint.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { UsageError } from "../errors.js";

/** writeSync may write part of a buffer (a disk filling up): write the rest, or throw. */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
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

/**
 * Takes `path` (created holding this process's pid) or fails naming the pid that holds it. A lock
 * whose holder is gone (killed, crashed) is taken over. Returns the release function.
 */
export function acquireLock(path: string, what: string): () => void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeAll(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => {
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
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
        throw new UsageError(`${what} is in use by another import (pid ${pid}); wait for it to finish or stop it`);
      try {
        unlinkSync(path);
      } catch {
        // another process took it over first; the next attempt sees its pid
      }
    }
  }
}
