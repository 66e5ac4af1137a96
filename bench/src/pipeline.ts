// The maintainers' loop, timed in a scratch copy of the repository (so caches and the tree of the
// real one are untouched): codegen, cold and cached `pnpm build`, a no-op `pnpm spec:update`, then
// the same after updating to the vendor's full spec, whose bundle is measured too.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createScratchRepo, mustRun } from "@parea-api/scripts/support/scratch-repo.ts";
import { serviceBundle, type BundleSize } from "./bundle.ts";
import { median } from "./rounds.ts";

export interface PipelineTimes {
  spec: string;
  codegenMs: number;
  coldBuildMs: number;
  cachedBuildMs: number;
}

export interface PipelineResult {
  seed: PipelineTimes;
  full: PipelineTimes;
  noopUpdateMs: number;
  fullUpdateMs: number;
  fullBundle: BundleSize;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export async function measurePipeline(fullSpec: string, repeats: number): Promise<PipelineResult> {
  const { dir, remove } = await createScratchRepo();
  const sh = (command: string, ...args: string[]) => mustRun(command, args, dir);
  const cold = async () => {
    for (const path of [".turbo", "spec/dist", "packages/client/dist", "packages/client/src/generated"])
      await rm(join(dir, path), { recursive: true, force: true });
    return timed(() => sh("pnpm", "build"));
  };
  const times = async (spec: string): Promise<PipelineTimes> => {
    const coldBuilds: number[] = [];
    const cachedBuilds: number[] = [];
    const codegens: number[] = [];
    for (let i = 0; i < repeats; i++) {
      coldBuilds.push(await cold());
      cachedBuilds.push(await timed(() => sh("pnpm", "build")));
      codegens.push(await timed(() => sh("pnpm", "exec", "tsx", "scripts/generate.ts")));
    }
    return { spec, codegenMs: median(codegens), coldBuildMs: median(coldBuilds), cachedBuildMs: median(cachedBuilds) };
  };
  try {
    const seed = await times("seed (Record Feedback)");
    const noop: number[] = [];
    for (let i = 0; i < repeats; i++)
      noop.push(await timed(() => sh("pnpm", "spec:update", "spec/upstream/openapi.yaml")));
    const fullUpdateMs = await timed(() => sh("pnpm", "spec:update", fullSpec));
    const full = await times("vendor's full spec (20 operations)");
    const fullBundle = await serviceBundle(join(dir, "packages", "client", "dist", "index.mjs"));
    return { seed, full, noopUpdateMs: median(noop), fullUpdateMs, fullBundle };
  } finally {
    await remove();
  }
}
