import { afterEach, describe, expect, it, vi } from "vitest";
import { createPareaClient } from "./support/client-under-test.ts";
import { PareaError } from "../src/index.ts";
import { captureLog } from "./support/capture-log.ts";
import { startFaultServer, type FaultServer } from "./support/fault-server.mts";

const apiKey = "test-key-logging";
let server: FaultServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
});

const capture = captureLog;

describe("logging", () => {
  it("at info: one line per attempt and per retry, with status and timing", async () => {
    server = await startFaultServer([{ status: 503, headers: { "retry-after-ms": "5" } }, { status: 200 }]);
    const { lines, logger } = capture();
    await createPareaClient({ apiKey, baseUrl: server.url, logger, logLevel: "info" }).recordFeedback({ score: 1 });
    expect(lines.map(([level]) => level)).toEqual(["info", "info", "info"]);
    expect(lines[0]![1]).toMatch(/^\[parea\] POST \/api\/parea\/v1\/feedback -> 503 in \d+ ms \(attempt 1\)$/);
    expect(lines[1]![1]).toBe("[parea] retrying POST /api/parea/v1/feedback in 5 ms after status 503 (attempt 2/3)");
    expect(lines[2]![1]).toMatch(/-> 200 in \d+ ms \(attempt 2\)$/);
  });

  it("PAREA_LOG sets the level when the option does not", async () => {
    server = await startFaultServer([{ status: 200 }]);
    const { lines, logger } = capture();
    vi.stubEnv("PAREA_LOG", "debug");
    await createPareaClient({ apiKey, baseUrl: server.url, logger }).recordFeedback({ score: 1 });
    expect(lines.some(([level, line]) => level === "debug" && line.includes('"x-api-key":"[redacted]"'))).toBe(true);
    vi.stubEnv("PAREA_LOG", "off");
    lines.length = 0;
    await createPareaClient({ apiKey, baseUrl: server.url, logger }).recordFeedback({ score: 1 });
    expect(lines).toEqual([]);
  });

  it("the default level (warn) keeps successful calls quiet", async () => {
    server = await startFaultServer([{ status: 200 }]);
    const { lines, logger } = capture();
    vi.stubEnv("PAREA_LOG", "");
    await createPareaClient({ apiKey, baseUrl: server.url, logger }).recordFeedback({ score: 1 });
    expect(lines).toEqual([]);
  });

  it("an unknown PAREA_LOG value is a PareaError naming the choices", () => {
    vi.stubEnv("PAREA_LOG", "verbose");
    expect(() => createPareaClient({ apiKey })).toThrow(PareaError);
    expect(() => createPareaClient({ apiKey })).toThrow(
      /PAREA_LOG must be one of debug, info, warn, error, off; got "verbose"/,
    );
  });
});
