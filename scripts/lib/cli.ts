// Command-line handling shared by the spec scripts: node's parseArgs, with its errors turned into one
// line plus the usage (exit 2) instead of a stack trace.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { SpecPipelineError } from "./errors.ts";

/** The command line was wrong: runCli prints the message and the usage, and exits 2. */
export class UsageError extends SpecPipelineError {
  override name = "UsageError";
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs in strict mode with `--help`; a wrong flag or value becomes a UsageError. */
export function parseCommandLine<const O extends Options>(
  usage: string,
  options: O,
  args: string[] = process.argv.slice(2),
): { values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string }; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (!code?.startsWith("ERR_PARSE_ARGS")) throw error;
    // node's messages run on with advice about "--"; the first sentence says what is wrong.
    const option = /'(-[^']*)'/.exec(message)?.[1];
    throw new UsageError(
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option ? `unknown option ${option}` : message.split(". ")[0]!,
      usage,
    );
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}

/** A positive whole number of milliseconds from a flag, or a UsageError naming the flag. */
export function parseMilliseconds(value: string | undefined, flag: string, fallback: number, usage: string): number {
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0)
    throw new UsageError(`${flag} must be a whole number of milliseconds > 0, not ${JSON.stringify(value)}`, usage);
  return ms;
}
