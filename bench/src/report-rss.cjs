// Preloaded (--require) into the processes bench/src/spec-diff.ts times: reports the process's peak
// resident set on exit, on stderr, where the measured command's own output is not.
process.on("exit", () => process.stderr.write(`\nmaxRSS=${process.resourceUsage().maxRSS}\n`));
