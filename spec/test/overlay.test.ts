import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildSpec } from "../../scripts/build-spec.ts";
import { loadConfig } from "../../scripts/lib/config.ts";
import { specFiles } from "../../scripts/lib/paths.ts";
import { scratchDir } from "../../scripts/test/support/scratch.ts";
import { objectIn } from "../../scripts/test/support/edit.ts";
import { at, isObject, type JsonObject } from "../../scripts/lib/json.ts";

const upstreamText = readFileSync(specFiles.upstream, "utf8");
const upstream = parse(upstreamText) as JsonObject;
const normalized = await buildSpec();
const overlayPath = (await loadConfig()).overlay!;
const overlay = parse(readFileSync(overlayPath, "utf8")) as { overlay: string; actions: { description: string }[] };
const operationsOf = (doc: unknown) =>
  Object.values(objectIn(doc, "paths")).flatMap((item) =>
    Object.values(objectIn(item)).filter((op) => isObject(op) && op.operationId !== undefined),
  );
const feedbackProperties = (doc: unknown) =>
  objectIn(doc, "components", "schemas", "FeedbackRequestSchema", "properties");

describe("upstream document", () => {
  it("is byte-for-byte the file recorded in upstream/source.json", () => {
    const recorded = JSON.parse(readFileSync(join(specFiles.upstream, "..", "source.json"), "utf8")) as {
      sha256: string;
    };
    expect(createHash("sha256").update(readFileSync(specFiles.upstream)).digest("hex")).toBe(recorded.sha256);
  });

  it("still carries the vendor's defects: corrections live in the overlay only", () => {
    expect(at(upstream, "components", "securitySchemes", "APIKeyHeader", "name")).toBe("x-user-id");
    expect(upstream.servers).toEqual([]);
    expect(upstreamText).toContain("â€œgold standard");
  });

  it("is not modified by building the normalized document", async () => {
    await buildSpec();
    expect(readFileSync(specFiles.upstream, "utf8")).toBe(upstreamText);
  });
});

describe("normalized document", () => {
  it("is what the build wrote to dist/openapi.json", () => {
    expect(JSON.parse(readFileSync(specFiles.normalized, "utf8"))).toEqual(normalized);
  });

  it("names x-api-key as the API key header", () => {
    expect(at(normalized, "components", "securitySchemes", "APIKeyHeader")).toEqual({
      type: "apiKey",
      in: "header",
      name: "x-api-key",
    });
  });

  it("has the production server", () => {
    expect(normalized.servers).toEqual([
      { url: "https://parea-ai-backend-us-9ac16cdbc7a7b006.onporter.run", description: "Parea AI US Production" },
    ]);
  });

  it("lists the security requirement once per operation", () => {
    const operations = operationsOf(normalized);
    expect(operations.length).toBe(operationsOf(upstream).length);
    for (const op of operations) expect(at(op, "security")).toEqual([{ APIKeyHeader: [] }]);
  });

  it("has no mojibake left in the target description", () => {
    expect(at(feedbackProperties(normalized), "target", "description")).toBe(
      "Optional target or “gold standard” of log.",
    );
    expect(JSON.stringify(normalized)).not.toMatch(/â€|\u009d/);
  });

  it("marks the deprecated name field deprecated", () => {
    expect(at(feedbackProperties(normalized), "name", "deprecated")).toBe(true);
  });

  it("marks Record Feedback safe to retry (this project's assumption, stated in the overlay)", () => {
    expect(at(normalized, "paths", "/api/parea/v1/feedback", "post", "x-parea-api-retry-safe")).toBe(true);
    expect(readFileSync(overlayPath, "utf8")).toMatch(/ASSUMPTION/);
  });

  it("changes nothing else: removing the corrected parts leaves the upstream document", () => {
    const strip = (doc: JsonObject) => {
      const copy = structuredClone(doc);
      delete copy.servers;
      delete objectIn(copy, "components", "securitySchemes", "APIKeyHeader").name;
      const props = feedbackProperties(copy);
      delete objectIn(props, "target").description;
      delete objectIn(props, "name").deprecated;
      for (const op of operationsOf(copy).filter(isObject)) {
        delete op.security;
        delete op["x-parea-api-retry-safe"];
      }
      return copy;
    };
    expect(strip(normalized)).toEqual(strip(upstream));
  });
});

describe("overlay", () => {
  it("is an Overlay 1.0 document whose every action says what it corrects", () => {
    expect(overlay.overlay).toBe("1.0.0");
    for (const action of overlay.actions) expect(action.description).toMatch(/\w{3,}/);
  });

  it("fails, naming the action, when an action's target no longer exists upstream", async () => {
    const dir = await scratchDir("parea-overlay-");
    const changed = structuredClone(upstream);
    delete feedbackProperties(changed).name;
    const changedPath = join(dir, "openapi.json");
    await writeFile(changedPath, JSON.stringify(changed));
    await expect(buildSpec(changedPath)).rejects.toThrow(
      /1 overlay action\(s\) matched nothing[\s\S]*"mark the deprecated name field as deprecated" \(target \$\.components\.schemas\.FeedbackRequestSchema\.properties\.name\)/,
    );
  });

  it("fails, naming the file, on an unreadable upstream document", async () => {
    await expect(buildSpec("/nonexistent/openapi.yaml")).rejects.toThrow(
      /cannot read OpenAPI document \/nonexistent\/openapi\.yaml/,
    );
  });
});
