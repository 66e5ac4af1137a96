import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { specFiles } from "../lib/paths.ts";
import { readUpstream } from "../lib/source.ts";

const docsPage = join(import.meta.dirname, "fixtures", "record-feedback-docs-page.md");

describe("readUpstream", () => {
  it("takes the fenced OpenAPI block out of a vendor docs page, byte for byte", async () => {
    const { text, doc } = await readUpstream(docsPage);
    expect(text).toBe(await readFile(specFiles.upstream, "utf8"));
    expect(doc.openapi).toBe("3.1.0");
  });

  it("takes a plain YAML or JSON document as it is", async () => {
    const { text } = await readUpstream(specFiles.upstream);
    expect(text).toBe(await readFile(specFiles.upstream, "utf8"));
    const json = join(await mkdtemp(join(tmpdir(), "parea-source-")), "spec.json");
    await writeFile(json, JSON.stringify({ openapi: "3.0.3", info: { title: "t", version: "1" }, paths: {} }));
    expect((await readUpstream(json)).doc.openapi).toBe("3.0.3");
  });

  it("fetches an http(s) URL", async () => {
    const body = await readFile(specFiles.upstream, "utf8");
    const server = createServer((_, res) => res.end(body)).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect((await readUpstream(`http://127.0.0.1:${port}/openapi.yaml`)).text).toBe(body);
    } finally {
      server.close();
    }
  });

  it("names the URL when the server refuses it", async () => {
    const server = createServer((_, res) => ((res.statusCode = 404), res.end())).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await expect(readUpstream(`http://127.0.0.1:${port}/gone.yaml`)).rejects.toThrow(
        /cannot fetch http:\/\/127\.0\.0\.1:\d+\/gone\.yaml: HTTP 404/,
      );
    } finally {
      server.close();
    }
  });

  it("rejects a page without an OpenAPI block", async () => {
    const page = join(await mkdtemp(join(tmpdir(), "parea-source-")), "page.md");
    await writeFile(page, "# Title\n\n```yaml\nkey: value\n```\n");
    await expect(readUpstream(page)).rejects.toThrow(/page\.md is neither an OpenAPI document nor a page with one/);
  });
});
