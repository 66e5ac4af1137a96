// The modules codegen wrote to a scratch directory, imported with the shapes tests read: the
// operations (with their validators), the body fields, the default replies and the spec facts.
import { join } from "node:path";
import type { RequestField } from "../../lib/fields.ts";
import type { DefaultReply } from "../../lib/replies.ts";
import type { OperationFacts } from "../../lib/spec-facts.ts";

export type GeneratedOperation = Omit<OperationFacts, "operationId"> & { validate?: (value: unknown) => boolean };

export interface Generated {
  operations: Record<string, GeneratedOperation>;
  requestFields: Record<string, RequestField[]>;
  defaultReplies: Record<string, DefaultReply>;
  spec: { securitySchemes: Record<string, unknown>; apiKeyScheme: string | undefined; defaultBaseUrl: string };
}

export async function loadGenerated(dir: string): Promise<Generated> {
  const load = async <Module>(file: string) => (await import(join(dir, file))) as Module;
  return {
    operations: (await load<Pick<Generated, "operations">>("operations/index.ts")).operations,
    requestFields: (await load<Pick<Generated, "requestFields">>("operations/fields.ts")).requestFields,
    defaultReplies: (await load<Pick<Generated, "defaultReplies">>("operations/replies.ts")).defaultReplies,
    spec: await load<Generated["spec"]>("spec.ts"),
  };
}
