// On a terminal: a progress bar with rows/s, delivered, rejected and an ETA from the bytes read.
// Elsewhere (CI logs, pipes): nothing until the summary line.
import { SingleBar } from "cli-progress";

export interface Counts {
  rows: number;
  delivered: number;
  rejected: number;
  bytes: number;
}

export interface Progress {
  update(counts: Counts): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream, totalBytes: number | null, started: number): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const known = totalBytes !== null && totalBytes > 0;
  const bar = new SingleBar({
    stream,
    fps: 10,
    hideCursor: true,
    format: `${known ? "{bar} {percentage}% | " : ""}{rows} rows | {speed} rows/s | delivered {delivered} | rejected {rejected}${known ? " | ETA {remaining}" : ""}`,
  });
  bar.start(known ? totalBytes : 1, 0, { rows: 0, speed: 0, delivered: 0, rejected: 0, remaining: "-" });
  return {
    update({ rows, delivered, rejected, bytes }) {
      const seconds = (performance.now() - started) / 1000;
      // From the average rate since the start: steadier than cli-progress's window of recent updates.
      const done = known ? Math.min(bytes, totalBytes) : 0;
      const left = known && done > 0 ? ((totalBytes - done) / done) * seconds : undefined;
      bar.update(done, {
        rows,
        delivered,
        rejected,
        speed: seconds > 0 ? Math.round(delivered / seconds) : 0,
        remaining:
          left === undefined
            ? "-"
            : left >= 60
              ? `${Math.floor(left / 60)}m${Math.round(left % 60)}s`
              : `${Math.round(left)}s`,
      });
    },
    stop: () => bar.stop(),
  };
}
