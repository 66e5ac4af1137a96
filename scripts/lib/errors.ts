/** A spec-pipeline failure a maintainer can act on: the message names the file or overlay action. */
export class SpecPipelineError extends Error {
  override name = "SpecPipelineError";
}

/** Run a CLI entry point: known failures print their message alone and exit 1; others keep the stack. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof SpecPipelineError ? `error: ${error.message}` : error);
    process.exitCode = 1;
  });
}
