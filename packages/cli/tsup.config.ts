import { defineConfig } from "tsup";

// One ESM file with its shebang; dependencies stay external (installed with the package).
export default defineConfig({
  entry: ["src/bin.ts"],
  format: ["esm"],
  outExtension: () => ({ js: ".mjs" }),
  clean: true,
  sourcemap: true,
  target: "node20",
});
