// The node:http Send (src/send/node.ts) called directly, below the reliability layer: what it puts on
// the wire (the codings it asks for, a body's framing) and what it reads back at the edges (a body of
// exactly maxBytes, one in many chunks, an empty one, an unknown coding, HEAD, the reason phrase, its
// own timeout).
import { describe, expect, it } from "vitest";
import { ResponseTooLarge } from "../src/light/response.ts";
import { nodeSend } from "../src/send/node.ts";
import type { Outgoing } from "../src/send/types.ts";
import { serverPerTest, type Fault, type FaultServer } from "./support/fault-server.mts";

const serverFor = serverPerTest();
const serve = (...script: Fault[]) => serverFor(script);

const send = (server: FaultServer, outgoing: Partial<Outgoing> = {}) =>
  nodeSend({
    url: `${server.url}/x`,
    method: "GET",
    headers: new Headers(),
    body: null,
    signal: undefined,
    timeoutMs: 5_000,
    maxBytes: 1_000,
    ...outgoing,
  });

describe("nodeSend: what goes on the wire", () => {
  it("asks for the codings it decodes; frames a body by its length, on any method", async () => {
    const server = await serve({ status: 200 });
    await send(server, { method: "DELETE", headers: new Headers({ "x-a": "1" }), body: "héllo" });
    expect(server.requests[0]).toMatchObject({
      method: "DELETE",
      body: "héllo",
      headers: { "accept-encoding": "gzip, deflate, br", "content-length": "6", "x-a": "1" },
    });
  });

  it("a body the caller frames as chunked is sent chunked, with no length added", async () => {
    const server = await serve({ status: 200 });
    await send(server, { method: "POST", headers: new Headers({ "transfer-encoding": "chunked" }), body: "abc" });
    expect(server.requests[0]!.body).toBe("abc");
    expect(server.requests[0]!.headers).toMatchObject({ "transfer-encoding": "chunked" });
    expect(server.requests[0]!.headers["content-length"]).toBeUndefined();
  });
});

describe("nodeSend: what it reads back", () => {
  it.each([
    ["announced", false],
    ["chunked", true],
  ])("a body of exactly maxBytes (%s) is read; one byte more is too large", async (_, chunked) => {
    const server = await serve({ body: "x".repeat(1_000), chunked }, { body: "x".repeat(1_001), chunked });
    expect(await (await send(server)).text()).toBe("x".repeat(1_000));
    await expect(send(server)).rejects.toBeInstanceOf(ResponseTooLarge);
  });

  it("a body that arrives in many chunks is read whole, in order", async () => {
    const body = Array.from({ length: 200_000 }, (_, i) => i % 10).join("");
    const server = await serve({ body, chunked: true });
    expect(await (await send(server, { maxBytes: 1_000_000 })).text()).toBe(body);
  });

  it("an empty body is empty, not missing", async () => {
    const server = await serve({ status: 200, body: "" });
    const response = await send(server);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array());
  });

  it.each(["zstd", "constructor", "__proto__", "gzip, constructor"])(
    "a coding it does not know (%s) leaves the bytes as they came",
    async (coding) => {
      const server = await serve({ body: "{}", headers: { "content-encoding": coding } });
      expect(await (await send(server)).text()).toBe("{}");
    },
  );

  it("HEAD: no body is read, whatever length is announced", async () => {
    const server = await serve({ raw: "HTTP/1.1 200 OK\r\ncontent-length: 99999999\r\n\r\n" });
    const response = await send(server, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("the status text is the server's reason phrase", async () => {
    const server = await serve({ raw: "HTTP/1.1 202 Taken Gladly\r\ncontent-length: 2\r\n\r\n{}" });
    expect(await send(server)).toMatchObject({ status: 202, statusText: "Taken Gladly" });
  });

  it("no answer within timeoutMs: a TimeoutError that says how long it waited", async () => {
    const server = await serve({ delayMs: 2_000 });
    await expect(send(server, { timeoutMs: 50 })).rejects.toMatchObject({
      name: "TimeoutError",
      message: "no response within 50 ms",
    });
  });
});
