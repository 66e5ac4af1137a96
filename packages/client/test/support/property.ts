// fast-check's run count and seed for the property tests: a fixed seed in `pnpm test`;
// PAREA_PROPERTY_RUNS and PAREA_PROPERTY_SEED run them longer or anew.
export const propertyRuns = (numRuns: number, seed: number) => ({
  numRuns: Number(process.env.PAREA_PROPERTY_RUNS ?? numRuns),
  seed: Number(process.env.PAREA_PROPERTY_SEED ?? seed),
});
