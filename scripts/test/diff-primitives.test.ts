// The diff engine's two primitives, checked on generated cases: `same` (JSON equality, key order aside,
// remembered per pair) against sorted JSON text, and `acceptsEveryString` (a pattern that constrains
// nothing) against the regular expression engine itself.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forgetIdentities, hasRef, same } from "../lib/diff/identity.ts";
import { acceptsEveryString } from "../lib/diff/patterns.ts";
import { stableJson } from "../lib/schema-canonical.ts";

/** The same value with every object's keys in another order. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shuffled(item, seed + i));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (seed % 2) entries.reverse();
  return Object.fromEntries(entries.map(([key, item], i) => [key, shuffled(item, seed + i + 1)]));
}

describe("same", () => {
  it("is JSON equality with keys in any order, asked once or many times", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.nat(), (a, b, seed) => {
        forgetIdentities();
        const twin = shuffled(a, seed);
        expect(same(a, twin)).toBe(true);
        const expected = stableJson(a) === stableJson(b);
        // Twice, and from the other side: the remembered verdict is the computed one.
        expect([same(a, b), same(a, b), same(b, a), same(twin, b)]).toEqual([expected, expected, expected, expected]);
      }),
      { numRuns: 500 },
    );
  });

  it("a key holding undefined is a missing key, as in JSON; nested differences are found below equal prefixes", () => {
    expect(same({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(same({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } })).toBe(false);
    expect(same([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });

  it("forgets what it remembered when a comparison starts, so an object edited in place is compared afresh", () => {
    const a = { x: { y: 1 } };
    const b = { x: { y: 1 } };
    expect(same(a, b)).toBe(true);
    b.x.y = 2;
    forgetIdentities();
    expect(same(a, b)).toBe(false);
  });

  it("hasRef finds a $ref at any depth, and only a string one", () => {
    expect(hasRef({ a: [{ b: { $ref: "#/x" } }] })).toBe(true);
    expect(hasRef({ a: [{ b: { $ref: 1 } }], ref: "$ref" })).toBe(false);
  });
});

describe("acceptsEveryString", () => {
  it("knows the spellings vendors use for no constraint, and refuses real ones", () => {
    for (const pattern of ["", ".*", "^.*", "(.*)", "a*", "[\\s\\S]*", "^", "(?:x|)", "\\-*"])
      expect(acceptsEveryString(pattern), pattern).toBe(true);
    for (const pattern of ["^.*$", "^$", "a", "^a", ".+", "$", "\\b", "(?=a)", "(a)\\1", "[", "x|y"])
      expect(acceptsEveryString(pattern), pattern).toBe(false);
  });

  it("is never wrong when it says yes: every string matches such a pattern", () => {
    const atom = fc.constantFrom(".", "a", "\\d", "[a-z]", "[^x]", "\\s", "(?:ab)", "\\n", "[\\s\\S]", "x");
    const piece = fc.tuple(atom, fc.constantFrom("", "*", "+", "?", "{0,2}", "{2}")).map(([a, q]) => a + q);
    const pattern = fc
      .tuple(fc.boolean(), fc.array(piece, { maxLength: 4 }), fc.boolean(), fc.boolean())
      .map(
        ([start, pieces, alternative, end]) =>
          `${start ? "^" : ""}${pieces.join("")}${alternative ? "|b*" : ""}${end ? "$" : ""}`,
      );
    const text = fc.string({ unit: fc.constantFrom("a", "b", "x", "1", " ", "\n", "é", "😀"), maxLength: 12 });
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 8 }), (source, samples) => {
        if (!acceptsEveryString(source)) return;
        for (const sample of samples)
          expect(new RegExp(source, "u").test(sample), `${source} on ${JSON.stringify(sample)}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
