// The named client methods (spec/vendor.yaml `helpers`) -> src/generated/helpers.ts. The hand-written
// client imports the helpers from here, never an operation module by name, so a regeneration that
// loses an operation fails in codegen, naming the configuration, instead of breaking the client build.
import { literal } from "./emit.ts";
import { SpecPipelineError } from "./errors.ts";
import type { NamesLock } from "./names.ts";
import type { OperationFacts } from "./spec-facts.ts";

/** Each helper must be a locked name whose operation is still in the document. */
export function helperOperations(
  helpers: readonly string[],
  lock: NamesLock,
  operations: readonly OperationFacts[],
  configSource: string,
): OperationFacts[] {
  return helpers.map((name) => {
    const key = Object.hasOwn(lock, name) ? lock[name] : undefined;
    if (key === undefined)
      throw new SpecPipelineError(`${configSource}: helper "${name}" is not a name in the operation names lock`);
    const op = operations.find((candidate) => candidate.name === name);
    if (!op)
      throw new SpecPipelineError(
        `${configSource}: helper "${name}" calls ${key}, which the document no longer has; remove the helper (a major change) or point the lock at its new path`,
      );
    return op;
  });
}

/**
 * `helpers` (the operation modules) and `HelperMethods`, one documented method per helper. The method
 * types are parameters (`Types`: name -> [body, data]) so this module imports nothing hand-written.
 */
export function renderHelpers(operations: readonly OperationFacts[], summaries: Map<string, string>): string {
  const names = operations.map((op) => op.name);
  const methods = operations.flatMap((op) => [
    "  /**",
    `   * ${literal(summaries.get(op.name) ?? op.name)}: ${literal(`${op.method} ${op.path}`)}. Resolves with the response body on 2xx;`,
    "   * throws a PareaError subclass otherwise (see the README's error table).",
    "   */",
    // A property, not a method: each helper is a closure over the client, so `const send = client.x`
    // works, and a consumer's unbound-method lint says nothing when it is passed along.
    `  ${op.name}: (body: Types[${literal(op.name)}][0], options?: Options) => Promise<Types[${literal(op.name)}][1]>;`,
  ]);
  return [
    ...names.map((name) => `import { ${name} } from "./operations/${name}.js";`),
    ...(names.length > 0 ? [""] : []),
    "/** The operations the vendor configuration names as client methods (`helpers`). */",
    `export const helpers = { ${names.join(", ")} } as const;`,
    "",
    "/** One method per helper; `Types` maps each helper to its [request body, response data]. */",
    "export interface HelperMethods<Types extends Record<keyof typeof helpers, [unknown, unknown]>, Options> {",
    ...methods,
    "}",
    "",
  ].join("\n");
}
