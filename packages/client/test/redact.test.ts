// redact.ts on its own: what a secret set holds, and what scrubDeep copies, scrubs or leaves alone.
// (secrets.test.ts proves no error path leaks a credential; these pin down the pieces it relies on.)
import { describe, expect, it } from "vitest";
import { REDACTED, scrub, scrubDeep, Secrets } from "../src/redact.ts";

const secrets = new Secrets("sk-123");

describe("Secrets", () => {
  it("holds no empty secret (splitting on one would mangle every string) and each value once", () => {
    const set = new Secrets("", undefined, "k", "k");
    expect(set.values).toEqual(["k"]);
    expect(scrub("abc k", set)).toBe(`abc ${REDACTED}`);
    expect(scrub("abc", new Secrets(""))).toBe("abc");
  });
});

describe("scrubDeep", () => {
  it("headers are copied with every value scrubbed, none dropped", () => {
    const copy = scrubDeep(new Headers({ a: "x sk-123", b: "plain" }), secrets) as Headers;
    expect(copy).toBeInstanceOf(Headers);
    expect([...copy.entries()]).toEqual([
      ["a", `x ${REDACTED}`],
      ["b", "plain"],
    ]);
  });

  it("only what has both get and entries is taken for headers", () => {
    const onlyEntries = { entries: () => [["a", "sk-123"]], note: "sk-123" };
    const onlyGet = { get: () => "sk-123", note: "sk-123" };
    for (const value of [onlyEntries, onlyGet]) {
      const copy = scrubDeep(value, secrets) as Record<string, unknown>;
      expect(copy).not.toBeInstanceOf(Headers);
      expect(copy.note).toBe(REDACTED);
    }
  });

  it("leaves instances of other classes as they are (a Date, an Error as a cause)", () => {
    const date = new Date(0);
    const error = new Error("sk-123");
    expect(scrubDeep(date, secrets)).toBe(date);
    expect(scrubDeep(error, secrets)).toBe(error);
  });

  it("copies plain and prototype-less objects, keys and nested values scrubbed", () => {
    const bare = Object.assign(Object.create(null) as object, { "sk-123": ["sk-123", 1, null] });
    expect(scrubDeep(bare, secrets)).toEqual({ [REDACTED]: [REDACTED, 1, null] });
    expect(scrubDeep({ a: { b: "sk-123" } }, secrets)).toEqual({ a: { b: REDACTED } });
  });
});
