// Operation names are the generated client's public API (module names, `./operations` keys, helper
// methods), so they do not come from prose that vendors reword freely. A names lock records every
// released name against its method + path; only operations the lock does not know are named, by one
// rule (below), and collisions are settled deterministically instead of failing the build.
import { SpecPipelineError } from "./errors.ts";

/** "POST /api/v1/feedback": an operation's identity, which the lock maps names to. */
export type OperationKey = string;

/** name -> method + path, as recorded in the lock file (sorted by name). */
export type NamesLock = Record<string, OperationKey>;

/** What a new operation's name is derived from, in order of preference. */
export type NameSource = "operationId" | "summary";
export const NAME_SOURCES: readonly NameSource[] = ["operationId", "summary"];

export interface NamingInput {
  method: string;
  path: string;
  summary?: unknown;
  operationId?: unknown;
}

export function operationKey(method: string, path: string): OperationKey {
  return `${method.toUpperCase()} ${path}`;
}

/**
 * Names an operation may not take: JavaScript's reserved words (an `export const delete` does not
 * parse), Object.prototype's members (an operation table keyed by them misbehaves), the generated
 * modules' own names (operations/index.ts, fields.ts, replies.ts; `validate` is imported beside each
 * operation), and the client's and outbox's own methods.
 */
const RESERVED_NAMES = new Set([
  ...["break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else"],
  ...["enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof"],
  ...["new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void"],
  ...["while", "with", "yield", "let", "static", "implements", "interface", "package", "private"],
  ...["protected", "public", "await", "async", "arguments", "eval", "undefined", "NaN", "Infinity"],
  ...["constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString"],
  ...["toString", "valueOf", "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__"],
  ...["__lookupSetter__", "index", "fields", "replies", "validate", "operations", "then", "helpers"],
  ...["use", "eject", "request", "withOptions", "flush", "shutdown", "stats", "security"],
  ...["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"],
]);

export function camelCase(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  const joined = words.map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join("");
  return /^[0-9]/.test(joined) ? `op${joined}` : joined;
}

/** A safe identifier (and file name): camelCase of the label, `...Operation` when that is reserved. */
export function safeName(label: string): string {
  const name = camelCase(label);
  return RESERVED_NAMES.has(name) ? `${name}Operation` : name;
}

/** Usable as an export, an object key and a file name on every file system. */
function checkLockedName(name: string, key: OperationKey, lockPath: string): void {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) || RESERVED_NAMES.has(name) || name.length > 200)
    throw new SpecPipelineError(`${lockPath}: "${name}" (for ${key}) is not a name an operation can take`);
}

/**
 * Every operation's name: the lock's when it has one, else the first of `prefer` (camelCased) that is
 * free, else its method and path camelCased, else the first candidate with the method appended, else
 * with 2, 3... Operations are named in path + method order, after every locked one, so the result depends only on the document and the lock; names
 * are compared ignoring case (each is also a file name, and macOS and Windows ignore case).
 */
export function assignNames(
  operations: readonly NamingInput[],
  lock: NamesLock,
  prefer: readonly NameSource[],
  lockPath = "operation names lock",
): Map<OperationKey, string> {
  const byKey = new Map<OperationKey, string>();
  const taken = new Map<string, string>();
  for (const [name, key] of Object.entries(lock)) {
    checkLockedName(name, key, lockPath);
    const twin = taken.get(name.toLowerCase());
    if (twin !== undefined)
      throw new SpecPipelineError(`${lockPath}: "${name}" and "${twin}" differ only in case (they are files too)`);
    if (byKey.has(key))
      throw new SpecPipelineError(`${lockPath}: ${key} has two names, "${byKey.get(key)}" and "${name}"`);
    taken.set(name.toLowerCase(), name);
    byKey.set(key, name);
  }
  const names = new Map<OperationKey, string>();
  const fresh: NamingInput[] = [];
  for (const op of operations) {
    const locked = byKey.get(operationKey(op.method, op.path));
    if (locked === undefined) fresh.push(op);
    else names.set(operationKey(op.method, op.path), locked);
  }
  const order = (op: NamingInput) => `${op.path} ${op.method.toUpperCase()}`;
  for (const op of fresh.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))) {
    const labels = prefer.map((source) => op[source]).filter((label): label is string => typeof label === "string");
    const candidates = [...labels, `${op.method} ${op.path}`].map(safeName).filter(Boolean);
    const free = (name: string) => !taken.has(name.toLowerCase());
    const first = candidates[0] ?? op.method.toLowerCase();
    let name = candidates.find(free) ?? `${first}${op.method[0]!.toUpperCase()}${op.method.slice(1).toLowerCase()}`;
    for (let n = 2; !free(name); n++) name = `${first}${n}`;
    taken.set(name.toLowerCase(), name);
    names.set(operationKey(op.method, op.path), name);
  }
  return names;
}

/** The lock after an update: every current operation's name, none for operations that are gone. */
export function lockFor(names: Map<OperationKey, string>): NamesLock {
  return Object.fromEntries([...names].map(([key, name]) => [name, key] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
}
