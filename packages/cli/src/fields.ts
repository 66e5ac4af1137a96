// Request-body fields as the spec describes them (generated into the client), turned into what a
// command line has: flag names, and values parsed from text by the field's type. Nothing here names a
// field; a field added to the spec becomes a flag and a CSV column with no edit.
import { requestFields, type RequestField } from "@parea-api/client/operations";

/** One body field as the spec describes it: the generated type, not a copy. */
export type Field = RequestField;

export const feedbackFields: readonly Field[] = requestFields.recordFeedback;

/** trace_id -> trace-id */
export const flagName = (field: Field) => field.name.replace(/_/g, "-");

/** A decimal JSON number, nothing else (Number() also takes 0x1, 0b1, 0o7 and "1e400" -> Infinity). */
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Text (a flag value or a CSV cell) as the JSON value the field's type asks for. Text that is not a
 * decimal JSON number for a number field stays text, so the spec's validator names the problem.
 * Spaces around a number are allowed (CSV written as `t1, 0.5`).
 */
export function parseValue(field: Field, text: string): unknown {
  const types: readonly string[] = field.type;
  if ((types.includes("number") || types.includes("integer")) && DECIMAL.test(text.trim()))
    return Number.isFinite(Number(text)) ? Number(text) : text;
  if (types.includes("boolean") && (text === "true" || text === "false")) return text === "true";
  if ((types.includes("object") || types.includes("array")) && /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
