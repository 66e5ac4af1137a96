// pnpm test:history: spec:diff on published document history (scripts/history/), apart from `pnpm test`
// because the whole history downloads ~1 GB of packages once and takes minutes; CI runs the ciSample.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["history/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ["default", ["json", { outputFile: ".vitest/history-results.json" }]],
  },
});
