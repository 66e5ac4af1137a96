import { defineConfig } from "vitest/config";

// The suites that pin down failure behaviour run once per transport, so the node:http fast path and
// the fetch path can never behave differently (test/support/client-under-test.ts picks by env).
export const perTransport = [
  "test/reliability.test.ts",
  "test/secrets.test.ts",
  "test/logging.test.ts",
  "test/contract.test.ts",
  "test/hardening.test.ts",
  "test/outbox.test.ts",
  "test/interceptors.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    // The packed-tarball test installs and compiles a consumer project.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
    projects: [
      {
        extends: true,
        test: {
          name: "node:http",
          include: ["test/**/*.test.ts"],
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
      { extends: true, test: { name: "fetch", include: perTransport, env: { PAREA_TRANSPORT: "fetch" } } },
    ],
  },
});
