// What a service ships: a file that calls only recordFeedback, bundled for the browser (no "node"
// condition) by esbuild, minified, each output gzipped at level 9. With code splitting (what Vite,
// Rollup and webpack do by default) the raw verbs' operation table is a chunk loaded on first use;
// "initial" is the entry plus the chunks it imports statically.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export interface BundleSize {
  /** Bytes gzipped: entry + statically imported chunks. */
  initial: number;
  /** Bytes gzipped of chunks loaded only on first use (dynamic import). */
  lazy: number;
  /** Bytes gzipped when the bundler does not split (everything in one file). */
  single: number;
}

const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/** `clientEntry` is the built ESM entry (packages/client/dist/index.mjs) of the spec under test. */
export async function serviceBundle(clientEntry: string): Promise<BundleSize> {
  const dir = await mkdtemp(join(tmpdir(), "parea-bundle-"));
  try {
    const service = join(dir, "service.mjs");
    await writeFile(
      service,
      'import { createPareaClient } from "@parea-api/client";\nexport const record = (body) => createPareaClient().recordFeedback(body);\n',
    );
    const common = {
      entryPoints: [service],
      bundle: true,
      minify: true,
      format: "esm" as const,
      platform: "neutral" as const,
      mainFields: ["module", "main"],
      write: false,
      outdir: join(dir, "out"),
      metafile: true,
      logLevel: "silent" as const,
      plugins: [
        {
          name: "client-under-test",
          setup(b: { onResolve: (o: { filter: RegExp }, f: () => { path: string }) => void }) {
            b.onResolve({ filter: /^@parea-api\/client$/ }, () => ({ path: clientEntry }));
          },
        },
      ],
    };
    const split = await build({ ...common, splitting: true });
    const sizes = new Map(split.outputFiles!.map((file) => [file.path, gz(file.contents)]));
    const outputs = split.metafile!.outputs;
    const abs = (path: string) => join(process.cwd(), path);
    const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint)!;
    const initial = new Set<string>();
    const visit = (path: string) => {
      if (initial.has(path)) return;
      initial.add(path);
      for (const imported of outputs[path]!.imports) if (imported.kind === "import-statement") visit(imported.path);
    };
    visit(entry);
    const sum = (paths: string[]) => paths.reduce((total, path) => total + (sizes.get(abs(path)) ?? 0), 0);
    const jsOutputs = Object.keys(outputs).filter((path) => path.endsWith(".js"));
    const single = await build({ ...common, splitting: false });
    return {
      initial: sum([...initial]),
      lazy: sum(jsOutputs.filter((path) => !initial.has(path))),
      single: gz(single.outputFiles!.find((file) => file.path.endsWith(".js"))!.contents),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** openapi-fetch's createClient alone, bundled the same way: the floor under any client built on it. */
export async function openapiFetchAlone(fromDir: string): Promise<number> {
  const result = await build({
    stdin: {
      contents: 'import createClient from "openapi-fetch"; export const c = createClient({});',
      resolveDir: fromDir,
    },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  return gz(result.outputFiles[0]!.contents);
}
