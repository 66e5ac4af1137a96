import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository locations, so every tool agrees on where the pipeline's files live. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const specFiles = {
  upstream: join(repoRoot, "spec", "upstream", "openapi.yaml"),
  /** Everything that is this vendor's (scripts/lib/config.ts): overlay, naming, helpers, packages. */
  config: join(repoRoot, "spec", "vendor.yaml"),
  normalized: join(repoRoot, "spec", "dist", "openapi.json"),
  /** Per-project levels for spec:diff's rules, each with a reason. */
  diffRules: join(repoRoot, "spec", "diff-rules.yaml"),
};
export const generatedDir = join(repoRoot, "packages", "client", "src", "generated");
