// No credential may leave through an error or a log line. Every string either carries passes here: log
// messages (logger.ts) and every field of every error (errors.ts), scrubbed before any cut. A client's
// credentials are a set: the API key, every other scheme's secret, and the tokens its suppliers return.

export const REDACTED = "[redacted]";

/**
 * Tokens a supplier returned that are remembered. A supplier that caches its token (as OAuth clients
 * do) returns a few per day; one that mints a token per call keeps the last 256, i.e. every request
 * still in flight at any realistic concurrency.
 */
export const REMEMBERED_TOKENS = 256;

/** The secrets one client holds: fixed ones for its lifetime, supplied tokens as they arrive. */
export class Secrets {
  /** Longest first, so a secret that contains another is replaced whole. */
  values: string[] = [];
  private tokens: string[] = [];

  constructor(...fixed: (string | undefined)[]) {
    for (const value of fixed) this.add(value);
  }

  /** Remembers a secret; `supplied` ones (from a token supplier) are forgotten oldest first past the cap. */
  add(value: string | undefined, supplied = false): void {
    if (!value || this.values.includes(value)) return;
    if (supplied && this.tokens.push(value) > REMEMBERED_TOKENS) {
      const oldest = this.tokens.shift()!;
      this.values.splice(this.values.indexOf(oldest), 1);
    }
    this.values.push(value);
    this.values.sort((a, b) => b.length - a.length);
  }
}

/** `text` with every occurrence of every secret replaced. */
export function scrub(text: string, secrets: Secrets): string {
  for (const secret of secrets.values) text = text.split(secret).join(REDACTED);
  return text;
}

const isHeaders = (value: object): value is Headers =>
  typeof (value as Headers).get === "function" && typeof (value as Headers).entries === "function";

/**
 * A copy of a value an error will carry, every string in it scrubbed: JSON bodies deeply, and headers
 * as a new platform Headers (a server may echo the key in any header, and the node transport's light
 * headers would print their raw object).
 */
export function scrubDeep(value: unknown, secrets: Secrets): unknown {
  if (typeof value === "string") return scrub(value, secrets);
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, secrets));
  if (isHeaders(value)) return new Headers([...value.entries()].map(([name, text]) => [name, scrub(text, secrets)]));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [scrub(key, secrets), scrubDeep(item, secrets)]),
  );
}
