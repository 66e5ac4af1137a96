// The outbox's options (src/outbox/contract.ts) as a table: each default, each bound on both sides, and
// the one-line PareaError naming the option for everything else, as createOutbox throws it.
import { describe, expect, it } from "vitest";
import { PareaError } from "../src/errors.ts";
import { checkOutboxOptions, MIN_SPOOL_BYTES } from "../src/outbox/contract.ts";

const refusal = (options: unknown, canSpool = true) => {
  try {
    checkOutboxOptions(options as never, canSpool);
  } catch (error) {
    expect(error).toBeInstanceOf(PareaError);
    return [(error as PareaError).option, (error as Error).message];
  }
  return undefined;
};

describe("outbox options", () => {
  it("defaults: 4 workers, 10 000 queued, 256 MiB of spool; an hour in memory, a day with a spoolDir", () => {
    const onDrop = () => {};
    expect(checkOutboxOptions({ onDrop }, false)).toEqual({
      spoolDir: undefined,
      onDrop,
      concurrency: 4,
      maxQueued: 10_000,
      maxAgeMs: 3_600_000,
      maxSpoolBytes: 256 * 1024 * 1024,
    });
    expect(checkOutboxOptions({ spoolDir: "/s" }, true)).toMatchObject({ spoolDir: "/s", maxAgeMs: 86_400_000 });
    expect(checkOutboxOptions({ concurrency: 256, maxQueued: 1, maxAgeMs: 1, maxSpoolBytes: 16_384 }, true)).toEqual(
      expect.objectContaining({ concurrency: 256, maxQueued: 1, maxAgeMs: 1, maxSpoolBytes: MIN_SPOOL_BYTES }),
    );
  });

  it.each([
    [{ concurrency: 0 }, "concurrency", "concurrency must be a whole number from 1 to 256, not 0"],
    [{ concurrency: 257 }, "concurrency", "concurrency must be a whole number from 1 to 256, not 257"],
    [{ concurrency: "4" }, "concurrency", "concurrency must be a whole number from 1 to 256, not 4"],
    [{ maxQueued: 1.5 }, "maxQueued", "maxQueued must be a whole number from 1 to 9007199254740991, not 1.5"],
    [{ maxAgeMs: -1 }, "maxAgeMs", "maxAgeMs must be a whole number from 1 to 9007199254740991, not -1"],
    [
      { maxAgeMs: 2 ** 53 },
      "maxAgeMs",
      "maxAgeMs must be a whole number from 1 to 9007199254740991, not 9007199254740992",
    ],
    [
      { maxSpoolBytes: 16_383 },
      "maxSpoolBytes",
      "maxSpoolBytes must be a whole number from 16384 to 9007199254740991, not 16383",
    ],
    [{ spoolDir: "" }, "spoolDir", "spoolDir must be a directory path"],
    [{ spoolDir: 7 }, "spoolDir", "spoolDir must be a directory path"],
    [{ onDrop: "log" }, "onDrop", "onDrop must be a function"],
    [null, "options", "options must be an object"],
    ["fast", "options", "options must be an object"],
  ])("%j is refused: %s", (options, option, message) => {
    expect(refusal(options)).toEqual([option, `createOutbox: ${message}`]);
  });

  it("a spoolDir where there is no file system is refused; none asked for, none needed", () => {
    expect(refusal({ spoolDir: "/s" }, false)).toEqual([
      "spoolDir",
      "createOutbox: spoolDir needs a file system (Node, Bun, Deno); this runtime's build keeps items in memory",
    ]);
    expect(refusal({}, false)).toBeUndefined();
  });
});
