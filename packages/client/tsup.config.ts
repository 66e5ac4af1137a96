import { defineConfig } from "tsup";

// The package has no "type": "module" on purpose: esbuild then compiles `import createClient from
// "openapi-fetch"` in the CJS output with __esModule interop (openapi-fetch's CJS sets
// exports.default), instead of Node-ESM semantics that would hand back the whole exports object.
// Declarations follow the same rule: index.d.mts types the ESM build, index.d.ts (CJS here) the CJS one.
export default defineConfig({
  // index.node.ts is what the "node" export condition resolves: the same API over node:http.
  // operations (src/operations-entry.ts) is the ./operations subpath: the whole table, for tools such as the CLI.
  // testing (src/testing.ts, and .node with listen() over node:http) is the ./testing subpath:
  // createFakeParea, for services' own tests.
  // outbox (src/outbox-entry.ts, and .node with the file spool) is the ./outbox subpath: createOutbox.
  entry: {
    index: "src/index.ts",
    "index.node": "src/index.node.ts",
    operations: "src/operations-entry.ts",
    testing: "src/testing.ts",
    "testing.node": "src/testing.node.ts",
    outbox: "src/outbox-entry.ts",
    "outbox.node": "src/outbox-entry.node.ts",
  },
  format: ["esm", "cjs"],
  outExtension: ({ format }) => ({ js: format === "esm" ? ".mjs" : ".cjs" }),
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
