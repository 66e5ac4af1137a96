// Cold import: a fresh Node process importing the package, against one that imports nothing, in
// alternating rounds. Reported as medians; the difference is what the import itself costs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { median } from "./rounds.ts";

const run = promisify(execFile);

export async function coldImportMs(specifiers: string[], rounds: number): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>([["(nothing)", []], ...specifiers.map((s): [string, number[]] => [s, []])]);
  for (let round = 0; round < rounds; round++) {
    for (const [specifier, times] of samples) {
      const code = specifier === "(nothing)" ? "" : `await import(${JSON.stringify(specifier)});`;
      const started = performance.now();
      await run(process.execPath, ["--input-type=module", "-e", code], { cwd: import.meta.dirname });
      times.push(performance.now() - started);
    }
  }
  return new Map([...samples].map(([specifier, times]) => [specifier, median(times)]));
}
