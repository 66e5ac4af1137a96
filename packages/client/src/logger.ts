import { LOG_LEVELS } from "./options.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "off";
export type Logger = Pick<Console, "debug" | "info" | "warn" | "error">;

/** What the transport logs: requests (debug) and responses and retries (info). */
export interface Log {
  debug(message: string): void;
  info(message: string): void;
}

export const REDACTED = "[redacted]";

/**
 * A leveled log that cannot print the API key: every message is scrubbed of the key's value, which
 * also redacts the header the spec's security scheme puts it in when headers are dumped.
 */
export function createLog(logger: Logger, level: LogLevel, secret: string): Log {
  const emit = (at: "debug" | "info") => (message: string) =>
    LOG_LEVELS.indexOf(at) >= LOG_LEVELS.indexOf(level) && logger[at](`[parea] ${scrub(message, secret)}`);
  return { debug: emit("debug"), info: emit("info") };
}

export function scrub(text: string, secret: string): string {
  return text.split(secret).join(REDACTED);
}
