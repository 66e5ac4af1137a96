// Test support shared by scripts' tests and runtimes/ (as @parea-api/scripts/support/ports.ts): a
// loopback port for a server started as a child process, which cannot report the port it picked.
import { createServer } from "node:net";

/** A port nothing listens on at the moment of asking, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
