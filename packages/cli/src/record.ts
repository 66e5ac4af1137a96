// parea feedback record: one feedback from flags (one flag per field of the spec's request body),
// checked by the spec's validator before anything is sent.
import { createPareaClient, PareaError, type RequestBody } from "@parea-api/client";
import { formatIssues, operations, requestBodyIssues } from "@parea-api/client/operations";
import { configurationError, UsageError } from "./errors.js";
import { feedbackFields, parseValue } from "./fields.js";

export async function record(
  values: Record<string, string | undefined>,
  connection: { apiKey: string | undefined; baseUrl: string | undefined },
): Promise<void> {
  const body: Record<string, unknown> = {};
  for (const field of feedbackFields) {
    const text = values[field.name];
    if (text !== undefined) body[field.name] = parseValue(field, text);
  }
  const issues = requestBodyIssues(operations.recordFeedback, body);
  if (issues.length) throw new UsageError(`feedback not sent: ${formatIssues(issues)}`);
  let client;
  try {
    client = createPareaClient(connection);
  } catch (error) {
    if (error instanceof PareaError) throw configurationError(error);
    throw error;
  }
  const data = await client.recordFeedback(body as RequestBody<"recordFeedback">);
  console.log(JSON.stringify(data ?? null));
}
