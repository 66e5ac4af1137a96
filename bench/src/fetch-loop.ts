// The baseline for import throughput: the script a team would write, in its own process like the
// CLI. Reads the same JSON Lines file and POSTs each row with fetch, N at a time; prints rows/s.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

const [file, url, concurrency] = process.argv.slice(2) as [string, string, string];
const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]();
const headers = { "content-type": "application/json", "x-api-key": "bench-key" };
const started = performance.now();
let rows = 0;
async function worker(): Promise<void> {
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    if (!next.value) continue;
    const response = await fetch(url, { method: "POST", headers, body: next.value });
    await response.json();
    rows++;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify({ rows, seconds: (performance.now() - started) / 1000 }));
