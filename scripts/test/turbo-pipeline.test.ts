// The task graph that makes "a spec change re-runs generate -> build -> test" true, read from
// turbo's own dry run (nothing is executed).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../lib/paths.ts";

interface DryTask {
  taskId: string;
  dependencies: string[];
  inputs: Record<string, string>;
}

// How a machine behind a TLS-inspecting proxy reaches the npm registry: the tests install packages
// (Verdaccio consumers, the runtimes), and a Node that does not read the system store (the Node 22 and
// 24 builds from npm) needs these. Values are fake; only whether turbo hands them on is read.
const network = {
  NODE_EXTRA_CA_CERTS: "/nonexistent/ca.pem",
  SSL_CERT_FILE: "/nonexistent/ca.pem",
  HTTPS_PROXY: "http://127.0.0.1:9",
  NO_PROXY: "127.0.0.1",
  npm_config_registry: "http://127.0.0.1:9/",
};
const { stdout } = await promisify(execFile)("pnpm", ["exec", "turbo", "run", "test", "lint", "--dry=json"], {
  cwd: repoRoot,
  env: { ...process.env, ...network, TURBO_TELEMETRY_DISABLED: "1" },
  maxBuffer: 16 * 1024 * 1024,
});
const dry = JSON.parse(stdout) as {
  tasks: DryTask[];
  globalCacheInputs: { environmentVariables: { passthrough: string[] | null } };
};
const tasks = new Map(dry.tasks.map((task) => [task.taskId, task]));
const task = (id: string) => {
  const found = tasks.get(id);
  if (!found) throw new Error(`turbo has no task ${id}`);
  return found;
};

describe("turbo pipeline", () => {
  it("orders spec build -> generate -> client build -> tests", () => {
    expect(task("@parea-api/client#generate").dependencies).toContain("@parea-api/spec#build");
    expect(task("@parea-api/client#build").dependencies).toContain("@parea-api/client#generate");
    expect(task("@parea-api/client#test").dependencies).toContain("@parea-api/client#build");
    expect(task("@parea-api/spec#test").dependencies).toContain("@parea-api/spec#build");
    expect(task("@parea-api/spec#lint").dependencies).toContain("@parea-api/spec#build");
  });

  it("hashes the upstream document, the overlay and the pipeline scripts into the spec build", () => {
    const inputs = Object.keys(task("@parea-api/spec#build").inputs);
    expect(inputs).toEqual(
      expect.arrayContaining(["upstream/openapi.yaml", "overlay/corrections.overlay.yaml", "../scripts/build-spec.ts"]),
    );
    expect(Object.keys(task("@parea-api/client#generate").inputs)).toContain("../../scripts/generate.ts");
  });

  // Nor StrykerJS's sandbox and report (pnpm test:mutation), which a stopped run leaves in the client.
  it("never hashes generated or built files, which do not exist yet when turbo hashes a cold run", () => {
    for (const { taskId, inputs } of tasks.values()) {
      const produced = Object.keys(inputs).filter((file) =>
        /(^|\/)(dist|src\/generated|node_modules|\.vitest|\.stryker-tmp|\.stryker)\//.test(file),
      );
      expect(produced, taskId).toEqual([]);
    }
  });

  it("hands every task the CA bundle, proxy and npm settings (strict env mode drops what it is not told)", () => {
    // Without this, a Node 22 task behind an inspecting proxy fails each registry fetch with
    // SELF_SIGNED_CERT_IN_CHAIN and npm retries for minutes (seen: 140 s per install, then a timeout).
    const passed = (dry.globalCacheInputs.environmentVariables.passthrough ?? []).map((entry) => entry.split("=")[0]);
    expect(passed).toEqual(expect.arrayContaining(Object.keys(network)));
  });
});
