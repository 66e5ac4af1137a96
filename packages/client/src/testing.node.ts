// @parea-api/client/testing as Node, Bun and Deno resolve it (the "node" condition): the fake, and
// fake.listen() serving it over node:http on 127.0.0.1 for code that reads PAREA_BASE_URL.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { fakeFactory, type ListenOn } from "./fake.js";

export const listenOverHttp: ListenOn = async (handle, report) => {
  // Pending delays end with the server: close() must not leave a timer behind.
  const closing = new AbortController();
  const server = createServer((req, res) => void serve(req, res));
  async function serve(req: IncomingMessage, res: ServerResponse) {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      // Decoded after joining: a character split across two chunks stays whole.
      const text = Buffer.concat(chunks).toString("utf8");
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const answer = await handle(req.method ?? "GET", req.url ?? "/", headers, text, closing.signal);
      if (answer === "drop") return void req.socket.destroy();
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch (error) {
      // A fault of the fake itself is the test's to see, not a crash of the process running it.
      report({ method: req.method ?? "", path: req.url ?? "", reason: `the fake failed: ${String(error)}` });
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: "the fake failed" }));
    }
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export const createFakeParea = fakeFactory(listenOverHttp);
export type { FakeCall, FakeParea, FakeReply, FakeServer, FakeViolation, ReplyBody } from "./fake.js";
