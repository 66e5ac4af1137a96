// pnpm test:mutation (the CLI's part): StrykerJS over the import's checkpoint and row readers (issue 27).
// Only the in-process tests can see a mutant; the import tests run the built command in a child
// process. Equivalent mutants that survive are listed, with why, in test/mutation-equivalents.md.
// `pnpm --filter @parea-api/cli test:mutation --mutate src/import/rows.ts` runs one file.
import { strykerConfig } from "../../stryker.base.mjs";

export default strykerConfig(import.meta.resolve, ["src/import/checkpoint.ts", "src/import/rows.ts"]);
