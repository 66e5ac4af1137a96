// parea feedback import: rows in, feedback out, through the client (its node:http keep-alive
// transport, retries and validation). Every row ends delivered (and in the checkpoint) or rejected (and
// in the rejects file, with its line and the reason); nothing in the checkpoint is sent again. If a
// file of the import cannot be written (a full disk), the import stops: what was written stays true,
// and what was not is done again by --resume.
import { setMaxListeners } from "node:events";
import { closeSync, openSync, statSync, type Stats } from "node:fs";
import { basename, resolve } from "node:path";
import { createPareaClient, PareaAbortError, PareaInvalidRequestError, type RequestBody } from "@parea-api/client";
import { formatIssues, SharedRateLimit } from "@parea-api/client/operations";
import PQueue from "p-queue";
import { configurationError, EXIT, UsageError } from "../errors.js";
import { Checkpoint } from "./checkpoint.js";
import { acquireLock, fsProblem, writeAll } from "@parea-api/client/outbox";
import { createProgress } from "./progress.js";
import { readRows, type Format, type Row } from "./rows.js";

export interface ImportOptions {
  file: string;
  format: Format;
  concurrency: number;
  maxRetries: number | undefined;
  rejects: string;
  checkpoint: string;
  resume: boolean;
  /** Resume from stdin or a FIFO, whose content cannot be checked against the checkpoint. */
  assumeSameInput?: boolean;
  apiKey: string | undefined;
  baseUrl: string | undefined;
  /** How to run this import again with --resume, for the interrupt message (never holding the key). */
  resumeCommand: string;
  /** How long rows in flight may finish after SIGINT/SIGTERM before they are abandoned. */
  graceMs?: number;
}

const statOf = (path: string): Stats | undefined => {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw new UsageError(`cannot use ${path}: ${fsProblem(error)}`);
  }
};

/**
 * Before anything is created: the input is readable and not a directory; the outputs are not
 * directories, not the input (same file, whatever the path) and not each other.
 */
/** The input's size when it is a regular file (null for stdin, a FIFO, a device). */
function checkPaths({ file, rejects, checkpoint }: ImportOptions): { inputBytes: number | null } {
  let input: Stats | undefined;
  if (file !== "-") {
    input = statOf(file);
    if (!input) throw new UsageError(`cannot read ${file}: ${fsProblem({ code: "ENOENT" })}`);
    if (input.isDirectory()) throw new UsageError(`cannot read ${file}: ${fsProblem({ code: "EISDIR" })}`);
    // Opened once to see it can be (a FIFO is not: opening it takes the writer's data).
    if (input.isFile())
      try {
        closeSync(openSync(file, "r"));
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${fsProblem(error)}`);
      }
  }
  const outputs = [
    ["--rejects", rejects],
    ["--checkpoint", checkpoint],
  ] as const;
  const same = (a: Stats | undefined, b: Stats | undefined) => !!a && !!b && a.dev === b.dev && a.ino === b.ino;
  const [rejectsStats, checkpointStats] = outputs.map(([flag, path]) => {
    const stats = statOf(path);
    if (stats?.isDirectory()) throw new UsageError(`${flag} ${path}: ${fsProblem({ code: "EISDIR" })}`);
    if (same(stats, input)) throw new UsageError(`${flag} ${path} is the input file: it would be overwritten`);
    return stats;
  });
  if (resolve(rejects) === resolve(checkpoint) || same(rejectsStats, checkpointStats))
    throw new UsageError(`--rejects and --checkpoint name the same file (${rejects})`);
  return { inputBytes: input?.isFile() ? input.size : null };
}

export async function runImport(options: ImportOptions): Promise<number> {
  const started = performance.now();
  const totalBytes = checkPaths(options).inputBytes;
  const regularInput = totalBytes !== null;
  const queue = new PQueue({ concurrency: options.concurrency });
  const throttle = new SharedRateLimit(options.concurrency, (limit) => (queue.concurrency = limit));
  const abort = new AbortController();
  // Each row in flight listens to it (and retries waiting): more than Node's default warning limit of 10.
  setMaxListeners(4 * options.concurrency + 16, abort.signal);
  let client;
  try {
    client = createPareaClient({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl,
      maxRetries: options.maxRetries,
      signal: abort.signal,
      beforeAttempt: throttle.beforeAttempt,
      onAttempt: throttle.onAttempt,
    });
  } catch (error) {
    throw configurationError(error as Error);
  }

  // Files, in an order that leaves nothing behind when one fails: lock, rejects, checkpoint.
  const release = acquireLock(
    `${options.checkpoint}.lock`,
    (holder) =>
      new UsageError(
        `checkpoint ${options.checkpoint} is in use by another import (${holder}); wait for it to finish or stop it`,
      ),
  );
  let rejectsFd: number;
  let checkpoint: Checkpoint;
  try {
    try {
      rejectsFd = openSync(options.rejects, "w");
    } catch (error) {
      throw new UsageError(`cannot write --rejects ${options.rejects}: ${fsProblem(error)}`);
    }
    try {
      checkpoint = await Checkpoint.open(
        options.checkpoint,
        { name: options.file === "-" ? "(stdin)" : basename(options.file), path: regularInput ? options.file : null },
        { resume: options.resume, assumeSameInput: options.assumeSameInput ?? false },
      );
    } catch (error) {
      closeSync(rejectsFd);
      if (error instanceof UsageError) throw error;
      throw new UsageError(`cannot write --checkpoint ${options.checkpoint}: ${fsProblem(error)}`);
    }
  } catch (error) {
    release();
    throw error;
  }

  const counts = { rows: 0, delivered: 0, rejected: 0, skipped: 0, abandoned: 0, unrecorded: 0, bytes: 0 };
  const progress = createProgress(process.stderr, totalBytes, started);
  const input = readRows(options.file, options.format);
  let stopping: string | undefined;
  let failure: string | undefined;
  const stop = (why: string) => {
    stopping ??= why;
    queue.clear();
    input.close();
  };
  const write = (what: string, run: () => void): boolean => {
    try {
      run();
      return true;
    } catch (error) {
      failure ??= `cannot write ${what}: ${fsProblem(error)}`;
      stop("a write failure");
      return false;
    }
  };
  const reject = (row: Row, reason: string) => {
    const line = `${JSON.stringify({ line: row.line, input: row.input, reason })}\n`;
    if (write(`the rejects file ${options.rejects}`, () => writeAll(rejectsFd, line))) counts.rejected++;
  };

  const deliver = async (row: Row) => {
    if (stopping) return;
    try {
      await client.recordFeedback(row.body as RequestBody<"recordFeedback">);
    } catch (error) {
      if (error instanceof PareaAbortError) counts.abandoned++;
      else if (error instanceof PareaInvalidRequestError) reject(row, `invalid: ${formatIssues(error.issues)}`);
      else reject(row, (error as Error).message);
      return;
    } finally {
      progress.update(counts);
    }
    // Recorded the moment the answer arrives: a crash after this never sends the row again.
    if (write(`the checkpoint ${checkpoint.path}`, () => checkpoint.add(row.line, input.prefix))) counts.delivered++;
    else counts.unrecorded++;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      abort.abort();
      return;
    } // a second Ctrl-C: abandon what is in flight now
    stop(signal);
  };
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);

  try {
    // Stopping ends the input stream rather than racing each read against a "stopped" promise: a
    // race per row against one long-lived promise keeps every row's promise alive (~2 KB/row).
    for await (const row of input.rows) {
      if (stopping) break;
      counts.bytes = row.bytes;
      if (checkpoint.has(row.line)) {
        counts.skipped++;
        continue;
      }
      counts.rows++;
      if (row.error) {
        reject(row, row.error);
        progress.update(counts);
        continue;
      }
      // Read no further ahead than the workers can take: memory stays flat.
      await queue.onSizeLessThan(queue.concurrency);
      if (stopping) break;
      void queue.add(() => deliver(row));
    }
    if (stopping) {
      const grace = new Promise((resolve) => setTimeout(resolve, options.graceMs ?? 5_000).unref());
      await Promise.race([queue.onIdle(), grace]);
      abort.abort();
    }
    await queue.onIdle();
  } catch (error) {
    // Destroying the input on an interrupt may surface as a read error; anything else is real.
    if (!stopping) {
      failure = `cannot read ${options.file}: ${fsProblem(error)}`;
      stopping = "a read failure";
    }
  } finally {
    input.close();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    write(`the checkpoint ${checkpoint.path}`, () => checkpoint.close());
    closeSync(rejectsFd);
    release();
    progress.stop();
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const earlier = counts.skipped ? `; ${counts.skipped} delivered by an earlier run, skipped` : "";
  const where = counts.rejected ? `; rejected rows are in ${options.rejects}` : "";
  const line = `delivered ${counts.delivered}, rejected ${counts.rejected}, in ${seconds} s${earlier}${where}`;
  if (failure) {
    const unrecorded = counts.unrecorded
      ? ` ${counts.unrecorded} rows were delivered but could not be recorded, so --resume sends them again.`
      : "";
    console.error(
      `error: ${failure}. Stopped: ${line}.${unrecorded} Rows not delivered or rejected above are left for --resume once that is fixed:\n  ${options.resumeCommand}`,
    );
    return EXIT.rejected;
  }
  if (stopping) {
    console.error(`interrupted by ${stopping}: ${line}`);
    console.error(`checkpoint written to ${checkpoint.path}; to continue, run:\n  ${options.resumeCommand}`);
    return EXIT.interrupted;
  }
  const throttled = throttle.stats.rateLimited
    ? `; rate limited ${throttle.stats.rateLimited} times, concurrency down to ${throttle.stats.lowest} at most`
    : "";
  console.log(line + throttled);
  return counts.rejected ? EXIT.rejected : EXIT.ok;
}
