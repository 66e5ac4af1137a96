// Node's response headers behind the Headers API, for the node:http transport (send/node.ts).
import { inspectSymbol, underPlatformClass } from "./platform.js";

/** Response headers as Node's http module gives them: lower-case names, repeated ones as arrays. */
export type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * Node's own header object behind the Headers API, not copied into a platform Headers: copying every
 * response header was the largest single cost of a call.
 */
export class LightHeaders {
  constructor(private readonly raw: RawHeaders) {
    linkHeaders();
  }
  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  getSetCookie(): string[] {
    return [this.raw["set-cookie"] ?? []].flat();
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  forEach(callback: (value: string, name: string, headers: Headers) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }
  [inspectSymbol](): object {
    return Object.fromEntries(this.entries());
  }
  set(name: string, value: string): void {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- as Headers#set does: JavaScript callers pass numbers
    this.raw[name.toLowerCase()] = String(value);
  }
  append(name: string, value: string): void {
    const before = this.get(name);
    this.set(name, before === null ? value : `${before}, ${value}`);
  }
  delete(name: string): void {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- raw is node:http's header object, kept as it came
    delete this.raw[name.toLowerCase()];
  }
}

const linkHeaders = underPlatformClass(LightHeaders, () => globalThis.Headers);
