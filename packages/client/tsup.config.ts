import { defineConfig } from "tsup";

// The package has no "type": "module" on purpose: esbuild then compiles `import createClient from
// "openapi-fetch"` in the CJS output with __esModule interop (openapi-fetch's CJS sets
// exports.default), instead of Node-ESM semantics that would hand back the whole exports object.
// Declarations follow the same rule: index.d.mts types the ESM build, index.d.ts (CJS here) the CJS one.
export default defineConfig({
  // index.node.ts is what the "node" export condition resolves: the same API over node:http.
  entry: ["src/index.ts", "src/index.node.ts"],
  format: ["esm", "cjs"],
  outExtension: ({ format }) => ({ js: format === "esm" ? ".mjs" : ".cjs" }),
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
});
