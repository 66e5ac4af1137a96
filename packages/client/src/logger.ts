// Leveled logging for the transport; every line is scrubbed of the client's credentials (redact.ts).
import { scrub, type Secrets } from "./redact.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "off";
export type Logger = Pick<Console, "debug" | "info" | "warn" | "error">;
export const LOG_LEVELS: LogLevel[] = ["debug", "info", "warn", "error", "off"];

/**
 * What the transport logs: requests (debug) and responses and retries (info); the outbox adds its
 * retries (debug) and drops (warn). A level that is off is
 * undefined, so `log.debug?.(...)` does not even build its message on the hot path.
 */
export interface Log {
  debug?: ((message: string) => void) | undefined;
  info?: ((message: string) => void) | undefined;
  warn?: ((message: string) => void) | undefined;
}

/**
 * A leveled log that cannot print a credential: every message is scrubbed of each secret's value,
 * which also redacts the header, query parameter or cookie the spec's security scheme puts it in.
 */
export function createLog(logger: Logger, level: LogLevel, secrets: Secrets): Log {
  const emit = (at: "debug" | "info" | "warn") =>
    LOG_LEVELS.indexOf(at) >= LOG_LEVELS.indexOf(level)
      ? (message: string) => logger[at](`[parea] ${scrub(message, secrets)}`)
      : undefined;
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn") };
}
