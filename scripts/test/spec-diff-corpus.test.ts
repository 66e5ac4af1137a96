// The diff engine against a corpus of its own (test/fixtures/spec-diff/*.yaml): each case a pair of
// documents (or of schemas placed in a template), the release it needs for typed callers, and the rule
// ids that decide it. Every document compared with itself must say "No changes to the API.".
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildSpec } from "../build-spec.ts";
import type { OpenApiDocument } from "../lib/files.ts";
import { toOpenApi31 } from "../lib/normalize.ts";
import { levelOf, rule, RULES } from "../lib/diff/rules.ts";
import { diffSpecs, renderSummary } from "../lib/spec-diff.ts";
import { scratchDir } from "./support/scratch.ts";

interface Case {
  name: string;
  template?: string;
  before: unknown;
  after: unknown;
  bump: "major" | "minor" | "patch" | null;
  rules: string[];
}

const ok = { "200": { description: "ok" } };
const doc = (paths: unknown) => ({ openapi: "3.1.0", info: { title: "T", version: "1" }, paths });
const TEMPLATES: Record<string, (schema: unknown) => unknown> = {
  document: (whole) => whole,
  "request-body": (schema) =>
    doc({
      "/items": {
        post: {
          summary: "Create",
          requestBody: { required: true, content: { "application/json": { schema } } },
          responses: ok,
        },
      },
    }),
  "response-body": (schema) =>
    doc({
      "/items": {
        get: {
          summary: "List",
          responses: { "200": { description: "ok", content: { "application/json": { schema } } } },
        },
      },
    }),
  "query-param": (schema) =>
    doc({ "/items": { get: { summary: "List", parameters: [{ name: "q", in: "query", schema }], responses: ok } } }),
  "path-param": (schema) =>
    doc({
      "/items/{id}": {
        get: { summary: "Get", parameters: [{ name: "id", in: "path", required: true, schema }], responses: ok },
      },
    }),
  "header-param": (schema) =>
    doc({
      "/items": { get: { summary: "List", parameters: [{ name: "X-Trace", in: "header", schema }], responses: ok } },
    }),
  "response-header": (schema) =>
    doc({
      "/items": {
        get: { summary: "List", responses: { "200": { description: "ok", headers: { "X-Rate": { schema } } } } },
      },
    }),
};

const dir = join(import.meta.dirname, "fixtures", "spec-diff");
const files = (await readdir(dir)).filter((name) => name.endsWith(".yaml")).sort();
const corpus: [string, Case][] = [];
for (const file of files) {
  const { template, cases } = parse(await readFile(join(dir, file), "utf8"), { maxAliasCount: -1 }) as {
    template?: string;
    cases: Case[];
  };
  for (const entry of cases) corpus.push([`${file.replace(".yaml", "")}: ${entry.name}`, { template, ...entry }]);
}

const build = async (template: string, value: unknown) =>
  toOpenApi31(structuredClone(TEMPLATES[template]!(value)) as OpenApiDocument);

describe("the spec-diff corpus", () => {
  it("has at least 150 pairs", () => expect(corpus.length).toBeGreaterThanOrEqual(150));

  it.each(corpus)("%s", async (_, { template = "document", before, after, bump, rules }) => {
    const [b, a] = [await build(template, before), await build(template, after)];
    const result = diffSpecs(b, a);
    const summary = renderSummary(result);
    expect(
      { bump: result.bump, rules: [...new Set(result.changes.map((change) => change.rule))].sort() },
      summary,
    ).toEqual({
      bump,
      rules: [...rules].sort(),
    });
    // Each side compared with itself: nothing.
    expect(renderSummary(diffSpecs(b, structuredClone(b)))).toBe("No changes to the API.");
    expect(renderSummary(diffSpecs(a, structuredClone(a)))).toBe("No changes to the API.");
  });

  // Every case backwards: a change one way is a change the other way, words stay words, and what
  // narrowed comes back as a widening (or as a name added or removed, which the types see first).
  it.each(corpus)("%s, backwards", async (_, { template = "document", before, after, rules }) => {
    const [b, a] = [await build(template, before), await build(template, after)];
    const back = diffSpecs(a, b);
    const effects = (ids: string[]) => new Set(ids.map((id) => `${rule(id).side}:${rule(id).effect}`));
    const forward = effects(rules);
    const backward = effects(back.changes.map((change) => change.rule));
    expect(back.bump === null, renderSummary(back)).toBe(rules.length === 0);
    // A notice (deprecation) asks nothing of callers either; its mirror (un-deprecation) is words.
    const wordsOnly = (set: Set<string>) => [...set].every((e) => /:(documentation|restates|notice)$/.test(e));
    if (rules.length > 0) expect(wordsOnly(backward), renderSummary(back)).toBe(wordsOnly(forward));
    const INVERSE: Record<string, string[]> = {
      narrows: ["widens", "removes", "adds"],
      widens: ["narrows", "removes", "adds"],
      adds: ["removes", "narrows", "widens"],
      removes: ["adds", "narrows", "widens"],
    };
    for (const id of rules) {
      const { side, effect } = rule(id);
      const inverse = INVERSE[effect];
      // A rename, or a discriminator's change, is its own mirror.
      if (!inverse || /-(changed|renamed)$/.test(id)) continue;
      const onSide = (found: string) => side === "both" || found.startsWith(`${side}:`) || found.startsWith("both:");
      expect(
        inverse.some((e) => [...backward].some((found) => onSide(found) && found.endsWith(`:${e}`))),
        `${id} backwards:\n${renderSummary(back)}`,
      ).toBe(true);
    }
  });

  it("the vendor's full spec compared with itself: no changes", async () => {
    const full = await buildSpec(join(import.meta.dirname, "fixtures", "parea-openapi-full.yml"));
    expect(renderSummary(diffSpecs(full, structuredClone(full)))).toBe("No changes to the API.");
  });
});

describe("rules as data", () => {
  it("the README's rule table is the one in scripts/lib/diff/rules.ts (pnpm spec:rules writes it)", async () => {
    const { withRulesTable } = await import("../lib/diff/policy.ts");
    const { format } = await import("prettier");
    const readme = await readFile(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const expected = await format(withRulesTable(readme), { parser: "markdown", printWidth: 120 });
    expect(readme).toBe(expected);
  });

  it("every rule has a case in the corpus, and its mirror has one too", () => {
    const covered = new Set(corpus.flatMap(([, { rules }]) => rules));
    // operation-renamed needs two names locks: test/spec-diff.test.ts has its cases.
    const elsewhere = new Set(["operation-renamed"]);
    expect([...RULES.keys()].filter((id) => !covered.has(id) && !elsewhere.has(id))).toEqual([]);
    // Schema rules come in pairs (the same change judged from each side); what only one side has, and why.
    const ONE_SIDED: Record<string, string> = {
      "request-composition-changed":
        "exactly-one-of refuses overlaps in a request; a response's types are a plain union",
    };
    const schemaRule =
      /-(type|enum|format|pattern|range|property|additional-properties|constraint|composition|discriminator)-/;
    for (const id of RULES.keys()) {
      if (!schemaRule.test(id) || id in ONE_SIDED) continue;
      const other = id.startsWith("request-")
        ? id.replace(/^request-/, "response-")
        : id.replace(/^response-/, "request-");
      expect(RULES.has(other), `${id} has no ${other}`).toBe(true);
    }
    // Directions come in pairs: added/removed, narrowed/widened, became-required/became-optional.
    const PAIRS = [
      ["-added", "-removed"],
      ["-narrowed", "-widened"],
      ["-became-required", "-became-optional"],
    ];
    for (const id of RULES.keys())
      for (const [one, other] of PAIRS)
        for (const [from, to] of [
          [one, other],
          [other, one],
        ])
          if (id.endsWith(from!) && !id.endsWith(`-added${from}`)) {
            const mirror = `${id.slice(0, -from!.length)}${to}`;
            // What is added may be added required or optional (a parameter, a body, a property).
            // A discriminator removed is reported as changed, on the side it is on.
            const found = [
              mirror,
              `${mirror}-required`,
              `${mirror}-optional`,
              `request-${mirror.replace("-removed", "-changed")}`,
            ].some((m) => RULES.has(m));
            expect(found || /-added-(required|optional)$/.test(id), `${id} -> ${mirror}`).toBe(true);
          }
  });

  it("a rule's level is the one its side and effect give, or an exception that says why", () => {
    for (const entry of RULES.values()) {
      if (entry.why) expect(entry.level).not.toBe(levelOf(entry.side, entry.effect));
      else expect(entry.level, entry.id).toBe(levelOf(entry.side, entry.effect));
    }
    // Neighbours agree: on each side, rules with the same effect need the same release, save exceptions.
    for (const side of ["request", "response", "both"] as const)
      for (const effect of new Set([...RULES.values()].map((r) => r.effect))) {
        const levels = new Set(
          [...RULES.values()].filter((r) => r.side === side && r.effect === effect && !r.why).map((r) => r.level),
        );
        expect(levels.size, `${side} ${effect}`).toBeLessThanOrEqual(1);
      }
  });

  it("spec/diff-rules.yaml changes a rule's level, and the summary quotes its reason", async () => {
    const { loadRuleOverrides } = await import("../lib/spec-diff.ts");
    const { writeFile } = await import("node:fs/promises");
    const file = join(await scratchDir("parea-rules-"), "diff-rules.yaml");
    await writeFile(
      file,
      "rules:\n  response-enum-value-added:\n    level: minor\n    reason: unknown statuses map to other\n",
    );
    const overrides = await loadRuleOverrides(file);
    const before = await build("response-body", { type: "string", enum: ["a"] });
    const after = await build("response-body", { type: "string", enum: ["a", "b"] });
    expect(diffSpecs(before, after).bump).toBe("major");
    const result = diffSpecs(before, after, overrides);
    expect(result.bump).toBe("minor");
    expect(renderSummary(result)).toContain("(minor by spec/diff-rules.yaml: unknown statuses map to other)");
    for (const [text, message] of [
      ["rules:\n  no-such-rule:\n    level: minor\n    reason: x\n", /unknown rule "no-such-rule"/],
      [
        "rules:\n  response-enum-value-added:\n    level: tiny\n    reason: x\n",
        /needs a level: major, minor or patch/,
      ],
      ["rules:\n  response-enum-value-added:\n    level: minor\n", /needs a reason/],
    ] as const) {
      await writeFile(file, text);
      await expect(loadRuleOverrides(file)).rejects.toThrow(message);
    }
  });
});

describe("pnpm spec:diff --json and --fail-on", () => {
  const run = async (args: string[]) => {
    const { execFile } = await import("node:child_process");
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ["--import", "tsx", "spec-diff.ts", ...args],
        { cwd: join(import.meta.dirname, "..") },
        (error, stdout, stderr) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
      ),
    );
  };
  const seed = join(import.meta.dirname, "..", "..", "spec", "upstream", "openapi.yaml");
  const full = join(import.meta.dirname, "fixtures", "parea-openapi-full.yml");

  it("--json: rule, side, location (a JSON pointer), level and message per change", async () => {
    const { code, stdout } = await run(["--json", seed, full]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { bump: string; changes: Record<string, string>[] };
    expect(parsed.bump).toBe("minor");
    expect(parsed.changes).toContainEqual({
      rule: "operation-added",
      side: "both",
      location: "/paths/~1api~1parea~1v1~1/get",
      level: "minor",
      message: "`GET /api/parea/v1/`: operation added",
    });
  });

  it("--fail-on: exit 1 when the release reaches the level, 0 below it; a wrong level is a usage error", async () => {
    expect((await run(["--fail-on", "minor", seed, full])).code).toBe(1);
    expect((await run(["--fail-on", "major", seed, full])).code).toBe(0);
    expect((await run(["--fail-on", "major", full, seed])).code).toBe(1);
    const wrong = await run(["--fail-on", "huge", seed, full]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--fail-on must be major or minor/);
  });
});
