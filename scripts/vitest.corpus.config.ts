// pnpm test:corpus: spec:check --generic on real vendors' documents (scripts/corpus/), apart from
// `pnpm test` because the whole corpus takes minutes; CI runs the documents in ciSample (CORPUS=ci).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["corpus/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ["default", ["json", { outputFile: ".vitest/corpus-results.json" }]],
  },
});
