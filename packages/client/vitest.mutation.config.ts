// The suites StrykerJS runs against each mutant (pnpm test:mutation): the in-process tests of one
// project (node:http), with no type-checking. The packed-consumer, child-process and HTTPS suites are
// left out: a mutant lives in this process's modules, which those never load.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: ["test/**/*.test.ts"],
    exclude: [
      "test/packed-consumer.test.ts",
      "test/outbox-process.test.ts",
      "test/https.test.ts",
      "**/node_modules/**",
    ],
    typecheck: { enabled: false },
  },
});
