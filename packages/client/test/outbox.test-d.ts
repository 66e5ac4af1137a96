// The outbox's methods are typed from the generated operations, like the client's.
import { describe, expectTypeOf, it } from "vitest";
import type { RequestBody } from "../src/client.ts";
import type { operations } from "../src/generated/operations/index.ts";
import { createPareaClient } from "../src/index.ts";
import { createOutbox, type OutboxResult, type OutboxStats, type RetrySafeOperationName } from "../src/outbox-entry.ts";

const outbox = createOutbox(createPareaClient({ apiKey: "k" }));

describe("outbox types", () => {
  it("each method takes the operation's request body and returns void", () => {
    expectTypeOf(outbox.recordFeedback).parameters.toEqualTypeOf<[RequestBody<"recordFeedback">]>();
    expectTypeOf(outbox.recordFeedback).returns.toBeVoid();
    // @ts-expect-error score must be a number
    outbox.recordFeedback({ score: "high" });
  });

  it("offers exactly the operations the generated table marks retrySafe", () => {
    type Marked = { [N in keyof typeof operations]: (typeof operations)[N]["retrySafe"] extends true ? N : never };
    expectTypeOf<RetrySafeOperationName>().toEqualTypeOf<Marked[keyof typeof operations]>();
    // Not a hand-written list: the full vendor spec (spec-update.e2e.test.ts) type-checks this file too.
    expectTypeOf<"recordFeedback">().toExtend<RetrySafeOperationName>();
  });

  it("flush and shutdown resolve with the counts", () => {
    expectTypeOf(outbox.flush).returns.resolves.toEqualTypeOf<OutboxResult>();
    expectTypeOf(outbox.shutdown).returns.resolves.toEqualTypeOf<OutboxResult>();
    expectTypeOf(outbox.stats()).toEqualTypeOf<OutboxStats>();
  });
});
