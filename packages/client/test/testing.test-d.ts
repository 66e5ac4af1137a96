// The fake's types come from the spec: operation names, request bodies, reply bodies per status.
import type { Writable } from "../src/generated/openapi.ts";
import { expectTypeOf, test } from "vitest";
import type { components } from "../src/index.ts";
import { createFakeParea, type FakeCall } from "../src/testing.node.ts";

const fake = createFakeParea();

test("calls are typed by operation, with the spec's request body", () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- written out: the type a named operation's calls have
  expectTypeOf(fake.calls("recordFeedback")).toEqualTypeOf<FakeCall<"recordFeedback">[]>();
  expectTypeOf(fake.calls("recordFeedback")[0]!.body).toEqualTypeOf<
    Writable<components["schemas"]["FeedbackRequestSchema"]>
  >();
  // @ts-expect-error not an operation of the spec
  fake.calls("recordFeedbak");
});

test("reply bodies are checked against what the spec declares for the status", () => {
  fake.reply("recordFeedback", { status: 422, body: { detail: [{ loc: ["body", "score"], msg: "x", type: "y" }] } });
  // @ts-expect-error the 422 body's detail is a list of {loc, msg, type}
  fake.reply("recordFeedback", { status: 422, body: { detail: "not a list" } });
  // @ts-expect-error loc items are strings or integers
  fake.reply("recordFeedback", { status: 422, body: { detail: [{ loc: [true], msg: "x", type: "y" }] } });
  fake.reply("recordFeedback", { status: 503, times: 2 });
  fake.reply("recordFeedback", { networkError: true });
  // @ts-expect-error a dropped connection has no status
  fake.reply("recordFeedback", { networkError: true, status: 500 });
  // @ts-expect-error not an operation of the spec
  fake.reply("nope", { status: 200 });
});
