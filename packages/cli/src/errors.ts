/** A mistake in how the command was called (flag, value, configuration): exit 2, with what to fix. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const EXIT = { ok: 0, rejected: 1, usage: 2, interrupted: 130 } as const;

/** A client configuration error in the CLI's words: its flags instead of the client's option names. */
export function configurationError(error: Error): UsageError {
  return new UsageError(
    error.message
      .replace("the apiKey option", "--api-key")
      .replace(/^baseUrl /, "--base-url ")
      .replace("allowInsecureHttp", "an https URL"),
  );
}
