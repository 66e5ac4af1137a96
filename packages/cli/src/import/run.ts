// parea feedback import: rows in, feedback out, through the client (its node:http keep-alive
// transport, retries and validation). Every row ends delivered (and in the checkpoint) or rejected (and
// in the rejects file, with its line and the reason); nothing in the checkpoint is sent again.
import { setMaxListeners } from "node:events";
import { closeSync, openSync, statSync, writeSync } from "node:fs";
import { basename } from "node:path";
import { createPareaClient, PareaAbortError, PareaInvalidRequestError, type RequestBody } from "@parea-api/client";
import PQueue from "p-queue";
import { configurationError, EXIT, UsageError } from "../errors.js";
import { Checkpoint } from "./checkpoint.js";
import { createProgress } from "./progress.js";
import { readRows, type Format, type Row } from "./rows.js";
import { Throttle } from "./throttle.js";

export interface ImportOptions {
  file: string;
  format: Format;
  concurrency: number;
  maxRetries: number | undefined;
  rejects: string;
  checkpoint: string;
  resume: boolean;
  apiKey: string | undefined;
  baseUrl: string | undefined;
  /** How to run this import again with --resume, for the interrupt message. */
  resumeCommand: string;
  /** How long rows in flight may finish after SIGINT/SIGTERM before they are abandoned. */
  graceMs?: number;
}

export async function runImport(options: ImportOptions): Promise<number> {
  const started = performance.now();
  const totalBytes = options.file === "-" ? null : sizeOf(options.file);
  const checkpoint = Checkpoint.open(
    options.checkpoint,
    { name: options.file === "-" ? "(stdin)" : basename(options.file), bytes: totalBytes },
    options.resume,
  );
  const rejectsFd = openSync(options.rejects, "w");
  const queue = new PQueue({ concurrency: options.concurrency });
  const throttle = new Throttle(options.concurrency, (limit) => (queue.concurrency = limit));
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
    checkpoint.close();
    closeSync(rejectsFd);
    throw configurationError(error as Error);
  }

  const counts = { rows: 0, delivered: 0, rejected: 0, skipped: 0, abandoned: 0, bytes: 0 };
  const progress = createProgress(process.stderr, totalBytes, started);
  const reject = (row: Row, reason: string) => {
    counts.rejected++;
    writeSync(rejectsFd, `${JSON.stringify({ line: row.line, input: row.input, reason })}\n`);
  };

  const deliver = async (row: Row) => {
    if (stopping) return;
    try {
      await client.recordFeedback(row.body as RequestBody<"recordFeedback">);
      checkpoint.add(row.line);
      counts.delivered++;
    } catch (error) {
      if (error instanceof PareaAbortError) counts.abandoned++;
      else if (error instanceof PareaInvalidRequestError)
        reject(row, `invalid: ${error.issues.map((issue) => `${issue.path} ${issue.message}`).join("; ")}`);
      else reject(row, (error as Error).message);
    } finally {
      progress.update(counts);
    }
  };

  // Stopping ends the input stream rather than racing each read against a "stopped" promise: a
  // race per row against one long-lived promise keeps every row's promise alive (memory grew ~2 KB/row).
  const input = readRows(options.file, options.format);
  let stopping: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return abort.abort(); // a second Ctrl-C: abandon what is in flight now
    stopping = signal;
    queue.clear();
    input.close();
  };
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);

  try {
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
    if (!stopping) throw error;
  } finally {
    input.close();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    checkpoint.close();
    closeSync(rejectsFd);
    progress.stop();
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const earlier = counts.skipped ? `; ${counts.skipped} delivered by an earlier run, skipped` : "";
  const where = counts.rejected ? `; rejected rows are in ${options.rejects}` : "";
  const line = `delivered ${counts.delivered}, rejected ${counts.rejected}, in ${seconds} s${earlier}${where}`;
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

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
