// pnpm test:mutation: StrykerJS over the reliability core (issue 27). Each mutant is run against the
// tests that cover it (perTest); equivalent mutants that survive are listed, with why, in
// test/mutation-equivalents.md. `pnpm --filter @parea-api/client test:mutation --mutate src/redact.ts`
// runs one file. What both packages' configurations share is ../../stryker.base.mjs.
import { strykerConfig } from "../../stryker.base.mjs";

export default strykerConfig(import.meta.resolve, [
  "src/retry.ts",
  "src/redact.ts",
  "src/errors.ts",
  "src/reliability.ts",
  "src/rate-limit.ts",
  "src/options.ts",
  "src/middleware/auth.ts",
  "src/outbox/*.ts",
  "src/send/*.ts",
]);
