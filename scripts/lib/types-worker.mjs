// openapi-typescript on its own thread (generate.ts's typesOf): on a large document it is half of
// codegen, and everything else codegen does needs none of its output, so the two run side by side.
// Plain JavaScript: a worker started from a test runner or a bundled script has no TypeScript loader.
import { parentPort, workerData } from "node:worker_threads";
import openapiTS, { astToString } from "openapi-typescript";

try {
  parentPort.postMessage({ types: astToString(await openapiTS(workerData.doc, workerData.options)) });
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
