// Leveled logging for the transport; every line is scrubbed of the API key (redact.ts).
import { scrub } from "./redact.js";

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
 * A leveled log that cannot print the API key: every message is scrubbed of the key's value, which
 * also redacts the header the spec's security scheme puts it in when headers are dumped.
 */
export function createLog(logger: Logger, level: LogLevel, secret: string): Log {
  const emit = (at: "debug" | "info" | "warn") =>
    LOG_LEVELS.indexOf(at) >= LOG_LEVELS.indexOf(level)
      ? (message: string) => logger[at](`[parea] ${scrub(message, secret)}`)
      : undefined;
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn") };
}
