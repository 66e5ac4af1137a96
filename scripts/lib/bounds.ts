// Numeric and size bounds compared as intervals. Judging each keyword on its own (as diff tools do),
// `exclusiveMaximum: 1` -> `maximum: 1` reads as "maximum added (breaking)" although callers may now
// send more. Here the range before and after are compared as sets.

/** Keyword -> the quantity it bounds. */
export const BOUND_KEYWORDS: Record<string, Quantity> = {
  minimum: "x",
  maximum: "x",
  exclusiveMinimum: "x",
  exclusiveMaximum: "x",
  minLength: "length",
  maxLength: "length",
  minItems: "items",
  maxItems: "items",
  minProperties: "properties",
  maxProperties: "properties",
};
export type Quantity = "x" | "length" | "items" | "properties";

interface End {
  value: number;
  open: boolean;
}
export interface Interval {
  low: End;
  high: End;
}

const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** The tighter of an inclusive and an exclusive bound (either may be absent). */
function tighter(inclusive: number | undefined, exclusive: number | undefined, fallback: number, lower: boolean): End {
  if (exclusive === undefined) return { value: inclusive ?? fallback, open: false };
  if (inclusive === undefined) return { value: exclusive, open: true };
  const exclusiveWins = lower ? exclusive >= inclusive : exclusive <= inclusive;
  return exclusiveWins ? { value: exclusive, open: true } : { value: inclusive, open: false };
}

/** The interval a schema allows for one quantity; OpenAPI 3.0's boolean exclusive flags included. */
export function intervalOf(schema: Record<string, unknown> | undefined, quantity: Quantity): Interval {
  const s = schema ?? {};
  if (quantity !== "x") {
    const suffix = quantity === "length" ? "Length" : quantity === "items" ? "Items" : "Properties";
    return {
      low: { value: num(s[`min${suffix}`]) ?? 0, open: false },
      high: { value: num(s[`max${suffix}`]) ?? Infinity, open: false },
    };
  }
  // 3.0: `exclusiveMinimum: true` makes `minimum` exclusive. 3.1: exclusiveMinimum is the bound.
  const min = num(s.minimum);
  const max = num(s.maximum);
  const low =
    s.exclusiveMinimum === true
      ? { value: min ?? -Infinity, open: min !== undefined }
      : tighter(min, num(s.exclusiveMinimum), -Infinity, true);
  const high =
    s.exclusiveMaximum === true
      ? { value: max ?? Infinity, open: max !== undefined }
      : tighter(max, num(s.exclusiveMaximum), Infinity, false);
  return { low, high };
}

/** Does `outer` hold every value `inner` holds? */
export function contains(outer: Interval, inner: Interval): boolean {
  const lowOk =
    outer.low.value < inner.low.value || (outer.low.value === inner.low.value && (!outer.low.open || inner.low.open));
  const highOk =
    outer.high.value > inner.high.value ||
    (outer.high.value === inner.high.value && (!outer.high.open || inner.high.open));
  return lowOk && highOk;
}

export type Verdict = "unchanged" | "widened" | "narrowed" | "changed";

export function compareIntervals(before: Interval, after: Interval): Verdict {
  const grew = contains(after, before);
  const shrank = contains(before, after);
  return grew && shrank ? "unchanged" : grew ? "widened" : shrank ? "narrowed" : "changed";
}

/** e.g. `0 < x <= 1`, `length <= 10`, `any x`. */
export function formatInterval({ low, high }: Interval, quantity: Quantity): string {
  const hasLow = Number.isFinite(low.value) && !(quantity !== "x" && low.value === 0);
  const hasHigh = Number.isFinite(high.value);
  if (!hasLow && !hasHigh) return `any ${quantity}`;
  const left = hasLow ? `${low.value} ${low.open ? "<" : "<="} ` : "";
  const right = hasHigh ? ` ${high.open ? "<" : "<="} ${high.value}` : "";
  return `${left}${quantity}${right}`;
}
