// The `code` a thrown error carries (ECONNRESET, ENOENT, Z_DATA_ERROR...), read without trusting the
// throw's shape: anything can be thrown, and fetch puts the code on the error's cause instead.

/** `error.code` when it is a string, else undefined (a primitive thrown has no properties to read). */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The code of the error or, as fetch reports network failures, of its cause. */
export const errorOrCauseCode = (error: unknown): string | undefined =>
  errorCode(error) ?? errorCode((error as { cause?: unknown } | null | undefined)?.cause);
