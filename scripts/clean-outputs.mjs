// Empties the directories turbo restores from its cache (built and generated files) before a build
// or a test run. turbo writes cached outputs over what is there and deletes nothing, so a chunk left
// by an older build stayed in dist/ and was packed and published with the new one.
import { rm } from "node:fs/promises";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const outputs = ["spec/dist", "packages/client/dist", "packages/client/src/generated", "packages/cli/dist"];
await Promise.all(outputs.map((dir) => rm(join(root, dir), { recursive: true, force: true })));
