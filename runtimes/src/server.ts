// The loopback API every runtime talks to: /<runtime>/<step>/api/parea/v1/feedback answers as the
// step needs (a 503 then 200, a body cut short then 200, a 422, an answer after 3 s, a slow 200 for
// the interrupted import, else 200 {}), and /<runtime>/<step>/__count says how many requests that
// step sent. Every answer carries CORS headers, and preflights are answered, so a page on another
// origin can call it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "*",
  "access-control-expose-headers": "*",
};

export interface Api {
  url: string;
  /** Bodies received for one runtime's step, in order. */
  bodies(key: string): unknown[];
  close(): Promise<void>;
}

async function read(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += (chunk as Buffer).toString();
  return text;
}

export async function startApi(): Promise<Api> {
  const received = new Map<string, unknown[]>();
  // The handler's promise is nobody's to await: a failure here is a 500 for the runtime under test.
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, CORS);
      response.end();
    });
  });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const [, runtime = "", step = "", ...rest] = (request.url ?? "/").split("?")[0]!.split("/");
    const key = `${runtime}/${step}`;
    const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
      response
        .writeHead(status, { ...CORS, "content-type": "application/json", ...headers })
        .end(body === undefined ? undefined : JSON.stringify(body));
    if (request.method === "OPTIONS") return void response.writeHead(204, CORS).end();
    if (rest.join("/") === "__count") return answer(200, { count: received.get(key)?.length ?? 0 });
    const text = await read(request);
    const bodies = received.get(key) ?? [];
    received.set(key, bodies);
    bodies.push(text ? JSON.parse(text) : undefined);
    if (step === "retry" && bodies.length === 1) return answer(503, { detail: "try again" }, { "retry-after": "0" });
    if (step === "cut" && bodies.length === 1) {
      const body = JSON.stringify({ detail: "x".repeat(1_000) });
      response.writeHead(200, { ...CORS, "content-type": "application/json", "content-length": String(body.length) });
      return void response.write(body.slice(0, 100), () => request.socket.destroy());
    }
    if (step === "validation")
      return answer(422, { detail: [{ loc: ["body", "score"], msg: "must be a number", type: "float_parsing" }] });
    const delay = step === "timeout" ? 3_000 : step.startsWith("slow") ? 5 : 0;
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    if (!response.destroyed) answer(200, {});
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies: (key) => received.get(key) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves one page that loads a bundle (another origin than the API: every call goes through CORS). */
export async function startPage(bundle: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    if ((request.url ?? "/").startsWith("/bundle.js"))
      return void response.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    response
      .writeHead(200, { "content-type": "text/html" })
      .end('<!doctype html><title>parea runtime check</title><script type="module" src="/bundle.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
