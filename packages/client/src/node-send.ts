// The default Send on Node (chosen by the "node" export condition): node:http with keep-alive agents.
// Node's fetch builds and copies WHATWG objects at every step and costs ~3x a plain http request.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { BufferedResponse, inspectSymbol, underPlatformClass } from "./buffered-response.js";
import type { Outgoing, Send } from "./send.js";

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
    for (const name of Object.keys(this.raw).sort()) if (this.has(name)) yield [name, this.get(name)!];
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
    for (const [name, value] of this.entries()) callback(value, name, this as unknown as Headers);
  }
  [inspectSymbol](): object {
    return Object.fromEntries(this.entries());
  }
  set(name: string, value: string): void {
    this.raw[name.toLowerCase()] = String(value);
  }
  append(name: string, value: string): void {
    const before = this.get(name);
    this.set(name, before === null ? value : `${before}, ${value}`);
  }
  delete(name: string): void {
    delete this.raw[name.toLowerCase()];
  }
}

const linkHeaders = underPlatformClass(LightHeaders, () => globalThis.Headers);

// One pool per process, like fetch's global dispatcher: clients made per request still reuse sockets.
const http = { request: httpRequest, agent: new HttpAgent({ keepAlive: true }) };
type Stack = typeof http;
// node:https (and TLS with it) loads on the first https request: a third of the cold import otherwise.
let https: Promise<Stack> | undefined;
const loadHttps = () =>
  (https ??= import("node:https").then(({ request, Agent }) => ({
    request: request as Stack["request"],
    agent: new Agent({ keepAlive: true }),
  })));

export const nodeSend: Send = (outgoing) =>
  outgoing.url.startsWith("https:") ? loadHttps().then((stack) => exchange(stack, outgoing)) : exchange(http, outgoing);

function exchange({ request: send, agent }: Stack, { url, method, headers, body, signal, timeoutMs }: Outgoing) {
  return new Promise<BufferedResponse>((resolve, reject) => {
    const outgoing: Record<string, string> = {};
    headers.forEach((value, name) => (outgoing[name] = value));
    let timedOut = false;
    // A plain timer: an AbortController per attempt was the client's largest cost of its own.
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy();
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(
        timedOut ? Object.assign(new Error(`no response within ${timeoutMs} ms`), { name: "TimeoutError" }) : error,
      );
    };
    const request = send(
      url,
      { method, headers: outgoing, agent, ...(signal && { signal }) },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          clearTimeout(timer);
          resolve(
            new BufferedResponse(
              response.statusCode!,
              response.statusMessage ?? "",
              new LightHeaders(response.headers) as unknown as Headers,
              (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) as Uint8Array<ArrayBuffer>,
              url,
            ),
          );
        });
        // The socket closed before the body was complete: a connection failure like any other.
        response.on(
          "close",
          () => response.complete || fail(Object.assign(new Error("response body cut short"), { code: "ECONNRESET" })),
        );
        response.on("error", fail);
      },
    );
    request.on("error", fail);
    request.end(body ?? undefined);
  });
}
