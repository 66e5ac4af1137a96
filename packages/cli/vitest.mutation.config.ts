// The suites StrykerJS runs against each mutant (pnpm test:mutation): the tests that load the import's
// modules in this process. The others run the built command in a child process, which never loads a
// mutant.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/checkpoint.test.ts", "test/rows.test.ts"],
    testTimeout: 60_000,
    typecheck: { enabled: false },
  },
});
