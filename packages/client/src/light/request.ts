import { inspectSymbol, underPlatformClass } from "./platform.js";

// What openapi-fetch builds for each call (its `Request` option). A WHATWG Request copies headers and
// wraps the body in a stream that the transport would read straight back; this keeps the serialized
// string as it is. It passes `instanceof Request`, so middleware that returns it is accepted, and any
// body that is not a string gets a real Request.

export class LightRequest {
  readonly url!: string;
  readonly method!: string;
  readonly headers!: Headers;
  readonly signal: AbortSignal | undefined;
  readonly redirect!: RequestRedirect;
  readonly rawBody!: string | null;
  readonly bodyUsed = false;
  readonly cache = "default";
  readonly credentials = "same-origin";
  readonly destination = "";
  readonly integrity = "";
  readonly keepalive = false;
  readonly mode = "cors";
  readonly referrer = "about:client";
  readonly referrerPolicy = "";

  constructor(input: string | URL, init: RequestInit = {}) {
    const { body } = init;
    if (body != null && typeof body !== "string") return new Request(input, init) as never;
    linkRequest();
    this.url = String(input);
    this.method = (init.method ?? "GET").toUpperCase();
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.signal = init.signal ?? undefined;
    this.redirect = init.redirect ?? "follow";
    this.rawBody = body ?? null;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.rawBody === null ? null : new Blob([this.rawBody]).stream();
  }
  text(): Promise<string> {
    return Promise.resolve(this.rawBody ?? "");
  }
  json(): Promise<unknown> {
    return this.text().then(JSON.parse);
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return new Blob([this.rawBody ?? ""]).arrayBuffer();
  }
  blob(): Promise<Blob> {
    return Promise.resolve(new Blob([this.rawBody ?? ""]));
  }
  [inspectSymbol](): object {
    return { method: this.method, url: this.url };
  }
  clone(): LightRequest {
    const { method, signal, redirect, rawBody: body } = this;
    return new LightRequest(this.url, { method, headers: new Headers(this.headers), signal, redirect, body });
  }
}

const linkRequest = underPlatformClass(LightRequest, () => globalThis.Request);
