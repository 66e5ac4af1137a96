/** A mistake in how the command was called (flag, value, configuration): exit 2, with what to fix. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const EXIT = { ok: 0, rejected: 1, usage: 2, interrupted: 130 } as const;

/** The client's options (PareaError.option) as this command line spells them. */
const FLAGS: Record<string, string> = { apiKey: "--api-key", baseUrl: "--base-url", maxRetries: "--max-retries" };

/**
 * A client configuration error in the CLI's words: the option it names (`option`, set by the client)
 * becomes the flag, and advice about client options becomes advice about flags.
 */
export function configurationError(error: Error & { option?: string }): UsageError {
  const flag = error.option && FLAGS[error.option];
  const message = flag
    ? error.message.replace(new RegExp(`(the )?\\b${error.option}\\b( option)?`, "g"), flag)
    : error.message;
  return new UsageError(message.replace("or set allowInsecureHttp", "or use an https URL"));
}
