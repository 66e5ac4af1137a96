// The other end of every loopback measurement, in its own process so that client and server do not
// share an event loop: answers each request with 200 and `{}`, as Record Feedback does. With an
// argument, it misbehaves for the outbox's fault benchmarks: `flaky:0.05` answers a random 5 % with
// 503, `down` answers every request with 503 (an outage).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const mode = process.argv[2] ?? "ok";
const failRate = mode === "down" ? 1 : mode.startsWith("flaky:") ? Number(mode.slice(6)) : 0;

const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    const status = Math.random() < failRate ? 503 : 200;
    response.writeHead(status, { "content-type": "application/json", "content-length": "2" });
    response.end("{}");
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port));
process.on("disconnect", () => process.exit(0));
