// A logger for tests that keeps every line it is given: `lines` as [level, message], `messages` alone.
export function captureLog() {
  const lines: [string, string][] = [];
  const messages: string[] = [];
  const logger = Object.fromEntries(
    (["debug", "info", "warn", "error"] as const).map((level) => [
      level,
      (message: string) => (lines.push([level, message]), messages.push(message)),
    ]),
  ) as unknown as Console;
  return { lines, messages, logger };
}
