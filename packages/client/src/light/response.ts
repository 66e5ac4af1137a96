// The Response both transports hand to openapi-fetch: the body is already read (inside the attempt,
// so a body cut short is retried like any other connection failure), and reading it again is free.
// Its prototype chain includes the platform's Response, so `instanceof Response` still holds.
import { errorCode } from "../error-code.js";
import { inspectSymbol, underPlatformClass } from "./platform.js";

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Statuses that never have a body (RFC 9110): bytes a server sends anyway are not one. */
export const isNullBodyStatus = (status: number) => status === 204 || status === 205 || status === 304;

/** A body passed Outgoing.maxBytes: reading stopped there. The transport makes it a typed error. */
export class ResponseTooLarge extends Error {
  override name = "ResponseTooLarge";
  constructor(
    readonly status: number,
    readonly headers: Headers,
  ) {
    super("response body too large");
  }
}

export class BufferedResponse {
  readonly type = "basic";
  readonly redirected = false;
  readonly bodyUsed = false;
  readonly headers: Headers;
  private readonly bytes: Uint8Array<ArrayBuffer>;
  private decoded: string | undefined;
  private parsed: { value: unknown } | undefined;

  constructor(
    readonly status: number,
    readonly statusText: string,
    headers: Headers,
    bytes: Uint8Array<ArrayBuffer>,
    readonly url: string,
  ) {
    linkResponse();
    if (isNullBodyStatus(status)) {
      // No body whatever the server sent, and a length that says so (openapi-fetch then parses nothing).
      bytes = EMPTY;
      // Framing headers go too: with "transfer-encoding: chunked" beside the zero length, openapi-fetch
      // parsed the empty body of a 205 as JSON and failed.
      const framing = new Set(["content-length", "transfer-encoding"]);
      headers = new Headers([...headers.entries()].filter(([name]) => !framing.has(name)));
      headers.set("content-length", "0");
    }
    this.headers = headers;
    this.bytes = bytes;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return new Blob([this.bytes]).stream();
  }
  text(): Promise<string> {
    return Promise.resolve((this.decoded ??= decoder.decode(this.bytes)));
  }
  /** Parsed once; later calls get the same value. */
  async json(): Promise<unknown> {
    this.parsed ??= { value: JSON.parse(await this.text()) };
    return this.parsed.value;
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.bytes.slice().buffer);
  }
  blob(): Promise<Blob> {
    return Promise.resolve(new Blob([this.bytes], { type: this.headers.get("content-type") ?? "" }));
  }
  formData(): Promise<FormData> {
    return new Response(this.bytes, { headers: this.headers }).formData();
  }
  [inspectSymbol](): object {
    const { status, statusText, headers, url } = this;
    return { status, statusText, headers, url };
  }
  clone(): BufferedResponse {
    return new BufferedResponse(this.status, this.statusText, this.headers, this.bytes, this.url);
  }
}

// `response instanceof Response` stays true for callers' code (and openapi-fetch's middleware checks).
const linkResponse = underPlatformClass(BufferedResponse, () => globalThis.Response);

/** Read a platform Response's body now (inside the attempt) and keep it; at most maxBytes of it. */
export async function buffer(response: Response, maxBytes = Infinity): Promise<BufferedResponse> {
  if (response instanceof BufferedResponse) return response;
  const { status, statusText, headers, url, body } = response;
  const declared = Number(headers.get("content-length") ?? NaN);
  const tooLarge = () => (void body?.cancel().catch(() => {}), new ResponseTooLarge(status, headers));
  if (declared > maxBytes) throw tooLarge();
  // The declared length bounds the body unless it is compressed (then it bounds only what was sent).
  const bounded = declared <= maxBytes && (headers.get("content-encoding") ?? "identity") === "identity";
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    if (bounded || !body || isNullBodyStatus(status)) bytes = new Uint8Array(await response.arrayBuffer());
    else {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (const reader = body.getReader(); ;) {
        const { done, value } = await reader.read();
        if (done) break;
        if ((size += value.length) > maxBytes) throw tooLarge();
        chunks.push(value);
      }
      bytes = new Uint8Array(size);
      chunks.reduce((at, chunk) => (bytes.set(chunk, at), at + chunk.length), 0);
    }
  } catch (error) {
    // A body its content-encoding cannot undo (the platform's zlib, brotli or zstd refused it) is an
    // answer, not a dropped connection: it goes on to the JSON check, or into the error, as this note.
    // Not `instanceof Error`: a runtime's decoder may fail with an error of another realm or class.
    const cause = (error as { cause?: Error } | null)?.cause;
    if (!/^(Z_|ZSTD_|ERR__)/.test(errorCode(cause) ?? "")) throw error;
    bytes = new TextEncoder().encode(`[undecodable body: ${cause!.message}]`);
  }
  return new BufferedResponse(status, statusText, headers, bytes, url);
}
