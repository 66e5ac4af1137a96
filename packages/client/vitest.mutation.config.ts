// The suites StrykerJS runs against each mutant (pnpm test:mutation): the in-process tests, with no
// type-checking, on both transports as in vitest.config.ts (the fetch project is the only one that
// reaches src/send/fetch.ts). The packed-consumer, child-process and HTTPS suites are left out: a
// mutant lives in this process's modules, which those never load.
import { defineConfig } from "vitest/config";
import { perTransport } from "./vitest.config.ts";

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    exclude: [
      "test/packed-consumer.test.ts",
      "test/outbox-process.test.ts",
      "test/https.test.ts",
      "**/node_modules/**",
    ],
    typecheck: { enabled: false },
    projects: [
      { extends: true, test: { name: "node:http", include: ["test/**/*.test.ts"] } },
      { extends: true, test: { name: "fetch", include: perTransport, env: { PAREA_TRANSPORT: "fetch" } } },
    ],
  },
});
