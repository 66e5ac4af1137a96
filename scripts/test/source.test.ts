import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { at } from "../lib/json.ts";
import { specFiles } from "../lib/paths.ts";
import { readUpstream } from "../lib/source.ts";
import { scratchDir } from "./support/scratch.ts";

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
    const json = join(await scratchDir("parea-source-"), "spec.json");
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
    const page = join(await scratchDir("parea-source-"), "page.md");
    await writeFile(page, "# Title\n\n```yaml\nkey: value\n```\n");
    await expect(readUpstream(page)).rejects.toThrow(/page\.md is neither an OpenAPI document nor a page with one/);
  });
});

describe("readUpstream on what a server or a file may really hold", () => {
  const serveOnce = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.yaml`,
      close: () => server.close(),
    };
  };
  const latin1Doc = Buffer.concat([
    Buffer.from("openapi: 3.1.0\ninfo:\n  title: Caf"),
    Buffer.from([0xe9]), // Latin-1 é: not UTF-8
    Buffer.from("\n  version: '1'\npaths: {}\n"),
  ]);

  it("keeps a non-UTF-8 document's bytes as received (a file and a URL), decoding only to parse", async () => {
    const file = join(await scratchDir("parea-source-"), "latin1.yaml");
    await writeFile(file, latin1Doc);
    const fromFile = await readUpstream(file);
    expect(fromFile.bytes.equals(latin1Doc)).toBe(true);
    expect(at(fromFile.doc, "info", "title")).toBe("Café");
    const server = await serveOnce((_, res) => res.end(latin1Doc));
    try {
      const fromUrl = await readUpstream(server.url);
      expect(fromUrl.bytes.equals(latin1Doc)).toBe(true);
      expect(fromUrl.text).not.toContain("\uFFFD");
    } finally {
      server.close();
    }
  });

  it("a docs page in Latin-1: the fenced block's own bytes", async () => {
    const page = Buffer.concat([
      Buffer.from("# Caf"),
      Buffer.from([0xe9]),
      Buffer.from("\n\n```yaml\n"),
      latin1Doc,
      Buffer.from("```\n"),
    ]);
    const file = join(await scratchDir("parea-source-"), "page.md");
    await writeFile(file, page);
    expect((await readUpstream(file)).bytes.equals(latin1Doc)).toBe(true);
  });

  it("refuses a download over the size cap without reading it all", async () => {
    let sent = 0;
    const server = await serveOnce((_, res) => {
      res.writeHead(200, { "content-type": "application/yaml" });
      const chunk = Buffer.alloc(1024 * 1024, "#");
      const pump = () => {
        while (sent < 200 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 200 * 1024 * 1024) res.once("drain", pump);
        else res.end();
      };
      res.on("error", () => {});
      pump();
    });
    try {
      await expect(readUpstream(server.url)).rejects.toThrow(/is over 33554432 bytes; refusing to read on/);
      expect(sent).toBeLessThan(100 * 1024 * 1024);
    } finally {
      server.close();
    }
  });

  it("refuses a declared length over the cap before reading", async () => {
    const server = await serveOnce((_, res) => {
      res.writeHead(200, { "content-length": String(64 * 1024 * 1024) });
      res.write("openapi: 3.1.0\n");
    });
    try {
      await expect(readUpstream(server.url)).rejects.toThrow(/over 33554432 bytes/);
    } finally {
      server.close();
    }
  });

  it("a YAML alias bomb is refused with yaml's own reason, not as 'not a page'", async () => {
    const lines = ["openapi: 3.1.0", 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(",")}]`,
      );
    lines.push("info: {title: t, version: '1'}", "paths: {}");
    const file = join(await scratchDir("parea-source-"), "bomb.yaml");
    await writeFile(file, lines.join("\n"));
    await expect(readUpstream(file)).rejects.toThrow(/bomb\.yaml is not valid YAML\/JSON: .*alias/i);
  });
});
