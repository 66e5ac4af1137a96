/** A spec-pipeline failure a maintainer can act on: the message names the file or overlay action. */
export class SpecPipelineError extends Error {
  override name = "SpecPipelineError";
}

/**
 * Run a CLI entry point: known failures print their message alone and exit 1, command-line mistakes
 * also print the usage and exit 2; anything else is a bug and keeps its stack.
 */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const usage = (error as { usage?: unknown }).usage;
    // A stack overflow is the input's doing (a document nested past what a walk can follow), not a bug.
    const overflow = error instanceof RangeError && /call stack/i.test(error.message);
    console.error(
      error instanceof SpecPipelineError
        ? `error: ${error.message}`
        : overflow
          ? "error: the document is nested too deeply to process"
          : error,
    );
    if (typeof usage === "string") console.error(`\n${usage}`);
    process.exitCode = typeof usage === "string" ? 2 : 1;
  });
}
