// Equality for the parts of two documents: the same JSON, whatever order their keys came in. A pair of
// objects found equal (or not) is remembered, so a schema shared by a hundred operations, or compared
// again one level down, costs one walk. Comparing sorted JSON text instead re-serialized every shared
// schema at every level it was seen from: three quarters of spec:diff's time on GitHub's document.

let equal = new WeakMap<object, object>();
let unequal = new WeakMap<object, object>();
let refs = new WeakMap<object, boolean>();

/**
 * Called when a comparison starts: what was remembered of other documents goes, so a caller that
 * edits a document in place and compares it again is never answered from memory.
 */
export function forgetIdentities(): void {
  [equal, unequal, refs] = [new WeakMap(), new WeakMap(), new WeakMap()];
}

/** The same JSON (key order aside; a key holding `undefined` counts as missing, as in JSON). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (equal.get(a) === b) return true;
  if (unequal.get(a) === b) return false;
  const verdict = compare(a, b);
  (verdict ? equal : unequal).set(a, b);
  return verdict;
}

function compare(a: object, b: object): boolean {
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const list = b as unknown[];
    if (a.length !== list.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], list[i])) return false;
    return true;
  }
  const [ra, rb] = [a as Record<string, unknown>, b as Record<string, unknown>];
  let count = 0;
  for (const key in ra) {
    const value = ra[key];
    if (value === undefined) continue;
    count++;
    if (!Object.hasOwn(rb, key) || !same(value, rb[key])) return false;
  }
  for (const key in rb) if (rb[key] !== undefined) count--;
  return count === 0;
}

/** Not the same JSON. */
export const differ = (a: unknown, b: unknown): boolean => !same(a, b);

/** Whether a `$ref` appears anywhere in the value (what it points to may differ though it reads the same). */
export function hasRef(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  let found = refs.get(value);
  if (found === undefined) {
    found = false;
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key];
      if ((key === "$ref" && typeof child === "string") || hasRef(child)) {
        found = true;
        break;
      }
    }
    refs.set(value, found);
  }
  return found;
}

/** The values of `list` that `others` lacks (by `same`). */
export const missingFrom = <T>(list: readonly T[], others: readonly unknown[]): T[] =>
  list.filter((value) => !others.some((other) => same(value, other)));
