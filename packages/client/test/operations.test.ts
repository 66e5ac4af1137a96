import { describe, expect, it } from "vitest";
import { operations } from "../src/generated/operations/index.ts";
import { findOperation, requestBodyIssues } from "../src/operations.ts";

const feedback = (await findOperation(operations.recordFeedback.method, operations.recordFeedback.path))!;

describe("findOperation", () => {
  it("matches the spec's operation by method and path", async () => {
    expect(feedback).toBe(operations.recordFeedback);
    expect(await findOperation("GET", operations.recordFeedback.path)).toBeUndefined();
    expect(await findOperation("POST", `${operations.recordFeedback.path}/extra`)).toBeUndefined();
  });
});

describe("requestBodyIssues", () => {
  it("is empty for a valid body", () => {
    expect(requestBodyIssues(feedback, { score: 0.5, trace_id: null })).toEqual([]);
  });

  it("reports every problem with a JSONPath and a readable message", () => {
    expect(requestBodyIssues(feedback, { trace_id: 7, comment: ["x"] })).toEqual([
      { path: "$.score", message: "is required" },
      { path: "$.trace_id", message: "must be string or null" },
      { path: "$.comment", message: "must be string or null" },
    ]);
  });

  it("reports bounds and types", () => {
    expect(requestBodyIssues(feedback, { score: -0.1 })).toEqual([{ path: "$.score", message: "must be >= 0" }]);
    expect(requestBodyIssues(feedback, { score: "1" })).toEqual([{ path: "$.score", message: "must be number" }]);
    expect(requestBodyIssues(feedback, [1])).toEqual([{ path: "$", message: "must be object" }]);
  });
});
