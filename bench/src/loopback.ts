// Starts loopback-server.ts in a process of its own (client and server must not share an event loop),
// healthy or misbehaving (its argument: `flaky:0.05`, `down`), and gives its origin and the process.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export async function startLoopbackServer(mode = "ok"): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(join(import.meta.dirname, "loopback-server.ts"), [mode], { execArgv: ["--import", "tsx"] });
  const port = await new Promise<number>((resolve) => child.once("message", (message) => resolve(message as number)));
  return { url: `http://127.0.0.1:${port}`, child };
}
