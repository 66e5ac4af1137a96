import { apiKeyAuth } from "./generated/spec.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "off";
export type Logger = Pick<Console, "debug" | "info" | "warn" | "error">;

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error", "off"];
export const REDACTED = "[redacted]";

export interface Log {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  return LEVELS.find((level) => level === value?.trim().toLowerCase());
}

/**
 * A leveled log that cannot print the API key: every message is scrubbed of the key's value, and
 * header dumps go through redactHeaders (the header name comes from the spec's security scheme).
 */
export function createLog(logger: Logger, level: LogLevel, secret: string): Log {
  const threshold = LEVELS.indexOf(level);
  const emit = (at: Exclude<LogLevel, "off">) => (message: string) => {
    if (LEVELS.indexOf(at) >= threshold && level !== "off") logger[at](`[parea] ${scrub(message, secret)}`);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = name.toLowerCase() === apiKeyAuth.name.toLowerCase() ? REDACTED : value;
  });
  return out;
}

export function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join(REDACTED) : text;
}
