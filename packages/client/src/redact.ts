// The API key must never leave through an error or a log line. Every string either carries passes
// here: log messages (logger.ts) and every field of every error (errors.ts), scrubbed before any cut.

export const REDACTED = "[redacted]";

/** `text` with every occurrence of the secret replaced. */
export function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join(REDACTED) : text;
}

const isHeaders = (value: object): value is Headers =>
  typeof (value as Headers).get === "function" && typeof (value as Headers).entries === "function";

/**
 * A copy of a value an error will carry, every string in it scrubbed: JSON bodies deeply, and headers
 * as a new platform Headers (a server may echo the key in any header, and the node transport's light
 * headers would print their raw object).
 */
export function scrubDeep(value: unknown, secret: string): unknown {
  if (typeof value === "string") return scrub(value, secret);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, secret));
  if (isHeaders(value)) return new Headers([...value.entries()].map(([name, text]) => [name, scrub(text, secret)]));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [scrub(key, secret), scrubDeep(item, secret)]));
}
