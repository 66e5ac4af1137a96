// Bundle budget for what a service ships: the ESM entry with openapi-fetch bundled in, minified and
// gzipped. Issue 5 asked for 6 kB (goal 5 kB); the budget is 6.6 kB because issue 3's required runtime
// (timeouts, retries with Retry-After, same-origin redirects, typed errors, key-scrubbing logs and the
// generated validators) does not fit beside openapi-fetch's own ~2.3 kB in 6 kB. Breakdown, measured
// side by side by the two informational entries below.
module.exports = [
  {
    name: "@parea-api/client ESM bundle, openapi-fetch included",
    path: "dist/index.mjs",
    gzip: true,
    limit: "6.6 kB",
  },
  {
    name: "for comparison: openapi-fetch on its own (all exports)",
    path: "node_modules/openapi-fetch/dist/index.mjs",
    import: "*",
    gzip: true,
  },
  {
    name: "for comparison: this package without openapi-fetch",
    path: "dist/index.mjs",
    ignore: ["openapi-fetch"],
    gzip: true,
  },
];
