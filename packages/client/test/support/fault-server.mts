// A tiny HTTP server on 127.0.0.1 that misbehaves on cue: the one place tests use a server of our
// own instead of Prism, because faults (resets, stalls, redirects) cannot be asked of a mock.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

export interface Fault {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /** Send the body without content-length (chunked transfer encoding). */
  chunked?: boolean;
  /** Announce the whole body's length, send only this many bytes of it, then destroy the socket. */
  cutBodyAfter?: number;
  /** Write these bytes to the socket as the whole answer (status line included), for malformed HTTP. */
  raw?: string | Buffer;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** performance.now() when the request had arrived in full. */
  at: number;
  /** The client's port: the same for requests that shared a kept-alive connection. */
  remotePort: number | undefined;
  /** The status answered; undefined if the socket was destroyed instead. */
  status?: number;
}

export interface FaultServer {
  /** Origin, e.g. http://127.0.0.1:41234 */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Script = Fault[] | ((n: number, request: RecordedRequest) => Fault);

/**
 * For a test file: registers an afterEach that closes every server started through the returned
 * `serve`, so no test leaves a port open for the next one to meet.
 */
export function serverPerTest(): (script: Script) => Promise<FaultServer> {
  const open: FaultServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return async (script) => {
    const server = await startFaultServer(script);
    open.push(server);
    return server;
  };
}

/** Answers request n (0-based) with script(n), or script[n] (the last entry repeats). */
export async function startFaultServer(script: Script, host = "127.0.0.1"): Promise<FaultServer> {
  const requests: RecordedRequest[] = [];
  // `void`: a fault in here is an unhandled rejection vitest reports, as an uncaught throw would be.
  const server = createServer((req, res) => void answer(req, res));
  async function answer(req: IncomingMessage, res: ServerResponse) {
    let body = "";
    for await (const chunk of req) body += (chunk as Buffer).toString();
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body,
      at: performance.now(),
      remotePort: req.socket.remotePort,
    };
    const n = requests.push(recorded) - 1;
    const fault = typeof script === "function" ? script(n, recorded) : script[Math.min(n, script.length - 1)]!;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.reset) return void req.socket.destroy();
    if (res.destroyed) return;
    if (fault.raw !== undefined) return void req.socket.end(fault.raw);
    const payload =
      fault.body === undefined
        ? ""
        : typeof fault.body === "string" || Buffer.isBuffer(fault.body)
          ? fault.body
          : JSON.stringify(fault.body);
    const headers = { "content-type": "application/json", ...fault.headers };
    recorded.status = fault.status ?? 200;
    if (fault.chunked) {
      res.writeHead(fault.status ?? 200, headers);
      res.write(payload);
      return void res.end();
    }
    res.writeHead(fault.status ?? 200, { ...headers, "content-length": String(Buffer.byteLength(payload)) });
    if (fault.cutBodyAfter === undefined) return void res.end(payload);
    res.write(payload.slice(0, fault.cutBodyAfter), () => req.socket.destroy());
  }
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === "127.0.0.1" ? "127.0.0.1" : host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Elapsed milliseconds of an async call, with its outcome. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const result = await run();
    return { ms: performance.now() - started, result };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}
