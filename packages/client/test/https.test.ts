// The node:http transport over real TLS: node:https is loaded on first use, so this is the test that
// it is loaded and used, with certificate checks intact.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
let dir: string;
let server: Server;
let baseUrl: string;
const seen: { headers: Record<string, unknown>; body: string; port: number | undefined }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "parea-tls-"));
  await run("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
    ...["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
  ]);
  server = createServer({ key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) });
  server.on("request", (request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      seen.push({ headers: request.headers, body, port: request.socket.remotePort });
      response.writeHead(200, { "content-type": "application/json" }).end('{"recorded":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset if beforeAll failed first
  server?.closeAllConnections();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

const call = async (env: Record<string, string>) => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "test/fixtures/https-call.mts", baseUrl], {
    cwd: join(import.meta.dirname, ".."),
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout) as { data?: unknown; error?: { name: string; message: string } };
};

it("records feedback over https with a trusted certificate, keeping the connection alive", async () => {
  const before = seen.length;
  expect(await call({ NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") })).toEqual({
    data: [{ recorded: true }, { recorded: true }],
  });
  const calls = seen.slice(before);
  expect(calls).toHaveLength(2);
  expect(calls[0]).toMatchObject({ headers: { "x-api-key": "tls-key" }, body: '{"trace_id":"tls","score":1}' });
  expect(calls[1]!.port).toBe(calls[0]!.port); // one TLS handshake for both
});

it("refuses a certificate nobody trusts: PareaConnectionError naming the TLS failure", async () => {
  const before = seen.length;
  const { error } = await call({});
  expect(error?.name).toBe("PareaConnectionError");
  expect(error?.message).toMatch(
    /connection failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
  );
  expect(seen.length).toBe(before);
});
