import { defineConfig } from "vitest/config";

// One file, one runtime after another (they share the loopback server and the machine's two cores).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["src/setup.ts"],
    // Installing a runtime the first time (tens of MB from the registry) happens in the global setup.
    hookTimeout: 600_000,
    testTimeout: 120_000,
    fileParallelism: false,
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
  },
});
