// The one abortable wait: retries' backoff (reliability.ts), the fake's scripted delays (testing.ts)
// and the CLI's shared rate-limit pause all use it.

/** Waits `ms`; resolves false instead if the signal fires first (its listener goes either way). */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const onAbort = () => {
      clearTimeout(wake);
      resolve(false);
    };
    const wake = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
