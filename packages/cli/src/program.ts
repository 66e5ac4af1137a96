// The `parea` command line (commander). Usage mistakes exit 2 with one line and the usage; API
// failures exit 1 with the error's message; no stack traces.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { operations } from "@parea-api/client/operations";
import packageJson from "../package.json" with { type: "json" };
import { EXIT, UsageError } from "./errors.js";
import { feedbackFields, flagName } from "./fields.js";
import { runImport } from "./import/run.js";
import { formatOf } from "./import/rows.js";
import { record } from "./record.js";

const whole = (min: number) => (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number >= ${min}`);
  return n;
};

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/**
 * The command line to run again, without the API key: CI logs keep what is printed. The key then
 * comes from PAREA_API_KEY, or the user passes --api-key again.
 */
export function withoutApiKey(argv: string[]): { args: string[]; hadKey: boolean } {
  const args: string[] = [];
  let hadKey = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") {
      args.push(...argv.slice(i));
      break;
    }
    if (argv[i] === "--api-key") {
      hadKey = true;
      i++;
    } else if (argv[i]!.startsWith("--api-key=")) hadKey = true;
    else args.push(argv[i]!);
  }
  return { args, hadKey };
}

export function buildProgram(argv: string[], setExit: (code: number) => void): Command {
  const { method, path } = operations.recordFeedback;
  const program = new Command("parea")
    .description("Record feedback on Parea AI traces, one at a time or in bulk.")
    .version(packageJson.version)
    .option("--api-key <key>", "Parea API key (default: PAREA_API_KEY)")
    .option("--base-url <url>", "API server (default: PAREA_BASE_URL, else the spec's server)")
    .showHelpAfterError()
    .exitOverride();
  const connection = () => program.opts<{ apiKey?: string; baseUrl?: string }>();
  const feedback = program.command("feedback").description(`Record Feedback (${method} ${path})`);

  const recordCommand = feedback
    .command("record")
    .description(`Record one feedback. Flags are the fields of the API's request body (${method} ${path}).`)
    .action(async (values: Record<string, string>, command: Command) => {
      const byField = Object.fromEntries(
        command.options.map((option) => [option.long!.slice(2).replace(/-/g, "_"), values[option.attributeName()]]),
      );
      await record(byField, { apiKey: connection().apiKey, baseUrl: connection().baseUrl });
    });
  for (const field of feedbackFields) {
    const notes = [field.required && "required", field.deprecated && "deprecated"].filter(Boolean).join(", ");
    const words = `${field.description || field.name}${notes ? ` (${notes})` : ""}`;
    recordCommand.addOption(
      new Option(`--${flagName(field)} <${field.type.filter((t) => t !== "null").join("|")}>`, words),
    );
  }

  feedback
    .command("import")
    .description(
      "Import feedback from a file: JSON Lines (.jsonl, .ndjson), CSV with a header row (.csv), or - for JSON Lines on standard input. Resumable.",
    )
    .argument("<file>", "the rows to import")
    .option("--concurrency <n>", "requests in flight at most", whole(1), 8)
    .option("--max-retries <n>", "retries per row after the first attempt (the client's default: 2)", whole(0))
    .option("--rejects <path>", "where rows that could not be delivered go (default: FILE.rejects.jsonl)")
    .option("--checkpoint <path>", "where delivered rows are recorded (default: FILE.checkpoint)")
    .option("--resume", "continue an interrupted import: rows in the checkpoint are not sent again")
    .option(
      "--assume-same-input",
      "with --resume on standard input or a FIFO (which cannot be read twice to check): trust that it is the same input",
    )
    .action(async (file: string, values: Record<string, unknown>) => {
      const format = formatOf(file);
      if (!format)
        throw new UsageError(
          `cannot tell the format of ${file}: name it .jsonl, .ndjson or .csv, or pass - for JSON Lines on standard input`,
        );
      const stem = file === "-" ? "stdin" : file;
      const resume = values.resume === true;
      const { args, hadKey } = withoutApiKey(argv);
      const again = ["parea", ...args, ...(resume ? [] : ["--resume"])].map(quote).join(" ");
      setExit(
        await runImport({
          file,
          format,
          concurrency: values.concurrency as number,
          maxRetries: values.maxRetries as number | undefined,
          rejects: (values.rejects as string | undefined) ?? `${stem}.rejects.jsonl`,
          checkpoint: (values.checkpoint as string | undefined) ?? `${stem}.checkpoint`,
          resume,
          assumeSameInput: values.assumeSameInput === true,
          apiKey: connection().apiKey,
          baseUrl: connection().baseUrl,
          resumeCommand: hadKey
            ? `${again}\n  (with the API key in PAREA_API_KEY, or --api-key again: it is not printed)`
            : again,
        }),
      );
    });
  return program;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(argv, (exit) => (code = exit));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError)
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? EXIT.ok : EXIT.usage;
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return EXIT.usage;
    }
    console.error(`error: ${(error as Error).message}`);
    return EXIT.rejected;
  }
}
