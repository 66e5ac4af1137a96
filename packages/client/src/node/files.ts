// Durable local files on Node, Bun and Deno: the file-system seam the spool works through (node:fs in
// production; a simulated one in the crash-point tests, which fail or "kill" at any single operation),
// whole writes, and one-line descriptions of what the file system refused. The outbox's spool and the
// parea CLI's import (checkpoint, rejects) both use them; the CLI imports them from the Node build of
// @parea-api/client/outbox.
import { errorCode } from "../error-code.js";
import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";

/** The synchronous file operations the spool uses, as node:fs names them. */
export interface FileSystem {
  mkdirSync(path: string, options: { recursive: true; mode: number }): unknown;
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: "utf8"): string;
  openSync(path: string, flags: "a", mode: number): number;
  writeSync(fd: number, data: string | Uint8Array, offset?: number): number;
  fdatasyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
  unlinkSync(path: string): void;
}

/** A plain object of direct bindings, not the module namespace: the spool calls writeSync once per item. */
export const realFs: FileSystem = {
  mkdirSync,
  readdirSync,
  readFileSync,
  openSync,
  writeSync,
  fdatasyncSync,
  ftruncateSync,
  closeSync,
  unlinkSync,
};

/**
 * writeSync may write part of it (a disk filling up): write the rest, or throw. The string goes as it
 * is first (no Buffer per call: the spool writes one per item); only a short write copies it.
 */
export function writeAll(fd: number, text: string, fs: FileSystem = realFs): void {
  const written = fs.writeSync(fd, text);
  const length = Buffer.byteLength(text);
  if (written === length) return;
  const bytes = Buffer.from(text);
  for (let done = written; done < length;) {
    const more = fs.writeSync(fd, bytes, done);
    // A file system that takes nothing and says no error would loop forever: that is a full disk.
    if (more <= 0) throw Object.assign(new Error("write made no progress"), { code: "ENOSPC" });
    done += more;
  }
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
  const code = errorCode(error);
  return code && WORDS[code] ? `${WORDS[code]} (${code})` : (code ?? (error as Error).message);
}
