// The default Send on Node (chosen by the "node" export condition): node:http with keep-alive agents.
// Node's fetch builds and copies WHATWG objects at every step and costs ~3x a plain http request.
import nodeHttp, { type IncomingMessage } from "node:http";
import { errorCode } from "../error-code.js";
import { LightHeaders } from "../light/headers.js";
import { BufferedResponse, isNullBodyStatus, ResponseTooLarge } from "../light/response.js";
import type { Outgoing, Send } from "./types.js";

// `request` is read off the module object at each call, never bound at import: the interceptors that
// services test with (MSW's node server, nock) replace http.request after the client is imported,
// and a bound copy would send their traffic to the real network instead.
type Stack = { module: Pick<typeof nodeHttp, "request">; agent: nodeHttp.Agent };
// One pool per process, like fetch's global dispatcher: clients made per request still reuse sockets.
const http: Stack = { module: nodeHttp, agent: new nodeHttp.Agent({ keepAlive: true }) };
// node:https (and TLS with it) loads on the first https request: a third of the cold import otherwise.
let https: Promise<Stack> | undefined;
const loadHttps = () =>
  (https ??= import("node:https").then(({ default: module }) => ({
    module,
    agent: new module.Agent({ keepAlive: true }),
  })));

export const nodeSend: Send = (outgoing) =>
  outgoing.url.startsWith("https:") ? loadHttps().then((stack) => exchange(stack, outgoing)) : exchange(http, outgoing);

/** What this transport decodes, so what it asks for; fetch decodes the same three. */
const ACCEPT_ENCODING = "gzip, deflate, br";
const EMPTY = Buffer.alloc(0);

function exchange({ module, agent }: Stack, { url, method, headers, body, signal, timeoutMs, maxBytes }: Outgoing) {
  return new Promise<BufferedResponse>((resolve, reject) => {
    const outgoing: Record<string, string> = { "accept-encoding": ACCEPT_ENCODING };
    headers.forEach((value, name) => (outgoing[name] = value));
    // Framed by its length: for DELETE (and GET, OPTIONS) Node sends no chunked framing by default,
    // so a body without a content-length reached the server as the start of the next request (400).
    // Always its true length: a length set by hand that disagreed would cut or stall the body.
    if (body != null && outgoing["transfer-encoding"] === undefined)
      outgoing["content-length"] = String(Buffer.byteLength(body));
    // A plain timer: an AbortController per attempt was the client's largest cost of its own. It
    // rejects itself rather than wait for destroy() to emit 'error': Deno's node:http emits none, and
    // the call then lasted as long as the server took.
    const timer = setTimeout(() => {
      fail(Object.assign(new Error(`no response within ${timeoutMs} ms`), { name: "TimeoutError" }));
      request.destroy();
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const request = module.request(
      url,
      { method, headers: outgoing, agent, ...(signal && { signal }) },
      (response: IncomingMessage) => {
        // Set on every response a client request receives (it is undefined only on server-side messages).
        const status = response.statusCode ?? 0;
        const responseHeaders = new LightHeaders(response.headers) as unknown as Headers;
        const done = (bytes: Buffer) => {
          clearTimeout(timer);
          resolve(new BufferedResponse(status, response.statusMessage ?? "", responseHeaders, bytes as never, url));
        };
        const tooLarge = () => {
          fail(new ResponseTooLarge(status, responseHeaders));
          request.destroy();
        };
        // No body, whatever follows on the socket (a server that sends one anyway breaks Node's parser
        // for the next message, not this answer: the request was accepted and must not be sent again).
        if (isNullBodyStatus(status) || method === "HEAD") {
          response.resume();
          done(EMPTY);
          return;
        }
        if (Number(response.headers["content-length"]) > maxBytes) {
          tooLarge();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) tooLarge();
          else chunks.push(chunk);
        });
        response.on("end", () => {
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          const coding = response.headers["content-encoding"];
          if (!coding || coding === "identity") {
            done(bytes);
            return;
          }
          // Bytes their coding cannot undo are kept as they came (the JSON check reports them), as
          // for a coding it does not know: an answer, not a dropped connection.
          decode(coding, bytes, maxBytes).then(done, (error: unknown) => {
            if (errorCode(error) === "ERR_BUFFER_TOO_LARGE") tooLarge();
            else done(bytes);
          });
        });
        // The socket closed before the body was complete: a connection failure like any other, with
        // the response's own error (Node, Bun and Deno each emit one before 'close': the runtimes
        // suite's cut-body step), or ours should a runtime emit none; the timer stays the last bound.
        let broken: Error | undefined;
        response.on("error", (error) => (broken = error));
        response.on(
          "close",
          () =>
            response.complete ||
            fail(broken ?? Object.assign(new Error("response body cut short"), { code: "ECONNRESET" })),
        );
      },
    );
    request.on("error", fail);
    request.end(body ?? undefined);
  });
}

type Zlib = typeof import("node:zlib");
let zlib: Promise<Zlib> | undefined;
// A Map, not an object: a coding named "constructor" or "__proto__" is unknown, not Object's.
const DECODERS = new Map<string, "gunzip" | "inflate" | "brotliDecompress">([
  ["gzip", "gunzip"],
  ["x-gzip", "gunzip"],
  ["deflate", "inflate"],
  ["br", "brotliDecompress"],
]);

/**
 * A compressed body decoded (codings are undone last first, RFC 9110 8.4), never past maxBytes: a
 * small gzip can expand without bound. A coding it does not know leaves the bytes as they are, as
 * fetch does, and the JSON check reports them. node:zlib loads with the first compressed answer.
 */
async function decode(header: string, bytes: Buffer, maxBytes: number): Promise<Buffer> {
  const z = await (zlib ??= import("node:zlib"));
  const run = (method: "gunzip" | "inflate" | "inflateRaw" | "brotliDecompress", input: Buffer) =>
    new Promise<Buffer>((resolve, reject) =>
      (z[method] as (b: Buffer, o: object, cb: (e: Error | null, out: Buffer) => void) => void)(
        input,
        { maxOutputLength: maxBytes },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    );
  const codings = header
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim());
  let out = bytes;
  for (const coding of codings.filter((c) => c && c !== "identity").reverse()) {
    const method = DECODERS.get(coding);
    if (!method) return bytes;
    // "deflate" is meant to be zlib-wrapped; some servers send it raw.
    out = await run(method, out).catch(async (error: unknown) => {
      if (method === "inflate" && errorCode(error) === "Z_DATA_ERROR") return run("inflateRaw", out);
      throw error;
    });
  }
  return out;
}
