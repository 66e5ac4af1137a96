// What the light stand-ins (response.ts, request.ts, headers.ts) share: the inspect hook and the
// platform class each one sits under, so `instanceof Response` / `Request` / `Headers` holds.

/**
 * util.inspect's hook. The platform classes' own hooks read private fields these objects lack, so
 * each light class says what to show (never request headers, so never the API key).
 */
export const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/**
 * Puts a light class under a platform class (so `instanceof` holds) when the first instance is made.
 * Not at import: on Node 20, reading the global Response, Request or Headers loads undici, which was
 * most of this package's cold-import time.
 */
export function underPlatformClass(light: { prototype: object }, platform: () => unknown): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const base = platform();
    if (typeof base === "function") Object.setPrototypeOf(light.prototype, base.prototype as object);
  };
}
